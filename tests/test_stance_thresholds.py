"""Per-stance decision thresholds: how they are chosen (``training.stance_thresholds``) and read (the card)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.errors import ModelError
from backchannel.nlp.decision import verdict
from backchannel.nlp.factories import card_threshold
from backchannel.training.stance_thresholds import ascend, kept


def test_each_stance_is_held_to_its_own_threshold():
    probs = {"none": 0.1, "agrees": 0.45, "urges": 0.3, "open": 0.15}
    assert verdict(probs, {"agrees": 0.4, "urges": 0.5}) == ("agrees", 0.45)
    assert verdict(probs, {"agrees": 0.5, "urges": 0.2}) == ("none", 0.45)  # only the likeliest stance is tried
    assert verdict(probs, {"urges": 0.2})[0] == "none"  # a stance the mapping leaves out is never decided
    assert verdict(probs, 0.4) == ("agrees", 0.45)  # one number: the same for every stance


def test_the_card_gives_its_per_stance_thresholds_first_and_refuses_nonsense_in_one_line(tmp_path: Path):
    path = tmp_path / "card.json"
    assert card_threshold({"threshold": 0.5}, path) == 0.5
    assert card_threshold({"threshold": 0.5, "stance_thresholds": {"open": 0.6}}, path) == {"open": 0.6}
    for bad in ({"open": 1.5}, {"maybe": 0.5}, {"open": True}, [0.5]):
        with pytest.raises(ModelError, match="card.json: stance_thresholds"):
            card_threshold({"threshold": 0.5, "stance_thresholds": bad}, path)
    with pytest.raises(ModelError, match="no decision threshold"):
        card_threshold({}, path)


def test_kept_filters_by_probability_unless_the_grammar_settles_it():
    result = {"signals": [{"stance": "open"}, {"stance": "open"}, {"stance": "refuses"}], "attributions": []}
    why = [{"probability": 0.7}, {"probability": 0.4}, {"probability": 0.2, "grammar_settles": True}]
    assert [s["stance"] for s in kept(result, why, {"open": 0.6, "refuses": 0.9})["signals"]] == ["open", "refuses"]


def test_the_ascent_finds_better_thresholds_but_never_pays_with_precision():
    """A made-up scorer: F1 peaks with open at 0.7 and urges at 0.4, but urges below 0.5 costs precision."""
    def score(th):
        precision = 0.5 - (0.1 if th["urges"] < 0.5 else 0.0)
        f1 = 0.4 - abs(th["open"] - 0.7) - abs(th["urges"] - 0.4) / 10
        return precision, 0.0, f1
    chosen = ascend(score, {"open": 0.5, "urges": 0.5})
    assert chosen == {"open": 0.7, "urges": 0.5}


def test_kept_applies_the_sentence_floor_and_holder_ratio_as_the_extraction_does():
    """The offline search reads the filters back from ``--explain``: the same ``decision.filtered``."""
    result = {"signals": [{"stance": "urges", "actor": "UN"}, {"stance": "urges", "actor": "Kerry"},
                          {"stance": "agrees", "actor": "Hamas"}, {"stance": "open", "actor": "Iran"}],
              "attributions": []}
    why = [{"probability": 0.6, "sentence_score": 0.7, "gate": {"sentence": [0, 40]}},
           {"probability": 0.9, "sentence_score": 0.7, "gate": {"sentence": [0, 40]}},
           {"probability": 0.3, "sentence_score": 0.7, "gate": {"sentence": [0, 40]}, "grammar_settles": True},
           {"probability": 0.9, "sentence_score": 0.1, "gate": {"sentence": [41, 90]}}]
    thresholds = {"urges": 0.5, "agrees": 0.5, "open": 0.5}
    assert [s["actor"] for s in kept(result, why, thresholds)["signals"]] == ["UN", "Kerry", "Hamas", "Iran"]
    assert [s["actor"] for s in kept(result, why, thresholds, 0.3, 0.8)["signals"]] == ["Kerry", "Hamas"]


def test_the_parse_floor_is_the_highest_that_costs_validation_nothing_beyond_the_tolerance():
    from backchannel.training.stance_thresholds import highest_harmless

    rows = {0.0: {"precision": 0.436, "f1": 0.392}, 0.1: {"precision": 0.436, "f1": 0.392},
            0.2: {"precision": 0.435, "f1": 0.391}, 0.3: {"precision": 0.44, "f1": 0.385}}
    assert highest_harmless(rows) == 0.2  # 0.3 gains precision but loses F1
    assert highest_harmless(rows, tolerance=0.0) == 0.1
    assert highest_harmless({0.0: {"precision": 0.4, "f1": 0.3}}) == 0.0
