"""Structure budgets, checked in a streaming pre-pass before a document is parsed.

Why: parsers are fast on what they were built for and slow, sometimes for minutes, on what an
attacker (or a broken scraper) builds.  A page of a million ``<p>`` elements or with hundreds of
thousands of attributes stalled trafilatura/lxml for several minutes; a JSON line nested 50,000 deep
is a recursion bomb.  No news article is anywhere near these limits, so a document over one is
refused with one line naming the budget, before any parser sees it.

The pre-passes are regular-expression scans that stop as soon as a limit is passed, so their cost is
bounded by the limit, not by the document: a bomb is refused in milliseconds.  They are counts, not
parsers: a ``<`` inside an attribute value may be miscounted, which only matters for pages that are
already far beyond anything real.

``load_json`` is the one door for JSON documents (files, JSONL lines, fetched JSON), so every path
gives the same error for the same document.
"""

from __future__ import annotations

import json
import re
from typing import Any

from backchannel.errors import InputError

MAX_HTML_ELEMENTS = 100_000
"""Start tags in one page or feed; a long news page has a few thousand."""
MAX_HTML_DEPTH = 512
"""Elements open at once; real pages stay under a hundred (lxml itself gives up at 256 for XML)."""
MAX_HTML_ATTRIBUTES = 500_000
"""Attributes in one page."""
MAX_TAG_ATTRIBUTES = 256
"""Attributes on one element (libxml2 checks duplicate names pairwise: many attributes cost their square)."""
MAX_JSON_DEPTH = 64
"""Nesting of arrays and objects in one JSON document; an article record has two or three levels."""
MAX_JSON_ELEMENTS = 100_000
"""Arrays, objects and strings in one JSON document (one article record has a few dozen)."""

# A start or end tag: name, then everything up to the next '<' or '>' (never past it, so the scan is
# linear even on a page of unclosed tags).
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)([^<>]*)")
_ATTRIBUTE = re.compile(r"[^\s=/\"']+\s*(?:=\s*(?:\"[^\"]*\"?|'[^']*'?|[^\s\"'>]*))?")
# Elements that never hold others, or whose end tag is optional (an unclosed <p> or <li> is closed by the
# next one): they do not count towards the depth, so old pages that never close them are not refused.
_NO_DEPTH = frozenset(
    "area base br col embed hr img input link meta param source track wbr basefont bgsound frame keygen "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rt rp".split()
)
_RAW_TEXT = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in ("script", "style")}
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
# A JSON string (closed or running to the end: an unterminated one still ends the scan) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]')


def check_markup(page: str, source: str) -> None:
    """Refuse an HTML page or XML feed over the element, depth or attribute budgets, or declaring entities.

    Entity declarations (a DOCTYPE internal subset) are what billion-laughs and XXE attacks are made of,
    and no news page or feed needs them; the parsers used here do not expand them, and refusing keeps
    it that way whatever parser comes next.
    """
    if _ENTITY_DECLARATION.search(page, 0, 65536):
        raise InputError(source, "declares XML entities (<!ENTITY>); refused (entity expansion is never read)")
    elements = attributes = depth = 0
    position = 0
    while match := _TAG.search(page, position):
        position = match.end()
        closing, name, rest = match.groups()
        if closing:
            depth = max(0, depth - 1)
            continue
        elements += 1
        if elements > MAX_HTML_ELEMENTS:
            raise InputError(source, f"too many elements (more than {MAX_HTML_ELEMENTS:,})")
        if rest.strip() and rest.strip() != "/":
            count = _attribute_count(rest)
            if count > MAX_TAG_ATTRIBUTES:
                raise InputError(source, f"too many attributes on one <{name[:20]}> element "
                                 f"(more than {MAX_TAG_ATTRIBUTES:,})")
            attributes += count
            if attributes > MAX_HTML_ATTRIBUTES:
                raise InputError(source, f"too many attributes (more than {MAX_HTML_ATTRIBUTES:,})")
        name = name.lower()
        if name in _RAW_TEXT:  # script and style hold code ("i<n"), not tags: skip to their end tag
            end = _RAW_TEXT[name].search(page, position)
            position = end.end() if end else len(page)
            continue
        if name in _NO_DEPTH or rest.rstrip().endswith("/"):
            continue
        depth += 1
        if depth > MAX_HTML_DEPTH:
            raise InputError(source, f"elements nested too deeply (more than {MAX_HTML_DEPTH:,} levels)")


def _attribute_count(rest: str) -> int:
    """Attributes in a tag's inside, stopping one past the per-element budget."""
    count = 0
    for _ in _ATTRIBUTE.finditer(rest):
        count += 1
        if count > MAX_TAG_ATTRIBUTES:
            break
    return count


def check_json(raw: str, source: str) -> None:
    """Refuse a JSON document nested deeper than ``MAX_JSON_DEPTH`` or holding over ``MAX_JSON_ELEMENTS``."""
    if raw.count("[") + raw.count("{") <= MAX_JSON_DEPTH and raw.count('"') <= 2 * MAX_JSON_ELEMENTS:
        return  # too few brackets and quotes to be over either budget: the common case, at C speed
    depth = elements = 0
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token in ("]", "}"):
            depth -= 1
            continue
        elements += 1
        if elements > MAX_JSON_ELEMENTS:
            raise InputError(source, f"JSON too large: more than {MAX_JSON_ELEMENTS:,} arrays, objects and strings")
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputError(source, f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)")


def load_json(raw: str, source: str, *, where: str = "line {line}, column {column}") -> Any:
    """``json.loads`` behind the structure budget; every failure is one ``InputError`` naming ``source``.

    ``where`` says how to place a syntax error (a JSONL line names only the column).
    """
    check_json(raw, source)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        place = where.format(line=exc.lineno, column=exc.colno)
        raise InputError(source, f"invalid JSON at {place}: {exc.msg}") from None
    except RecursionError:  # cannot pass the depth budget; kept so that no path can ever raise it
        raise InputError(source, f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
