"""Fine-tune MiniLM-L6 to read a sentence once and score every candidate holder in it (the ``sentence`` shape).

Why a second shape: the pair model (``finetune``) runs the encoder once per (holder, sentence) pair, about
three times per candidate sentence of a war article, and that is half of the extraction's time there.  Here
the encoder reads the sentence alone; each holder is the average of the tokens its mentions cover (or of the
whole sentence when it is named elsewhere: a speaker, the subject of the sentence before), joined with the
sentence's average, one attention step over the sentence from the holder's side and its rule features, and
a small head gives its stance, topic and channel.  The
holders of one sentence learn side by side, so a sentence's second holder (the place a talk was held, the
party talked with) is always seen beside the first.  Training reads the same labelled pairs as the pair
model (``dataset``), taken apart by ``examples.slot_of``, so the labels are the pair model's exactly.

Sentences without any positive holder are sampled (``negatives`` per sentence that has one), seeded.  The
export leaves the holder head in fp32 when it quantizes the encoder to int8: dynamic quantization scales
a tensor by its whole range, and a holder's scores must not depend on which other holders share its run.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer
from torch import nn

from backchannel.model.examples import (
    CHANNEL_LABELS,
    HOLDER_FEATURES,
    NONE,
    STANCE_LABELS,
    TOPIC_LABELS,
    PairExample,
    SentenceSlot,
    slot_of,
)
from backchannel.model.runtime import OUTPUT_NAMES, SENTENCE_INPUT_NAMES, encode_sentences
from backchannel.training.finetune import (
    base_model_dir,
    check_export,
    load_encoder,
    run_epochs,
    seed_everything,
    signal_figures,
    targets,
    verify_base,
)

HEAD_WIDTH = 256


@dataclass(frozen=True)
class SentenceExample:
    """One sentence with its candidate holders and their labelled pairs (same order)."""

    sentence: str
    slots: tuple[SentenceSlot, ...]
    pairs: tuple[PairExample, ...]

    @property
    def positive(self) -> bool:
        return any(p.stance != NONE for p in self.pairs)


def group_sentences(examples: Sequence[PairExample]) -> list[SentenceExample]:
    """The labelled pairs grouped by (article, sentence), in order of first appearance."""
    groups: dict[tuple[str, str], list[tuple[SentenceSlot, PairExample]]] = {}
    for ex in examples:
        slot = slot_of((ex.text_a, ex.text_b))
        groups.setdefault((ex.article, slot.sentence), []).append((slot, ex))
    return [SentenceExample(sentence, tuple(s for s, _ in rows), tuple(e for _, e in rows))
            for (_, sentence), rows in groups.items()]


def sample_sentences(sentences: Sequence[SentenceExample], ratio: float, seed: int) -> list[SentenceExample]:
    """Every sentence with a positive holder, and ``ratio`` sentences without one per such sentence (seeded),
    in the original order."""
    pos = [i for i, s in enumerate(sentences) if s.positive]
    neg = [i for i, s in enumerate(sentences) if not s.positive]
    chosen = set(random.Random(seed).sample(neg, min(len(neg), int(ratio * len(pos)))))
    return [s for i, s in enumerate(sentences) if i in chosen or sentences[i].positive]


class SentenceNet(nn.Module):
    """Encoder once per sentence; per holder, [sentence mean; mention mean; what the holder reads; features]
    -> MLP -> three heads.  "What the holder reads" is one attention step over the sentence's tokens with a
    query made from the holder's mention and features: the pair model's marks let every layer read the
    sentence from the holder's side, and this gives the sentence shape a little of that, for H x T work."""

    def __init__(self, base_dir: Path, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = load_encoder(base_dir)
        width = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.query = nn.Linear(width + len(HOLDER_FEATURES), width)
        self.holder = nn.Sequential(nn.Linear(3 * width + len(HOLDER_FEATURES), HEAD_WIDTH), nn.GELU())
        self.stance = nn.Linear(HEAD_WIDTH, len(STANCE_LABELS))
        self.topic = nn.Linear(HEAD_WIDTH, len(TOPIC_LABELS))
        self.channel = nn.Linear(HEAD_WIDTH, len(CHANNEL_LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor,
                holder_weights: torch.Tensor, holder_features: torch.Tensor,
                holder_sentence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        sentence = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        own = hidden[holder_sentence]  # (holders, tokens, width)
        mention = (own * holder_weights.unsqueeze(-1)).sum(1)
        query = self.query(torch.cat([mention, holder_features], dim=-1))
        logits = torch.matmul(own, query.unsqueeze(-1)).squeeze(-1) / math.sqrt(own.shape[-1])
        logits = logits.masked_fill(attention_mask[holder_sentence] == 0, -1e4)
        read = (torch.softmax(logits, dim=-1).unsqueeze(-1) * own).sum(1)
        joined = torch.cat([sentence[holder_sentence], mention, read, holder_features], dim=-1)
        h = self.dropout(self.holder(self.dropout(joined)))
        return self.stance(h), self.topic(h), self.channel(h)


class OneSentence(nn.Module):
    """The exported graph: one sentence per run, so no ``holder_sentence`` input (every row is sentence 0)."""

    def __init__(self, net: SentenceNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, input_ids, attention_mask, token_type_ids, holder_weights, holder_features):
        owners = torch.zeros_like(holder_weights[:, 0], dtype=torch.long)
        return self.net(input_ids, attention_mask, token_type_ids, holder_weights, holder_features, owners)


def batches(tokenizer: Tokenizer, sentences: Sequence[SentenceExample], order: Sequence[int], batch_size: int,
            max_length: int, device: torch.device) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
    """Tensors of each batch of sentences (by the runtime's own ``encode_sentences``) and its holders' labels."""
    for start in range(0, len(order), batch_size):
        chunk = [sentences[i] for i in order[start:start + batch_size]]
        enc = encode_sentences(tokenizer, [s.sentence for s in chunk], [s.slots for s in chunk], max_length)
        labels = targets([p for s in chunk for p in s.pairs])
        yield {k: torch.from_numpy(v).to(device) for k, v in enc.items()}, labels.to(device)


def evaluate(net: SentenceNet, tokenizer: Tokenizer, val: Sequence[SentenceExample], batch_size: int,
             max_length: int, device: torch.device) -> dict[str, float]:
    net.eval()
    gold: list[int] = []
    pred: list[int] = []
    with torch.no_grad():
        for inputs, labels in batches(tokenizer, val, range(len(val)), batch_size, max_length, device):
            pred += net(**inputs)[0].argmax(-1).tolist()
            gold += labels[:, 0].tolist()
    return signal_figures(np.array(gold), np.array(pred))


def fine_tune_sentences(train: list[PairExample], val: list[PairExample], out_dir: Path, *, seed: int = 13,
                        epochs: int = 3, batch_size: int = 16, max_length: int = 128, lr: float = 5e-5,
                        negatives: float = 1.0, warmup: float = 0.06, threads: int = 2,
                        progress: bool = True) -> dict[str, Any]:
    """Train on the fitting articles' pairs grouped by sentence, keep the epoch with the best validation
    signal F1, export it to ``out_dir``; return the figures (as ``finetune.fine_tune`` does)."""
    if not train or not val:
        raise ValueError("fine_tune_sentences needs training and validation examples")
    started = time.monotonic()
    base = base_model_dir()
    base_sha = verify_base(base)
    seed_everything(seed, threads)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    if not progress:
        transformers.utils.logging.disable_progress_bar()
    fit = sample_sentences(group_sentences(train), negatives, seed)
    held = group_sentences(val)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = SentenceNet(base).to(device)
    history, best_epoch = run_epochs(
        net, lambda shuffler: batches(tokenizer, fit, shuffler.permutation(len(fit)).tolist(), batch_size,
                                      max_length, device),
        math.ceil(len(fit) / batch_size), lambda: evaluate(net, tokenizer, held, batch_size, max_length, device),
        epochs=epochs, lr=lr, warmup=warmup, seed=seed, progress=progress)
    checks = export_sentences(net.cpu().eval(), tokenizer, held, base, Path(out_dir), max_length)
    return {"epochs": history, "best_epoch": best_epoch, "base_sha256": base_sha, **checks,
            "train_examples": sum(len(s.pairs) for s in fit), "train_sentences": len(fit),
            "val_examples": len(val), "seconds": round(time.monotonic() - started, 1)}


def export_sentences(net: SentenceNet, tokenizer: Tokenizer, val: Sequence[SentenceExample], base: Path,
                     out_dir: Path, max_length: int) -> dict[str, Any]:
    """Write model.onnx, model.int8.onnx (encoder int8, holder head fp32), tokenizer.json and labels.json
    (``shape: sentence``); check both ONNX files against torch on sentences of different lengths."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base / "tokenizer.json", out_dir / "tokenizer.json")
    (out_dir / "labels.json").write_text(json.dumps(
        {"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS), "channel": list(CHANNEL_LABELS),
         "max_length": max_length, "shape": "sentence"}, indent=2) + "\n", encoding="utf-8")
    ordered = sorted(val, key=lambda s: len(s.sentence))
    sample = [ordered[i] for i in sorted({0, len(ordered) // 3, 2 * len(ordered) // 3, len(ordered) - 1})]
    graph = OneSentence(net).eval()  # export restores the mode it found: it must find eval
    feeds = []
    for s in sample:
        enc = encode_sentences(tokenizer, [s.sentence], [s.slots], max_length)
        feeds.append({name: enc[name] for name in SENTENCE_INPUT_NAMES})
    dummy = tuple(torch.from_numpy(feeds[-1][name]) for name in SENTENCE_INPUT_NAMES)
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in SENTENCE_INPUT_NAMES[:3]}
    axes.update({"holder_weights": {0: "holders", 1: "sequence"}, "holder_features": {0: "holders"}})
    axes.update({name: {0: "holders"} for name in OUTPUT_NAMES})
    onnx_path, int8_path = out_dir / "model.onnx", out_dir / "model.int8.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        warnings.simplefilter("ignore", category=UserWarning)
        torch.onnx.export(graph, dummy, str(onnx_path), input_names=list(SENTENCE_INPUT_NAMES),
                          output_names=list(OUTPUT_NAMES), dynamic_axes=axes, opset_version=17,
                          do_constant_folding=True, dynamo=False)
    head = [n.name for n in onnx.load(str(onnx_path)).graph.node if "encoder" not in n.name]
    head += [f"{name}_MatMul" for name in head]  # the quantizer splits a Gemm into MatMul + Add first
    quantize_dynamic(str(onnx_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=False,
                     nodes_to_exclude=head)
    return check_export(graph, feeds, SENTENCE_INPUT_NAMES, onnx_path, int8_path)
