"""Candidates for the learned signal decision: which sentences may hold a position, and whose.

Rules here are tuned for recall, not precision: the model decides.  A sentence is a candidate when
it, or a neighbouring sentence, holds a word of the gate (``lexicons/gate.json``).  Each candidate
sentence gets its candidate holders, with the rule features the model reads beside the text:

* ``named``: an actor named in the sentence (registry, or a named person or organisation);
* ``subject``: that mention is a grammatical subject;
* ``speaker``: the speaker of the attribution whose content holds the sentence;
* ``pronoun``: a subject pronoun resolved to an actor ("he", "they", "we" inside a quote);
* ``quoted``: the mention or the sentence is inside a quote;
* ``sides``: one of the two parties, for "both sides", "the two countries";
* ``phrase``: an unnamed group as written ("rebel commanders"), when no actor resolves it;
* ``before``: an actor named only in the previous sentence (a subject carried over);
* where the holder stands in the war the article is about (``conflicts.py``): ``party``,
  ``third_party``, ``unplaced`` (a name the actor registry does not know and no side lists), or
  ``no_conflict`` when the article names no known war well enough.  The stance labels depend on it:
  a third party ``urges``, a party is ``open``, ``refuses``, ``proposes`` or ``agrees``.

Each candidate also carries what the grammar rules (``signals.py``) read for its holder in its sentence
(``Candidate.rule``), which the decision may take where the model leans the same way; it is not part
of what the model reads.  A sentence whose only gate words are in a figure of speech ("There's no deal
until there's a deal") is no candidate.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.tokens import Span

from ..model.examples import pair_text
from ..records import Signal
from .actors import is_both_sides
from .attribution import FoundAttribution
from .context import DocContext
from .signals import figures_of_speech, read_signals

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: Evidence longer than this many tokens is cut around the holder: the scorer accepts a prediction of up
#: to 60 words (or 2.5 times the gold evidence), so a longer one could never match.
MAX_EVIDENCE_WORDS = 55
#: Subject nouns that never hold a position themselves: the event, the text or the time is the subject.
NOT_HOLDERS = frozenset({
    "ceasefire", "cease-fire", "truce", "talks", "deal", "agreement", "plan", "process", "peace", "war", "fighting",
    "attack", "attacks", "violence", "conflict", "meeting", "summit", "negotiations", "statement", "report",
    "proposal", "move", "decision", "effort", "efforts", "time", "day", "week", "year", "it", "this", "that",
    "accord", "treaty", "resolution", "situation", "issue", "question", "idea", "vote", "step", "announcement",
})


@dataclass(frozen=True)
class GateWords:
    lemmas: frozenset[str]
    window: int


@lru_cache(maxsize=1)
def gate_words() -> GateWords:
    data = json.loads(resources.files("backchannel.nlp.lexicons").joinpath("gate.json").read_text(encoding="utf-8"))
    return GateWords(frozenset(data["lemmas"]), int(data["window"]))


@dataclass
class Holder:
    """One candidate holder of a position in one sentence."""

    name: str
    mentions: list[tuple[int, int]] = field(default_factory=list)  # document character spans, in the sentence
    features: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    """A (sentence, holder) pair for the model, with the attribution that carries the sentence if any."""

    sent: Span
    holder: Holder
    carrier: FoundAttribution | None
    context: str = ""  # the previous sentence, when the holder is not named in this one
    #: What the grammar rules (``signals.py``) read for this holder in this sentence, if anything: the
    #: learned decision may take it where its own scores lean the same way (``decision.decide``).  Not part
    #: of the pair the model reads.
    rule: Signal | None = None

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(sorted(self.holder.features))

    def evidence_span(self) -> tuple[int, int]:
        """The evidence a signal from this candidate gets: the sentence, trimmed of spaces; a sentence
        over ``MAX_EVIDENCE_WORDS`` gives the words around the holder's first mention (or its opening).
        Training labels a pair by this same text, so the model learns what the scorer will see."""
        sent = self.sent
        toks = [t for t in sent if not t.is_space]
        if not toks:
            return sent.start_char, sent.start_char
        if len(toks) <= MAX_EVIDENCE_WORDS:
            return toks[0].idx, toks[-1].idx + len(toks[-1])
        first = self.holder.mentions[0][0] if self.holder.mentions else toks[0].idx
        i = next((k for k, t in enumerate(toks) if t.idx >= first), 0)
        lo = max(0, min(i - 10, len(toks) - MAX_EVIDENCE_WORDS))
        hi = lo + MAX_EVIDENCE_WORDS
        return toks[lo].idx, toks[hi - 1].idx + len(toks[hi - 1])

    def evidence_text(self) -> str:
        start, end = self.evidence_span()
        return self.sent.doc.text[start:end]

    def pair(self) -> tuple[str, str]:
        """The text pair the model reads (the same for training and inference)."""
        return pair_text(self.holder.name, self.features, self.sent.text, self.sent.start_char,
                         self.holder.mentions, self.context)


def gated_sentences(sents: list[Span]) -> list[bool]:
    """Per sentence: does it, or a sentence within the window, hold a gate word?"""
    gate = gate_words()
    hit = [any(t.lemma_.lower() in gate.lemmas or t.lower_ in gate.lemmas for t in s) for s in sents]
    w = gate.window
    return [any(hit[max(0, i - w) : i + w + 1]) for i in range(len(sents))]


def said_in_figure(sent: Span) -> bool:
    """Is every gate word of the sentence inside a tautology ("no deal until there's a deal")?  Such a
    sentence states no position, whatever its neighbours do."""
    figures = figures_of_speech(sent)
    if not figures:
        return False
    gate = gate_words()
    return not any((t.lemma_.lower() in gate.lemmas or t.lower_ in gate.lemmas)
                   and not any(a <= t.idx < b for a, b in figures) for t in sent)


def gate_hits(sent: Span) -> list[str]:
    """The gate words in a sentence (empty when it passed only as a neighbour of one that has some)."""
    gate = gate_words()
    return sorted({t.lower_ for t in sent if t.lemma_.lower() in gate.lemmas or t.lower_ in gate.lemmas})


def carrier_of(sent: Span, attributions: list[FoundAttribution]) -> FoundAttribution | None:
    """The attribution whose content overlaps the sentence most (the statement this sentence reports)."""
    best, overlap = None, 0
    for a in attributions:
        o = min(a.content_end, sent.end_char) - max(a.content_start, sent.start_char)
        if o > overlap:
            best, overlap = a, o
    return best


def holders_of(ctx: DocContext, sent: Span, previous: Span | None,
               carrier: FoundAttribution | None) -> list[Holder]:
    """The candidate holders of one sentence, merged by canonical name, in order of first appearance."""
    found: dict[str, Holder] = {}

    def add(name: str | None, feature: str, span: tuple[int, int] | None = None) -> None:
        if not name:
            return
        h = found.setdefault(name, Holder(name))
        h.features.add(feature)
        if span is not None and span not in h.mentions:
            h.mentions.append(span)

    in_quote = ctx.quote_at(sent.start_char) is not None or ctx.quote_at(max(sent.end_char - 2, 0)) is not None
    for m in ctx.actors.mentions_in(sent.start_char, sent.end_char):
        add(m.actor, "named", (m.start, m.end))
        if m.is_subject:
            found[m.actor].features.add("subject")
        if ctx.quote_at(m.start) is not None:
            found[m.actor].features.add("quoted")
    speaker = carrier.speaker_actor if carrier is not None else None
    if speaker:
        add(speaker, "speaker")
    for tok in sent:
        is_subject = tok.dep_ in SUBJECT_DEPS or (tok.dep_ == "conj" and tok.head.dep_ in SUBJECT_DEPS)
        if not is_subject:
            continue
        if tok.pos_ == "PRON":
            m = ctx.actors.resolve_pronoun(tok, speaker)
            if m is not None:
                add(m.actor, "pronoun", (tok.idx, tok.idx + len(tok)))
            continue
        if tok.pos_ not in ("NOUN", "PROPN"):
            continue
        phrase = _phrase(tok)
        if is_both_sides(phrase):
            for side in ctx.actors.sides():
                add(side, "sides", (phrase.start_char, phrase.end_char))
            continue
        m = ctx.actors.resolve_span(phrase, speaker)
        if m is not None:
            add(m.actor, "subject", (phrase.start_char, phrase.end_char))
        elif tok.lower_ not in NOT_HOLDERS and not any(h for h in found.values()
                                                       if (phrase.start_char, phrase.end_char) in h.mentions):
            add(_surface_name(phrase), "phrase", (phrase.start_char, phrase.end_char))
    if previous is not None:
        for m in ctx.actors.mentions_in(previous.start_char, previous.end_char):
            if m.actor not in found and m.is_subject:
                add(m.actor, "before")
    if in_quote:
        for h in found.values():
            h.features.add("quoted")
    return list(found.values())


def _phrase(tok) -> Span:
    """A subject noun with its left modifiers ("Yemen's Houthi rebels"), without a trailing clause."""
    return tok.doc[tok.left_edge.i : tok.i + 1]


def _surface_name(phrase: Span) -> str:
    """An unnamed holder as written, without the article: "the Syrian opposition" -> "Syrian opposition"."""
    words = [t for t in phrase if not (t.i == phrase.start and t.lower_ in ("the", "a", "an", "some", "its", "their"))]
    return " ".join(t.text for t in words).replace(" 's", "'s").strip()


def placement_feature(ctx: DocContext, name: str) -> str:
    """The holder's place in the article's war, as a feature word (see the module docstring): the
    article's conflicts are resolved once, with the user's conflict data, in ``DocContext``."""
    if not ctx.conflicts:
        return "no_conflict"
    role = ctx.conflict_fields(name)["role"]
    if role != "party" and ctx.actors.registry.by_name(name) is None:
        return "unplaced"
    return role or "unplaced"


def find_candidates(ctx: DocContext, attributions: list[FoundAttribution]) -> list[Candidate]:
    """Every (gated sentence, candidate holder) pair of a parsed document, in text order."""
    sents = list(ctx.doc.sents)
    gated = gated_sentences(sents)
    ruled = _rule_signals(ctx, attributions) if any(gated) else {}
    out: list[Candidate] = []
    for i, sent in enumerate(sents):
        if not gated[i] or not sent.text.strip() or said_in_figure(sent):
            continue
        previous = sents[i - 1] if i else None
        carrier = carrier_of(sent, attributions)
        for holder in holders_of(ctx, sent, previous, carrier):
            holder.features.add(placement_feature(ctx, holder.name))
            named_here = bool(holder.mentions)
            context = previous.text.strip() if (previous is not None and not named_here) else ""
            out.append(Candidate(sent, holder, carrier, context, ruled.get((sent.start_char, holder.name))))
    return out


def _rule_signals(ctx: DocContext, attributions: list[FoundAttribution]) -> dict[tuple[int, str], Signal]:
    """The grammar rules' signals by (sentence start, actor): the first one of each actor in a sentence."""
    starts = [s.start_char for s in ctx.doc.sents]
    out: dict[tuple[int, str], Signal] = {}
    for sig in read_signals(ctx, attributions):
        if sig.evidence_span is None:
            continue
        at = bisect_right(starts, sig.evidence_span[0]) - 1
        if at >= 0:
            out.setdefault((starts[at], sig.actor), sig)
    return out
