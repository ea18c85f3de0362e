"""Query-string values checked before they reach the store or the analyses: a bad value is a 400.

The store already binds every value and turns an impossible date into "no
rows"; checking here as well tells the user *which* value is wrong instead
of answering an empty page, and keeps odd input (a stance of ``' OR 1=1``,
a date of ``2025-13``) from ever looking like a server fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from backchannel.analysis.dates import PERIODS
from backchannel.store import DATE_FILTERS, FILTER_CHOICES, SIGNAL_FILTERS, SignalFilter, valid_date
from backchannel.web.errors import ApiError

MAX_TEXT = 200  # an actor or outlet name longer than this is not a name
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses


def text(query: Mapping[str, str], name: str) -> str | None:
    """A free-text filter: stripped, ``None`` when absent or blank, 400 when absurdly long."""
    value = query.get(name)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ApiError(400, f"{name}: at most {MAX_TEXT} characters")
    return value


def choice(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = text(query, name)
    if value is None:
        return None
    if value.lower() not in allowed:
        raise ApiError(400, f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value.lower()


def date(query: Mapping[str, str], name: str) -> str | None:
    value = text(query, name)
    if value is not None and not valid_date(value):
        raise ApiError(400, f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def dates(query: Mapping[str, str]) -> tuple[str | None, str | None]:
    since, until = date(query, "since"), date(query, "until")
    if since and until and since[:len(until)] > until:
        raise ApiError(400, f"since {since} is after until {until}")
    return since, until


def limit(query: Mapping[str, str]) -> int:
    value = text(query, "limit")
    if value is None:
        return DEFAULT_LIMIT
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= MAX_LIMIT:
        raise ApiError(400, f"limit: a whole number from 1 to {MAX_LIMIT}, not {value!r}")
    return int(value)


def period(query: Mapping[str, str]) -> str:
    return choice(query, "period", PERIODS) or "month"


def signal_filter(query: Mapping[str, str]) -> SignalFilter:
    """The search page's filters (the store's ``SIGNAL_FILTERS``), each checked: labels, dates, text."""
    since, until = dates(query)
    values = {name: choice(query, name, FILTER_CHOICES[name]) if name in FILTER_CHOICES else text(query, name)
              for name in SIGNAL_FILTERS if name not in DATE_FILTERS}
    return SignalFilter(**values, since=since, until=until)


def signal_id(raw: str) -> int:
    """A signal id from the path; anything that cannot be a stored id is a 404 (not a 500 from the driver)."""
    if not _NUMBER.fullmatch(raw):
        raise ApiError(404, f"no signal with id {raw[:40]!r}")
    return int(raw)
