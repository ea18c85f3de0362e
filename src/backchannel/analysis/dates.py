"""Signal dates as day intervals, so that ``2025``, ``2025-03`` and ``2025-03-14`` can be compared.

A signal's date is its ``when`` (when the position was expressed), else its
article's ``published`` date: the same rule as the store's ``date`` column.
Each is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a coarse date stands for
every day it covers, so ``2025-03`` is the interval 1-31 March.  Two dates
are "close" when the gap between their intervals is small (overlapping
intervals have gap 0), which keeps a month-only report of a position next to
the day-dated reports of it instead of dropping it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# A date at the start of the value; a time part ("2025-03-14T09:00Z") may follow.
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?=$|[T ])")


@dataclass(frozen=True, order=True)
class Span:
    """The days a date covers (``start`` and ``end`` inclusive) and the date as written."""

    start: date
    end: date
    text: str

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.text.count("-")]


def parse_date(value: str | None) -> Span | None:
    """``YYYY[-MM[-DD]]`` (a time part after a day is ignored) as a ``Span``; None when not a valid date."""
    match = _DATE.match((value or "").strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        y = int(year)
        if month is None:
            return Span(date(y, 1, 1), date(y, 12, 31), year)
        m = int(month)
        if day is None:
            return Span(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), f"{year}-{month}")
        d = date(y, m, int(day))
        return Span(d, d, d.isoformat())
    except ValueError:  # month 13, 30 February
        return None


def signal_date(signal: dict[str, Any]) -> Span | None:
    """When the position was expressed: the signal's ``when``, else its article's ``published``."""
    return parse_date(signal.get("when")) or parse_date(signal.get("published"))


def gap_days(a: Span, b: Span) -> int:
    """Days between two intervals; 0 when they overlap."""
    return max(0, (max(a.start, b.start) - min(a.end, b.end)).days)


def shifted(span: Span, days: int) -> str:
    """The last day of ``span`` moved by ``days``, as ``YYYY-MM-DD`` (an inclusive bound for queries)."""
    return (span.end + timedelta(days=days)).isoformat()


PERIODS = ("month", "quarter", "year", "all")


def bucket(span: Span, period: str = "month") -> str:
    """The period label a date falls in: ``2025-03``, ``2025-Q1``, ``2025`` or ``all``.

    A date coarser than the period keeps its own label (``2025`` under
    months): it cannot be placed in one month, so it is only compared with
    other dates known to the year.
    """
    if period == "all":
        return "all"
    if period == "year" or span.precision == "year":
        return span.text[:4]
    if period == "month":
        return span.text[:7]
    if period == "quarter":
        return f"{span.start.year}-Q{(span.start.month - 1) // 3 + 1}"
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
