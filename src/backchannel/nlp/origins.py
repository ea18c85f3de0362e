"""Where a reported position comes from: the innermost identifiable link of its source chain.

Decided by the extractor, which holds the lexicon and the actor registry (with the user's ``--actors``),
and stored with each signal (``Signal.origin``); the corroboration analysis counts independent origins
from the stored name alone (``analysis.origins``).

A signal's chain is its ``sources`` (innermost first, docs/SCHEMA.md) followed by
the outlet that published the article.  Its *origin* is the first link of
that chain that identifies a reporter:

* a named source ("Dmitry Peskov", "the Kremlin", "The New York Times") is the
  origin itself, so ten outlets repeating one NYT report, or one press
  conference, count once;
* an anonymous source ("a senior official", "two people familiar with the
  talks", "Western diplomats") is not an identity: two papers' "senior
  official" may or may not be the same person, and we cannot tell.  It is
  skipped and the origin is the next link, the outlet that holds the
  anonymous source ("officials told the NYT" -> the NYT; an outlet that
  echoes the NYT also lands on the NYT);
* no identifiable link at all: no origin (``""``); the analysis then falls
  back on the URL's host, else the article itself.

Names are canonical: known outlet aliases become the canonical outlet
(``lexicon().outlet_name``: "NYT", "the New York Times" -> "The New York
Times"), known actors their canonical name (registry lookup).

Anonymous means: not a known outlet, and the phrase's
head noun (its last word before "familiar", "with", "of", "close to", ...)
is one of the lexicon's ``anonymous_heads`` (official, source, aide,
diplomat, ...) while the phrase is indefinite or plural ("a"/"two"/"some"
..., or a plural head) or written all in lower case.  "Ukraine's foreign
minister" names one person and is not anonymous; "a foreign minister" is.
The test comes before the actor registry, which would read "a senior Russian
official" as Russia.

A wire tag says the whole article is another outlet's report: a dateline
("MOSCOW (Reuters) -", "(AP) —") or a headline ending ", Reuters reports",
"– AP" or "(Reuters)".  The tagged outlet (``wire_of``) is a link of every
chain of the article, between the article's own sources and the outlet that
published it: a relayed wire story that names no source of its own has the
wire, not the relaying paper, as its origin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .lexicon import lexicon
from .registry import ActorRegistry

_WORD = re.compile(r"[\w'’.-]+")
_STOP_AT = frozenset({"familiar", "close", "closest", "with", "in", "from", "of", "at", "who", "involved",
                      "briefed", "knowledgeable", "on", "to", "for", "said", "that", "and", "or", "between"})
_INDEFINITE = frozenset({"a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                         "several", "some", "many", "few", "multiple", "numerous", "various", "other", "unnamed",
                         "anonymous", "senior", "former", "top", "certain", "more", "both"})


# at the start of a line: an optional place of capitalised words ("MOSCOW", "KYIV, Ukraine"), the outlet in
# brackets, a dash
_DATELINE = re.compile(r"^[ \t]*(?:[A-Z][\w’'/.-]*(?:,?[ \t]+[A-Z][\w’'/.-]*){0,3}[ \t]+)?"
                       r"\((?P<o>[A-Z][^()\n]{0,40})\)[ \t]*[-–—:]", re.MULTILINE)
_HEADLINE_TAGS = (
    re.compile(r",\s*(?:the\s+)?(?P<o>[^,]{2,40}?)\s+(?:reports|reported|says|said)\s*[.!]?\s*$", re.IGNORECASE),
    re.compile(r"\s[-–—|]\s*(?P<o>[^-–—|]{2,40}?)\s*$"),
    re.compile(r"\((?P<o>[^()]{2,40})\)\s*$"),
)
# a dateline opens the article, after at most a title or a photo caption: only the start is read
_DATELINE_REACH = 1200


def wire_of(title: str, text: str) -> str:
    """The canonical outlet of the article's wire tag (dateline or headline, see above), or ``""``.

    Only known outlets count: "KYIV (Ukraine) -" or "Talks resume – analysis" is no tag."""
    found = _DATELINE.search(text[:_DATELINE_REACH])
    candidates = [found.group("o")] if found else []
    title = " ".join((title or "").split())
    candidates += [m.group("o") for pattern in _HEADLINE_TAGS if (m := pattern.search(title))]
    for candidate in candidates:
        outlet = lexicon().outlet_name(candidate.strip())
        if outlet:
            return outlet
    return ""


def head_word(source: str) -> str:
    """The head noun of a source phrase: its last word before "familiar", "with", "of", ... (casefolded,
    without a possessive "'s"); ``""`` for an empty phrase."""
    words = _WORD.findall(" ".join(source.split()))
    head_words: list[str] = []
    for i, w in enumerate(words):
        if i > 0 and w.casefold() in _STOP_AT:
            break
        head_words.append(w)
    return re.sub(r"['’]s$", "", head_words[-1].casefold()) if head_words else ""


def canonical(name: str, registry: ActorRegistry) -> str:
    """A known outlet's or actor's canonical name; else the name trimmed."""
    name = " ".join(name.split())
    outlet = lexicon().outlet_name(name)
    if outlet:
        return outlet
    entry = registry.lookup(name)
    return entry.name if entry is not None else name


@lru_cache(maxsize=65536)
def is_anonymous(source: str) -> bool:
    """True for an unnamed source ("a senior official"); see the module docstring for the rule."""
    text = " ".join(source.split())
    if not text:
        return True
    if lexicon().outlet_name(text):
        return False
    head = head_word(text)
    heads = lexicon().anonymous_heads
    if head not in heads:
        return False
    first = _WORD.findall(text)[0].casefold()
    plural = head.endswith("s") and head[:-1] in heads
    return first in _INDEFINITE or plural or text == text.casefold()


def origin_name(sources: Sequence[str], outlet: str, registry: ActorRegistry, wire: str = "") -> str:
    """The canonical name of the innermost identifiable link of ``sources``, then the article's ``wire``
    tag (``wire_of``), then ``outlet``; ``""`` if none."""
    for link in (*sources, wire, outlet):
        link = " ".join((link or "").split())
        if link and not is_anonymous(link):
            return canonical(link, registry)
    return ""


def origins_of(chains: Iterable[Sequence[str]], outlet: str, title: str, text: str,
               registry: ActorRegistry) -> list[str]:
    """``origin_name`` of each chain of sources of one article, with the article's wire tag read once."""
    wire = wire_of(title, text)
    return [origin_name(chain, outlet, registry, wire) for chain in chains]
