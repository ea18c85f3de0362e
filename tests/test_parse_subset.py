"""The default mode parses only what can hold a signal (nlp/subset.py) and asks the encoder only about the
pairs the linear scorer does not rule out (nlp/cascade.py); --full-parse and --all-articles do as before."""

from __future__ import annotations

import argparse

import pytest

from backchannel.jobs.extractor import Extractor, ExtractorSpec, add_extraction_flags
from backchannel.model.examples import NONE
from backchannel.nlp.candidates import find_candidates
from backchannel.nlp.cascade import LINEAR_FLOOR, cascade_scores
from backchannel.nlp.decision import verdict
from backchannel.nlp.factories import GATED, found_or_built
from backchannel.nlp.subset import gate_forms, select, sentence_spans
from backchannel.records import Article

FILLER = (
    "The museum reopened its east wing after a long restoration. Visitors queued in the rain for an hour. "
    "The new galleries show pottery from the tenth century. Tickets cost twelve euros for adults. "
    "Children enter free on weekdays. The café on the roof serves soup and bread."
)
QUOTE = (
    "\u201cWe will accept a ceasefire. Our farmers are tired. The harvest is ruined and the roads are mud,\u201d "
    "the minister told reporters."
)
WAR = (
    "Sudan's army said on Thursday that it would not join talks with the Rapid Support Forces while the "
    "paramilitary group held towns in North Darfur. The war has displaced millions.\n\n"
    "\u201cThere will be no truce with a militia that besieges our cities,\u201d the army's spokesman said. "
    "Saudi Arabia and the United States urged both sides to accept a humanitarian ceasefire."
)


@pytest.fixture(scope="module")
def tokenize(extractor: Extractor):
    return extractor.nlp.make_doc


def test_sentences_no_signal_needs_are_blanked_and_offsets_kept(tokenize):
    text = f"{WAR}\n\n{FILLER}\n\n{FILLER}"
    chosen = select(tokenize(text))
    assert len(chosen.text) == len(text)
    assert [i for i, c in enumerate(chosen.text) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    assert 0 < chosen.parsed < chosen.total == len(sentence_spans(text))
    assert "humanitarian ceasefire" in chosen.text
    assert chosen.text.count("pottery") < text.count("pottery")
    kept = [(a, b) for a, b in sentence_spans(chosen.text)]
    assert all(chosen.text[a:b] == text[a:b] for a, b in kept)  # what is parsed is the article's own text


def test_a_quote_touching_a_gated_sentence_is_kept_whole_with_its_cue(tokenize):
    text = f"{FILLER} {FILLER}\n\n{QUOTE}\n\n{FILLER} {FILLER}"
    chosen = select(tokenize(text)).text
    assert "The harvest is ruined and the roads are mud" in chosen  # two sentences from the gate word
    assert "the minister told reporters." in chosen
    assert "pottery" in text and chosen.count("pottery") < text.count("pottery")


def test_gate_forms_spell_out_inflections():
    forms = gate_forms()
    assert {"talks", "agreed", "negotiating", "stopped", "met", "ceasefires", "proposals"} <= forms
    assert "museum" not in forms


def test_gated_mode_keeps_offsets_into_the_whole_article(extractor: Extractor):
    text = f"{FILLER}\n\n{WAR}\n\n{FILLER}\n\n{QUOTE}\n\n{FILLER}"
    article = Article(text=text, published="2024-05-02", outlet="Test Desk")
    assert select(extractor._doc(article)).parsed < select(extractor._doc(article)).total
    result = extractor.extract(article)
    assert not extractor.full_parse and result.about_war
    assert result.signals and result.attributions
    for s in result.signals:
        assert s.evidence_span is not None
        assert text[s.evidence_span[0] : s.evidence_span[1]] == s.evidence
    for a in result.attributions:
        for span, value in ((a.content_span, a.content), (a.speaker_span, a.speaker), (a.cue_span, a.cue)):
            if span:
                assert text[span[0] : span[1]] == value


def test_the_version_names_what_is_parsed():
    modes = {
        "gated": ExtractorSpec(),
        "full": ExtractorSpec(full_parse=True),
        "all": ExtractorSpec(all_articles=True),
    }
    for mode, spec in modes.items():
        assert spec.version.split("+")[3] == mode
    assert len({spec.version for spec in modes.values()}) == 3
    assert ExtractorSpec(signal_model="rules").version.split("+")[3] == "full"  # the rules read every sentence


def test_full_parse_flag_reaches_the_extractor(extractor: Extractor):
    parser = argparse.ArgumentParser()
    add_extraction_flags(parser)
    assert ExtractorSpec.from_flags(parser.parse_args(["--full-parse"])).full_parse
    assert not ExtractorSpec.from_flags(parser.parse_args([])).full_parse
    assert Extractor(nlp=extractor.nlp, full_parse=True).full_parse
    assert Extractor(nlp=extractor.nlp, all_articles=True).full_parse


def test_full_parse_parses_the_whole_text(extractor: Extractor):
    text = f"{FILLER}\n\n{WAR}\n\n{FILLER}"
    doc = extractor._doc(Article(text=text))
    whole = Extractor(nlp=extractor.nlp, full_parse=True)._to_parse(doc)
    assert whole.text == text
    assert not whole.user_data.get(GATED)  # every pair goes to the encoder, as before the gated mode
    part = extractor._to_parse(extractor._doc(Article(text=text)))
    assert part.text != text and part.user_data.get(GATED)


def test_the_encoder_reads_only_pairs_the_linear_scorer_leaves_open(extractor: Extractor):
    component = extractor.nlp.get_pipe("backchannel_decision")
    doc = extractor.nlp.make_doc(f"{WAR}\n\n{QUOTE}")
    for _, proc in extractor.nlp.pipeline[:-1]:
        doc = proc(doc)
    ctx, attributions = found_or_built(doc, component.registry, component.conflicts)
    pairs = [c.pair() for c in find_candidates(ctx, attributions)]
    model = component.model
    linear = model.linear.predict(pairs)
    open_ = [max(v for k, v in lin.items() if k != NONE) >= LINEAR_FLOOR for lin in linear]
    assert any(open_) and not all(open_), "the fixture needs pairs on both sides of the floor"
    asked: list[int] = []
    encoder_scores = model.encoder_scores

    def counting(batch, batch_size=32):
        asked.append(len(batch))
        return encoder_scores(batch, batch_size)

    model.encoder_scores = counting
    try:
        scores = cascade_scores(model, pairs)
    finally:
        del model.encoder_scores
    assert asked == [sum(open_)]
    full = model.predict(pairs)
    for keep, mixed, everything in zip(open_, scores, full, strict=True):
        if not keep:
            assert verdict(mixed.stance, component.threshold)[0] == NONE
            assert verdict(everything.stance, component.threshold)[0] == NONE  # the skip cost nothing here


def test_the_sentence_filter_keeps_candidates_out_of_the_parse(tokenize):
    """``select``'s ``may_hold``: a candidate sentence it refuses is not parsed for itself; one it keeps is,
    with the sentence before it."""
    refused = ("Sudan's army said on Thursday that it would not join talks with the Rapid Support Forces while "
               "the paramilitary group held towns in North Darfur.")
    text = (f"{FILLER}\n\n{refused}\n\n{FILLER} {FILLER}\n\nAfter the meeting, Saudi Arabia and the United "
            "States urged both sides to accept a humanitarian ceasefire.")
    doc = tokenize(text)
    everything = select(doc)
    assert select(doc, lambda sentences: [True] * len(sentences)) == everything
    asked: list[str] = []

    def humanitarian_only(sentences: list[str]) -> list[bool]:
        asked.extend(sentences)
        return ["humanitarian" in s for s in sentences]

    fewer = select(doc, humanitarian_only)
    assert refused in asked  # every candidate is asked about
    assert "humanitarian ceasefire" in fewer.text
    assert "would not join talks" in everything.text and "would not join talks" not in fewer.text
    assert fewer.parsed < everything.parsed and len(fewer.text) == len(text)
