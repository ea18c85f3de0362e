"""Query-string values checked before they reach the store or the analyses: a bad value is a 400.

The store already binds every value and turns an impossible date into "no
rows"; checking here as well tells the user *which* value is wrong instead
of answering an empty page, and keeps odd input (a stance of ``' OR 1=1``,
a date of ``2025-13``) from ever looking like a server fault.

Strict on purpose: a parameter the endpoint does not take is a 400 naming it
(a typo such as ``?stnace=open`` would otherwise answer every signal as if
filtered), a parameter given twice is a 400 unless it is one of the store's
``MULTI_FILTERS`` (where repeating it means "any of these") and the endpoint's
description says it repeats, and a date must name a real day.  Which names an
endpoint takes, and which repeat, is read from its OpenAPI description
(``openapi.query_names``, ``openapi.repeatable``), so the document and the
check are one list.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from starlette.datastructures import QueryParams

from backchannel.analysis.dates import PERIODS
from backchannel.errors import BackchannelError
from backchannel.store import (
    DATE_FILTERS,
    FILTER_CHOICES,
    MULTI_FILTERS,
    SIGNAL_FILTERS,
    SORTS,
    SignalFilter,
    Sort,
    min_confidence,
    valid_date,
)
from backchannel.store.queries import DEFAULT_SORT
from backchannel.web import cursor as cursors
from backchannel.web.errors import ApiError

MAX_TEXT = 200  # an actor or outlet name longer than this is not a name
MAX_VALUES = 20  # values of one repeated filter
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses


def strict(query: QueryParams, allowed: Collection[str], multi: Collection[str] = ()) -> QueryParams:
    """``query`` when every name is one the endpoint takes, each given once (``multi`` ones any number of times)."""
    unknown = [name for name in dict.fromkeys(query.keys()) if name not in allowed]
    if unknown:
        takes = ", ".join(sorted(allowed)) or "no parameters"
        raise ApiError(400, f"unknown parameter {unknown[0][:40]!r}: this endpoint takes {takes}")
    for name in dict.fromkeys(query.keys()):
        count = len(query.getlist(name))
        if name not in multi and count > 1:
            raise ApiError(400, f"{name}: given {count} times; it takes one value")
        if count > MAX_VALUES:
            raise ApiError(400, f"{name}: at most {MAX_VALUES} values")
    return query


def _one(value: str, name: str) -> str | None:
    if not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ApiError(400, f"{name}: at most {MAX_TEXT} characters")
    return value


def text(query: QueryParams, name: str) -> str | None:
    """A free-text value: stripped, ``None`` when absent or blank, 400 when absurdly long."""
    value = query.get(name)
    return None if value is None else _one(value, name)


def _label(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise ApiError(400, f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value.lower()


def choice(query: QueryParams, name: str, allowed: tuple[str, ...]) -> str | None:
    value = text(query, name)
    return None if value is None else _label(value, name, allowed)


def many(query: QueryParams, name: str, allowed: tuple[str, ...] | None = None) -> str | tuple[str, ...] | None:
    """A multi-value filter: one value as a string, several as a tuple (any matches), labels checked."""
    values = [v for v in (_one(raw, name) for raw in query.getlist(name)) if v is not None]
    if allowed is not None:
        values = [_label(v, name, allowed) for v in values]
    values = list(dict.fromkeys(values))
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def date(query: QueryParams, name: str) -> str | None:
    value = text(query, name)
    if value is not None and not valid_date(value):
        raise ApiError(400, f"{name}: {value!r} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def dates(query: QueryParams) -> tuple[str | None, str | None]:
    since, until = date(query, "since"), date(query, "until")
    if since and until and since[:len(until)] > until:
        raise ApiError(400, f"since {since} is after until {until}")
    return since, until


def limit(query: QueryParams) -> int:
    value = text(query, "limit")
    if value is None:
        return DEFAULT_LIMIT
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= MAX_LIMIT:
        raise ApiError(400, f"limit: a whole number from 1 to {MAX_LIMIT}, not {value!r}")
    return int(value)


def period(query: QueryParams) -> str:
    return choice(query, "period", PERIODS) or "month"


def sort(query: QueryParams) -> Sort:
    return SORTS[choice(query, "sort", tuple(SORTS)) or DEFAULT_SORT]


def after(query: QueryParams, order: Sort) -> tuple | None:
    """The sort key a ``cursor`` parameter stands for, or None for the first page."""
    token = query.get("cursor")
    return None if token is None or not token.strip() else cursors.decode(order, token.strip())


def signal_filter(query: QueryParams, names: Collection[str] = SIGNAL_FILTERS) -> SignalFilter:
    """The store's filters (``SIGNAL_FILTERS``) among ``names``, each checked: labels, dates, numbers, text."""
    since, until = dates(query)
    values: dict[str, object] = {}
    for name in SIGNAL_FILTERS:
        if name in DATE_FILTERS or name not in names:
            continue
        if name in MULTI_FILTERS:
            values[name] = many(query, name, FILTER_CHOICES.get(name))
        else:
            values[name] = text(query, name)
    if values.get("confidence") is not None:
        try:
            values["confidence"] = min_confidence(str(values["confidence"]))
        except BackchannelError as exc:
            raise ApiError(400, str(exc)) from None
    return SignalFilter(**values, since=since, until=until)  # type: ignore[arg-type]


def signal_id(raw: str) -> int:
    """A signal id from the path; anything that cannot be a stored id is a 404 (not a 500 from the driver)."""
    if not _NUMBER.fullmatch(raw):
        raise ApiError(404, f"no signal with id {raw[:40]!r}")
    return int(raw)
