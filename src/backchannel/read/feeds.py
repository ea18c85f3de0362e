"""RSS and Atom feeds: one article per entry, from the entry's full content or from its fetched link.

feedparser does the parsing because real feeds are routinely malformed (bad
entities, wrong encodings, RSS 0.9x/1.0/2.0 and Atom variants) and it recovers
what can be recovered.  It is always given the bytes, never a URL or a path:
fetching goes through ``web.Fetcher`` so the SSRF guard and size cap apply to
entry links too.

An entry carrying ``content:encoded`` or Atom ``<content>`` is used as it is
(HTML reduced to paragraphs); otherwise its link is fetched and read with
``html.article_from_html``.  The feed's metadata (entry author, date, link)
wins over the page's, because it is explicit structured data rather than
something scraped.  Title and outlet are the exception: a feed's title names
the feed ("Meridian Post – World"), not the outlet, and aggregator feeds
rewrite item titles, so the page's own ``og:title``/``<title>`` and
``og:site_name`` win when the fetched page has them (and only those: not
trafilatura's guesses from a heading or the domain name).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import feedparser
from lxml import etree
from lxml import html as lxml_html

from backchannel.errors import InputError
from backchannel.read.budget import check_markup
from backchannel.read.clean import clean_field, drop_control_references, make_article
from backchannel.read.dates import normalise_date
from backchannel.read.html import article_from_html, declared_labels
from backchannel.read.text import binary_reason, one_line, split_bom
from backchannel.read.web import Fetcher, Response
from backchannel.records import Article

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+xml",
        "application/x-rss+xml",
    }
)
XML_TYPES = frozenset({"application/xml", "text/xml"})

_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"\s*<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]")
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "form", "button", "svg")
_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote pre tr figcaption section article header footer "
    "ul ol table dl dt dd aside address hr br".split()
)
_BREAK = "\u2029"  # paragraph separator: a marker that survives text_content() and is split on afterwards


def looks_like_feed(data: bytes) -> bool:
    """True when the document's root element is ``<rss>``, ``<feed>`` or ``<rdf:RDF>`` (after BOM and prolog)."""
    head = split_bom(data[:4096])[1]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 without our BOM handling: let feedparser decide
        return False
    position = 0
    while True:
        match = _PROLOG.match(head, position)
        if not match:
            break
        position = match.end()
    return _ROOT.match(head, position) is not None


def iter_feed(
    data: bytes, *, source: str, fetcher: Fetcher | None = None, base_url: str = ""
) -> Iterator[Article | InputError]:
    """Yield one ``Article`` or ``InputError`` per entry of the feed in ``data``.

    A feed that cannot be parsed at all, or is not a feed, gives a single
    ``InputError(source, ...)``.  ``fetcher`` is needed only for entries that
    must be fetched; without it those entries become errors.  ``base_url``
    (where the feed was fetched from) resolves relative links.
    """
    reason = binary_reason(split_bom(data)[1])
    if reason:
        yield InputError(source, reason)
        return
    try:
        check_markup(_markup_view(data), source)
    except InputError as exc:
        yield exc
        return
    headers = {"content-location": base_url} if base_url else {}
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # noqa: BLE001 - third-party parser on untrusted input; the contract is InputError
        yield InputError(source, f"cannot parse the feed ({type(exc).__name__}: {one_line(str(exc), 80)})")
        return
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = one_line(str(parsed.get("bozo_exception") or "not well-formed"), 100)
            yield InputError(source, f"broken feed ({problem})")
        elif not parsed.get("version"):
            yield InputError(source, "not an RSS or Atom feed")
        return
    outlet = _clean(parsed.get("feed", {}).get("title", ""))
    for number, entry in enumerate(entries, start=1):
        yield _entry_article(entry, number, source=source, outlet=outlet, fetcher=fetcher)


def _entry_article(
    entry: Any, number: int, *, source: str, outlet: str, fetcher: Fetcher | None
) -> Article | InputError:
    """One entry to an ``Article``; any failure becomes an ``InputError`` for this entry only."""
    link = _clean(entry.get("link", ""))
    if link and not link.lower().startswith(("http://", "https://", "/")) and "://" not in link:
        link = ""  # an Atom <id> such as urn:uuid:... that feedparser reports as the link: no page to fetch
    entry_source = link or f"{source}#entry-{number}"
    try:
        meta = _entry_meta(entry, outlet=outlet, link=link)
        content = _entry_content(entry)
        if content is not None:
            return make_article(content, source=entry_source, **meta)
        if not link:
            summary = _entry_summary(entry)
            if summary:
                return make_article(summary, source=entry_source, **meta)
            raise InputError(entry_source, f"feed entry {number} has neither content nor a link")
        if fetcher is None:
            raise InputError(entry_source, "feed entry has no content and links are not fetched here")
        page = fetcher.fetch(link)
        article = article_from_html(page.body, source=entry_source, url=page.url)
        return _merge(article, meta, *declared_labels(page.body, source=entry_source))
    except InputError as exc:
        return exc if exc.source else InputError(entry_source, exc.reason)  # fragment_text's budget names none
    except Exception as exc:  # noqa: BLE001 - feedparser objects from untrusted input; one bad entry must not stop the feed
        return InputError(entry_source, f"cannot read the feed entry ({type(exc).__name__}: {one_line(str(exc), 80)})")


def _markup_view(data: bytes) -> str:
    """The feed as text for the structure pre-pass: its BOM's encoding, else Latin-1, which maps every byte
    to one character and keeps the ASCII markup of any ASCII-compatible encoding where it is."""
    encoding, body, _ = split_bom(data)
    return body.decode(encoding or "latin-1", errors="replace")


def _entry_meta(entry: Any, *, outlet: str, link: str) -> dict[str, str]:
    detail = entry.get("author_detail") or {}
    author = _clean(detail.get("name", "") if hasattr(detail, "get") else "") or _clean(entry.get("author", ""))
    return {
        "title": _clean(entry.get("title", "")),
        "author": author,
        "published": _entry_date(entry),
        "url": link,
        "outlet": outlet,
    }


def _entry_date(entry: Any) -> str:
    """The entry's own date string first (its calendar day where it was written), then feedparser's UTC parse."""
    for key in ("published", "updated", "created"):
        value = entry.get(key)
        if isinstance(value, str):
            parsed = normalise_date(value)
            if parsed:
                return parsed
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
    return ""


def _entry_content(entry: Any) -> str | None:
    """The longest full-content body (``content:encoded`` / Atom ``content``) as text, or None if there is none."""
    best: str | None = None
    for item in entry.get("content") or []:
        value = item.get("value") or ""
        kind = (item.get("type") or "text/html").lower()
        text = fragment_text(value) if "html" in kind else value.strip()
        if text and (best is None or len(text) > len(best)):
            best = text
    return best


def _entry_summary(entry: Any) -> str:
    detail = entry.get("summary_detail") or {}
    value = entry.get("summary") or ""
    kind = (detail.get("type") if hasattr(detail, "get") else "") or "text/html"
    return fragment_text(value) if "html" in kind.lower() else value.strip()


def _merge(article: Article, meta: dict[str, str], page_title: str = "", page_outlet: str = "") -> Article:
    """Feed metadata over page metadata, except the title and outlet the page names itself (``page_title``,
    ``page_outlet``: ``html.declared_labels``); the fetched page's final URL stays when the entry gave none.

    With a declared title the article keeps trafilatura's reading of it, which drops a ``<title>``'s
    " | Outlet" tail.
    """
    changes = {key: value for key, value in meta.items() if value and key != "url"}
    if page_title:
        changes["title"] = article.title or page_title
    if page_outlet:
        changes["outlet"] = page_outlet
    return replace(article, **changes)


def fragment_text(fragment: str) -> str:
    """Reduce an HTML fragment (a feed entry's body) to paragraphs separated by blank lines.

    Not trafilatura: it is built to find the article inside a whole page and
    drops short or link-heavy fragments, whereas a feed body *is* the article
    and every paragraph of it should be kept.
    """
    if not fragment.strip():
        return ""
    fragment = drop_control_references(fragment)
    check_markup(fragment, "")
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.LxmlError, ValueError):
        return " ".join(fragment.split())
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    for element in root.iter(etree.Element):
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.text = _BREAK + (element.text or "")
            element.tail = _BREAK + (element.tail or "")
    text = root.text_content()
    blocks = (" ".join(block.split()) for block in text.split(_BREAK))
    return "\n\n".join(block for block in blocks if block)


def _clean(value: Any) -> str:
    return clean_field(value) if isinstance(value, str) else ""


def is_feed_response(response: Response) -> bool:
    """A fetched document is a feed when its type says so or its root element does (servers mislabel feeds)."""
    return response.content_type in FEED_TYPES or looks_like_feed(response.body)
