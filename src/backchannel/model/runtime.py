"""Scoring (holder, sentence) pairs with a trained ONNX model: numpy, onnxruntime and tokenizers only.

Why not torch at run time: the encoder runs as fast or faster under onnxruntime on one core, and the
runtime install stays ~90 MB instead of gigabytes.  ``encode_pairs`` is the one place where pairs become
token ids; training imports it from here, so a model never sees inputs laid out differently from what
it was trained on.  Every way a model folder can be unusable (missing, corrupt, labels in another
order) becomes one ``ModelError`` line naming the file, never an onnxruntime traceback.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from backchannel.errors import ModelError, printable
from backchannel.model.examples import (
    CHANNEL_LABELS,
    HOLDER_FEATURES,
    STANCE_LABELS,
    TOPIC_LABELS,
    SentenceSlot,
    slot_of,
)
from backchannel.model.linear import LinearStance, mix
from backchannel.model.relevance import Relevance

INPUT_NAMES: tuple[str, ...] = ("input_ids", "attention_mask", "token_type_ids")
#: A sentence-shaped model's inputs: one sentence's ids, and per holder the weights that pool its mentions'
#: tokens (a row of ``holder_weights``) and its features (a row of ``holder_features``).
SENTENCE_INPUT_NAMES: tuple[str, ...] = (*INPUT_NAMES, "holder_weights", "holder_features")
#: The two ways a model folder may read its pairs (``labels.json``'s ``shape``): one encoder pass per pair,
#: or one per sentence with every holder of the sentence scored from that pass.
SHAPES: tuple[str, ...] = ("pair", "sentence")
OUTPUT_NAMES: tuple[str, ...] = ("stance_logits", "topic_logits", "channel_logits")
HEADS: dict[str, tuple[str, ...]] = {
    "stance": STANCE_LABELS, "topic": TOPIC_LABELS, "channel": CHANNEL_LABELS}


def encode_pairs(tokenizer: Tokenizer, pairs: Sequence[tuple[str, str]],
                 max_length: int) -> dict[str, np.ndarray]:
    """``[CLS] a [SEP] b [SEP]`` ids, mask and segment ids (int64), padded to the longest pair in the batch.

    Truncation is longest-first, so a short holder segment survives a long sentence.  The tokenizer's
    own padding and truncation settings (the base model's file pads every input to 128) are replaced
    here; they are only reset when they differ, so a tokenizer already set up is not touched.
    """
    truncation = tokenizer.truncation or {}
    if truncation.get("max_length") != max_length or truncation.get("strategy") != "longest_first":
        tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    pad_id = tokenizer.token_to_id("[PAD]")
    pad_id = 0 if pad_id is None else pad_id
    padding = tokenizer.padding
    if not padding or padding.get("length") is not None or padding.get("pad_id") != pad_id:
        tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]", pad_type_id=0)
    if not pairs:
        empty = np.zeros((0, 0), dtype=np.int64)
        return {name: empty.copy() for name in INPUT_NAMES}
    encodings = tokenizer.encode_batch([(a, b) for a, b in pairs])
    return {
        "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
    }


def encode_sentences(tokenizer: Tokenizer, sentences: Sequence[str],
                     holders: Sequence[Sequence[SentenceSlot]], max_length: int) -> dict[str, np.ndarray]:
    """Inputs of a sentence-shaped model for ``sentences`` (padded to the longest) and their holders.

    ``holder_weights`` (holders x tokens, float32) averages the tokens a holder's mentions cover; a holder
    named nowhere in the sentence (a speaker, a subject of the sentence before) averages every token, so
    its features tell it apart.  ``holder_sentence`` (int64) says which sentence each holder row belongs to;
    training reads it, an exported model takes one sentence at a time and does not.
    """
    truncation = tokenizer.truncation or {}
    if truncation.get("max_length") != max_length:
        tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    if tokenizer.padding is not None:
        tokenizer.no_padding()
    encodings = tokenizer.encode_batch(list(sentences))
    width = max((len(e.ids) for e in encodings), default=0)
    pad_id = tokenizer.token_to_id("[PAD]") or 0
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    rows, features, owners = [], [], []
    for k, (enc, slots) in enumerate(zip(encodings, holders, strict=True)):
        n = len(enc.ids)
        ids[k, :n], mask[k, :n] = enc.ids, 1
        special = enc.special_tokens_mask
        for slot in slots:
            row = np.zeros(width, dtype=np.float32)
            for t, (start, end) in enumerate(enc.offsets):
                if not special[t] and any(start < b and end > a for a, b in slot.mentions):
                    row[t] = 1.0
            if not row.any():
                row[:n] = 1.0
            rows.append(row / row.sum())
            features.append([float(f in slot.features) for f in HOLDER_FEATURES])
            owners.append(k)
    return {
        "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids),
        "holder_weights": np.asarray(rows, dtype=np.float32).reshape(len(rows), width),
        "holder_features": np.asarray(features, dtype=np.float32).reshape(len(rows), len(HOLDER_FEATURES)),
        "holder_sentence": np.asarray(owners, dtype=np.int64),
    }


@dataclass(frozen=True)
class PairScores:
    """Softmax probabilities of each head, keyed by label (``stance`` includes ``none``)."""

    stance: dict[str, float]
    topic: dict[str, float]
    channel: dict[str, float]


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks (a model is identified by its bytes, not its name)."""
    sha = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _reason(exc: BaseException) -> str:
    """The first line of an exception's message, for a one-line error."""
    text = str(exc).strip().splitlines()
    return printable(text[0] if text else type(exc).__name__)[:300]


def read_labels(path: Path) -> tuple[int, str]:
    """Check ``labels.json`` against the label orders in ``examples``; return its ``max_length`` and its
    ``shape`` (``pair`` when the file has none: the folders written before sentence-shaped models).

    A model trained with another label order would silently swap meanings, so any difference is fatal.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: not readable JSON ({_reason(exc)})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object with stance, topic, channel and max_length")
    for head, expected in HEADS.items():
        if tuple(data.get(head) or ()) != expected:
            raise ModelError(
                f"{path}: {head} labels {data.get(head)!r} differ from this version's {list(expected)!r}"
            )
    max_length = data.get("max_length")
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 8:
        raise ModelError(f"{path}: max_length must be an integer of at least 8, not {max_length!r}")
    shape = data.get("shape", "pair")
    if shape not in SHAPES:
        raise ModelError(f"{path}: shape must be one of {list(SHAPES)}, not {shape!r}")
    return max_length, shape


class PairModel:
    """A fine-tuned pair classifier loaded from a folder written by ``backchannel.training.finetune``.

    The folder holds ``model.onnx`` (and ``model.int8.onnx``), ``tokenizer.json``, ``labels.json`` and
    optionally ``card.json`` (how and on what the model was trained; kept as ``self.card``) and
    ``linear.npz``, a linear stance scorer whose probabilities are mixed into the encoder's with the
    card's ``linear_weight`` (``model/linear.py``), and the article and sentence filters
    (``model/relevance.py``: ``article.npz``, ``sentence.npz`` and the card's floors), kept as ``self.relevance``.
    """

    def __init__(self, model_dir: Path, *, quantized: bool = False, threads: int = 1) -> None:
        self.model_dir = Path(model_dir)
        self.onnx_path = self.model_dir / ("model.int8.onnx" if quantized else "model.onnx")
        if not self.model_dir.is_dir():
            raise ModelError(f"{self.onnx_path}: no such file (model folder {self.model_dir} does not exist)")
        self.max_length, self.shape = read_labels(self.model_dir / "labels.json")
        self.card: dict[str, Any] = self._card(self.model_dir / "card.json")
        self.tokenizer = self._tokenizer(self.model_dir / "tokenizer.json")
        self.session = self._session(self.onnx_path, threads, self.shape)
        self._input_names = [i.name for i in self.session.get_inputs()]
        self._digest: str | None = None
        self.linear, self.linear_weight = self._linear(self.model_dir / "linear.npz", self.card)
        self.relevance = Relevance.load(self.model_dir, self.card)

    @staticmethod
    def _card(path: Path) -> dict[str, Any]:
        if not path.exists():
            return {}
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path}: not readable JSON ({_reason(exc)})") from None
        if not isinstance(card, dict):
            raise ModelError(f"{path}: expected a JSON object")
        return card

    @staticmethod
    def _linear(path: Path, card: dict[str, Any]) -> tuple[LinearStance | None, float]:
        """The folder's linear scorer and its weight (none when the file is absent)."""
        if not path.exists():
            return None, 0.0
        weight = card.get("linear_weight")
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight <= 1:
            raise ModelError(f"{path.parent / 'card.json'}: linear_weight must be a number from 0 to 1 "
                             f"when {path.name} is present, not {weight!r}")
        return LinearStance(path), float(weight)

    @staticmethod
    def _tokenizer(path: Path) -> Tokenizer:
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        try:
            return Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for any malformed file
            raise ModelError(f"{path}: not a valid tokenizer file ({_reason(exc)})") from None

    @staticmethod
    def _session(path: Path, threads: int, shape: str = "pair") -> ort.InferenceSession:
        """An onnxruntime session on one model file, checked to have its shape's inputs and three heads."""
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: a corrupt file is reported by us, not logged twice
        try:
            session = ort.InferenceSession(str(path), sess_options=options,
                                           providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's pybind errors share no public base class
            raise ModelError(f"{path}: not a valid ONNX model ({_reason(exc)})") from None
        inputs = {i.name for i in session.get_inputs()}
        names = SENTENCE_INPUT_NAMES if shape == "sentence" else INPUT_NAMES
        required = {"input_ids", "attention_mask"} | (set(names) - set(INPUT_NAMES))
        if not required <= inputs or not inputs <= set(names):
            raise ModelError(f"{path}: inputs {sorted(inputs)} are not {list(names)} "
                             f"(labels.json says the model reads {shape}s)")
        outputs = {o.name: o.shape for o in session.get_outputs()}
        for name, labels in zip(OUTPUT_NAMES, HEADS.values(), strict=True):
            if name not in outputs:
                raise ModelError(f"{path}: no output {name} (outputs: {sorted(outputs)})")
            width = outputs[name][-1] if outputs[name] else None
            if isinstance(width, int) and width != len(labels):
                raise ModelError(f"{path}: {name} has {width} classes, labels.json has {len(labels)}")
        return session

    @property
    def digest(self) -> str:
        """sha256 (hex) of the ONNX file in use, computed on first use: it identifies the model in results."""
        if self._digest is None:
            self._digest = file_sha256(self.onnx_path)
        return self._digest

    def logits(self, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Raw logits of one batch, keyed by output name (for checks against the torch model).  A
        sentence-shaped model takes pairs of one sentence only (``encoder_scores`` groups them)."""
        if not pairs:
            return {name: np.zeros((0, len(labels)), dtype=np.float32)
                    for name, labels in zip(OUTPUT_NAMES, HEADS.values(), strict=True)}
        if self.shape == "sentence":
            slots = [slot_of(p) for p in pairs]
            if len({s.sentence for s in slots}) > 1:
                raise ValueError("a sentence-shaped model scores the holders of one sentence per run")
            feed = encode_sentences(self.tokenizer, [s.sentence for s in slots[:1]], [slots], self.max_length)
        else:
            feed = encode_pairs(self.tokenizer, pairs, self.max_length)
        feed = {name: feed[name] for name in self._input_names}
        try:
            values = self.session.run(list(OUTPUT_NAMES), feed)
        except Exception as exc:
            raise ModelError(f"{self.onnx_path}: inference failed ({_reason(exc)})") from None
        for name, labels, value in zip(OUTPUT_NAMES, HEADS.values(), values, strict=True):
            if value.ndim != 2 or value.shape[1] != len(labels):  # a width the graph left symbolic
                raise ModelError(f"{self.onnx_path}: {name} has {value.shape[-1]} classes, "
                                 f"labels.json has {len(labels)}")
        return dict(zip(OUTPUT_NAMES, values, strict=True))

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 1) -> list[PairScores]:
        """Probabilities for every pair, in input order: the encoder's, with the linear scorer's stance
        mixed in when the folder has one."""
        scores = self.encoder_scores(pairs, batch_size)
        if self.linear is None or not self.linear_weight:
            return scores
        linear = self.linear.predict(pairs)
        return [PairScores(mix(s.stance, lin, self.linear_weight), s.topic, s.channel)
                for s, lin in zip(scores, linear, strict=True)]

    def encoder_scores(self, pairs: Sequence[tuple[str, str]], batch_size: int = 1) -> list[PairScores]:
        """The encoder's probabilities for every pair, in input order.

        One pair per run by default, because the shipped model is dynamically quantized (int8): the scale
        of each activation is computed over the whole batch, so in a batch a pair's scores depend on its
        neighbours (measured: stance probabilities moved by up to 0.18 when the same pairs were batched
        with others), and an article's signals would depend on which other pairs were scored with them
        (the mode, the cascade).  Alone, a pair always gets the same scores, and on this 2-core machine it
        costs nothing: 376 pairs/s one at a time against 385 in batches of 32 (padding is wasted work).
        Larger batches (sorted by length, so they pad little) remain for fp32 models.  A sentence-shaped
        model runs once per distinct sentence, on all of that sentence's pairs (its holder heads are left
        in fp32 by the export, so a holder's scores do not depend on the others).
        """
        if self.shape == "sentence":
            groups: dict[str, list[int]] = {}
            for i, pair in enumerate(pairs):
                groups.setdefault(slot_of(pair).sentence, []).append(i)
            chunks = list(groups.values())
        else:
            order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
            step = max(1, batch_size)
            chunks = [order[start:start + step] for start in range(0, len(order), step)]
        results: list[PairScores | None] = [None] * len(pairs)
        for chunk in chunks:
            out = self.logits([pairs[i] for i in chunk])
            probs = [_softmax(out[name]) for name in OUTPUT_NAMES]
            for row, index in enumerate(chunk):
                stance, topic, channel = (
                    dict(zip(labels, (float(p) for p in head[row]), strict=True))
                    for labels, head in zip(HEADS.values(), probs, strict=True)
                )
                results[index] = PairScores(stance=stance, topic=topic, channel=channel)
        return [r for r in results if r is not None]
