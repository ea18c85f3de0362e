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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .lexicon import lexicon
from .registry import ActorRegistry

_WORD = re.compile(r"[\w'’.-]+")
_STOP_AT = frozenset({"familiar", "close", "closest", "with", "in", "from", "of", "at", "who", "involved",
                      "briefed", "knowledgeable", "on", "to", "for", "said", "that", "and", "or", "between"})
_INDEFINITE = frozenset({"a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                         "several", "some", "many", "few", "multiple", "numerous", "various", "other", "unnamed",
                         "anonymous", "senior", "former", "top", "certain", "more", "both"})


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
    words = _WORD.findall(text)
    head_words: list[str] = []
    for i, w in enumerate(words):
        if i > 0 and w.casefold() in _STOP_AT:
            break
        head_words.append(w)
    if not head_words:
        return False
    head = re.sub(r"['’]s$", "", head_words[-1].casefold())
    heads = lexicon().anonymous_heads
    if head not in heads:
        return False
    first = head_words[0].casefold()
    plural = head.endswith("s") and head[:-1] in heads
    return first in _INDEFINITE or plural or text == text.casefold()


def origin_name(sources: Sequence[str], outlet: str, registry: ActorRegistry) -> str:
    """The canonical name of the innermost identifiable link of ``sources`` then ``outlet``; ``""`` if none."""
    for link in (*sources, outlet):
        link = " ".join((link or "").split())
        if link and not is_anonymous(link):
            return canonical(link, registry)
    return ""
