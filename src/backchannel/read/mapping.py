"""Articles given as structured records: a JSON object now, JSONL lines and CSV rows later.

The record shape is ``Article.to_dict()``: ``title, outlet, author, published,
url, text``.  Validation is strict about types (a wrong type usually means the
wrong file or a broken export) and lenient about extras (unknown fields are
ignored, ``null`` counts as absent), and every reason names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backchannel.errors import InputError
from backchannel.read.budget import load_json
from backchannel.read.clean import clean_field, make_article
from backchannel.read.dates import normalise_date
from backchannel.read.text import one_line
from backchannel.records import ARTICLE_FIELDS, Article

METADATA_FIELDS: tuple[str, ...] = tuple(name for name in ARTICLE_FIELDS if name != "text")


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
    values: dict[str, str] = {}
    for name in METADATA_FIELDS:
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InputError(source, f"field '{name}' must be a string, found {describe_json_value(value)}")
        values[name] = clean_field(value)
    if values["published"]:
        published = normalise_date(values["published"])
        if published is None:
            raise InputError(source, date_reason(values["published"], "field 'published'"))
        values["published"] = published
    return make_article(text, source=source, **values)


def article_from_json(raw: str, *, source: str) -> Article:
    """Parse one JSON document holding one article object."""
    data = load_json(raw, source)
    if isinstance(data, list):
        raise InputError(source, "expected one article object, found a list")
    return article_from_mapping(data, source=source)
