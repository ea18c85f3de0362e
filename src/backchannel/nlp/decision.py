"""The learned decision: scored candidate pairs become signals.

A pair's stance is the model's most likely label; it becomes a signal only when that label is a
stance (not ``none``) with probability at least ``threshold``, or, for a party of the article's war, when
the grammar rules (``signals.py``) read the stance the model ranks first among a party's
(``confirmed_by_rule``).  Two filters of the model folder may then drop a decided pair
(``model/relevance.py``): its sentence scores below the sentence floor, or another holder of the same
sentence is much likelier (the holder ratio); the grammar's confirmations stay.  The thresholds, floor and
ratio are set for precision first, on a validation part of the train split (never on dev), and stored with
the model.  One signal per holder and sentence; its topic and channel come from the model's heads, its evidence is
the sentence, its time, time basis, sources and terms from the attribute rules (``attributes.py``), a
channel the words state ("publicly", "behind closed doors") over the head's guess, and its
conflict, counterpart and role from where the article's conflicts place its actor
(``DocContext.conflict_fields``), as in the rules path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..model.examples import NONE
from ..records import Signal
from .attributes import sources_of, stated_channel, terms_of, time_basis_of, when_of
from .attribution import FoundAttribution
from .candidates import Candidate, gate_hits
from .context import DocContext
from .lexicon import lexicon


class Scores(Protocol):
    stance: dict[str, float]
    topic: dict[str, float]
    channel: dict[str, float]


@dataclass(frozen=True)
class Decision:
    """One candidate's verdict, kept for ``--explain``."""

    candidate: Candidate
    stance: str
    probability: float
    topic: str
    channel: str
    scores: Scores | None = None
    #: the grammar would settle this stance even below the model's threshold (``confirmed_by_rule``)
    grammar_settles: bool = False
    #: the sentence filter's probability that the sentence carries a signal (1.0 without the filter)
    sentence_score: float = 1.0


#: A decision threshold: one for every stance, or one per stance (a stance missing from the mapping is never
#: decided).  Per-stance thresholds are chosen end to end on the validation articles
#: (``training.stance_thresholds``): the model is surer of some stances than of others.
Threshold = float | Mapping[str, float]


def threshold_for(threshold: Threshold, stance: str) -> float:
    return float(threshold.get(stance, float("inf"))) if isinstance(threshold, Mapping) else float(threshold)


def verdict(stance_probs: dict[str, float], threshold: Threshold) -> tuple[str, float]:
    """The rule that turns a pair's stance probabilities into a decision (the same in training, where
    the threshold is chosen, and here): the likeliest stance, if it clears its threshold and ``none``."""
    stance, p = max(((k, v) for k, v in stance_probs.items() if k != NONE), key=lambda kv: kv[1])
    return (stance, p) if p >= threshold_for(threshold, stance) and p >= stance_probs.get(NONE, 0.0) else (NONE, p)


#: The stances a party can take (a third party's are ``urges`` and ``opposes``: docs/SCHEMA.md conventions).
PARTY_STANCES = ("open", "refuses", "proposes", "agrees")
#: The grammar's readings the model may be settled by: a party agreeing, refusing or saying it is open, read
#: from its trigger with the party as its subject ("Thailand and Cambodia agreed to a ceasefire").  Not
#: ``proposes``: the grammar's terms-and-conditions reading is its noisiest (measured: it cost precision for
#: no recall), and the model reads proposals on its own.
RULE_STANCES = ("open", "refuses", "agrees")


def confirmed_by_rule(cand: Candidate, stance_probs: dict[str, float]) -> str:
    """The grammar rules' stance for a pair the model left below its threshold (or gave a stance no party
    takes), when the model's own scores lean the same way: the holder is a party of the article's war, the
    rules read one of ``RULE_STANCES``, and of the stances a party can take that is the one the model ranks
    first.  '' otherwise.  The model was trained on few conjoined subjects ("A and B agreed") and
    past-perfect sentences; the grammar reads them, and the model's ranking keeps the grammar's false
    alarms out."""
    rule = cand.rule
    if rule is None or rule.stance not in RULE_STANCES or "party" not in cand.holder.features:
        return ""
    best = max(PARTY_STANCES, key=lambda s: stance_probs.get(s, 0.0))
    return rule.stance if best == rule.stance else ""


def decide(candidates: Sequence[Candidate], scores: Sequence[Scores], threshold: Threshold,
           sentence_scores: Sequence[float] | None = None, sentence_floor: float = 0.0,
           holder_ratio: float = 0.0) -> list[Decision]:
    """The candidates the model calls signals, in text order (holders are already one per sentence), with
    the pairs the grammar rules confirm (``confirmed_by_rule``), less those the filters drop
    (``filtered``).  ``sentence_scores``: one per candidate, the sentence filter's probability."""
    out = []
    sentence_scores = sentence_scores if sentence_scores is not None else [1.0] * len(candidates)
    for cand, sc, sent_p in zip(candidates, scores, sentence_scores, strict=True):
        stance, p = verdict(sc.stance, threshold)
        topic = max(sc.topic, key=sc.topic.get)
        if stance == NONE or ("party" in cand.holder.features and stance not in PARTY_STANCES):
            # below the threshold, or a third party's stance given to a party: the grammar may settle it
            stance = confirmed_by_rule(cand, sc.stance) or stance
            if stance in RULE_STANCES and cand.rule is not None and cand.rule.stance == stance:
                p, topic = sc.stance.get(stance, 0.0), cand.rule.topic
        if stance != NONE:
            out.append(Decision(cand, stance, p, topic, max(sc.channel, key=sc.channel.get), sc,
                                grammar_settles=confirmed_by_rule(cand, sc.stance) == stance,
                                sentence_score=sent_p))
    kept = filtered(out, sentence_floor, holder_ratio)
    return sorted(kept, key=lambda d: (d.candidate.sent.start_char, -d.probability))


class Decided(Protocol):
    """What the filters read of a decision: in extraction a ``Decision``; in training's offline search
    the same fields read back from ``--explain`` (``training.stance_thresholds``)."""

    probability: float
    grammar_settles: bool
    sentence_score: float


D = TypeVar("D", bound=Decided)


def filtered(decisions: Sequence[D], sentence_floor: float, holder_ratio: float,
             sentence_of: Callable[[D], Any] = lambda d: d.candidate.sent.start) -> list[D]:
    """``decisions`` less those whose sentence scores below ``sentence_floor``, and less those whose
    probability is below ``holder_ratio`` times the best of their sentence (after the floor).  A decision
    the grammar settles always stays: the grammar reads what neither bag of words reads, a conjoined
    subject ("A and B agreed": both) or a past perfect, and it only settles what the model ranks first
    anyway.  The one place the filters are applied, in extraction and in the search that sets them."""
    kept = [d for d in decisions if d.grammar_settles or d.sentence_score >= sentence_floor]
    best: dict[Any, float] = {}
    for d in kept:
        key = sentence_of(d)
        best[key] = max(best.get(key, 0.0), d.probability)
    return [d for d in kept if d.grammar_settles or d.probability >= holder_ratio * best[sentence_of(d)]]


def to_signals(ctx: DocContext, attributions: list[FoundAttribution], decisions: Sequence[Decision]) -> list[Signal]:
    """Signal records for the decided pairs, with the attribute rules filling time, sources and terms and the
    article's conflicts the conflict, counterpart and role."""
    signals = []
    text = ctx.doc.text
    for d in decisions:
        cand = d.candidate
        start, end = cand.evidence_span()
        chain = [cand.carrier] if cand.carrier is not None else []
        signals.append(Signal(
            actor=cand.holder.name,
            stance=d.stance,
            topic=d.topic,
            channel=stated_channel(cand.sent.text, lexicon()) or d.channel,
            evidence=text[start:end],
            terms=terms_of(ctx, cand.sent, cand.sent.root, None),
            when=when_of(ctx, cand.sent, cand.carrier, attributions),
            sources=sources_of(ctx, chain, [cand.holder.name]),
            evidence_span=(start, end),
            confidence=d.probability,
            **ctx.conflict_fields(cand.holder.name),
            time_basis=time_basis_of(cand.sent),
        ))
    return signals


def explain(decision: Decision, signal: Signal) -> dict[str, Any]:
    """Why a signal was emitted: the gate that let its sentence through, the holder and its rule
    features, and the model's probabilities (rounded) for every label of the three heads."""
    cand = decision.candidate
    sc = decision.scores
    return {
        "actor": signal.actor,
        "stance": signal.stance,
        "evidence_span": list(signal.evidence_span) if signal.evidence_span else None,
        "gate": {"sentence": [cand.sent.start_char, cand.sent.end_char], "gate_words": gate_hits(cand.sent)},
        "holder": {"name": cand.holder.name, "features": sorted(cand.holder.features),
                   "mentions": [list(m) for m in cand.holder.mentions],
                   "speaker_of": cand.carrier.record.speaker if cand.carrier is not None else None},
        "scores": {head: {k: round(v, 3) for k, v in getattr(sc, head).items()}
                   for head in ("stance", "topic", "channel")} if sc is not None else {},
        "probability": decision.probability,
        "grammar_settles": decision.grammar_settles,
        "sentence_score": decision.sentence_score,
    }
