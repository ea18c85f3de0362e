"""The command line: ``commands`` parses arguments and calls the layers below; the rest formats.

- ``commands``  every ``backchannel`` command (the console script is ``commands.main``)
- ``output``    json / jsonl / table for ``extract``
- ``views``     tables and the signal detail for the terminal
- ``export``    CSV, JSONL, Parquet, PLOVER exports, and corrections as annotation files
- ``corrections`` ``backchannel correct SIGNAL_ID``
"""
