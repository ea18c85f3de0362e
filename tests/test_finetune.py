"""Fine-tuning end to end on a toy set: files, label orders, onnxruntime scores, and determinism.

Runs only where the train extra is installed (torch, transformers, the bundled MiniLM).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from backchannel.model.examples import CHANNEL_LABELS, NONE, STANCE_LABELS, TOPIC_LABELS, PairExample  # noqa: E402
from backchannel.model.runtime import PairModel  # noqa: E402
from backchannel.training.finetune import BASE_SHA256, base_model_dir, fine_tune, verify_base  # noqa: E402

HOLDERS = ["Putin", "Zelensky", "Erdogan", "the Kremlin"]
SIGNALS = [("open", "said «{h}» was ready for talks", "talks", "public"),
           ("refuses", "«{h}» ruled out any ceasefire", "ceasefire", "public"),
           ("proposes", "«{h}» proposed a deal through intermediaries", "deal", "private"),
           ("urges", "«{h}» urged both sides to hold talks", "talks", "both")]
NOISE = ["«{h}» visited a factory on Tuesday.", "Shelling continued overnight near the river.",
         "«{h}» spoke about the harvest.", "Prices rose again in the capital."]


def examples(offset: int, n: int) -> list[PairExample]:
    out = []
    for i in range(offset, offset + n):
        h = HOLDERS[i % len(HOLDERS)]
        if i % 2:
            stance, text, topic, channel = SIGNALS[(i // 2) % len(SIGNALS)]
            out.append(PairExample(h, text.format(h=h) + ".", stance, topic, channel, article=f"a{i}"))
        else:
            out.append(PairExample(h, NOISE[(i // 2) % len(NOISE)].format(h=h), NONE, article=f"a{i}"))
    return out


TRAIN, VAL = examples(0, 24), examples(100, 8)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for name in ("first", "second"):
        folder = tmp_path_factory.mktemp(name)
        out.append((folder, fine_tune(TRAIN, VAL, folder, seed=7, epochs=1, batch_size=8, max_length=32,
                                      threads=2, progress=False)))
    return out


def test_base_model_is_the_official_one() -> None:
    assert verify_base(base_model_dir()) == BASE_SHA256


def test_files_labels_and_report(runs: list[tuple[Path, dict[str, Any]]]) -> None:
    folder, report = runs[0]
    for name in ("model.onnx", "model.int8.onnx", "tokenizer.json", "labels.json"):
        assert (folder / name).is_file(), name
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    assert labels == {"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS),
                      "channel": list(CHANNEL_LABELS), "max_length": 32}
    assert report["train_examples"] == 24 and report["val_examples"] == 8 and report["best_epoch"] == 1
    assert report["base_sha256"] == BASE_SHA256
    assert set(report["epochs"][0]) >= {"stance_accuracy", "stance_macro_f1", "signal_precision",
                                        "signal_recall", "signal_f1"}
    assert report["onnx_max_diff"] <= 1e-3
    print(f"\nonnx vs torch {report['onnx_max_diff']:.2e}, int8 vs torch {report['int8_max_diff']:.2e}, "
          f"{report['seconds']} s")


@pytest.mark.parametrize("quantized", [False, True])
def test_onnxruntime_scores_are_distributions(runs: list[tuple[Path, dict[str, Any]]],
                                              quantized: bool) -> None:
    folder, report = runs[0]
    model = PairModel(folder, quantized=quantized)
    assert model.digest == report["int8_sha256" if quantized else "onnx_sha256"]
    pairs = [(ex.text_a, ex.text_b) for ex in VAL] + [("Putin", "a much longer sentence " * 30)]
    scores = model.predict(pairs, batch_size=3)
    assert len(scores) == len(pairs)
    for s in scores:
        assert list(s.stance) == list(STANCE_LABELS) and list(s.topic) == list(TOPIC_LABELS)
        assert list(s.channel) == list(CHANNEL_LABELS)
        for head in (s.stance, s.topic, s.channel):
            assert sum(head.values()) == pytest.approx(1.0, abs=1e-5)
    # batching, padding and length sorting do not change a pair's fp32 scores; dynamic int8 quantizes
    # activations with one scale per batch tensor, so its scores move a little with the batch's company
    alone = model.predict([pairs[3]])[0]
    tolerance = 0.05 if quantized else 1e-5
    assert np.allclose(list(alone.stance.values()), list(scores[3].stance.values()), atol=tolerance)


def test_same_seed_same_model(runs: list[tuple[Path, dict[str, Any]]]) -> None:
    (first, a), (second, b) = runs
    assert a["epochs"] == b["epochs"]
    pairs = [(ex.text_a, ex.text_b) for ex in VAL]
    la, lb = PairModel(first).logits(pairs), PairModel(second).logits(pairs)
    for name in la:
        np.testing.assert_array_equal(la[name], lb[name])
    print(f"\nonnx digests equal: {a['onnx_sha256'] == b['onnx_sha256']}")


def test_int8_close_to_fp32(runs: list[tuple[Path, dict[str, Any]]]) -> None:
    folder, _ = runs[0]
    pairs = [(ex.text_a, ex.text_b) for ex in VAL]
    fp32, int8 = PairModel(folder).logits(pairs), PairModel(folder, quantized=True).logits(pairs)
    diff = max(float(np.abs(fp32[k] - int8[k]).max()) for k in fp32)
    print(f"\nint8 vs fp32 max logit difference {diff:.3e}")
    assert diff < 0.5


def sentence_examples(offset: int, n: int) -> list[PairExample]:
    """Two holders per sentence, named in it: one holds the signal, the other is the one talked to."""
    out = []
    for i in range(offset, offset + n):
        h, other = HOLDERS[i % len(HOLDERS)], HOLDERS[(i + 1) % len(HOLDERS)]
        if i % 2:
            stance, text, topic, channel = SIGNALS[(i // 2) % len(SIGNALS)]
            sentence = text.format(h=h) + f" with «{other}»."
            out.append(PairExample(f"{h} ; named", sentence.replace(f"«{other}»", other), stance, topic, channel,
                                   article=f"s{i}"))
            out.append(PairExample(f"{other} ; named", sentence.replace(f"«{h}»", h), article=f"s{i}"))
        else:
            out.append(PairExample(f"{h} ; named", NOISE[(i // 2) % len(NOISE)].format(h=h), article=f"s{i}"))
    return out


@pytest.fixture(scope="module")
def sentence_runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    from backchannel.training.sentence_finetune import fine_tune_sentences

    out = []
    for name in ("first", "second"):
        folder = tmp_path_factory.mktemp(f"sentence-{name}")
        out.append((folder, fine_tune_sentences(sentence_examples(0, 24), sentence_examples(100, 8), folder,
                                                seed=7, epochs=1, batch_size=4, max_length=32, negatives=1.0,
                                                threads=2, progress=False)))
    return out


def test_sentence_shape_files_checks_and_determinism(sentence_runs: list[tuple[Path, dict[str, Any]]]) -> None:
    (folder, report), (second, again) = sentence_runs
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    assert labels["shape"] == "sentence" and labels["max_length"] == 32
    assert report["onnx_max_diff"] <= 1e-3 and report["base_sha256"] == BASE_SHA256
    assert report["train_sentences"] == 24 and report["train_examples"] == 36  # every sentence: 12 of each kind
    assert report["epochs"] == again["epochs"] and report["onnx_sha256"] == again["onnx_sha256"]
    for quantized in (False, True):
        model = PairModel(folder, quantized=quantized)
        assert model.shape == "sentence"
        pairs = [(ex.text_a, ex.text_b) for ex in sentence_examples(100, 8)]
        scores = model.predict(pairs)
        for s in scores:
            assert sum(s.stance.values()) == pytest.approx(1.0, abs=1e-5)
        # the int8 file keeps the holder head in fp32: a holder scores the same with or without its neighbour
        for i, pair in enumerate(pairs):
            assert model.predict([pair])[0].stance == pytest.approx(scores[i].stance, abs=1e-6)
