"""WARC and WARC.gz files (web archives, e.g. Common Crawl News): one article per archived HTML page.

``response`` records (an HTTP response) and ``resource`` records (a stored
document) whose type is HTML are read with ``html.article_from_html``; the
record's target URI becomes ``url`` and its ``WARC-Date`` stands in for
``published`` when the page has no date.  Everything else (requests, metadata,
images, redirects, error pages) is skipped silently: a crawl is mostly not
articles, and reporting each would drown the real errors.

Each record's source is ``file@offset`` (the byte offset of the record, for
``warcio extract``).  warcio does not complain about a truncated last record;
it just returns fewer bytes, so truncation is detected by comparing what was
read with the record's ``Content-Length``.  A truncated or corrupt record ends
the file with one ``InputError``; the records before it have been yielded.
Old ARC files are refused (warcio would read any five-word line as an ARC
header, so accepting them would turn garbage into records).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from backchannel.errors import InputError
from backchannel.read.dates import normalise_date
from backchannel.read.html import article_from_html
from backchannel.read.text import MAX_BYTES, one_line, too_large_reason
from backchannel.records import Article

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_DRAIN = 1024 * 1024


def iter_warc(path: str | Path) -> Iterator[Article | InputError]:
    """Yield an ``Article`` or ``InputError`` per HTML record; a corrupt or truncated file ends with one error."""
    source = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({one_line(exc.strerror or str(exc))})")
        return
    offset = 0
    records: ArchiveIterator | None = None
    try:
        records = ArchiveIterator(handle)
        while True:
            offset = records.offset
            warnings_before = records.err_count
            try:
                # warcio prints Content-Length warnings to stderr itself; they become InputErrors instead.
                with contextlib.redirect_stderr(io.StringIO()):
                    record = next(records)
            except StopIteration:
                # warcio ends quietly when the file stops inside a record's header or its gzip member
                cut = _cut_member(handle, records.member_info)
                if cut is None and _has_unread_bytes(handle, records.offset):
                    cut = records.offset
                if cut is not None:
                    yield InputError(f"{source}@{cut}", "truncated WARC record (the file ends inside it)")
                return
            offset = records.offset
            if record.format != "warc":
                raise ValueError(f"not a WARC record ({record.format or 'unknown'} format)")
            if records.err_count > warnings_before:
                yield InputError(f"{source}@{offset}", "WARC record does not end where its Content-Length says")
            result = _record_article(record, f"{source}@{offset}")
            if _truncated(record):
                yield InputError(f"{source}@{offset}", "truncated WARC record (the file ends inside it)")
                return
            if result is not None:
                yield result
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on corrupt input; the contract is InputError
        if records is not None:
            offset = records.offset  # warcio has moved on to the record that failed
        detail = one_line(_printable(str(exc) or type(exc).__name__), 80)
        if offset == 0:
            yield InputError(f"{source}@0", f"not a WARC file ({detail})")
            return
        yield InputError(
            f"{source}@{offset}", f"corrupt WARC at byte offset {offset} ({detail}); the rest of the file is skipped"
        )
    finally:
        handle.close()


def _record_article(record: Any, source: str) -> Article | InputError | None:
    """The article in one record, an error, or None for a record that is not an HTML page."""
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode()
        if not (status or "").startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    if not content_type.lower().strip().startswith(_HTML_TYPES):
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    try:
        body = record.content_stream().read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            return InputError(source, too_large_reason(None))
        article = article_from_html(body, source=source, url=url)
    except InputError as exc:
        return exc
    except (OSError, ValueError, EOFError) as exc:  # zlib/chunked decoding of the archived body
        return InputError(source, f"cannot decode the archived page ({type(exc).__name__}: {one_line(str(exc), 80)})")
    if not article.published:
        crawled = normalise_date(record.rec_headers.get_header("WARC-Date") or "")
        if crawled:
            article = replace(article, published=crawled)
    return article


def _truncated(record: Any) -> bool:
    """Read the rest of the record's block; True if the file ended before its ``Content-Length``."""
    raw = record.raw_stream
    while raw.read(_DRAIN):
        pass
    return isinstance(raw, LimitReader) and raw.limit > 0


def _cut_member(handle: Any, member: tuple[int, int] | None) -> int | None:
    """The offset of the last gzip member when the file ends before that member does, else None."""
    if not member:
        return None
    start, length = member
    handle.seek(start)
    decompressor = zlib.decompressobj(wbits=47)  # gzip or zlib header, as warcio accepts
    try:
        decompressor.decompress(handle.read(length))
    except zlib.error:
        return None  # not this check's business: warcio has reported corrupt data already
    return None if decompressor.eof else start


def _has_unread_bytes(handle: Any, offset: int) -> bool:
    """True when something other than blank padding follows ``offset``, where the last whole record ended."""
    handle.seek(offset)
    while chunk := handle.read(_DRAIN):
        if chunk.strip():
            return True
    return False


def _printable(text: str) -> str:
    """warcio quotes the bad bytes it met; keep the message readable on a terminal."""
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in text)
