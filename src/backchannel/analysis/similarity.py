"""Two cheap text similarities: word-set overlap for "the same position", shingles for "the same article".

*Same position* (``tokens`` + ``jaccard``): the content words of a signal's
evidence and terms, lower-cased, stop words dropped, crudely stemmed (one
ending of -ing/-ed/-es/-s/-e cut from words of 5+ letters, so "freezing",
"freeze" and "freezes" meet), compared by Jaccard (shared / all).  Two
reports of one position rarely share a sentence, but they share its nouns
("ceasefire", "front line", the actor), which is enough once actor, stance
and topic already agree.

*Same article* (``sketch`` + ``resemblance``): a syndicated copy differs from
the original by a byline, a headline, a footer.  Its word 5-grams (shingles)
are nearly all shared, while two articles written separately about the same
event share few.  Each shingle is hashed (8 bytes of BLAKE2b) and the
``SKETCH_SIZE`` smallest hashes are kept (a bottom-k MinHash sketch: one hash
per shingle, fixed memory per article); the resemblance of two sketches
estimates the shingle Jaccard, exactly so when both texts have fewer than
``SKETCH_SIZE`` shingles.  Copies are texts at or above ``COPY_THRESHOLD``
(0.8).
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable

SHINGLE = 5
SKETCH_SIZE = 256
COPY_THRESHOLD = 0.8

_WORDS = re.compile(r"[^\W_]+")
_STOP = frozenset("""
a an the and or but if of to in on at by for with from into over about as is are was were be been being has
have had do does did will would shall should can could may might must it its this that these those he she they
them his her their him we our you your i me my not no nor so than then there here also just only very more most
said says say told tell according after before while during since until when what which who whom whose how why
all any both each few other some such own same too out up down off again further once new
""".split())


def _stem(word: str) -> str:
    if len(word) >= 5:
        for end in ("ing", "ed", "es", "s", "e"):
            if word.endswith(end) and len(word) - len(end) >= 3:
                return word[: -len(end)]
    return word


def tokens(*texts: str) -> frozenset[str]:
    """The stemmed content words of the texts, as a set."""
    words: set[str] = set()
    for text in texts:
        for w in _WORDS.findall(text.casefold()):
            if w not in _STOP and len(w) > 1:
                words.add(_stem(w))
    return frozenset(words)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def sketch(text: str, size: int = SKETCH_SIZE) -> tuple[int, ...]:
    """The ``size`` smallest shingle hashes of ``text``, sorted (empty text: empty sketch)."""
    words = _WORDS.findall(text.casefold())
    if not words:
        return ()
    if len(words) < SHINGLE:
        shingles: Iterable[str] = (" ".join(words),)
    else:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return tuple(heapq.nsmallest(size, {_hash(s) for s in shingles}))


def resemblance(a: tuple[int, ...], b: tuple[int, ...], size: int = SKETCH_SIZE) -> float:
    """Estimated shingle Jaccard of two sketches: of the ``size`` smallest hashes of both, the share in each."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union = heapq.nsmallest(size, sa | sb)
    return sum(1 for h in union if h in sa and h in sb) / len(union)
