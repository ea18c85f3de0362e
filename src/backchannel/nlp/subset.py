"""Which sentences of an article about a war are parsed: those that can hold a signal, and what they need.

Why: in a war article parsing is most of spaCy's cost, and a signal can only come from a sentence the
candidate gate (``lexicons/gate.json``) lets through.  So the gate is run before the parse, on the
tokenizer's output, and only these sentences are kept for the parser:

* the gated sentences and their neighbours within the gate's window (the candidates);
* the sentence before each candidate (its holder carried over, and the context the model reads);
* the sentences of a quote that touches one of them, and the sentences just before and after that
  quote (where its cue and speaker are, and a split quote's other half);
* the sentences back to the previous one that names someone (a capitalised word inside a sentence),
  at most ``MAX_COREF_BACK``, so that "he" and "the Kremlin" resolve as in a full parse;
* the first sentence (a dateline, "MOSCOW (Reuters) -", names the origin of a report).

The rest of the text is blanked: every character but line breaks becomes a space, so the text the
parser sees has the article's length and every offset into it is the article's own.  A run of spaces
is one whitespace token, which costs the parser nothing.

The gate here reads surface forms, not lemmas (there is no lemmatizer before the parse): each gate lemma
is spelt out in its inflections (``gate_forms``), a superset of what the lemma test accepts on most words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.attrs import LOWER
from spacy.strings import hash_string
from spacy.tokens import Doc

from ..text import paragraph_spans
from .candidates import gate_words
from .quotes import find_quotes, outermost

#: How far back (in sentences) a parsed run is extended to reach a sentence that names someone.
MAX_COREF_BACK = 3
#: Irregular forms of gate verbs, which the suffix rules of ``gate_forms`` do not make.
IRREGULAR = {"meet": ("met",), "withdraw": ("withdrew", "withdrawn"), "sign": (), "end": (), "quit": ("quit",)}
#: Where a sentence ends, on characters: the end punctuation (with closing quotes and brackets after it).
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
#: Words whose period does not end a sentence ("Mr. Putin", "the U.S. envoy").
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "sgt", "gov", "sen", "rep", "u.s", "u.n",
                           "no", "vs", "jr", "sr", "prof", "maj", "capt", "adm", "brig", "cmdr", "rev", "hon", "pres"})


@dataclass(frozen=True)
class Selection:
    """The text to parse (the article's, with the sentences not selected blanked) and the counts of
    sentences, for the benchmark's "share of sentences parsed"."""

    text: str
    parsed: int
    total: int


@lru_cache(maxsize=1)
def gate_forms() -> frozenset[str]:
    """Every inflection of the gate's lemmas the suffix rules make: plural, past, participle, -ing."""
    forms: set[str] = set()
    for lemma in gate_words().lemmas:
        forms.update((lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", lemma + "ing"))
        forms.update(IRREGULAR.get(lemma, ()))
        if lemma.endswith("e"):
            forms.add(lemma[:-1] + "ing")
        if lemma.endswith("y"):
            forms.update((lemma[:-1] + "ies", lemma[:-1] + "ied"))
        if len(lemma) > 2 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
            forms.update((lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"))  # stopped, swapping
    return frozenset(forms)


@lru_cache(maxsize=1)
def _gate_hashes() -> np.ndarray:
    return np.array(sorted(hash_string(w) for w in gate_forms()), dtype=np.uint64)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences, cut at end punctuation and at every line break: a cheap
    stand-in for the parser's sentences, used only to choose what to parse (the parser then sets its
    own boundaries inside what is kept)."""
    spans = []
    for p_start, p_end in paragraph_spans(text):
        for line in re.finditer(r"[^\n]+", text[p_start:p_end]):
            start = p_start + line.start()
            for m in _SENTENCE_END.finditer(line.group()):
                if _is_abbreviation(line.group()[max(0, m.start() - 12) : m.start()]):  # the word before
                    continue
                end = p_start + line.start() + m.end()
                spans.append((start, end))
                start = end
            if start < p_start + line.end():
                spans.append((start, p_start + line.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _is_abbreviation(before: str) -> bool:
    """Does the text before a period end with an abbreviation or an initial ("Mr", "U.S", "J")?"""
    word = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
    return len(word) == 1 or word in ABBREVIATIONS


def select(doc: Doc, may_hold: Callable[[list[str]], list[bool]] | None = None) -> Selection:
    """The sentences of a tokenized Doc that the parse needs (see the module docstring), as a blanked text.

    ``may_hold``, when given, is asked about the candidate sentences' texts: a candidate it answers False for
    is not parsed for itself (the model's sentence filter, ``model/relevance.py``, with a floor below the
    decision's, since these sentences are the cheap splitter's and the decision reads the parser's)."""
    text = doc.text
    sents = sentence_spans(text)
    if not sents:
        return Selection(text, 0, 0)
    starts = np.array([a for a, _ in sents])
    token_sent = np.searchsorted(starts, doc.to_array("IDX"), side="right") - 1
    hit = np.zeros(len(sents), dtype=bool)
    gated = token_sent[np.isin(doc.to_array(LOWER), _gate_hashes())]
    hit[gated[gated >= 0]] = True
    candidate = np.zeros(len(sents), dtype=bool)
    window = gate_words().window
    for i in np.flatnonzero(hit):
        candidate[max(0, i - window) : i + window + 1] = True
    if may_hold is not None and candidate.any():
        chosen = np.flatnonzero(candidate)
        candidate[chosen] = np.asarray(may_hold([text[sents[i][0] : sents[i][1]] for i in chosen]), dtype=bool)
    keep = candidate.copy()
    keep[np.flatnonzero(candidate[1:])] = True  # the sentence before each candidate
    keep[0] = True
    _keep_quotes(text, sents, starts, keep)
    _keep_antecedents(text, sents, keep)
    return Selection(_blank(text, sents, keep), int(keep.sum()), len(sents))


def _keep_quotes(text: str, sents: list[tuple[int, int]], starts: np.ndarray, keep: np.ndarray) -> None:
    """Keep every quote that touches a kept sentence whole, with the sentences on either side of it."""
    for quote in outermost(find_quotes(text)):
        lo, hi = quote.outer
        first = max(0, int(np.searchsorted(starts, lo, side="right")) - 1)
        last = max(first, int(np.searchsorted(starts, max(lo, hi - 1), side="right")) - 1)
        if keep[first : last + 1].any():
            keep[max(0, first - 1) : min(len(sents), last + 2)] = True


def _keep_antecedents(text: str, sents: list[tuple[int, int]], keep: np.ndarray) -> None:
    """Extend each kept run back to the previous sentence that names someone, so pronouns and titles
    ("he", "the Kremlin") resolve against the same mentions as in a full parse."""
    for i in range(1, len(sents)):
        if not keep[i] or keep[i - 1]:
            continue
        for j in range(i - 1, max(-1, i - 1 - MAX_COREF_BACK), -1):
            keep[j] = True
            if _names_someone(text[sents[j][0] : sents[j][1]]):
                break


def _names_someone(sentence: str) -> bool:
    """A capitalised word after the sentence's first: a name, a title or a place, the cheap way."""
    words = sentence.split()
    return any(w[:1].isupper() for w in words[1:])


def _blank(text: str, sents: list[tuple[int, int]], keep: np.ndarray) -> str:
    """``text`` with the sentences not kept turned into spaces (line breaks stay, so paragraphs do)."""
    if keep.all():
        return text
    pieces, pos = [], 0
    for (a, b), kept in zip(sents, keep, strict=True):
        if kept:
            continue
        pieces.append(text[pos:a])
        pieces.append(re.sub(r"[^\n]", " ", text[a:b]))
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces)
