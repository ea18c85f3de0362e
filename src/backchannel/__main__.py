"""``python -m backchannel``."""

import sys

from .cli import main

if __name__ == "__main__":  # `ingest --workers` spawns processes that import this module again
    sys.exit(main())
