"""Which signal decision an extractor uses: the model shipped in the package, another one, or the rules.

A model folder (written by ``backchannel train``) holds ONNX weights, the tokenizer, the label orders
and the model card; the shipped one lives in ``backchannel/model/shipped/`` and is installed with the
package, so nothing is downloaded at run time.  A model becomes the default only once it beats the
rules on the dev split, precision first (the figures are in its card); ``rules`` keeps the
hand-written decision, for comparison and for users who want it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from backchannel.errors import ModelError

SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
RULES = "rules"
#: What decides when the user does not say: the shipped model, which beats the rules on the dev split
#: in precision and in F1 (its card.json holds the figures).
DEFAULT_SIGNAL_MODEL = str(SHIPPED_DIR)


def resolve_signal_model(choice: str = "") -> str:
    """'' -> the default decision; 'rules' -> 'rules'; anything else is a model folder (made absolute)."""
    if not choice:
        choice = DEFAULT_SIGNAL_MODEL
    # absolute, so that worker processes and Spark executors load the folder the version describes
    return RULES if choice == RULES else str(Path(choice).expanduser().resolve())


MODEL_FILES = ("model.onnx", "tokenizer.json", "labels.json", "card.json")
OPTIONAL_FILES = ("linear.npz", "article.npz", "sentence.npz")


def model_digest(model_dir: Path) -> str:
    """sha256 over a model folder's files that change what it extracts (weights, tokenizer, label
    orders, the card's thresholds, the linear scorer and the relevance filters when there are): part of the extractor
    version, so a new model makes the articles stored with the old one due for ``reprocess``.
    Cached by the files' modification times."""
    folder = Path(model_dir)
    stamps = []
    for name in MODEL_FILES + OPTIONAL_FILES:
        path = folder / name
        try:
            stamps.append((name, path.stat().st_mtime_ns, path.stat().st_size))
        except OSError:
            if name in OPTIONAL_FILES:
                continue
            raise ModelError(f"{path}: no such file (a signal model folder holds {', '.join(MODEL_FILES)}; "
                             "reinstall the package, or pass --signal-model rules)") from None
    return _digest(str(folder), tuple(stamps))


@lru_cache(maxsize=8)
def _digest(folder: str, stamps: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for name, _, _ in stamps:
        h.update(name.encode() + b"\0")
        with (Path(folder) / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()
