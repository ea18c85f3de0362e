"""Turn the date spellings found in article metadata into ``YYYY-MM-DD`` or ``YYYY-MM``.

The one grammar of written dates: the readers normalise ``published`` with it, and ``nlp.timex`` reads
an article's date (``parse_published``) and month names (``MONTHS``) with it; timex adds the grammar of
time expressions in running text on top.

``Article.published`` is compared and sorted as a string, so every reader must
store the same ISO form.  Only unambiguous spellings are accepted: ISO dates and
timestamps, ``2024/02/01``, English day-month-year and month-day-year with month
names, RFC 2822 (feeds and e-mail), and numeric day and month in either order when
only one order makes a date (``1/21/18``, ``21/1/2018``).  ``01/02/2024`` is refused
because it means different days in Europe and the US.  A two-digit year is read as
POSIX ``strptime`` reads it (00–68: 2000s, 69–99: 1900s).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from email.utils import parsedate_to_datetime

#: Month names and abbreviations, lower case -> month number.
MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:[A-Za-z]{3,9}\.?,?\s+)?"
# Time of day and zone after a written-out date ("1 February 2024 10:00 GMT") are ignored.
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}.*)?"

_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        (
            r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
            r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?"
        ),
        r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})",
        r"(?P<year>\d{4})-(?P<month>\d{2})",
        rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}{_TIME}",
        rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}",
        rf"{_MONTH},?\s+{_YEAR}",
    )
)


def normalise_date(value: str, anywhere: bool = False) -> str | None:
    """Return ``value`` as ``YYYY-MM-DD`` (or ``YYYY-MM`` if it names only a month), or None if unparseable.

    ``anywhere``: when the whole value is not a date, take the first date written inside it ("Published
    1 February 2024 by ..."): for dates no reader has normalised (``nlp.timex.parse_published``); the
    readers keep the strict reading, so that a stray number is never stored as a date."""
    value = " ".join(value.split())
    if not value:
        return None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            return _build(match)
    found = _numeric(value) or _rfc2822(value)
    if found or not anywhere:
        return found
    for pattern in _PATTERNS:
        for match in pattern.finditer(value):
            built = _build(match)
            if built:
                return built
    return None


_NUMERIC = re.compile(r"(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4}|\d{2})")


def _numeric(value: str) -> str | None:
    """``M/D/Y`` or ``D/M/Y`` when only one of the two readings is a date (or both give the same day)."""
    match = _NUMERIC.fullmatch(value)
    if not match:
        return None
    first, second, year = (int(match.group(k)) for k in ("first", "second", "year"))
    if len(match.group("year")) == 2:
        year += 2000 if year <= 68 else 1900
    readings = {d for d in (_day(year, first, second), _day(year, second, first)) if d}
    return readings.pop() if len(readings) == 1 else None


def _day(year: int, month: int, day: int) -> str | None:
    """The ISO day, or None when the calendar has no such day (month 13, 30 February)."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _build(match: re.Match[str]) -> str | None:
    fields = match.groupdict()
    month_text = fields["month"]
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text.lower())
    if month is None:
        return None
    day_text = fields.get("day")
    day = _day(int(fields["year"]), month, int(day_text) if day_text else 1)
    return day if day is None or day_text else day[:7]


def _rfc2822(value: str) -> str | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.date().isoformat() if parsed else None


# "MOSCOW, June 14, 2024 —", "JERUSALEM, Oct. 10, 2025 -", "KYIV, 14 June 2024 (Reuters) -"
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,40},\s+(?P<date>(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})|(?:\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}))"
    r"\s*(?:\([^)]{1,40}\)\s*)?[—–-]",
    re.MULTILINE,
)


def dateline_date(text: str) -> str:
    """The date of a news dateline in the first lines of a plain-text article, or "".

    Plain-text and Markdown files carry no metadata, but wire copy opens with a dateline; without a
    date every relative time in the article ("on Friday") would stay unresolved.
    """
    match = _DATELINE.search(text[:600])
    if not match:
        return ""
    return normalise_date(match.group("date")) or ""
