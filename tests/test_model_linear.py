"""The linear stance scorer at run time: scikit-learn's TF-IDF and softmax reproduced with numpy, its
mixing into the encoder's stance, its place in the model digest, and one-line errors for bad files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from backchannel.errors import ModelError
from backchannel.model.choice import model_digest
from backchannel.model.examples import STANCE_LABELS
from backchannel.model.linear import LinearStance, mix, pair_document, terms
from backchannel.model.runtime import PairModel
from test_model_runtime import model_folder, one_line, tiny_onnx

VOCAB = ["accepted", "accepted the", "ceasefire", "hamas", "hamas accepted", "sep", "the"]
IDF = [1.5, 2.0, 1.2, 1.1, 2.5, 1.0, 1.05]
CLASSES = ["agrees", "none", "urges"]
COEF = [[2.0, 1.0, 0.5, 0.0, 1.5, 0.0, 0.0],
        [-1.0, 0.0, -0.5, 0.0, -1.0, 0.1, 0.2],
        [0.0, -0.5, 0.5, 0.3, 0.0, 0.0, 0.0]]
INTERCEPT = [-0.2, 0.4, -0.1]


def write_linear(folder: Path, **override: object) -> Path:
    arrays = {"vocabulary": np.asarray(VOCAB, dtype=str), "idf": np.asarray(IDF, dtype=np.float32),
              "coef": np.asarray(COEF, dtype=np.float32), "intercept": np.asarray(INTERCEPT, dtype=np.float32),
              "classes": np.asarray(CLASSES, dtype=str)}
    arrays.update(override)  # type: ignore[arg-type]
    path = folder / "linear.npz"
    np.savez_compressed(path, **arrays)
    return path


def by_hand(text: str) -> dict[str, float]:
    """scikit-learn's recipe written out: counts, 1 + log(tf), times idf, l2 norm, softmax of the logits."""
    counts: dict[int, int] = {}
    for t in terms(text):
        if t in VOCAB:
            counts[VOCAB.index(t)] = counts.get(VOCAB.index(t), 0) + 1
    weights = {i: (1 + math.log(n)) * IDF[i] for i, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    logits = [sum(COEF[k][i] * w / norm for i, w in weights.items()) + INTERCEPT[k] for k in range(len(CLASSES))]
    top = max(logits)
    exp = [math.exp(v - top) for v in logits]
    return {c: e / sum(exp) for c, e in zip(CLASSES, exp, strict=True)}


def test_terms_are_lowercased_unigrams_then_bigrams_of_two_letter_words():
    assert terms("Hamas ACCEPTED the ceasefire, a truce") == [
        "hamas", "accepted", "the", "ceasefire", "truce",
        "hamas accepted", "accepted the", "the ceasefire", "ceasefire truce"]
    assert pair_document("Hamas ; named", "«Hamas» accepted") == "Hamas ; named [SEP] «Hamas» accepted"


def test_scores_match_the_recipe_and_unknown_text_gives_the_intercepts(tmp_path: Path):
    scorer = LinearStance(write_linear(tmp_path))
    pairs = [("Hamas ; named", "«Hamas» accepted the ceasefire, the ceasefire."), ("x", "Nothing known here")]
    got = scorer.predict(pairs)
    want = by_hand(pair_document(*pairs[0]))
    assert list(got[0]) == CLASSES
    assert all(abs(got[0][c] - want[c]) < 1e-6 for c in CLASSES)
    assert got[0]["agrees"] > got[0]["none"]
    # "sep" is the only known term of the second pair: its row is one column, normalised to 1
    sep = np.array(INTERCEPT) + np.array(COEF)[:, VOCAB.index("sep")]
    expected = np.exp(sep - sep.max()) / np.exp(sep - sep.max()).sum()
    assert np.allclose([got[1][c] for c in CLASSES], expected, atol=1e-6)


def test_mix_weights_the_two_and_keeps_the_encoder_labels():
    encoder = {"none": 0.6, "agrees": 0.3, "urges": 0.1}
    linear = {"none": 0.2, "agrees": 0.8}
    mixed = mix(encoder, linear, 0.25)
    assert list(mixed) == list(encoder)
    assert mixed == pytest.approx({"none": 0.5, "agrees": 0.425, "urges": 0.075})
    assert mix(encoder, linear, 0.0) == encoder


def test_a_model_folder_mixes_its_linear_scorer_and_the_digest_follows_it(tmp_path: Path):
    folder = model_folder(tmp_path, onnx=tiny_onnx())
    (folder / "card.json").write_text(json.dumps({"threshold": 0.5}), encoding="utf-8")
    for name in ("model.onnx", "tokenizer.json", "labels.json", "card.json"):
        assert (folder / name).is_file()
    without = model_digest(folder)
    plain = PairModel(folder)
    pair = [("Putin ; says", "Talks are possible now.")]
    write_linear(folder, classes=np.asarray(["none", "open", "urges"], dtype=str))
    with pytest.raises(ModelError) as err:  # a scorer without a weight in the card is refused
        PairModel(folder)
    assert one_line(err).startswith(f"{folder / 'card.json'}: linear_weight must be a number")
    (folder / "card.json").write_text(json.dumps({"threshold": 0.5, "linear_weight": 0.5}), encoding="utf-8")
    mixed = PairModel(folder)
    assert mixed.linear_weight == 0.5 and model_digest(folder) != without
    enc = plain.predict(pair)[0].stance
    lin = LinearStance(folder / "linear.npz").predict(pair)[0]
    got = mixed.predict(pair)[0]
    assert list(got.stance) == list(STANCE_LABELS)
    assert got.stance == pytest.approx({k: 0.5 * v + 0.5 * lin.get(k, 0.0) for k, v in enc.items()})
    assert got.topic == plain.predict(pair)[0].topic
    assert mixed.encoder_scores(pair)[0].stance == pytest.approx(enc)


@pytest.mark.parametrize("damage", ["garbage", "missing", "shape"])
def test_a_bad_linear_file_is_one_line_naming_it(tmp_path: Path, damage: str):
    path = tmp_path / "linear.npz"
    if damage == "garbage":
        path.write_bytes(b"PK\x03\x04 not really a zip")
    elif damage == "missing":
        np.savez_compressed(path, vocabulary=np.asarray(VOCAB, dtype=str))
    else:
        write_linear(tmp_path, idf=np.ones(3, dtype=np.float32))
    with pytest.raises(ModelError) as err:
        LinearStance(path)
    assert one_line(err).startswith(f"{path}: ")
    with pytest.raises(ModelError, match="no such file"):
        LinearStance(tmp_path / "absent.npz")


def test_the_shipped_folder_has_its_linear_scorer_and_weight():
    from backchannel.model.choice import SHIPPED_DIR

    card = json.loads((SHIPPED_DIR / "card.json").read_text(encoding="utf-8"))
    assert (SHIPPED_DIR / "linear.npz").is_file() and 0 < card["linear_weight"] <= 1
    scorer = LinearStance(SHIPPED_DIR / "linear.npz")
    assert set(scorer.classes) == set(STANCE_LABELS)


def test_the_mix_weight_and_threshold_are_chosen_together_on_validation():
    from backchannel.model.examples import PairExample
    from backchannel.model.runtime import PairScores
    from backchannel.training.linear_stance import choose_mix

    val = [PairExample("a", "b", "urges"), PairExample("a", "c", "none"), PairExample("a", "d", "open")]
    # the encoder misses the third pair and the linear scorer the first: only a mix gets all three
    encoder = [PairScores({"none": 0.2, "urges": 0.8, "open": 0.0}, {}, {}),
               PairScores({"none": 0.8, "urges": 0.2, "open": 0.0}, {}, {}),
               PairScores({"none": 0.6, "urges": 0.0, "open": 0.4}, {}, {})]
    linear = [{"none": 0.6, "urges": 0.4}, {"none": 0.9, "urges": 0.1}, {"none": 0.1, "open": 0.9}]
    chosen = choose_mix(val, encoder, linear)
    assert 0 < chosen["linear_weight"] < 1 and chosen["f1"] == 1.0
    assert chosen["precision"] >= chosen["recall"]
