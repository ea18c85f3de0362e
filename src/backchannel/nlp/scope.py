"""Is an article about a war at all?  Decided from its tokens alone, before any parsing.

A signal is a position on ending a war, so a text with no war vocabulary (a footballer's contract,
a wage deal, a tariff truce) can hold none.  The same test is the first thing the signal rules do
and the pre-parse scan that lets the pipeline skip most of a news stream: it reads only the
tokenizer's output, which is the same before and after the parser runs, so skipping an article
that fails it cannot change the signals of any article.

Why *distinct* words: metaphor repeats one word ("fighting relegation", "fighting the same fire"),
while a report about a war names it in several ways (troops, shelling, ceasefire, the war).  A
short wire item may name the war only once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from spacy.attrs import LOWER
from spacy.strings import hash_string
from spacy.tokens import Doc

WAR_CONTEXT = frozenset({
    "war", "wars", "fighting", "troops", "military", "invasion", "hostilities", "militia", "rebels", "rebel",
    "armed", "army", "hostages", "hostage", "offensive", "front", "insurgents", "militants", "airstrikes",
    "shelling", "killed", "soldiers", "conflict", "occupation", "annexation", "battlefield", "forces",
    "frontline", "drone", "missile", "missiles", "airstrike", "paramilitary", "paramilitaries", "warring",
    "guerrilla", "guerrillas", "insurgency", "combatants", "peacekeepers", "peacekeeping", "bombardment",
    "shelled", "belligerents", "siege",
})
ARMISTICE_WORDS = frozenset({"ceasefire", "cease-fire", "ceasefires", "armistice", "truce", "hostilities"})
#: "peace" counts only in front of a word for a settlement or the talks to reach one: "peace deal",
#: "peace talks", "peace text"; not "peace of mind", "peace and quiet".
PEACE_HEADS = frozenset({
    "deal", "agreement", "talks", "plan", "process", "treaty", "accord", "negotiations", "text", "summit",
    "conference", "framework", "proposal", "initiative", "envoy", "mediation", "efforts", "settlement",
    "declaration", "roadmap", "pact", "deal's", "negotiator", "negotiators", "push", "bid",
})
ECONOMIC_WORDS = frozenset({"trade", "tariff", "tariffs", "price", "prices", "tax", "taxes", "duties", "customs"})
#: "trade war", "price war", "tariff truce": the word before takes the war out of it.
NON_WAR_BEFORE = frozenset({"trade", "price", "culture", "bidding", "tariff", "talent", "transfer", "tax"})
SHORT_ARTICLE_TOKENS = 150
SCOPE_WORDS = WAR_CONTEXT | ARMISTICE_WORDS | {"peace", "cease"}
#: One of these is enough on its own, however long the article: a truce, or peace talks or a peace deal
#: (not "peace of mind"), is never a metaphor once the economic and "trade war" uses are set aside.
#: Measured on the train annotations: the two-word rule alone lost 5.4% of the signals (peace-process
#: articles that name the talks but no fighting); with this, 1%, for 0.2 points more of a stream parsed.
STRONG_WORDS = frozenset({"ceasefire", "cease-fire", "truce", "armistice", "peace"})


def mentions_scope_word(text: str) -> bool:
    """Could ``is_about_war`` pass on this text?  False only when no war word occurs as a word of the raw
    text, so the article need not even be tokenized (tokenizing is most of what a stream of news that is
    not about a war costs).  A superset of the tokenizer's view: a token is a piece of the text, cut at
    spaces, punctuation and hyphens, never inside a run of letters, so a token equal to a war word is that
    word with no letter on either side ("anti-war", "(troops)", "war's"; the tokenizer's special cases
    split only contractions).  Lower-cased as ``Token.lower_`` is."""
    return _SCOPE_PATTERN.search(text.lower()) is not None


def war_words(lowers: Sequence[str]) -> set[str]:
    """The distinct war words of a text given as its lower-cased tokens (plurals folded)."""
    found: set[str] = set()
    n = len(lowers)
    for i, word in enumerate(lowers):
        if word == "cease" and lowers[i + 1 : i + 3] == ["-", "fire"]:
            word = "cease-fire"  # the tokenizer splits the hyphenated spelling into three tokens
        if word not in SCOPE_WORDS or word == "cease":
            continue
        prev = lowers[i - 1] if i else ""
        nxt = lowers[i + 1] if i + 1 < n else ""
        if word == "peace":
            if nxt in PEACE_HEADS:
                found.add(word)
            continue
        if prev in NON_WAR_BEFORE:
            continue  # "trade war", "tariff truce"
        if word == "conflict" and nxt == "of":
            continue  # "conflict of interest"
        if word in ARMISTICE_WORDS and any(w in ECONOMIC_WORDS for w in lowers[max(0, i - 6) : i + 7]):
            continue  # "a 90-day truce on tariffs"
        found.add(word[:-1] if word.endswith("s") else word)
    return found


def is_about_war(doc: Doc) -> bool:
    """True when the text names a war: two distinct war words, one in a short item, or a strong one.

    Works on a tokenized Doc (``nlp.make_doc``) as well as a parsed one.  Most news has none of the
    words at all, so that case is answered from the Doc's array of lower-case hashes, without making a
    Python object per token; only a text with a candidate word is read as strings.
    """
    if not np.isin(doc.to_array(LOWER), _SCOPE_HASHES).any():
        return False
    lowers = [t.lower_ for t in doc]
    found = war_words(lowers)
    if len(found) >= (1 if len(lowers) < SHORT_ARTICLE_TOKENS else 2):
        return True
    strong = found & STRONG_WORDS
    if strong & {"peace"}:
        return True
    # a lone truce in a text about trade or prices is the economic kind, however far the words are apart
    return bool(strong) and not any(w in ECONOMIC_WORDS for w in lowers)


#: ``doc.user_data`` key: the scan's verdict on the whole article, set by the extractor when the Doc it
#: parses holds only part of the article's text (``nlp/subset.py``), where a scan of the Doc would not see
#: the war words of the sentences left out.
ABOUT_WAR = "bc_about_war"


def about_war(doc: Doc) -> bool:
    """``is_about_war`` of the article the Doc comes from: the extractor's verdict when it left one."""
    verdict = doc.user_data.get(ABOUT_WAR)
    return is_about_war(doc) if verdict is None else bool(verdict)


_SCOPE_HASHES = np.array(sorted(hash_string(w) for w in SCOPE_WORDS), dtype=np.uint64)
#: A scope word with no letter before or after it (``mentions_scope_word``).
_SCOPE_PATTERN = re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(w) for w in sorted(SCOPE_WORDS, key=len, reverse=True))
                            + r")(?![^\W\d_])")
