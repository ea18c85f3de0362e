"""Articles given as structured records: a JSON object now, JSONL lines and CSV rows later.

The record shape is ``Article.to_dict()``: ``title, outlet, author, published,
url, text``.  Validation is strict about types (a wrong type usually means the
wrong file or a broken export) and lenient about extras (unknown fields are
ignored, ``null`` counts as absent), and every reason names the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from backchannel.errors import InputError
from backchannel.read.dates import normalise_date
from backchannel.read.text import normalise_newlines, one_line
from backchannel.records import Article

METADATA_FIELDS: tuple[str, ...] = ("title", "outlet", "author", "published", "url")


def describe_json_value(value: Any) -> str:
    """Name a JSON value's type the way a user would ("a list", "a number") for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def date_reason(value: str, what: str) -> str:
    """The reason for an unparseable date; shared with the ``published`` override."""
    return f"{what} is not a date: {one_line(repr(value), 60)} (use YYYY-MM-DD or YYYY-MM)"


def article_from_mapping(data: Mapping[str, Any], *, source: str) -> Article:
    """Build an ``Article`` from one record, or raise ``InputError`` naming the bad field."""
    if not isinstance(data, Mapping):
        raise InputError(source, f"expected one article object, found {describe_json_value(data)}")
    if "text" not in data or data["text"] is None:
        raise InputError(source, "field 'text' is missing")
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, "field 'text' must be a non-empty string")
    if "\x00" in text:
        raise InputError(source, "field 'text' contains NUL characters (binary data)")
    values: dict[str, str] = {}
    for name in METADATA_FIELDS:
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InputError(source, f"field '{name}' must be a string, found {describe_json_value(value)}")
        values[name] = " ".join(value.split())
    if values["published"]:
        published = normalise_date(values["published"])
        if published is None:
            raise InputError(source, date_reason(values["published"], "field 'published'"))
        values["published"] = published
    return Article(text=normalise_newlines(text), source=source, **values)


def article_from_json(raw: str, *, source: str) -> Article:
    """Parse one JSON document holding one article object."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(source, "invalid JSON: nested too deeply") from None
    if isinstance(data, list):
        raise InputError(source, "expected one article object, found a list")
    return article_from_mapping(data, source=source)
