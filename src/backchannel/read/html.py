"""Web pages: main text and metadata via trafilatura, with a few meta-tag fallbacks.

Used for local .html files now and for fetched URLs and feed entries later, so
it takes the page itself (``str`` or ``bytes``) rather than a path.  The text is
one paragraph per block with a blank line between blocks, which keeps sentence
splitting from running a headline into the first paragraph.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from backchannel.errors import InputError
from backchannel.read.budget import check_markup
from backchannel.read.clean import drop_control_references, make_article
from backchannel.read.dates import normalise_date
from backchannel.read.text import MAX_BYTES, decode_bytes, finish_text, one_line, split_bom, too_large_reason
from backchannel.records import Article

NO_TEXT = "no article text found in the HTML"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LIST_MARKER = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
# Browsers treat these labels as windows-1252; pages that declare them often contain its curly quotes.
_WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "latin-1", "latin1", "iso-8859-1", "ascii", "us-ascii"})

_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dc.date",
    "date",
)
_META_OUTLET = ("og:site_name", "application-name")
_META_TITLE = ("og:title", "twitter:title")
_META_AUTHOR = ("author", "article:author", "dc.creator")


def article_from_html(html: str | bytes, *, source: str, url: str = "") -> Article:
    """Extract the article in a web page, or raise ``InputError`` (``NO_TEXT`` if there is none).

    ``url`` is where the page was fetched from; when given it wins over the
    page's own canonical URL, because the caller knows where it actually was.
    """
    page = drop_control_references(_page_text(html, source))
    check_markup(page, source)
    try:
        doc = trafilatura.bare_extraction(
            page,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # No free-text date search: it turns "(c) 2024" in a footer into 2024-01-01.
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": date.today().isoformat(),
            },
        )
    except Exception as exc:  # noqa: BLE001 - third-party parser on untrusted input; the contract is InputError
        raise InputError(
            source, f"cannot parse the HTML ({type(exc).__name__}: {one_line(str(exc), 80)})"
        ) from None
    meta = _meta_tags(page)
    text = _paragraphs(getattr(doc, "text", None) or "")
    if not text or not _has_article_text(text, meta.get("__links__", ())):
        raise InputError(source, NO_TEXT)
    published = normalise_date(_attr(doc, "date")) or _first_date(meta, _META_PUBLISHED)
    return make_article(
        text,
        title=_attr(doc, "title") or _first(meta, _META_TITLE),
        outlet=_attr(doc, "sitename") or _first(meta, _META_OUTLET),
        author=_attr(doc, "author") or _first(meta, _META_AUTHOR, skip_urls=True),
        published=published,
        url=url or _attr(doc, "url"),
        source=source,
    )


def declared_labels(html: str | bytes, *, source: str = "") -> tuple[str, str]:
    """The title and the outlet a page names itself: ``og:title`` (or ``twitter:title``, or its ``<title>``)
    and ``og:site_name`` (or ``application-name``); '' for what it does not name.

    Never trafilatura's guesses (a heading as the title, the domain as the outlet): a feed entry whose
    link is fetched lets the page's own labels win over the feed's (``feeds._merge``), and a guess must not.
    """
    meta = _meta_tags(drop_control_references(_page_text(html, source)))
    return _first(meta, _META_TITLE) or meta.get("__title__", ""), _first(meta, _META_OUTLET)


def _page_text(html: str | bytes, source: str) -> str:
    """Decode and validate the page: size, binary, charset, emptiness."""
    if isinstance(html, str):
        if len(html) > MAX_BYTES:
            raise InputError(source, too_large_reason(len(html.encode("utf-8", "surrogatepass"))))
        if "\x00" in html[:8192]:
            raise InputError(source, "binary file, not text")
        return finish_text(html.lstrip("\ufeff"), source)
    if len(html) > MAX_BYTES:
        raise InputError(source, too_large_reason(len(html)))
    return decode_bytes(html, source, encoding=_declared_charset(html))


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB, if Python knows it; a BOM takes precedence later."""
    if split_bom(data)[0]:
        return None
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def _paragraphs(text: str) -> str:
    """trafilatura puts one block per line; make each a paragraph separated by a blank line."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


def _has_article_text(text: str, links: frozenset[str] | tuple[()]) -> bool:
    """False when every extracted block is just a link label: a navigation-only page is not an article."""
    for block in text.split("\n\n"):
        label = _LIST_MARKER.sub("", block).strip()
        if label and label not in links:
            return True
    return False


def _attr(doc: Any, name: str) -> str:
    value = getattr(doc, name, None)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _meta_tags(page: str) -> dict[str, Any]:
    """``<meta>`` contents by lower-cased property/name/itemprop, plus link labels under ``__links__`` and
    the ``<head>``'s ``<title>`` under ``__title__``.

    A second parse costs little next to trafilatura and lets us fill fields it
    missed; if the page does not parse, there are simply no fallbacks.
    """
    try:
        tree = lxml_html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (etree.LxmlError, ValueError):
        return {}
    meta: dict[str, Any] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = " ".join((element.get("content") or "").split())
        if key and content:
            meta.setdefault(key.strip().lower(), content)
    labels = (" ".join(a.text_content().split()) for a in tree.iter("a"))
    meta["__links__"] = frozenset(label for label in labels if label)
    title = next((t for t in tree.iter("title") if t.getparent() is not None and t.getparent().tag == "head"), None)
    meta["__title__"] = " ".join(title.text_content().split()) if title is not None else ""
    return meta


def _first(meta: dict[str, Any], keys: tuple[str, ...], *, skip_urls: bool = False) -> str:
    for key in keys:
        value = meta.get(key, "")
        if value and not (skip_urls and value.startswith(("http://", "https://"))):
            return value
    return ""


def _first_date(meta: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        parsed = normalise_date(meta.get(key, ""))
        if parsed:
            return parsed
    return ""
