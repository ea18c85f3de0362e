"""One entry point for ``backchannel ingest SOURCE...``: any source in, a stream of articles and errors out.

``iter_source`` yields rather than raises so that one bad document (or line,
entry, record) never stops a batch: the caller stores each ``Article`` and
records each ``InputError``.  Dispatch:

- an ``http(s)://`` URL: fetched through ``web.Fetcher``; a feed (by type or by
  its root element) gives its entries, HTML gives one article;
- a folder: every file below it matching ``glob`` whose suffix is readable
  (or that has no suffix), sorted, skipping README and licence files, gold
  annotations and hidden paths (``folder_files``, the one folder walker);
- a file: by suffix (``.jsonl``/``.ndjson``, ``.csv``, ``.xml``/``.rss``/
  ``.atom``, ``.warc``/``.warc.gz``, ``.parquet``), else by content (WARC or
  feed), else ``files.read_path`` (text, Markdown, HTML, JSON).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from backchannel.errors import InputError
from backchannel.read.budget import load_json
from backchannel.read.bulk import DEFAULT_MAPPING, FieldMapping, article_from_record, iter_csv, iter_jsonl
from backchannel.read.clean import make_article
from backchannel.read.feeds import FEED_TYPES, XML_TYPES, iter_feed, looks_like_feed
from backchannel.read.files import SUFFIX_KINDS, read_path, text_title
from backchannel.read.html import article_from_html
from backchannel.read.text import decode_bytes, one_line, read_file_bytes
from backchannel.read.warc import iter_warc
from backchannel.read.web import Fetcher, Response, is_url
from backchannel.records import Article

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES = frozenset({".csv"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
WARC_SUFFIXES = (".warc", ".warc.gz")
PARQUET_SUFFIXES = frozenset({".parquet"})
READABLE_SUFFIXES = frozenset(SUFFIX_KINDS) | JSONL_SUFFIXES | CSV_SUFFIXES | FEED_SUFFIXES | PARQUET_SUFFIXES
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PARQUET_REASON = "parquet input is handled by ingest"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_LOOKS_LIKE_HOST = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/|$)")
_SNIFF_BYTES = 4096


def iter_source(
    source: str,
    *,
    glob: str = "**/*",
    allow_private: bool = False,
    mapping: FieldMapping | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[Article | InputError]:
    """Yield an ``Article`` per good document in ``source`` and an ``InputError`` per bad one; never raises them.

    ``glob`` filters a folder's files (relative to the folder).  ``mapping``
    names the fields of JSONL/CSV rows and JSON files.  ``allow_private`` is
    used to build the default ``Fetcher``; a ``fetcher`` passed in is used as
    it is (its own guard settings apply), for URLs and for feed entry links.
    """
    mapping = mapping or DEFAULT_MAPPING
    if not source.strip():
        yield InputError(source, "empty source name")
        return
    if is_url(source):
        yield from iter_url(source, fetcher=fetcher or Fetcher(allow_private=allow_private), mapping=mapping)
        return
    if _SCHEME.match(source):
        yield InputError(source, "only http:// and https:// URLs are supported")
        return
    path = Path(source)
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except (OSError, ValueError) as exc:  # e.g. a name too long for the file system, an embedded NUL
        yield InputError(source, f"cannot read ({one_line(getattr(exc, 'strerror', None) or str(exc), 80)})")
        return
    if is_dir:
        yield from _iter_folder(path, glob=glob, mapping=mapping, fetcher=fetcher, allow_private=allow_private)
    elif exists:
        yield from iter_file(path, mapping=mapping, fetcher=fetcher, allow_private=allow_private)
    else:
        hint = " (a URL must start with http:// or https://)" if _LOOKS_LIKE_HOST.match(source) else ""
        yield InputError(source, f"no such file or folder{hint}")


def iter_url(
    url: str, *, fetcher: Fetcher, mapping: FieldMapping = DEFAULT_MAPPING
) -> Iterator[Article | InputError]:
    """Fetch ``url``: a feed yields its entries (links fetched by the same ``fetcher``), a page one article."""
    try:
        response = fetcher.fetch(url)
    except InputError as exc:
        yield exc
        return
    yield from _iter_response(url, response, fetcher, mapping)


def _iter_response(
    url: str, response: Response, fetcher: Fetcher, mapping: FieldMapping
) -> Iterator[Article | InputError]:
    media = response.content_type
    body = response.body
    if media in FEED_TYPES or looks_like_feed(body):
        yield from iter_feed(body, source=url, fetcher=fetcher, base_url=response.url)
        return
    try:
        if media in XML_TYPES:
            raise InputError(url, f"XML that is not an RSS or Atom feed ({media})")
        if media in HTML_TYPES or (not media and body.lstrip()[:1] == b"<"):
            yield _html_article(url, response)
        elif media == "text/plain" or not media:
            text = decode_bytes(body, url, encoding=response.charset)
            yield make_article(text, title=text_title(text), url=response.url, source=url)
        elif media == "application/json":
            data = load_json(decode_bytes(body, url, encoding=response.charset), url)
            yield article_from_record(data, source=url, mapping=mapping)
        else:
            raise InputError(url, f"unsupported content type: {media}")
    except InputError as exc:
        yield exc


def _html_article(url: str, response: Response) -> Article:
    """A page's article; a charset in the Content-Type header beats the page's own declaration (as in browsers)."""
    page: str | bytes = response.body
    if response.charset:
        try:
            page = decode_bytes(response.body, url, encoding=_codec(response.charset))
        except LookupError:
            page = response.body  # unknown charset name: let the page's own declaration decide
    return article_from_html(page, source=url, url=response.url)


def _codec(charset: str) -> str:
    name = codecs.lookup(charset).name
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _iter_folder(
    folder: Path, *, glob: str, mapping: FieldMapping, fetcher: Fetcher | None, allow_private: bool
) -> Iterator[Article | InputError]:
    try:
        files = folder_files(folder, glob)
    except (OSError, ValueError) as exc:  # ValueError: an invalid pattern such as '' or '/abs'
        yield InputError(str(folder), f"cannot list the folder with glob {glob!r} ({exc})")
        return
    if not files:
        yield InputError(str(folder), f"no readable files matching {glob!r}")
        return
    for path in files:
        yield from iter_file(path, mapping=mapping, fetcher=fetcher, allow_private=allow_private)


#: Files beside the data that are never documents: READMEs, licences, and the gold set's annotations.
_NOT_DOCUMENTS = ("readme", "license", "licence", "gold.json")


def folder_files(folder: Path, glob: str = "**/*", single_articles: bool = False) -> list[Path]:
    """The files below ``folder`` matching ``glob`` that a reader takes, sorted by relative path: the one
    folder walker (``ingest`` reads every kind; ``extract`` asks for ``single_articles``, the files that
    hold one article each).  Nothing hidden (``.git``, ``.DS_Store``), no README, licence or ``gold.json``.
    Raises ``OSError`` or ``ValueError`` (an invalid pattern) from the listing itself."""
    return sorted((p for p in folder.glob(glob) if _wanted(p, folder, single_articles)),
                  key=lambda p: p.relative_to(folder).as_posix())


def _wanted(path: Path, folder: Path, single_articles: bool) -> bool:
    relative = path.relative_to(folder)
    if any(part.startswith(".") for part in relative.parts):
        return False
    if path.name.lower().startswith(_NOT_DOCUMENTS):
        return False
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if single_articles:
        return suffix in SUFFIX_KINDS
    return suffix == "" or suffix in READABLE_SUFFIXES or _is_warc_name(path)


def holds_one_article(path: Path) -> bool:
    """Whether ``iter_file`` reads this file as one article (a page, a text, a JSON object) rather than
    many (JSONL, CSV, a feed, a WARC): ``extract`` reads the single ones in its supervised workers."""
    suffix = path.suffix.lower()
    if suffix in SUFFIX_KINDS:
        return True
    if suffix in JSONL_SUFFIXES | CSV_SUFFIXES | FEED_SUFFIXES | PARQUET_SUFFIXES or _is_warc_name(path):
        return False
    head = _head(path)
    return not (head.startswith(b"WARC/") or looks_like_feed(head))


def iter_file(
    path: Path,
    *,
    mapping: FieldMapping = DEFAULT_MAPPING,
    fetcher: Fetcher | None = None,
    allow_private: bool = False,
) -> Iterator[Article | InputError]:
    """One local file: bulk, feed and WARC files give many results, every other file one."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        yield InputError(source, PARQUET_REASON)
    elif suffix in JSONL_SUFFIXES:
        yield from iter_jsonl(path, mapping=mapping)
    elif suffix in CSV_SUFFIXES:
        yield from iter_csv(path, mapping=mapping)
    elif _is_warc_name(path):
        yield from iter_warc(path)
    elif suffix in FEED_SUFFIXES:
        yield from _iter_feed_file(path, fetcher, allow_private)
    elif suffix in SUFFIX_KINDS:
        yield _one(path, mapping)
    else:
        head = _head(path)
        if head.startswith(b"WARC/"):
            yield from iter_warc(path)
        elif looks_like_feed(head):
            yield from _iter_feed_file(path, fetcher, allow_private)
        else:
            yield _one(path, mapping)


def _iter_feed_file(path: Path, fetcher: Fetcher | None, allow_private: bool) -> Iterator[Article | InputError]:
    try:
        data = read_file_bytes(path, str(path))
    except InputError as exc:
        yield exc
        return
    # Entries without full content are fetched by their (absolute) links, under the usual guard.
    yield from iter_feed(data, source=str(path), fetcher=fetcher or Fetcher(allow_private=allow_private))


def _one(path: Path, mapping: FieldMapping) -> Article | InputError:
    """A single-document file; a JSON file honours a non-default field mapping."""
    try:
        if path.suffix.lower() == ".json" and mapping != DEFAULT_MAPPING:
            raw = decode_bytes(read_file_bytes(path, str(path)), str(path))
            data = load_json(raw, str(path))
            return article_from_record(data, source=str(path), mapping=mapping)
        return read_path(path)
    except InputError as exc:
        return exc


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except OSError:
        return b""  # read_path will report the problem properly


def _is_warc_name(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(WARC_SUFFIXES)
