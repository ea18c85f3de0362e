"""Every span points at exactly the text its record holds, whatever the spacing and quoting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.records import Article

ROOT = Path(__file__).resolve().parent.parent
AWKWARD = [
    "The war goes on and fighting continued near the front.\n\nPutin said that Russia  was ready for a "
    "ceasefire with Ukraine.",
    "The war goes on.\n\nZelensky said:  “We  reject   any ceasefire\u00a0that freezes the front.”",
    "The war goes on.\n\n“Peace is near,” he said.\n\n“And we are ready,\n\n“to talk,” Hamas said in Gaza.",
    "İİİstanbul talks: the war goes on. Russia said it was ready for talks without preconditions in İstanbul.",
]


def check(result) -> tuple[int, int]:
    """Every span of the result is exact; returns (attributions, signals) checked, so no test passes on none."""
    text = result.article.text
    for a in result.attributions:
        start, end = a.content_span
        assert text[start:end] == a.content
        start, end = a.speaker_span
        assert start <= end <= len(text)
    for s in result.signals:
        start, end = s.evidence_span
        assert text[start:end] == s.evidence
        for term in s.terms:
            assert term in text
    return len(result.attributions), len(result.signals)


@pytest.mark.parametrize("text", AWKWARD)
def test_spans_match_values_on_awkward_spacing(extract, text: str):
    attributions, signals = check(extract(text))
    assert attributions and signals or attributions >= 2


def test_spans_match_values_on_the_gold_set(extractor):
    from backchannel.read import read_path

    for gold in sorted((ROOT / "eval" / "gold").glob("*/gold.json")):
        expected = json.loads(gold.read_text(encoding="utf-8"))
        meta = expected["article"]
        result = extractor.extract(read_path(gold.parent / meta.get("file", "article.json")))
        attributions, signals = check(result)
        # not vacuous: where the gold has records, some were predicted and their spans checked (an article
        # with no war vocabulary is not parsed, so it has no attributions to check)
        assert signals or not expected["signals"], f"{gold.parent.name}: no signal predicted, none checked"
        assert attributions or not expected["attributions"] or not result.about_war, gold.parent.name


def test_extreme_publication_dates_do_not_break_extraction(rules_extractor):
    for published in ("0001-01-01", "9999-12-31"):
        result = rules_extractor.extract(Article(text="The war went on. Hamas said yesterday it was ready for a truce.",
                                           published=published))
        assert result.signals and result.signals[0].when == ""
