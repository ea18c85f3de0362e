"""Reading a user's data file (actors, conflicts): one place for the ways such a file can be wrong.

A user extends the bundled word lists and registries with their own files.  Whatever is wrong with
one (missing, not UTF-8, not JSON or YAML) must be one line naming the file, raised as the error
class of the kind of file it is, so that every kind reports its problems the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backchannel.errors import BackchannelError


def read_data_file(path: Path, what: str, error: type[BackchannelError]) -> Any:
    """The parsed content of ``path`` (JSON; YAML for .yaml/.yml when PyYAML is installed).

    ``what`` names the kind of file in messages ("actor file"); ``error`` is the class raised.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError as exc:
            raise error(f"{path}: YAML {what}s need PyYAML; install it or use JSON") from exc
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise error(f"{path}: not valid YAML: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
