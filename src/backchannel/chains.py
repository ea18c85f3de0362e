"""The one written form of a chain of sources, for every place that prints one.

A chain is stored innermost first (``["a former official", "The New York Times"]``: the official told
the NYT).  Printed, it reads the same way, with an arrow pointing outwards toward the reader:
``a former official → The New York Times``.  The terminal tables, ``show``, the CSV exports and the web
pages all print chains through ``chain_text``, so an analyst who learns the notation in one place can
read it in every other (they used to meet ``;``, ``|``, ``<`` and ``→`` for the same thing).
"""

from __future__ import annotations

from collections.abc import Iterable

CHAIN_ARROW = " → "


def chain_text(links: Iterable[str] | None, empty: str = "") -> str:
    """The links joined innermost first with ``CHAIN_ARROW``, blank links dropped; ``empty`` when none."""
    named = [" ".join(str(link).split()) for link in links or () if link and str(link).strip()]
    return CHAIN_ARROW.join(named) if named else empty
