"""The candidate gate and holders: recall-tuned rules that feed the learned decision."""

from __future__ import annotations

import pytest

from backchannel.model.examples import CLOSE_MARK, HOLDER_FEATURES, OPEN_MARK
from backchannel.nlp.attribution import extract_attributions
from backchannel.nlp.candidates import find_candidates, gated_sentences
from backchannel.nlp.context import DocContext
from backchannel.nlp.registry import ActorRegistry


@pytest.fixture(scope="module")
def parse(extractor):
    def run(text: str, published: str = "2015-03-04"):
        doc = extractor.nlp.make_doc(text)
        doc._.bc_published = published
        for name, proc in extractor.nlp.pipeline:
            if name.startswith("backchannel_") and name != "backchannel_paragraphs":
                continue
            doc = proc(doc)
        ctx = DocContext.build(doc, ActorRegistry.default(), published)
        return ctx, extract_attributions(ctx)

    return run


def test_gate_passes_a_talks_sentence_and_its_neighbours_only(parse):
    text = ("The weather was mild in the north. Markets were quiet. Shops opened late. "
            "Hamas said it was ready for a truce. Crowds gathered in the square. Schools reopened. "
            "Buses ran on time.")
    ctx, _ = parse(text)
    sents = list(ctx.doc.sents)
    gated = gated_sentences(sents)
    truce = next(i for i, s in enumerate(sents) if "truce" in s.text)
    assert gated[truce] and gated[truce - 1] and gated[truce + 1]
    assert not gated[0] and not gated[-1]


def test_holders_named_subject_pronoun_and_both_sides(parse):
    text = ("Israel and Hamas fought for weeks in Gaza. Israel shelled Hamas tunnels every night, Hamas fired "
            "rockets at Israel every day, and thousands of families fled the fighting in the south of the strip. "
            "Egypt hosted talks in Cairo on Monday. "
            "Benjamin Netanyahu met the envoys. He said he was ready for a ceasefire. "
            "Both sides agreed to extend the truce.")
    ctx, found = parse(text)
    cands = find_candidates(ctx, found)
    by_sentence: dict[str, dict[str, set[str]]] = {}
    for c in cands:
        by_sentence.setdefault(c.sent.text.strip(), {})[c.holder.name] = c.holder.features
    egypt = by_sentence["Egypt hosted talks in Cairo on Monday."]
    assert {"named", "subject"} <= egypt["Egypt"]
    he = by_sentence["He said he was ready for a ceasefire."]
    netanyahu = next(name for name in he if "Netanyahu" in name)
    assert "pronoun" in he[netanyahu]
    both = by_sentence["Both sides agreed to extend the truce."]
    assert {"Israel", "Hamas"} <= set(both) and "sides" in both["Hamas"]
    # a sentence-shaped model reads only the features it knows: one the rules emit must be in its list
    assert set().union(*(c.holder.features for c in cands)) <= set(HOLDER_FEATURES)


def test_an_unnamed_group_is_a_holder_as_written(parse):
    ctx, found = parse("Fighting went on near the border. The rebel commanders rejected the truce offer.")
    names = {c.holder.name for c in find_candidates(ctx, found)}
    assert "rebel commanders" in names


def test_the_pair_marks_the_holders_mention(parse):
    ctx, found = parse("Egypt hosted talks between the two sides in Cairo.")
    cand = next(c for c in find_candidates(ctx, found) if c.holder.name == "Egypt")
    a, b = cand.pair()
    assert a.startswith("Egypt ; ") and "named" in a
    assert b.startswith(f"{OPEN_MARK}Egypt{CLOSE_MARK} hosted talks")


def test_a_holder_from_the_previous_sentence_gets_it_as_context(parse):
    ctx, found = parse("The Taliban met US envoys in Doha. Officials said a deal was close.")
    cands = [c for c in find_candidates(ctx, found) if c.sent.text.startswith("Officials")]
    carried = [c for c in cands if "before" in c.holder.features]
    assert carried and all(c.context.startswith("The Taliban met") for c in carried)
