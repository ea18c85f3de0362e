"""Fuzzing the readers, ingest and the extractor with generated malformed documents.

News arrives broken: pages cut off mid-download, dumps with a bad line every
thousand, feeds with undefined entities, files in the wrong encoding.  The
contract under test is the one in ``backchannel.read``: every document gives
either articles or one-line ``InputError``s naming where it came from, never an
exception; ingest records each failure and stores each good article once.

Each generated ``Doc`` carries what the readers must make of it when that is
predictable (e.g. invalid UTF-8 is always one error; a well-formed feed gives one
article per entry with content), and ``None`` when it is not (a page cut at a
random byte may or may not still hold an article): the structural checks apply
to every document, the exact ones where the generator knows the answer.

No network: feed entries link only to private addresses and the fetcher's
resolver answers 127.0.0.1 for every host, so every fetch is refused by the guard.

Bugs this file found (a run-on paragraph costing its length squared, control
characters in error messages, Atom entries with urn: ids, NUL bytes past the
sniffed first 8 KB) are fixed and pinned by the ``test_fixed_*`` tests at the end.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backchannel.errors import InputError
from backchannel.jobs.ingest import ingest
from backchannel.read import Fetcher, iter_source
from backchannel.records import Article
from backchannel.store import article_id, open_store

# --- good content ------------------------------------------------------------------------------------

ACTORS = ("Hamas", "Israel", "Ukraine", "Russia", "Sudan's army", "the Rapid Support Forces", "Armenia",
          "Azerbaijan", "India", "Pakistan", "the M23 rebels", "Congo")
CITIES = ("Cairo", "Doha", "Istanbul", "Jeddah", "Geneva", "Riyadh", "Washington", "Luanda")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SENTENCES = (
    "{actor} said on {day} that it was ready for talks on a ceasefire, officials in {city} said.",
    "{actor} rejected a truce proposal on {day}, according to two diplomats in {city}.",
    "Mediators in {city} urged {actor} to accept a ceasefire deal, a spokesman said on {day}.",
    "“We are ready to sign an agreement,” a senior {actor} official told reporters in {city}.",
    "The fighting went on near the front line on {day} as aid groups counted the dead.",
    "Markets in {city} were calm on {day}, traders said — prices barely moved.",
    "{actor} proposed a 30-day truce on {day}; the other side has not answered.",
)
SENTENCE_PICKS = st.lists(st.integers(0, len(SENTENCES) - 1), min_size=2, max_size=4)


def good_text(n: int, picks: list[int]) -> str:
    """A few sentences of plausible news (some with signals), ending in a unique ``dispatch N`` marker."""
    sentences = [
        SENTENCES[p].format(actor=ACTORS[(n + i) % len(ACTORS)], city=CITIES[(n * 3 + i) % len(CITIES)],
                            day=DAYS[(n + p) % 7])
        for i, p in enumerate(picks)
    ]
    sentences[0] = sentences[0][0].upper() + sentences[0][1:]
    return " ".join(sentences) + f" This is dispatch {n}."


def marker(n: int) -> str:
    return f"dispatch {n}"


def html_page(title: str, paragraphs: list[str], charset: str = "utf-8") -> str:
    body = "".join(f"<p>{escape(p, quote=False)}</p>\n" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{charset}"><title>{escape(title)}</title>'
        '<meta property="og:site_name" content="Fuzz Desk">'
        '<meta property="article:published_time" content="2025-03-14T08:00:00Z"></head>\n'
        '<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>\n'
        f"<article><h1>{escape(title)}</h1>\n{body}</article>\n"
        '<footer>© 2025 Fuzz Desk · <a href="/about">About</a></footer></body></html>\n'
    )


def paragraphs_of(text: str) -> list[str]:
    """Split a good text into two paragraphs (trafilatura keeps a short single-paragraph page less reliably)."""
    cut = text.index(". ") + 1 if ". " in text else len(text)
    return [p for p in (text[:cut].strip(), text[cut:].strip()) if p]


# Links of entries that must be fetched: none of them can reach the network (scheme refused, no
# host, or a private address refused by the guard before connecting).
PRIVATE_LINKS = ("http://127.0.0.1:9/story", "http://10.0.0.1/a?b=1&c=2", "http://[::1]/x", "javascript:alert(1)",
                 "/relative/path", "ftp://192.168.1.1/f", "http://192.168.0.7/news/1", "mailto:desk@example.org")


# --- documents ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """A generated document and what the readers must make of it (``None``: not predictable)."""

    family: str
    suffix: str
    data: bytes
    articles: int | None = None
    errors: int | None = None
    markers: tuple[str, ...] = ()
    single: bool = False  # exactly one result (article or error), whichever it is
    line_sources: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # (article lines, error lines)

    @property
    def bad(self) -> bool:
        return self.articles == 0 and bool(self.errors)

    @property
    def good(self) -> bool:
        return bool(self.articles) and self.errors == 0


SINGLE_SUFFIXES = (".txt", ".md", ".html", ".json", "")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
ALL_SUFFIXES = (*SINGLE_SUFFIXES, ".htm", ".markdown", ".jsonl", ".ndjson", ".csv", *FEED_SUFFIXES, ".warc",
                ".warc.gz", ".parquet")


def article_json(n: int, picks: list[int], *, ascii_only: bool = True, **extra: object) -> str:
    record = {"title": f"Dispatch {n}", "outlet": "Fuzz Desk", "published": "2025-03-14",
              "url": f"https://news.example/{n}", "text": good_text(n, picks), **extra}
    return json.dumps(record, ensure_ascii=ascii_only)


def feed_bytes(flavour: str, entries: list[tuple[str, int, list[int], str]]) -> bytes:
    """An RSS 2.0 or Atom feed; entry kinds: content, summary (no link), link (no content), empty, content_link."""
    items = []
    for kind, n, picks, link in entries:
        text = good_text(n, picks)
        title = f"<title>Dispatch {n}</title>"
        if flavour == "rss":
            parts = [title, "<pubDate>Fri, 14 Mar 2025 08:00:00 GMT</pubDate>"]
            if kind in ("link", "content_link"):
                parts.append(f"<link>{escape(link)}</link>")
            if kind in ("content", "content_link"):
                body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs_of(text))
                parts.append(f"<content:encoded><![CDATA[{body}]]></content:encoded>")
            if kind == "summary":
                parts.append(f"<description>{escape(text, quote=False)}</description>")
            items.append("<item>" + "".join(parts) + "</item>")
        else:
            parts = [title, "<updated>2025-03-14T08:00:00Z</updated>"]
            if kind in ("link", "content_link"):
                parts.append(f'<link href="{escape(link)}"/>')
            if kind in ("content", "content_link"):
                body = "".join(f"<p>{p}</p>" for p in paragraphs_of(text))
                parts.append(f'<content type="html">{escape(body)}</content>')
            if kind == "summary":
                parts.append(f"<summary>{escape(text, quote=False)}</summary>")
            items.append("<entry>" + "".join(parts) + "</entry>")
    if flavour == "rss":
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
               'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Fuzz Desk</title>'
               "<link>https://fuzz.example/</link><description>Wire</description>\n"
               + "\n".join(items) + "\n</channel></rss>\n")
    else:
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
               "<title>Fuzz Desk</title><updated>2025-03-14T08:00:00Z</updated>\n"
               + "\n".join(items) + "\n</feed>\n")
    return doc.encode("utf-8")


FEED_OK = ("content", "summary", "content_link")
FEED_BAD = ("link", "empty")


def good_doc(kind: str, n: int, picks: list[int]) -> Doc:
    """One good document of ``kind``; ``n`` makes its text unique (``dispatch n``)."""
    text = good_text(n, picks)
    one = {"articles": 1, "errors": 0, "markers": (marker(n),)}
    if kind in ("txt", "noext"):
        return Doc("good", ".txt" if kind == "txt" else "", text.encode(), **one)
    if kind == "md":
        return Doc("good", ".md", f"# Dispatch {n}\n\n{text}\n".encode(), **one)
    if kind == "json":
        return Doc("good", ".json", article_json(n, picks, ascii_only=n % 2 == 0).encode(), **one)
    if kind == "html":
        return Doc("good", ".html", html_page(f"Dispatch {n} — “talks”", paragraphs_of(text)).encode(), **one)
    if kind == "jsonl":
        lines = [article_json(n + k * 100_000, picks) for k in range(3)]
        return Doc("good", ".jsonl", ("\n".join(lines) + "\n").encode(), articles=3, errors=0,
                   markers=tuple(marker(n + k * 100_000) for k in range(3)))
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["title", "text", "url", "published"])
        for k in range(2):
            writer.writerow([f"Dispatch {n}", good_text(n + k * 100_000, picks), "", "2025-03-14"])
        return Doc("good", ".csv", out.getvalue().encode(), articles=2, errors=0,
                   markers=(marker(n), marker(n + 100_000)))
    flavour = "rss" if kind == "rss" else "atom"
    entries = [("content", n, picks, ""), ("summary", n + 100_000, picks, "")]
    return Doc("good", ".rss" if flavour == "rss" else ".atom", feed_bytes(flavour, entries), articles=2, errors=0,
               markers=(marker(n), marker(n + 100_000)))


GOOD_KINDS = ("txt", "noext", "md", "json", "html", "jsonl", "csv", "rss", "atom")
good_docs = st.builds(good_doc, st.sampled_from(GOOD_KINDS), st.integers(0, 99_999), SENTENCE_PICKS)


@st.composite
def truncated_html(draw: st.DrawFn) -> Doc:
    """A real-looking article page (non-ASCII punctuation included) cut at a random byte."""
    n = draw(st.integers(0, 99_999))
    text = good_text(n, draw(SENTENCE_PICKS))
    page = html_page(f"Dispatch {n} — “talks”", paragraphs_of(text)).encode()
    cut = draw(st.integers(0, len(page) - 1))
    suffix = draw(st.sampled_from((".html", ".htm", "")))
    return Doc("truncated_html", suffix, page[:cut], single=True)


MAGIC = (b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\x1f\x8b\x08", b"\xff\xd8\xff\xe0", b"GIF89a")


@st.composite
def binary_docs(draw: st.DrawFn, max_size: int = 3000) -> Doc:
    data = draw(st.binary(max_size=max_size))
    if draw(st.booleans()):
        suffix = draw(st.sampled_from((".txt", ".md", ".html", ".json", "")))
        return Doc("binary", suffix, draw(st.sampled_from(MAGIC)) + data, articles=0, errors=1)
    suffix = draw(st.sampled_from(ALL_SUFFIXES))
    if suffix == "" and draw(st.booleans()):
        data = b"WARC/1.0\r\n" + data  # sniffed as a web archive
    return Doc("binary", suffix, data)


@st.composite
def bad_encoding_docs(draw: st.DrawFn) -> Doc:
    """Text that is not UTF-8 (and says nothing else): always exactly one error."""
    n = draw(st.integers(0, 99_999))
    text = good_text(n, draw(SENTENCE_PICKS)) + " Café talks — “soon”."
    suffix = draw(st.sampled_from(SINGLE_SUFFIXES))
    if suffix == ".html":
        text = html_page(f"Dispatch {n}", paragraphs_of(text))
    elif suffix == ".json":
        text = json.dumps({"text": text, "title": "Café"}, ensure_ascii=False)
    how = draw(st.sampled_from(("cp1252", "latin-1 mixed", "utf-16-le", "utf-16-be", "overlong", "surrogate",
                                "cut multibyte", "stray byte")))
    raw = text.encode("utf-8")
    if how == "cp1252":
        data = text.encode("cp1252")
    elif how == "latin-1 mixed":
        half = len(text) // 2
        data = text[:half].encode("utf-8") + "é à ü".encode("latin-1") + text[half:].encode("utf-8")
    elif how in ("utf-16-le", "utf-16-be"):
        data = text.encode(how)
    else:
        junk = {"overlong": b"\xc0\xaf", "surrogate": b"\xed\xa0\x80", "cut multibyte": b"\xe2\x80",
                "stray byte": draw(st.sampled_from((b"\x80", b"\xbf", b"\xfe", b"\xff", b"\xf8\x88\x80\x80\x80")))}[how]
        at = draw(st.integers(1, len(raw) - 1))
        while 0x80 <= raw[at] < 0xC0:  # insert between characters, so the junk is the only bad sequence
            at -= 1
        data = raw[:at] + junk + raw[at:]
    return Doc("bad_encoding", suffix, data, articles=0, errors=1)


@st.composite
def nul_docs(draw: st.DrawFn) -> Doc:
    """NUL bytes in a text document: refused as binary when one is in the first 8 KB."""
    n = draw(st.integers(0, 99_999))
    base = good_doc(draw(st.sampled_from(("txt", "noext", "md", "json", "html"))), n, draw(SENTENCE_PICKS))
    data = base.data
    for at in draw(st.lists(st.integers(0, len(data)), min_size=1, max_size=5)):
        data = data[:at] + b"\x00" + data[at:]
    if draw(st.integers(0, 9)) == 0:  # a NUL after the sniffed 8 KB: see test_known_bug_nul_after_8kb
        return Doc("nul", base.suffix, base.data + b" padding" * 1200 + b"\x00 tail", single=True)
    return Doc("nul", base.suffix, data, articles=0, errors=1)


@st.composite
def long_line_docs(draw: st.DrawFn, max_chars: int = 300_000) -> Doc:
    """One very long line (the multi-megabyte ones are fixed cases in the test, for speed)."""
    size = draw(st.integers(min(10_000, max_chars), max_chars))
    n = draw(st.integers(0, 99_999))
    kind = draw(st.sampled_from(("txt", "nospace", "jsonl garbage", "jsonl good", "csv", "html")))
    words = (good_text(n, [0, 1, 2, 6]) + " ") * (size // 300 + 1)
    line = words[:size].strip()
    if kind == "txt":
        return Doc("long_line", draw(st.sampled_from((".txt", ".md", ""))), line.encode(), 1, 0, (marker(n),))
    if kind == "nospace":
        return Doc("long_line", ".txt", draw(st.sampled_from(("A", "é", "—", "ب"))).encode() * size, 1, 0)
    if kind == "jsonl garbage":
        return Doc("long_line", ".jsonl", b"{" + b"x" * size + b"\n", 0, 1)
    if kind == "jsonl good":
        return Doc("long_line", ".jsonl", json.dumps({"text": line}).encode(), 1, 0, (marker(n),))
    if kind == "csv":
        return Doc("long_line", ".csv", b"text,title\n" + line.replace(",", ";").encode() + b",t\n", 1, 0)
    return Doc("long_line", ".html", html_page("Long", [line]).replace("\n", " ").encode(), single=True)


EMPTY_BYTES = (b"", b" ", b"\n\n\n", b"\r\n\t \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", "\u00a0\u2003\u3000\n".encode(),
               b"\x0c\x0b\n")


@st.composite
def empty_docs(draw: st.DrawFn) -> Doc:
    data = draw(st.sampled_from(EMPTY_BYTES))
    suffix = draw(st.sampled_from((*SINGLE_SUFFIXES, ".jsonl", ".csv", *FEED_SUFFIXES, ".warc.gz")))
    if suffix == ".jsonl":
        return Doc("empty", suffix, data, 0, 0)  # blank lines are skipped: nothing to report
    if suffix == ".warc.gz":
        return Doc("empty", suffix, data)
    return Doc("empty", suffix, data, 0, 1)


ENTITIES = ("&amp;", "&lt;", "&#8217;", "&nbsp;", "&eacute;", "&#0;", "&#xD800;", "&#1114112;", "&bogus;", "&",
            "&amp", "&#x;", "]]>", "<![CDATA[", "<!-- x")
WELL_FORMED_ENTITIES = ENTITIES[:3]
STRAY_TAGS = (b"</item>", b"</channel>", b"</entry>", b"<item>", b"<entry>", b"</content:encoded>", b"</rss>",
              b"<title>", b"</feed>")


@st.composite
def feed_docs(draw: st.DrawFn) -> Doc:
    """RSS/Atom feeds: entries with and without content or links, then maybe broken (cut, nesting, entities)."""
    flavour = draw(st.sampled_from(("rss", "atom")))
    n = draw(st.integers(0, 9_999))
    picks = draw(SENTENCE_PICKS)
    kinds = draw(st.lists(st.sampled_from(FEED_OK + FEED_BAD), min_size=1, max_size=5))
    entries = [(kind, n + 10_000 * i, picks, draw(st.sampled_from(PRIVATE_LINKS))) for i, kind in enumerate(kinds)]
    data = feed_bytes(flavour, entries)
    suffix = draw(st.sampled_from((*FEED_SUFFIXES, "")))
    damage = draw(st.sampled_from(("none", "truncate", "stray tag", "entity", "declared encoding", "junk after")))
    exact = damage == "none"
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "stray tag":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(STRAY_TAGS)) + data[at:]
    elif damage == "entity":
        entity = draw(st.sampled_from(ENTITIES))
        exact = entity in WELL_FORMED_ENTITIES
        data = data.replace(b"<title>Dispatch", b"<title>" + entity.encode() + b" Dispatch", 1)
    elif damage == "declared encoding":
        data = data.replace(b'encoding="utf-8"', draw(st.sampled_from((b'encoding="utf-16"', b'encoding="bogus"',
                                                                      b'encoding="ascii"'))))
    elif damage == "junk after":
        data = data + draw(st.binary(min_size=1, max_size=200))
    if not exact:
        return Doc("feed", suffix, data)
    ok = sum(kind in FEED_OK for kind in kinds)
    markers = tuple(marker(n + 10_000 * i) for i, kind in enumerate(kinds) if kind in FEED_OK)
    return Doc("feed", suffix, data, ok, len(kinds) - ok, markers)


NON_OBJECTS = ("1", "[]", '"text"', "null", "true", '[{"text": "a list, not an object"}]', "1e400", "-0")
WRONG_TYPES = ('{"text": 5}', '{"text": ["a"]}', '{"text": {"a": 1}}', '{"text": "ok", "title": 3}',
               '{"text": "ok", "published": "someday"}', '{"text": ""}', '{"text": " \\t "}', '{"text": null}',
               '{"text": "\\u0000\\u0001"}', '{"title": "no text"}', '{"text": "x", "url": []}', '{"text": NaN}',
               '{"text": "x", "published": "2025-13-45"}', '{"text": true}', "{}")
INVALID_JSON = ("{", '{"text": "a"', "{'text': 'a'}", '{"text": "a",}', "text=a", "\x1b[2J", '{"text": "a"} trailing',
                '{"text": "\\x"}', '{"text" "a"}', "[" * 50_000, '{"text": "' + "\\ud800" + '"', "\ufeff{}")
JSONL_KINDS = ("good", "truncated", "non-object", "wrong type", "invalid", "random", "bad utf-8", "blank")


@st.composite
def jsonl_docs(draw: st.DrawFn, min_lines: int = 1, max_lines: int = 12) -> Doc:
    """A JSONL dump whose every line is good, broken or blank; the error lines are known exactly."""
    kinds = draw(st.lists(st.sampled_from(JSONL_KINDS), min_size=min_lines, max_size=max_lines))
    n = draw(st.integers(0, 9_999))
    picks = draw(SENTENCE_PICKS)
    lines: list[bytes] = []
    good_lines: list[int] = []
    bad_lines: list[int] = []
    markers = []
    for number, kind in enumerate(kinds, start=1):
        good = article_json(n + 10_000 * number, picks, ascii_only=draw(st.booleans()))
        if kind == "good":
            line = good.encode()
            markers.append(marker(n + 10_000 * number))
        elif kind == "truncated":
            line = good[: draw(st.integers(1, len(good) - 1))].encode()
        elif kind == "non-object":
            line = draw(st.sampled_from(NON_OBJECTS)).encode()
        elif kind == "wrong type":
            line = draw(st.sampled_from(WRONG_TYPES)).encode()
        elif kind == "invalid":
            line = draw(st.sampled_from(INVALID_JSON)).encode()
        elif kind == "random":
            text = draw(st.text(st.characters(exclude_characters="\n", exclude_categories=("Cs",)), min_size=1, max_size=60)
                        .filter(lambda s: s.strip() and not s.lstrip().startswith("{")))
            line = text.encode()
        elif kind == "bad utf-8":
            raw = good.encode()
            at = draw(st.integers(1, len(raw) - 1))
            line = raw[:at] + draw(st.sampled_from((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"))) + raw[at:]
        else:
            line = draw(st.sampled_from((b"", b"   ", b"\t", b"\r")))
        lines.append(line)
        if kind == "good":
            good_lines.append(number)
        elif kind != "blank":
            bad_lines.append(number)
    newline = draw(st.sampled_from((b"\n", b"\r\n")))
    data = newline.join(lines) + (newline if draw(st.booleans()) else b"")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return Doc("jsonl", draw(st.sampled_from((".jsonl", ".ndjson"))), data, len(good_lines), len(bad_lines),
               tuple(markers), line_sources=(tuple(good_lines), tuple(bad_lines)))


CSV_KINDS = ("good", "multiline", "extra cells", "short", "empty text", "bad date", "bad utf-8", "blank", "nul",
             "unclosed quote")


@st.composite
def csv_docs(draw: st.DrawFn) -> Doc:
    """A CSV dump: ragged rows, unclosed quotes, NULs, bad bytes; the error rows are known unless quotes run on."""
    header = draw(st.sampled_from(("ok", "no text column", "bad utf-8", "empty")))
    if header == "empty":
        return Doc("csv", ".csv", b"", 0, 1)
    if header != "ok":
        data = b"title,body,url\nT,Some text,\n" if header == "no text column" else b"title,t\xffext\nT,x\n"
        return Doc("csv", ".csv", data, 0, 1)
    kinds = draw(st.lists(st.sampled_from(CSV_KINDS), min_size=1, max_size=10))
    n = draw(st.integers(0, 9_999))
    picks = draw(SENTENCE_PICKS)
    chunks = [b"title,text,url,published\n"]
    line = 2
    good_lines, bad_lines, markers = [], [], []
    exact = True
    for i, kind in enumerate(kinds):
        text = good_text(n + 10_000 * i, picks)
        row = {"good": ["T", text, "", "2025-03-14"], "multiline": ["T", text.replace(". ", ".\n", 1), "", ""],
               "extra cells": ["T", text, "", "", "extra", "more"], "short": ["only a title"],
               "empty text": ["T", "", "", ""], "bad date": ["T", text, "", "someday"],
               "nul": ["T", text[:10] + "\x00" + text[10:]]}.get(kind)
        if row is not None:
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(row)
            chunk = out.getvalue().encode()
        elif kind == "bad utf-8":
            chunk = b"T," + text.encode().replace(b" ", b" \xff", 1) + b",,\n"
        elif kind == "blank":
            chunk = b"\n"
        else:
            chunk = b'T,"' + text.encode() + b",,\n"
            exact = False
        if kind in ("good", "multiline", "extra cells", "nul"):  # a NUL is dropped at the edge (issue 14)
            good_lines.append(line)
            markers.append(marker(n + 10_000 * i))
        elif kind != "blank":
            bad_lines.append(line)
        chunks.append(chunk)
        line += chunk.count(b"\n")
    data = b"".join(chunks)
    if not exact:
        return Doc("csv", ".csv", data)
    return Doc("csv", ".csv", data, len(good_lines), len(bad_lines), tuple(markers),
               line_sources=(tuple(good_lines), tuple(bad_lines)))


JSON_DAMAGE = {
    "missing text": {"text": None},
    "text is a number": {"text": 42},
    "text is a list": {"text": ["Hamas said"]},
    "text is an object": {"text": {"body": "x"}},
    "text is empty": {"text": ""},
    "text is blank": {"text": " \n\t "},
    "text is only control characters": {"text": "\u0000\u0007\u001b"},
    "title is a number": {"title": 7},
    "author is a list": {"author": ["A", "B"]},
    "published is a number": {"published": 20250314},
    "published is not a date": {"published": "last Tuesday"},
    "published is impossible": {"published": "2025-02-30"},
    "url is an object": {"url": {"href": "x"}},
    "outlet is true": {"outlet": True},
}


@st.composite
def json_docs(draw: st.DrawFn) -> Doc:
    """One-article JSON files with missing or mistyped fields, wrong top-level values, or broken syntax."""
    n = draw(st.integers(0, 99_999))
    picks = draw(SENTENCE_PICKS)
    how = draw(st.sampled_from((*JSON_DAMAGE, "extras only", "top-level list", "top-level string", "null",
                                "truncated", "trailing garbage", "deep", "duplicate keys")))
    record = json.loads(article_json(n, picks))
    if how == "extras only":
        record.update({"tags": ["war"], "id": 5, "meta": {"x": None}, "author": None})
        return Doc("json", ".json", json.dumps(record).encode(), 1, 0, (marker(n),))
    if how == "duplicate keys":  # the last one wins, as in json.loads: here a valid text
        raw = json.dumps(record)[:-1] + ', "text": ' + json.dumps(good_text(n + 1, picks)) + "}"
        return Doc("json", ".json", raw.encode(), 1, 0, (marker(n + 1),))
    if how in JSON_DAMAGE:
        for key, value in JSON_DAMAGE[how].items():
            if value is None:
                record.pop(key)
            else:
                record[key] = value
        raw = json.dumps(record)
    elif how == "top-level list":
        raw = json.dumps([record, record])
    elif how == "top-level string":
        raw = json.dumps(record["text"])
    elif how == "null":
        raw = "null"
    elif how == "truncated":
        full = json.dumps(record)
        raw = full[: draw(st.integers(1, len(full) - 1))]
    elif how == "trailing garbage":
        raw = json.dumps(record) + draw(st.sampled_from(("}", " x", "\n{}", ",")))
    else:
        raw = "[" * 100_000 + "]" * 100_000
    return Doc("json", ".json", raw.encode(), 0, 1)


def malformed_docs(*, small: bool = False) -> st.SearchStrategy[Doc]:
    """Every family of bad (or unpredictable) documents; ``small`` keeps sizes fit for the extractor."""
    # Hypothesis favours the first branch of one_of: a cheap family goes first, the HTML ones (trafilatura
    # is the slowest reader) later.
    return st.one_of(
        empty_docs(),
        binary_docs(max_size=600 if small else 3000),
        bad_encoding_docs(),
        nul_docs(),
        long_line_docs(max_chars=4_000 if small else 300_000),
        truncated_html(),
        feed_docs(),
        jsonl_docs(),
        csv_docs(),
        json_docs(),
    )


def documents() -> st.SearchStrategy[Doc]:
    """Malformed documents with a minority of good ones mixed in (about one in eleven)."""
    return st.one_of(malformed_docs(), good_docs)


# --- checking what the readers made of a document ----------------------------------------------------

# Every fetch is refused: each host "resolves" to loopback, which the guard rejects before connecting.
NO_NETWORK = Fetcher(resolver=lambda host, port: ["127.0.0.1"])
_FEEDISH = frozenset((*FEED_SUFFIXES, ""))


def read_doc(path: Path, doc: Doc) -> list[Article | InputError]:
    """Run ``iter_source`` on one written document and check the reader contract; returns the results."""
    results = list(iter_source(str(path), fetcher=NO_NETWORK))
    where = f"{doc.family}{doc.suffix or ' (no suffix)'} {path.name}"
    articles = [r for r in results if isinstance(r, Article)]
    errors = [r for r in results if isinstance(r, InputError)]
    assert len(articles) + len(errors) == len(results), (where, results)
    for error in errors:
        message = str(error)
        assert error.reason.strip() and error.source.strip(), (where, message)
        assert len(message.splitlines()) == 1, (where, message)
        assert message == f"{error.source}: {error.reason}", (where, message)
        # A feed entry's error names the entry's link; everything else names the file (or file:line).
        assert message.startswith(str(path)) or doc.suffix in _FEEDISH, (where, message)
    for article in articles:
        assert isinstance(article.text, str) and article.text.strip(), where
        assert "\r" not in article.text, where
        assert article.source.startswith(str(path)) or doc.suffix in _FEEDISH, (where, article.source)
    if doc.articles is not None:
        assert len(articles) == doc.articles, (where, doc.data[:300], results)
    if doc.errors is not None:
        assert len(errors) == doc.errors, (where, doc.data[:300], results)
    if doc.single:
        assert len(results) == 1, (where, results)
    for text in doc.markers:
        assert any(text in a.text for a in articles), (where, text, results)
    if doc.line_sources is not None:
        good_lines, bad_lines = doc.line_sources
        assert sorted(a.source for a in articles) == sorted(f"{path}:{n}" for n in good_lines), where
        assert sorted(e.source for e in errors) == sorted(f"{path}:{n}" for n in bad_lines), where
    return results


def has_control_chars(message: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in message)


# --- Test A: readers, at least 10k documents ---------------------------------------------------------

DOCS_PER_EXAMPLE = 25
EXAMPLES = 420


def test_readers_survive_ten_thousand_malformed_documents():
    """>= 10k generated documents through ``iter_source``: only Articles and one-line InputErrors come out."""
    seen: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(st.lists(documents(), min_size=DOCS_PER_EXAMPLE, max_size=DOCS_PER_EXAMPLE))
    def run(docs: list[Doc]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            for i, doc in enumerate(docs):
                path = Path(folder) / f"doc-{i:02d}{doc.suffix}"
                path.write_bytes(doc.data)
                results = read_doc(path, doc)
                seen["documents"] += 1
                seen[doc.family] += 1
                outcomes["articles"] += sum(isinstance(r, Article) for r in results)
                outcomes["errors"] += sum(isinstance(r, InputError) for r in results)

    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(f"\n{seen['documents']} documents in {elapsed:.1f} s; {dict(outcomes)}; by family: {dict(seen)}")
    assert seen["documents"] >= 10_000
    families = {"good", "truncated_html", "binary", "bad_encoding", "nul", "long_line", "empty", "feed", "jsonl",
                "csv", "json"}
    assert all(seen[f] >= 200 for f in families), seen  # every family really ran, not just the first few


def test_readers_handle_multi_megabyte_documents(tmp_path: Path):
    """The few huge documents (kept out of the 10k for speed): single lines of several MB, over the text budget
    (1,000,000 characters) or over the byte limit."""
    line = (good_text(7, [0, 1, 2]) + " ") * 25_000  # ~4 MB on one line
    long_json = json.dumps({"text": line[:6_000_000]})
    cases = [
        Doc("huge", ".txt", line.encode(), 0, 1),
        Doc("huge", ".html", html_page("Huge", [line[:3_000_000]]).encode(), single=True),
        Doc("huge", ".jsonl", long_json.encode() + b"\n" + article_json(8, [0, 1]).encode() + b"\n", 1, 1,
            line_sources=((2,), (1,))),
        Doc("huge", ".txt", b"x" * (11 * 1024 * 1024), 0, 1),
        Doc("huge", ".jsonl", b'{"text": "' + b"x" * (11 * 1024 * 1024) + b'"}\n' + article_json(9, [0]).encode(),
            1, 1, line_sources=((2,), (1,))),
        Doc("huge", ".csv", b"text,title\n" + b"y" * (11 * 1024 * 1024) + b",t\nHamas said it was ready.,t\n", 1, 1,
            line_sources=((3,), (2,))),
    ]
    for i, doc in enumerate(cases):
        path = tmp_path / f"huge-{i}{doc.suffix}"
        path.write_bytes(doc.data)
        results = read_doc(path, doc)
        if doc.errors:
            assert any(re.search("too large|too long", str(r)) for r in results if isinstance(r, InputError)), results


# --- Test B: end to end through ingest and the extractor ---------------------------------------------


def storable(text: str) -> str:
    """The text as the store keeps it: NUL and lone surrogates (which PostgreSQL cannot hold) become U+FFFD."""
    return re.sub("[\x00\ud800-\udfff]", "\ufffd", text)


def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every host name resolves to loopback, so ingest's own fetcher refuses every feed link offline."""

    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 80))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def _draw_malformed(count: int) -> list[Doc]:
    """``count`` documents from the malformed strategies, deterministically (hypothesis as a generator)."""
    drawn: list[Doc] = []

    @settings(max_examples=count, deadline=None, derandomize=True, database=None, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @given(malformed_docs(small=True))
    def collect(doc: Doc) -> None:
        drawn.append(doc)

    collect()
    return drawn


def test_ingest_records_every_failure_and_stores_every_good_document(tmp_path: Path, extractor, monkeypatch):
    _no_dns(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    bad = _draw_malformed(240)
    assert len(bad) >= 200
    goods = [good_doc(GOOD_KINDS[i % len(GOOD_KINDS)], 50_000 + i, [i % 7, (i + 3) % 7]) for i in range(30)]
    written: list[tuple[Path, Doc]] = []
    for i, doc in enumerate([*bad, *goods]):
        path = folder / f"{i:04d}-{doc.family}{doc.suffix}"
        path.write_bytes(doc.data)
        written.append((path, doc))
    # The extra sources, given explicitly (not found by the folder walk), each with good and bad parts.
    extra_jsonl = tmp_path / "broken.jsonl"
    extra_jsonl.write_bytes(
        b"\n".join([article_json(70_001, [0, 1]).encode(), b'{"text": 5}', b"{", b"\xff\xfe",
                    article_json(70_002, [2, 3]).encode(), b"[1, 2]", b'{"text": "ok", "published": "someday"}',
                    b'{"text": "x"'])
    )
    extra_feed = tmp_path / "broken.rss"
    extra_feed.write_bytes(feed_bytes("rss", [("content", 70_003, [0, 2], ""), ("link", 70_004, [1], PRIVATE_LINKS[0]),
                                              ("empty", 70_005, [1], ""), ("summary", 70_006, [3], "")])
                           .replace(b"<title>Dispatch 70005", b"<title>&nbsp; Dispatch 70005"))
    written += [(extra_jsonl, Doc("jsonl", ".jsonl", extra_jsonl.read_bytes(), 2, 6)),
                (extra_feed, Doc("feed", ".rss", extra_feed.read_bytes()))]

    # What the readers make of each document (they are deterministic): the ingest must match it exactly.
    expected_articles: list[Article] = []
    expected_errors: Counter[str] = Counter()  # error sources, with repeats
    for path, doc in written:
        results = read_doc(path, doc)
        expected_articles += [r for r in results if isinstance(r, Article)]
        expected_errors.update(r.source for r in results if isinstance(r, InputError))
    ids = {article_id(a) for a in expected_articles}
    assert sum(len(a.text) for a in expected_articles) < 400_000  # keeps the extraction part of this test short

    with open_store(str(tmp_path / "f.db")) as store:
        started = time.perf_counter()
        summary = ingest([str(folder), str(extra_jsonl), str(extra_feed)], store, extractor)
        elapsed = time.perf_counter() - started
        print(f"\ningest of {len(written)} documents: {summary.line()} ({elapsed:.1f} s)")
        rows = store.errors()
        crashed = [r for r in rows if r["reason"].startswith("extraction failed")]
        assert not crashed, crashed  # the extractor raised on text the readers passed: a bug to report
        assert summary.errors == len(rows) == expected_errors.total()
        assert Counter(r["source"] for r in rows) == expected_errors  # each failure recorded once, under its name
        assert summary.read == len(expected_articles)
        assert store.counts()["articles"] == len(ids) == summary.stored
        sources = [r["source"] for r in rows]
        for path, doc in written:
            named = [s for s in sources if s.startswith(str(path))]
            if doc.bad and doc.family != "feed":  # a feed entry's error is named by the entry's link
                assert named, f"{path.name}: no error recorded"
            if doc.good:
                assert not named, named
        first: dict[str, Article] = {}  # ids ignore whitespace: the first of a set of equal articles is kept
        for article in expected_articles:  # (``written`` is in the order ingest reads)
            first.setdefault(article_id(article), article)
        for aid, article in first.items():
            stored = store.article(aid)
            assert stored is not None and stored["text"] == storable(article.text), article.source
        stored_text = "\n".join(store.article(aid)["text"] for aid in first)
        for doc in goods:  # the 30 good documents, of every kind, are all in the store
            assert doc.markers and all(f"{m}." in stored_text for m in doc.markers), doc

        counts = store.counts()

        def must_not_extract():
            raise AssertionError("everything is stored: nothing may be extracted again")

        again = ingest([str(folder), str(extra_jsonl), str(extra_feed)], store, must_not_extract)
        assert again.stored == 0
        assert again.read == again.duplicates == len(expected_articles)
        assert again.errors == expected_errors.total()
        after = store.counts()
        assert after["articles"] == counts["articles"] and after["signals"] == counts["signals"]


def test_text_over_the_parser_limit_is_an_error_row_not_a_crash(tmp_path: Path, extractor):
    """A 1.1 MB one-line .txt passes the readers but exceeds spaCy's max_length; the batch goes on."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-long.txt").write_text("word " * 220_001, encoding="utf-8")
    (folder / "b-good.txt").write_text(good_text(3, [0, 1]), encoding="utf-8")
    with open_store(str(tmp_path / "long.db")) as store:
        summary = ingest([str(folder)], store, extractor)
        assert summary.stored == 1 and summary.errors == 1
        (row,) = store.errors()
        assert row["source"] == str(folder / "a-long.txt")
        assert len(row["reason"].splitlines()) == 1


# --- the extractor on hostile text -------------------------------------------------------------------

_SENT = 'Hamas said on Monday that it was "ready for a ceasefire", according to two officials. '
HOSTILE_TEXTS = {
    "run-on sentence, no punctuation": ("officials said Hamas was ready for talks and Israel wanted a deal and "
                                        "mediators in Cairo urged a ceasefire " * 25)[:3_000],
    "50k-character single paragraph": (_SENT * 700)[:50_000],
    "thousands of quote marks": '"' * 2_000,
    "curly and straight quotes mixed": "“said” \" ‘ ’ « » „ " * 200,
    "unbalanced quotes": 'Hamas said "we are ready for a ceasefire. Israel said "no deal. ' * 60,
    "quote never closed": '“We are ready for talks on a ceasefire, said the minister. ' * 40,
    "only punctuation": "!?.,;:—…()[]{}" * 150,
    "right-to-left text": "قالت حماس إنها مستعدة لوقف إطلاق النار في غزة. " * 40,
    "bidi overrides": "\u202eHamas said it was ready for talks.\u202c \u2067Israel\u2069 rejected a truce. " * 30,
    "emoji": "🕊️ Hamas said 🙏 it was ready for a ceasefire 🇺🇦🇷🇺. " * 40,
    "combining marks": "Hamas" + "\u0301" * 3_000 + " said it was ready for talks.",
    "zero-width characters": "Ha\u200bmas sa\u200did it was re\u200cady for a cease\ufefffire. " * 40,
    "one enormous word": "ceasefire" * 5_000,
    "newlines only between letters": "\n".join("Hamas said it was ready for talks") * 10,
    "line and paragraph separators": "Hamas said\u2028it was ready\u2029for talks. \x85Israel refused. " * 30,
    "control characters": "Hamas\x01 said\x1b[31m it was\x7f ready for talks.\x0b\x0c " * 30,
    "numbers and dates only": "2025-03-14 14/03/2025 12:00 1,000,000 3.14 " * 100,
    "said said said": "said " * 2_000,
    "noncharacters and private use": "\uffff\ufffe\ue000 Hamas said \U0010fffd it was ready. " * 40,
    "single character": "a",
    "whitespace around one sentence": "\n\n\t   Ukraine said it was open to talks.   \n\n\n",
}


def check_spans(text: str, result) -> None:
    for a in result.attributions:
        for span in (a.speaker_span, a.cue_span, a.content_span):
            if span is not None:
                assert 0 <= span[0] <= span[1] <= len(text), (a, span)
        if a.content_span is not None:
            assert text[a.content_span[0]:a.content_span[1]] == a.content, a
    for s in result.signals:
        assert s.evidence_span is not None, s
        start, end = s.evidence_span
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == s.evidence, s


def test_extractor_survives_hostile_text(extractor):
    timings = {}
    for name, text in HOSTILE_TEXTS.items():
        started = time.perf_counter()
        result = extractor.extract(Article(text=text, published="2025-03-14", outlet="Fuzz Desk"))
        timings[name] = round(time.perf_counter() - started, 2)
        check_spans(text, result)
        assert result.article.text == text
    print("\nextractor seconds per hostile text:", timings)


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from([SENTENCES[i].format(actor=ACTORS[i], city=CITIES[i], day=DAYS[i])
                                           for i in range(len(SENTENCES))]),
                          st.text(min_size=1, max_size=80)), min_size=1, max_size=12),
       st.sampled_from((" ", "\n\n", "", "\n")))
def test_extractor_on_generated_text_keeps_spans_valid(extractor, pieces: list[str], joiner: str):
    """Real sentences shuffled with arbitrary unicode: no exception, every span points at its text."""
    text = joiner.join(pieces)
    if not text.strip():
        return
    check_spans(text, extractor.extract(Article(text=text)))


# --- known bugs (see the module docstring) -----------------------------------------------------------


def test_fixed_long_unpunctuated_paragraph_is_slow(extractor):
    """Same words, same length: one endless sentence must not cost much more than 140 short ones.

    Relative, so that a slow or busy machine does not decide the outcome.
    """
    clause = "the talks went on and officials said Hamas was ready for a ceasefire"
    run_on = ((clause + " ") * 150)[:10_000]
    sentences = ((clause[0].upper() + clause[1:] + ". ") * 150)[:10_000]
    seconds = []
    for text in (sentences, run_on):
        started = time.perf_counter()
        check_spans(text, extractor.extract(Article(text=text)))
        seconds.append(time.perf_counter() - started)
    assert seconds[1] < 3 * seconds[0], seconds


def test_fixed_nul_after_8kb(tmp_path: Path):
    path = tmp_path / "late.txt"
    path.write_bytes(good_text(1, [0, 1]).encode() + b" padding" * 1200 + b"\x00 tail")
    results = list(iter_source(str(path), fetcher=NO_NETWORK))
    assert not any("\x00" in r.text for r in results if isinstance(r, Article))


@pytest.mark.parametrize("data", ["text,title\nHamas said it was ready.,t\n".encode("utf-16-le"),
                                  b"\x1b[2J\x1b[31mbody,title\nHamas said it was ready.,t\n"],
                         ids=["utf-16 header", "ansi escape in header"])
def test_fixed_error_message_with_control_characters(tmp_path: Path, data: bytes):
    path = tmp_path / "dump.csv"
    path.write_bytes(data)
    (error,) = list(iter_source(str(path)))
    assert isinstance(error, InputError)
    assert not has_control_chars(str(error)), repr(str(error))


def test_fixed_atom_summary_entry_with_urn_id(tmp_path: Path):
    path = tmp_path / "urn.atom"
    path.write_bytes(feed_bytes("atom", [("summary", 4, [0, 1], "")]).replace(
        b"<entry>", b"<entry><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>"))
    results = list(iter_source(str(path), fetcher=NO_NETWORK))
    assert [type(r) for r in results] == [Article], results
