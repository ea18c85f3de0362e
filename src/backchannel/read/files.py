"""Local files: pick a reader by suffix (or by sniffing the first bytes) and apply CLI overrides.

One file is one article.  Plain text and Markdown are kept exactly as written
(only newlines are normalised) because extracted spans index into the text;
HTML goes through ``html.article_from_html`` and JSON through
``mapping.article_from_json``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Literal

from backchannel.errors import InputError
from backchannel.read.clean import clean_field, make_article
from backchannel.read.dates import dateline_date, normalise_date
from backchannel.read.html import article_from_html
from backchannel.read.mapping import article_from_json, date_reason
from backchannel.read.text import decode_bytes, read_file_bytes, split_bom
from backchannel.records import Article

FileKind = Literal["text", "markdown", "html", "json"]

SUFFIX_KINDS: dict[str, FileKind] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
}

MAX_TITLE_CHARS = 200
_HTML_MARK = re.compile(rb"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def read_path(path: str | Path, *, published: str = "", outlet: str = "") -> Article:
    """Read one file into an ``Article`` (``source=str(path)``), or raise ``InputError``.

    ``published`` and ``outlet``, when given, replace what the document says
    (they come from the ``--published`` / ``--outlet`` flags).
    """
    source = str(path)
    data = read_file_bytes(Path(path), source)
    kind = file_kind(Path(path), data)
    if kind == "html":
        article = article_from_html(data, source=source)
    elif kind == "json":
        article = article_from_json(decode_bytes(data, source), source=source)
    else:
        text = decode_bytes(data, source)  # cleaned: a NUL past the sniffed first 8 KB is dropped
        article = make_article(text, title=text_title(text, markdown=kind == "markdown"), source=source,
                               published=dateline_date(text))
    return apply_overrides(article, published=published, outlet=outlet)


def file_kind(path: Path, data: bytes) -> FileKind:
    """The suffix decides (case-insensitively); otherwise sniff: HTML markup, a JSON object, else text."""
    kind = SUFFIX_KINDS.get(path.suffix.lower())
    if kind:
        return kind
    head = split_bom(data[:1024])[1].lstrip()
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<") and _HTML_MARK.search(head):
        return "html"
    return "text"


def text_title(text: str, *, markdown: bool = False) -> str:
    """The first non-empty line, if short and followed by more text; Markdown heading marks removed.

    Wire copy and saved articles usually start with the headline; a one-line
    file or a long first paragraph has no separate headline, so no title.
    """
    lines = text.split("\n")
    start = _skip_front_matter(lines) if markdown else 0
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        has_more = any(rest.strip() for rest in lines[index + 1 :])
        if not has_more or len(line) >= MAX_TITLE_CHARS:
            return ""
        if markdown:
            heading = _MARKDOWN_HEADING.match(line)
            if heading:
                line = heading.group(1).strip()
        return line
    return ""


def _skip_front_matter(lines: list[str]) -> int:
    """Index after a leading YAML front-matter block (``---`` ... ``---``), so it is not taken as the title."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


def apply_overrides(article: Article, *, published: str = "", outlet: str = "") -> Article:
    """Replace ``published`` / ``outlet`` with caller-given values; the date is normalised like any other."""
    changes: dict[str, str] = {}
    if published.strip():
        date = normalise_date(published)
        if date is None:
            raise InputError(article.source, date_reason(published, "published date override"))
        changes["published"] = date
    if outlet.strip():
        changes["outlet"] = clean_field(outlet)
    return replace(article, **changes) if changes else article
