"""The orders ``backchannel signals`` can list in (``--sort``), newest first by default.

An analyst opens the list to see what changed, so the newest signal comes first.  The store gives
the rows newest first (by the signal's date: its ``when``, else its article's); the other orders are
stable sorts of that list, so signals that tie (the same actor, the same confidence) stay newest first.
They are done here rather than in SQL because they are only a listing's presentation, and the store's
one query (``Store.signals``) stays the single door for which signals match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]

DEFAULT_SORT = "when"
#: Each order and what it means, as ``--help`` says it.
SORT_HELP: dict[str, str] = {
    "when": "the signal's date (its when, else the article's), newest first",
    "published": "the article's publication date, newest first",
    "actor": "actor name A to Z, each actor's signals newest first",
    "confidence": "highest confidence first",
}
SORTS: tuple[str, ...] = tuple(SORT_HELP)


def _undated_last(value: Any) -> tuple[bool, str]:
    """A key that puts blank dates last in a descending sort."""
    return (bool(value), str(value or ""))


_KEYS: dict[str, tuple[Callable[[Row], Any], bool]] = {
    "published": (lambda r: _undated_last(r.get("published")), True),
    "actor": (lambda r: str(r.get("actor") or "").casefold(), False),
    "confidence": (lambda r: float(r.get("confidence") or 0.0), True),
}


def sort_signals(rows: Sequence[Row], sort: str = DEFAULT_SORT) -> list[Row]:
    """``rows`` (newest first, as ``Store.signals(newest_first=True)`` gives them) in the order ``sort``."""
    if sort == DEFAULT_SORT:
        return list(rows)
    key, descending = _KEYS[sort]
    return sorted(rows, key=key, reverse=descending)
