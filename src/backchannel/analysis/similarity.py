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
event share few.  Each shingle is hashed (see ``sketch``) and the
``SKETCH_SIZE`` smallest hashes are kept (a bottom-k MinHash sketch: one hash
per shingle, fixed memory per article); the resemblance of two sketches
estimates the shingle Jaccard (standard error about 0.025 at 0.8), exactly so
when both texts have fewer than ``SKETCH_SIZE`` shingles.  Copies are texts at or above ``COPY_THRESHOLD``
(0.8).
"""

from __future__ import annotations

import hashlib
import re
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

SHINGLE = 5
SKETCH_SIZE = 256
MAX_WORDS = 5000
_MASK = (1 << 64) - 1
COPY_THRESHOLD = 0.8

_WORDS = re.compile(r"[^\W_]+")
_STOP = frozenset("""
a an the and or but if of to in on at by for with from into over about as is are was were be been being has
have had do does did will would shall should can could may might must it its this that these those he she they
them his her their him we our you your i me my not no nor so than then there here also just only very more most
said says say told tell according after before while during since until when what which who whom whose how why
all any both each few other some such own same too out up down off again further once new
""".split())


@lru_cache(maxsize=200_000)
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


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def sketch(text: str, size: int = SKETCH_SIZE) -> array:
    """The ``size`` smallest shingle hashes of ``text``, sorted (empty text: empty sketch).

    An ``array('Q')``: 8 bytes a hash, so a cache of thousands of sketches stays small.

    Each distinct word is hashed once with BLAKE2b; a shingle's hash combines
    its five word hashes with Python's tuple hash, which for integers is the
    same in every process (only str and bytes hashes are salted), so
    sketches are stable and cost one cheap C call per shingle.  Only the
    first ``MAX_WORDS`` words count: a copy is recognisable from its start.
    """
    words = _WORDS.findall(text.casefold())[:MAX_WORDS]
    if not words:
        return array("Q")
    ids: dict[str, int] = {}
    seq = [ids.get(w) or ids.setdefault(w, _word_hash(w)) for w in words]
    if len(seq) < SHINGLE:
        hashes = {hash(tuple(seq)) & _MASK}
    else:
        hashes = {hash(tuple(seq[i:i + SHINGLE])) & _MASK for i in range(len(seq) - SHINGLE + 1)}
    return array("Q", sorted(hashes)[:size])


def resemblance(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated shingle Jaccard of two sketches (sorted, as ``sketch`` makes them).

    Below ``t``, the smaller of the two sketches' largest hashes, both
    sketches hold every hash of their text, so the hashes up to ``t`` are a
    uniform sample of the union of both shingle sets: the share of them in
    both texts estimates the Jaccard (exactly, for texts shorter than the
    sketch size).
    """
    if not a or not b:
        return 0.0
    t = min(a[-1], b[-1])
    shared = sum(1 for h in set(a).intersection(b) if h <= t)
    union = bisect_right(a, t) + bisect_right(b, t) - shared
    return shared / union
