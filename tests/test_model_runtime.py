"""The runtime side of the signal model: pair encoding and the loader's one-line errors (no torch here)."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import tokenizers

from backchannel.errors import ModelError
from backchannel.model.examples import (
    CHANNEL_LABELS,
    HOLDER_FEATURES,
    STANCE_LABELS,
    TOPIC_LABELS,
    SentenceSlot,
    pair_text,
    slot_of,
)
from backchannel.model.runtime import PairModel, PairScores, encode_pairs, encode_sentences

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "putin", "says", "talks", "are", "possible", "ceasefire",
         "now", "the", "war", ";", "«", "»", "."]


def tiny_tokenizer() -> tokenizers.Tokenizer:
    """A WordLevel tokenizer with BERT's pair template, so layout can be checked id by id."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = {token: i for i, token in enumerate(VOCAB)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    return tok


def ids(*words: str) -> list[int]:
    return [VOCAB.index(w) for w in words]


def test_encode_pairs_layout_segments_and_padding() -> None:
    tok = tiny_tokenizer()
    out = encode_pairs(tok, [("Putin ; says", "Talks are possible now."), ("Putin", "war")], max_length=64)
    assert set(out) == {"input_ids", "attention_mask", "token_type_ids"}
    assert all(v.dtype == np.int64 and v.shape == (2, 11) for v in out.values())
    first = ids("[CLS]", "putin", ";", "says", "[SEP]", "talks", "are", "possible", "now", ".", "[SEP]")
    assert out["input_ids"][0].tolist() == first
    assert out["token_type_ids"][0].tolist() == [0] * 5 + [1] * 6
    assert out["attention_mask"][0].tolist() == [1] * 11
    # the short pair pads to the longest in the batch, with pad id, type 0 and mask 0
    assert out["input_ids"][1].tolist() == ids("[CLS]", "putin", "[SEP]", "war", "[SEP]") + [0] * 6
    assert out["token_type_ids"][1].tolist() == [0, 0, 0, 1, 1] + [0] * 6
    assert out["attention_mask"][1].tolist() == [1] * 5 + [0] * 6


def test_encode_pairs_truncates_longest_first_to_max_length() -> None:
    tok = tiny_tokenizer()
    long_b = " ".join(["the war"] * 20)
    out = encode_pairs(tok, [("Putin", long_b)], max_length=10)
    assert out["input_ids"].shape == (1, 10)
    row = out["input_ids"][0].tolist()
    assert row[:3] == ids("[CLS]", "putin", "[SEP]")  # the short holder segment survives whole
    assert row[-1] == VOCAB.index("[SEP]") and row.count(VOCAB.index("[SEP]")) == 2
    assert out["attention_mask"][0].tolist() == [1] * 10
    # a batch with no padding needed at all, then a new max_length on the same tokenizer
    again = encode_pairs(tok, [("Putin", long_b), ("talks", long_b)], max_length=16)
    assert again["input_ids"].shape == (2, 16)
    assert encode_pairs(tok, [], max_length=16)["input_ids"].shape == (0, 0)


def test_encode_pairs_replaces_fixed_padding_of_a_tokenizer_file(tmp_path: Path) -> None:
    """The base model's tokenizer.json pads every input to 128: that must not leak into batches."""
    tok = tiny_tokenizer()
    tok.enable_padding(length=128, pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(max_length=128)
    tok.save(str(tmp_path / "tokenizer.json"))
    loaded = tokenizers.Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    out = encode_pairs(loaded, [("Putin", "talks")], max_length=32)
    assert out["input_ids"].shape == (1, 5)


def model_folder(tmp_path: Path, labels: dict | None = None,
                 onnx: bytes | None = b"\x00garbage\xff" * 50) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    labels = labels or {"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS),
                        "channel": list(CHANNEL_LABELS), "max_length": 32}
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    tiny_tokenizer().save(str(folder / "tokenizer.json"))
    if onnx is not None:
        (folder / "model.onnx").write_bytes(onnx)
    return folder


def one_line(err: pytest.ExceptionInfo[ModelError]) -> str:
    message = str(err.value)
    assert "\n" not in message and err.value.__cause__ is None  # no onnxruntime traceback chained
    assert err.value.__context__ is None or err.value.__suppress_context__
    return message


def test_missing_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        PairModel(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere" / "model.onnx") in one_line(err)


def test_missing_onnx_file(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=None)
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    assert one_line(err).startswith(f"{folder / 'model.onnx'}: no such file")
    with pytest.raises(ModelError, match="model.int8.onnx: no such file"):
        PairModel(folder, quantized=True)


def test_corrupt_onnx_file(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    assert one_line(err).startswith(f"{folder / 'model.onnx'}: not a valid ONNX model (")


def test_labels_in_another_order(tmp_path: Path) -> None:
    swapped = {"stance": [STANCE_LABELS[0], STANCE_LABELS[2], STANCE_LABELS[1], *STANCE_LABELS[3:]],
               "topic": list(TOPIC_LABELS), "channel": list(CHANNEL_LABELS), "max_length": 32}
    folder = model_folder(tmp_path, labels=swapped)
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    message = one_line(err)
    assert message.startswith(f"{folder / 'labels.json'}: stance labels") and "differ" in message


@pytest.mark.parametrize("text, fragment", [
    ("{not json", "not readable JSON"),
    ('["a list"]', "expected a JSON object"),
])
def test_unreadable_labels(tmp_path: Path, text: str, fragment: str) -> None:
    folder = model_folder(tmp_path)
    (folder / "labels.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match=fragment) as err:
        PairModel(folder)
    assert str(folder / "labels.json") in one_line(err)


def test_bad_max_length_and_missing_labels(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, labels={"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS),
                                            "channel": list(CHANNEL_LABELS), "max_length": "32"})
    with pytest.raises(ModelError, match="labels.json: max_length must be an integer"):
        PairModel(folder)
    (folder / "labels.json").unlink()
    with pytest.raises(ModelError, match="labels.json: no such file"):
        PairModel(folder)


def test_corrupt_tokenizer_file(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    (folder / "tokenizer.json").write_text('{"version": "1.0"}', encoding="utf-8")
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    assert one_line(err).startswith(f"{folder / 'tokenizer.json'}: not a valid tokenizer file")


# A valid ONNX model without the onnx package: the protobuf wire format written by hand.  The graph is
# logits_k = w_k * sum((input_ids + token_type_ids) * attention_mask), so each pair's expected scores
# follow from its own encoding, and a pair returned in the wrong order is caught.
def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _int(field: int, n: int) -> bytes:
    return _varint(field << 3) + _varint(n)


def _bytes(field: int, data: bytes | str) -> bytes:
    data = data.encode() if isinstance(data, str) else data
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _value_info(name: str, elem_type: int, dims: list[int | str]) -> bytes:
    shape = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _bytes(2, d)) for d in dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, _int(1, elem_type) + _bytes(2, shape)))


def _tensor(name: str, dims: list[int], data_type: int, raw: bytes) -> bytes:
    return b"".join(_int(1, d) for d in dims) + _int(2, data_type) + _bytes(8, name) + _bytes(9, raw)


def _node(op: str, inputs: list[str], outputs: list[str], **ints: int) -> bytes:
    attrs = b"".join(_bytes(5, _bytes(1, k) + _int(3, v) + _int(20, 2)) for k, v in ints.items())
    wires = b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
    return wires + _bytes(4, op) + attrs


FLOAT, INT64 = 1, 7
WEIGHTS = {"stance_logits": [0.01 * k for k in range(len(STANCE_LABELS))],
           "topic_logits": [0.02, -0.01, 0.005][: len(TOPIC_LABELS)],
           "channel_logits": [-0.01 * k for k in range(len(CHANNEL_LABELS))]}


def tiny_onnx(producer: str = "test", stance_width: int = len(STANCE_LABELS)) -> bytes:
    """The test graph; ``stance_width`` other than 7 gives a model trained for another stance list."""
    nodes = [_node("Cast", ["input_ids"], ["ids_f"], to=FLOAT),
             _node("Cast", ["token_type_ids"], ["tt_f"], to=FLOAT),
             _node("Cast", ["attention_mask"], ["mask_f"], to=FLOAT),
             _node("Add", ["ids_f", "tt_f"], ["summed"]),
             _node("Mul", ["summed", "mask_f"], ["masked"]),
             _node("ReduceSum", ["masked", "axes"], ["total"], keepdims=1)]
    inits = [_tensor("axes", [1], INT64, struct.pack("<q", 1))]
    outputs = []
    for name, weights in WEIGHTS.items():
        weights = weights[:stance_width] if name == "stance_logits" else weights
        nodes.append(_node("MatMul", ["total", f"w_{name}"], [name]))
        raw = struct.pack(f"<{len(weights)}f", *weights)
        inits.append(_tensor(f"w_{name}", [1, len(weights)], FLOAT, raw))
        outputs.append(_value_info(name, FLOAT, ["batch", len(weights)]))
    inputs = [_value_info(n, INT64, ["batch", "sequence"])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    graph = (b"".join(_bytes(1, n) for n in nodes) + _bytes(2, "tiny") + b"".join(_bytes(5, t) for t in inits)
             + b"".join(_bytes(11, i) for i in inputs) + b"".join(_bytes(12, o) for o in outputs))
    return _int(1, 8) + _bytes(2, producer) + _bytes(7, graph) + _bytes(8, _int(2, 17))


def expected_scores(pair: tuple[str, str]) -> PairScores:
    enc = encode_pairs(tiny_tokenizer(), [pair], max_length=32)
    total = float(((enc["input_ids"] + enc["token_type_ids"]) * enc["attention_mask"]).sum())
    heads = []
    for weights, labels in zip(WEIGHTS.values(), (STANCE_LABELS, TOPIC_LABELS, CHANNEL_LABELS), strict=True):
        logits = np.array(weights) * total
        probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        heads.append(dict(zip(labels, probs.tolist(), strict=True)))
    return PairScores(*heads)


def test_predict_in_input_order_with_softmax_heads(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=tiny_onnx())
    (folder / "card.json").write_text('{"trained_on": "nothing"}', encoding="utf-8")
    model = PairModel(folder)
    assert model.card == {"trained_on": "nothing"} and model.max_length == 32
    pairs = [("Putin ; says", "Talks are possible now."), ("Putin", "war"), ("the war", "ceasefire now ."),
             ("Putin", "the war the war the war the war"), ("talks", "talks")]
    assert model.predict([]) == []
    for batch_size in (1, 2, 32):
        scores = model.predict(pairs, batch_size=batch_size)
        assert len(scores) == len(pairs)
        for pair, got in zip(pairs, scores, strict=True):
            want = expected_scores(pair)
            for head in ("stance", "topic", "channel"):
                assert list(getattr(got, head)) == list(getattr(want, head))
                assert sum(getattr(got, head).values()) == pytest.approx(1.0, abs=1e-6)
                got_p, want_p = list(getattr(got, head).values()), list(getattr(want, head).values())
                assert np.allclose(got_p, want_p, atol=1e-5)
    assert model.digest == hashlib.sha256((folder / "model.onnx").read_bytes()).hexdigest()


def test_quantized_file_is_the_one_loaded_and_hashed(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=tiny_onnx())
    (folder / "model.int8.onnx").write_bytes(tiny_onnx(producer="int8"))
    fp32, int8 = PairModel(folder), PairModel(folder, quantized=True, threads=2)
    assert int8.onnx_path.name == "model.int8.onnx"
    assert int8.digest == hashlib.sha256((folder / "model.int8.onnx").read_bytes()).hexdigest() != fp32.digest


def test_model_with_wrong_head_width(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=tiny_onnx(stance_width=len(STANCE_LABELS) - 1))
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    width = len(STANCE_LABELS) - 1
    assert one_line(err).startswith(f"{folder / 'model.onnx'}: stance_logits has {width} classes")


class FailingSession:
    def run(self, *args: object) -> list[np.ndarray]:
        raise RuntimeError("boom\nsecond line of an onnxruntime message")


def test_inference_failure_is_one_line(tmp_path: Path) -> None:
    """A session that fails at run time surfaces as one ModelError line naming the model file."""
    folder = model_folder(tmp_path, onnx=tiny_onnx())
    model = PairModel(folder)
    model.session = FailingSession()  # type: ignore[assignment]
    with pytest.raises(ModelError) as err:
        model.predict([("Putin", "war")])
    assert one_line(err) == f"{folder / 'model.onnx'}: inference failed (boom)"


# A sentence-shaped graph: per holder row h, total_h = sum_t holder_weights[h, t] * input_ids[0, t]
# + sum(holder_features[h]); logits_k = w_k * total_h.  So each holder's scores follow from which tokens its
# row pools and which features it has, and a holder scored with another sentence's tokens is caught.
def tiny_sentence_onnx() -> bytes:
    nodes = [_node("Cast", ["input_ids"], ["ids_f"], to=FLOAT),
             _node("Mul", ["holder_weights", "ids_f"], ["weighted"]),
             _node("ReduceSum", ["weighted", "axes"], ["pooled"], keepdims=1),
             _node("ReduceSum", ["holder_features", "axes"], ["nfeat"], keepdims=1),
             _node("Add", ["pooled", "nfeat"], ["total"])]
    inits = [_tensor("axes", [1], INT64, struct.pack("<q", 1))]
    outputs = []
    for name, weights in WEIGHTS.items():
        nodes.append(_node("MatMul", ["total", f"w_{name}"], [name]))
        inits.append(_tensor(f"w_{name}", [1, len(weights)], FLOAT, struct.pack(f"<{len(weights)}f", *weights)))
        outputs.append(_value_info(name, FLOAT, ["holders", len(weights)]))
    inputs = [_value_info(n, INT64, ["batch", "sequence"]) for n in ("input_ids", "attention_mask", "token_type_ids")]
    inputs += [_value_info("holder_weights", FLOAT, ["holders", "sequence"]),
               _value_info("holder_features", FLOAT, ["holders", len(HOLDER_FEATURES)])]
    graph = (b"".join(_bytes(1, n) for n in nodes) + _bytes(2, "tiny_sentence")
             + b"".join(_bytes(5, t) for t in inits) + b"".join(_bytes(11, i) for i in inputs)
             + b"".join(_bytes(12, o) for o in outputs))
    return _int(1, 8) + _bytes(2, "test") + _bytes(7, graph) + _bytes(8, _int(2, 17))


def shaped_labels(shape: str) -> dict[str, object]:
    return {"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS), "channel": list(CHANNEL_LABELS),
            "max_length": 32, "shape": shape}


def sentence_folder(tmp_path: Path) -> Path:
    return model_folder(tmp_path, labels=shaped_labels("sentence"), onnx=tiny_sentence_onnx())


def test_slot_of_takes_a_pair_apart_again() -> None:
    sentence = "Putin says talks are possible, Putin says."
    pair = pair_text("Vladimir Putin", ("named", "subject", "party"), sentence, 100, [(100, 105), (131, 136)],
                     context="")
    slot = slot_of(pair)
    assert slot.sentence == sentence
    assert [sentence[a:b] for a, b in slot.mentions] == ["Putin", "Putin"]
    assert slot.features == ("named", "subject", "party")
    # a holder named only in the sentence before: its context is not a feature, and it has no mention
    before = slot_of(pair_text("Kremlin", ("before", "speaker"), sentence, 0, [], context="The Kremlin spoke."))
    assert before == SentenceSlot(sentence, (), ("before", "speaker"))


def test_encode_sentences_pools_each_holders_own_tokens() -> None:
    tok = tiny_tokenizer()
    sentence = "Putin says talks are possible now."
    named = SentenceSlot(sentence, ((0, 5),), ("named", "party"))
    nowhere = SentenceSlot(sentence, (), ("speaker",))
    out = encode_sentences(tok, [sentence, "the war"], [[named, nowhere], [SentenceSlot("the war", ((4, 7),), ())]],
                           max_length=32)
    assert out["input_ids"][0].tolist() == ids("[CLS]", "putin", "says", "talks", "are", "possible", "now", ".",
                                               "[SEP]")
    assert out["input_ids"][1].tolist() == ids("[CLS]", "the", "war", "[SEP]") + [0] * 5
    assert out["holder_sentence"].tolist() == [0, 0, 1]
    weights = out["holder_weights"]
    assert weights[0].tolist() == [0, 1, 0, 0, 0, 0, 0, 0, 0]  # "putin" alone
    assert np.allclose(weights[1], [1 / 9] * 9)  # named nowhere: the whole sentence
    assert weights[2].tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0]  # "war", never a pad
    feats = out["holder_features"]
    assert feats.shape == (3, len(HOLDER_FEATURES)) and feats[0].sum() == 2 and feats[2].sum() == 0
    assert feats[0][HOLDER_FEATURES.index("party")] == 1 and feats[1][HOLDER_FEATURES.index("speaker")] == 1


def test_sentence_model_scores_each_pair_from_its_own_sentence(tmp_path: Path) -> None:
    model = PairModel(sentence_folder(tmp_path))
    assert model.shape == "sentence"
    first, second = "Putin says talks are possible.", "The war goes on now."
    pairs = [pair_text("Putin", ("named",), first, 0, [(0, 5)]),
             pair_text("Kyiv", ("before", "party"), second, 0, []),
             pair_text("talks", ("phrase",), first, 0, [(11, 16)]),
             pair_text("war", ("named", "subject", "party"), second, 0, [(4, 7)])]
    scores = model.encoder_scores(pairs)
    tok = tiny_tokenizer()
    for pair, got in zip(pairs, scores, strict=True):
        slot = slot_of(pair)
        enc = encode_sentences(tok, [slot.sentence], [[slot]], max_length=32)
        total = float((enc["holder_weights"][0] * enc["input_ids"][0]).sum() + enc["holder_features"][0].sum())
        logits = np.array(WEIGHTS["stance_logits"]) * total
        want = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        assert np.allclose(list(got.stance.values()), want, atol=1e-5)
    # a holder's scores do not depend on which other holders of its sentence are scored beside it
    alone = model.encoder_scores(pairs[2:3])[0]
    assert np.allclose(list(alone.stance.values()), list(scores[2].stance.values()), atol=1e-7)
    with pytest.raises(ValueError, match="one sentence per run"):
        model.logits(pairs[:2])
    assert model.encoder_scores([]) == [] and model.logits([])["stance_logits"].shape == (0, len(STANCE_LABELS))


def test_a_pair_model_file_in_a_sentence_folder_is_one_line(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=tiny_onnx(), labels=shaped_labels("sentence"))
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    assert one_line(err).startswith(f"{folder / 'model.onnx'}: inputs ")
    assert "labels.json says the model reads sentences" in one_line(err)


def test_unknown_shape_is_one_line(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, onnx=tiny_onnx(), labels=shaped_labels("paragraph"))
    with pytest.raises(ModelError) as err:
        PairModel(folder)
    assert one_line(err) == f"{folder / 'labels.json'}: shape must be one of ['pair', 'sentence'], not 'paragraph'"
