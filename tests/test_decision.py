"""The learned decision turned into records: thresholds, one signal per holder and sentence, evidence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backchannel.nlp.attribution import extract_attributions
from backchannel.nlp.candidates import MAX_EVIDENCE_WORDS, find_candidates
from backchannel.nlp.context import DocContext
from backchannel.nlp.decision import decide, to_signals
from backchannel.nlp.registry import ActorRegistry


@dataclass
class FakeScores:
    stance: dict
    topic: dict
    channel: dict


def scores(stance: str, p: float) -> FakeScores:
    probs = {k: (1 - p) / 6 for k in ("none", "open", "refuses", "proposes", "agrees", "urges", "opposes")}
    probs[stance] = p
    return FakeScores(probs, {"ceasefire": 0.8, "talks": 0.1, "deal": 0.1},
                      {"public": 0.7, "private": 0.1, "both": 0.1, "unknown": 0.1})


@pytest.fixture(scope="module")
def parsed(extractor):
    text = ("Egypt hosted talks in Cairo on Monday. Hamas said on Tuesday it was ready for a truce, "
            + "and " + " and ".join(["the delegation would stay in the city for more rounds"] * 8) + ".")
    doc = extractor.nlp.make_doc(text)
    doc._.bc_published = "2014-08-07"
    for name, proc in extractor.nlp.pipeline:
        if not name.startswith("backchannel_") or name == "backchannel_paragraphs":
            doc = proc(doc)
    ctx = DocContext.build(doc, ActorRegistry.default(), "2014-08-07")
    found = extract_attributions(ctx)
    return ctx, found, find_candidates(ctx, found)


def test_threshold_and_none_decide(parsed):
    _, _, cands = parsed
    assert len(cands) >= 2
    low = decide(cands, [scores("urges", 0.4)] * len(cands), threshold=0.5)
    assert low == []
    high = decide(cands, [scores("urges", 0.9)] * len(cands), threshold=0.5)
    assert len(high) == len({(c.sent.start_char, c.holder.name) for c in cands})
    assert all(d.stance == "urges" and d.topic == "ceasefire" and d.channel == "public" for d in high)
    assert decide(cands, [scores("none", 0.9)] * len(cands), threshold=0.1) == []


def test_signals_take_time_and_keep_evidence_exact_and_short(parsed):
    ctx, found, cands = parsed
    decisions = decide(cands, [scores("open", 0.9)] * len(cands), threshold=0.5)
    signals = to_signals(ctx, found, decisions)
    text = ctx.doc.text
    for s in signals:
        assert text[s.evidence_span[0]:s.evidence_span[1]] == s.evidence
        assert len(s.evidence.split()) <= MAX_EVIDENCE_WORDS
    hamas = next(s for s in signals if s.actor == "Hamas")
    assert hamas.when == "2014-08-05" and "Hamas" in hamas.evidence
    egypt = next(s for s in signals if s.actor == "Egypt")
    assert egypt.when == "2014-08-04" and egypt.evidence == "Egypt hosted talks in Cairo on Monday."
