"""Bulk files: JSONL (one JSON object per line) and CSV (one row per article), streamed.

Dumps from scrapers and news APIs run to gigabytes and always contain a few
broken records, so both readers stream (one line or row in memory, each capped
at ``MAX_BYTES``) and yield an ``InputError`` naming ``file:line`` for a bad
record instead of stopping.  ``FieldMapping`` says which of the dump's fields
hold the article's text and metadata (the CLI's ``--text-field`` etc.); a dotted
name (``meta.title``) reaches into a nested JSON object.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from backchannel.errors import InputError
from backchannel.read.budget import load_json
from backchannel.read.mapping import article_from_mapping, describe_json_value
from backchannel.read.text import MAX_BYTES, one_line
from backchannel.records import ARTICLE_FIELDS, Article

_UTF8_BOM = "\ufeff"


class FieldMapping:
    """Names of the source fields that hold each ``Article`` field (``ARTICLE_FIELDS``; by default the same
    names): ``FieldMapping(text="body")`` reads a dump whose text is in ``body``."""

    __slots__ = ("names",)

    def __init__(self, **names: str) -> None:
        unknown = sorted(set(names) - set(ARTICLE_FIELDS))
        if unknown:
            raise TypeError(f"FieldMapping: {', '.join(unknown)} is not an Article field")
        self.names: dict[str, str] = {name: names.get(name) or name for name in ARTICLE_FIELDS}

    @property
    def text(self) -> str:
        return self.names["text"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldMapping) and other.names == self.names

    def __hash__(self) -> int:
        return hash(tuple(self.names.items()))

    def __repr__(self) -> str:
        return f"FieldMapping({', '.join(f'{k}={v!r}' for k, v in self.names.items() if k != v)})"

    def __reduce__(self) -> tuple:  # picklable for Spark executors despite __slots__
        return (_field_mapping, (self.names,))

    def apply(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record re-keyed to ``Article`` field names; absent fields are left out."""
        out: dict[str, Any] = {}
        for name, theirs in self.names.items():
            found, value = _lookup(record, theirs)
            if found:
                out[name] = value
        return out

    def rename_reason(self, reason: str) -> str:
        """Put the user's field names back into a reason from ``article_from_mapping`` ("field 'body' ...")."""
        for name, theirs in self.names.items():
            if theirs != name:
                reason = reason.replace(f"field '{name}'", f"field '{theirs}'")
        return reason


def _field_mapping(names: dict[str, str]) -> FieldMapping:
    return FieldMapping(**names)


DEFAULT_MAPPING = FieldMapping()


def _lookup(record: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """``record[name]``, or a dotted path into nested objects when no key has the literal name."""
    if name in record:
        return True, record[name]
    if "." not in name:
        return False, None
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def article_from_record(record: Any, *, source: str, mapping: FieldMapping = DEFAULT_MAPPING) -> Article:
    """One mapped record to an ``Article``, or ``InputError`` whose reason uses the record's own field names."""
    if not isinstance(record, Mapping):
        raise InputError(source, f"expected one article object, found {describe_json_value(record)}")
    try:
        return article_from_mapping(mapping.apply(record), source=source)
    except InputError as exc:
        raise InputError(source, mapping.rename_reason(exc.reason)) from None


# --- JSONL ---------------------------------------------------------------------------------------------


def iter_jsonl(path: str | Path, *, mapping: FieldMapping = DEFAULT_MAPPING) -> Iterator[Article | InputError]:
    """Yield one ``Article`` or ``InputError`` (source ``file:line``) per non-blank line."""
    source = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below; a generator cannot use `with` across yields cleanly
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({one_line(exc.strerror or str(exc))})")
        return
    try:
        for number, raw in _bounded_lines(handle):
            line_source = f"{source}:{number}"
            if raw is None:
                yield InputError(line_source, f"line too large (more than {MAX_BYTES // (1024 * 1024)} MB)")
                continue
            result = parse_jsonl_line(raw, number, line_source, mapping)
            if result is not None:
                yield result
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({one_line(exc.strerror or str(exc))})")
    finally:
        handle.close()


def _bounded_lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per physical line; ``None`` for a line over ``MAX_BYTES``, whose rest is skipped unread."""
    number = 0
    while True:
        raw = handle.readline(MAX_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(1024 * 1024)
            yield number, None
            continue
        yield number, raw


def parse_jsonl_line(raw: bytes, number: int, source: str, mapping: FieldMapping) -> Article | InputError | None:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputError(source, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
    line = line.rstrip("\r\n")
    if number == 1:
        line = line.lstrip(_UTF8_BOM)
    if not line.strip():
        return None
    try:
        record = load_json(line, source, where="column {column}")
        return article_from_record(record, source=source, mapping=mapping)
    except InputError as exc:
        return exc


# --- CSV -----------------------------------------------------------------------------------------------


def iter_csv(path: str | Path, *, mapping: FieldMapping = DEFAULT_MAPPING) -> Iterator[Article | InputError]:
    """Yield one ``Article`` or ``InputError`` (source ``file:line`` of the row's first line) per data row.

    The first row is the header.  A header without the text column gives one
    ``InputError`` for the file, since no row could be read.  After a row the
    ``csv`` module rejects (an oversized field or line), reading resumes on the
    next line with a fresh parser.
    """
    source = str(path)
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({one_line(exc.strerror or str(exc))})")
        return
    try:
        lines = _CsvLines(handle)
        yield from _csv_rows(lines, source, mapping)
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({one_line(exc.strerror or str(exc))})")
    finally:
        handle.close()


class _CsvLines:
    """Decoded lines for ``csv.reader`` with their line numbers; bad bytes become surrogates, caught per row.

    A line over ``MAX_BYTES`` is skipped unread and recorded in ``oversized``
    so that the row it belonged to can be reported instead of parsed.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._lines = _bounded_lines(handle)
        self.number = 0
        self.oversized: int | None = None

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        number, raw = next(self._lines)
        self.number = number
        if raw is None:
            self.oversized = number
            return "\n"
        text = raw.decode("utf-8", errors="surrogateescape")
        return text.lstrip(_UTF8_BOM) if number == 1 else text


def _csv_rows(lines: _CsvLines, source: str, mapping: FieldMapping) -> Iterator[Article | InputError]:
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield InputError(source, "empty CSV file (no header row)")
        return
    except csv.Error as exc:
        yield InputError(f"{source}:1", f"invalid CSV header ({one_line(str(exc), 80)})")
        return
    if any(_has_surrogates(name) for name in header):
        yield InputError(f"{source}:1", "not valid UTF-8 in the header row; convert the file to UTF-8")
        return
    header = [name.strip() for name in header]
    if mapping.text not in header:
        shown = ", ".join(name for name in header[:12] if name) or "none"
        yield InputError(source, f"no '{mapping.text}' column in the CSV header (columns: {one_line(shown, 120)})")
        return
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InputError(f"{source}:{start}", f"invalid CSV row ({one_line(str(exc), 80)})")
            reader = csv.reader(lines, strict=True)
            continue
        row_source = f"{source}:{start}"
        if lines.oversized is not None:
            lines.oversized = None
            yield InputError(row_source, f"line too large (more than {MAX_BYTES // (1024 * 1024)} MB)")
            reader = csv.reader(lines, strict=True)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if any(_has_surrogates(cell) for cell in row):
            yield InputError(row_source, "not valid UTF-8; convert the file to UTF-8")
            continue
        record = {name: value for name, value in zip(header, row, strict=False) if name}
        try:
            yield article_from_record(record, source=row_source, mapping=mapping)
        except InputError as exc:
            yield exc


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
