"""The search's page cursor: an opaque token naming the sort and the last row's sort key.

Why a cursor and not ``offset``: signals keep arriving while an analyst
pages, and an offset shifts with every insert (a row seen twice, another
never).  The cursor carries the key of the last row shown, and the next page
is "the rows after that key" in the same order (``Store.signal_page``), which
no insert can shift.  It is base64url of a small JSON array so that clients
treat it as a token, not as a query language; a cursor that does not decode,
or that belongs to another sort, is a 400 with one line, never a database
error.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from backchannel.store import Sort
from backchannel.web.errors import ApiError

MAX_CURSOR = 400


def encode(sort: Sort, key: tuple[Any, ...]) -> str:
    raw = json.dumps([sort.name, list(key)], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(sort: Sort, token: str) -> tuple[Any, ...]:
    """The sort key in ``token``; 400 when it is not one of ours or was made for another sort."""
    invalid = ApiError(400, "cursor: not a cursor this server gave (use the 'next' value of a page)")
    if len(token) > MAX_CURSOR:
        raise invalid
    try:
        name, key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    if name != sort.name:
        raise ApiError(400, f"cursor: made for sort={name!s:.20}, not sort={sort.name}")
    if not isinstance(key, list) or len(key) != len(sort.kinds):
        raise invalid
    values = []
    for value, kind in zip(key, sort.kinds, strict=True):
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not kind:  # bool is an int subclass: refused here too
            raise invalid
        values.append(value)
    return tuple(values)
