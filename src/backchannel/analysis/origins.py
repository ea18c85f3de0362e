"""Where a reported position comes from: the innermost identifiable link of its source chain.

A signal's chain is its ``sources`` (innermost first, SIGNALS.md) followed by
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
* no sources at all: the article's own outlet (it asserts on its own
  authority); no outlet either: the URL's host; else the article itself.

Names are normalised for comparison: known outlet aliases become the
canonical outlet (``lexicon().outlet_name``: "NYT", "the New York Times" ->
"The New York Times"), known actors their canonical name (registry lookup);
then case, a leading "the", punctuation and spacing are ignored.

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
from urllib.parse import urlsplit

from backchannel.analysis.actors import default_registry

_WORD = re.compile(r"[\w'’.-]+")
_STOP_AT = frozenset({"familiar", "close", "closest", "with", "in", "from", "of", "at", "who", "involved",
                      "briefed", "knowledgeable", "on", "to", "for", "said", "that", "and", "or", "between"})
_INDEFINITE = frozenset({"a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                         "several", "some", "many", "few", "multiple", "numerous", "various", "other", "unnamed",
                         "anonymous", "senior", "former", "top", "certain", "more", "both"})


@lru_cache(maxsize=1)
def _lexicon():
    from backchannel.nlp.lexicon import lexicon

    return lexicon()


def normal_key(name: str) -> str:
    """Case, a leading "the", punctuation and spacing ignored."""
    words = re.findall(r"[\w]+", name.casefold().replace("’", "'"))
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=65536)
def canonical(name: str) -> str:
    """A known outlet's or actor's canonical name; else the name trimmed."""
    name = " ".join(name.split())
    outlet = _lexicon().outlet_name(name)
    if outlet:
        return outlet
    registry = default_registry()
    if registry is not None:
        try:
            entry = registry.lookup(name)
        except Exception:
            entry = None
        if entry is not None:
            return entry.name
    return name


@lru_cache(maxsize=65536)
def is_anonymous(source: str) -> bool:
    """True for an unnamed source ("a senior official"); see the module docstring for the rule."""
    text = " ".join(source.split())
    if not text:
        return True
    if _lexicon().outlet_name(text):
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
    heads = _lexicon().anonymous_heads
    if head not in heads:
        return False
    first = head_words[0].casefold()
    plural = head.endswith("s") and head[:-1] in heads
    return first in _INDEFINITE or plural or text == text.casefold()


def url_host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def origin_of(sources: Sequence[str], outlet: str, url: str = "", article_id: str = "") -> tuple[str, str]:
    """``(key, name)`` of the innermost identifiable link of the chain: equal keys = the same origin."""
    for link in (*sources, outlet):
        link = " ".join((link or "").split())
        if link and not is_anonymous(link):
            name = canonical(link)
            return normal_key(name) or name.casefold(), name
    host = url_host(url)
    if host:
        return "host:" + host, host
    return "article:" + article_id, f"article {article_id[:12]}"
