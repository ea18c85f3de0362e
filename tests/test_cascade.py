"""The cascade (nlp/cascade.py): the encoder reads only what the linear scorer leaves open, and a
sentence-shaped model reads a sentence once, for every holder of it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from backchannel.model.examples import NONE, pair_text
from backchannel.model.linear import mix
from backchannel.model.runtime import PairModel
from backchannel.nlp.cascade import cascade_scores
from test_model_linear import write_linear
from test_model_runtime import sentence_folder

ACCEPTED = "Hamas accepted the ceasefire the mediators offered."
OTHER = "The war goes on."


def cascade_model(tmp_path: Path) -> PairModel:
    folder = sentence_folder(tmp_path)
    write_linear(folder, classes=np.asarray(["agrees", "none", "urges"], dtype=str))
    (folder / "card.json").write_text(json.dumps({"threshold": 0.5, "linear_weight": 0.5}), encoding="utf-8")
    return PairModel(folder)


def test_a_sentence_model_reads_a_sentence_once_for_all_its_holders(tmp_path: Path) -> None:
    model = cascade_model(tmp_path)
    pairs = [pair_text("Hamas", ("named", "subject"), ACCEPTED, 0, [(0, 5)]),
             pair_text("mediators", ("phrase",), ACCEPTED, 0, [(35, 44)]),
             pair_text("Israel", ("before",), OTHER, 0, [])]
    linear = model.linear.predict(pairs)
    top = [max(v for k, v in lin.items() if k != NONE) for lin in linear]
    low, high = sorted(top[:2])
    assert low < high and top[2] < low, "the fixture needs one holder of the sentence above the floor, one below"
    floor = (low + high) / 2
    asked: list[list[tuple[str, str]]] = []
    encoder_scores = model.encoder_scores

    def counting(batch, batch_size=1):
        asked.append(list(batch))
        return encoder_scores(batch, batch_size)

    model.encoder_scores = counting  # type: ignore[method-assign]
    try:
        scores = cascade_scores(model, pairs, floor=floor)
    finally:
        del model.encoder_scores
    # the holder above the floor opens its sentence: both of its holders are read, the other sentence is not
    assert asked == [pairs[:2]]
    full = model.predict(pairs)
    for got, want in zip(scores[:2], full[:2], strict=True):
        assert got.stance == pytest.approx(want.stance) and got.topic == pytest.approx(want.topic)
    certain_none = {k: float(k == NONE) for k in full[2].stance}
    assert scores[2].stance == pytest.approx(mix(certain_none, linear[2], 0.5))
    # the sentence's second holder gets the scores it gets alone: nothing depends on its neighbours
    assert model.predict(pairs[1:2])[0].stance == pytest.approx(scores[1].stance)
