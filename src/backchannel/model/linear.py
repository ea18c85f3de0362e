"""TF-IDF + logistic-regression scorers, run with numpy alone: the stance of a pair, mixed into the
encoder's, and the relevance of an article or a sentence (``model/relevance.py``).

Why a second, linear scorer beside the fine-tuned encoder: on the validation part of the train split
the two make different mistakes, and the average of their stance probabilities is right more often
than either (the figures are in the model card).  Training uses scikit-learn (the train extra); the
fitted vocabulary, idf weights and coefficients are saved to ``linear.npz`` (plain arrays, loaded
without pickle) and this module reproduces scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
sublinear_tf=True)`` and multinomial ``predict_proba`` exactly, so nothing but numpy runs at extraction
time.  ``training/linear_stance.py`` checks the two agree before a file is written.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from backchannel.errors import ModelError

#: scikit-learn's default token pattern: runs of two or more word characters.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
ARRAYS = ("vocabulary", "idf", "coef", "intercept", "classes")


def pair_document(text_a: str, text_b: str) -> str:
    """The one text the linear scorer reads for a pair (the same in training and here)."""
    return f"{text_a} [SEP] {text_b}"


def terms(text: str) -> list[str]:
    """Lower-cased unigrams and bigrams, in scikit-learn's order and spelling."""
    words = TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class LinearScorer:
    """Class probabilities of a text from a fitted ``.npz`` file; ``classes`` are the labels it knows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with np.load(self.path, allow_pickle=False) as data:
                missing = [name for name in ARRAYS if name not in data.files]
                if missing:
                    raise ModelError(f"{self.path}: missing arrays {', '.join(missing)}")
                vocabulary = [str(v) for v in data["vocabulary"]]
                self.idf = data["idf"].astype(np.float64)
                self.coef = data["coef"].astype(np.float64)
                self.intercept = data["intercept"].astype(np.float64)
                self.classes = tuple(str(c) for c in data["classes"])
        except FileNotFoundError:
            raise ModelError(f"{self.path}: no such file") from None
        except (OSError, ValueError, zipfile.BadZipFile, KeyError) as exc:
            raise ModelError(f"{self.path}: not a readable linear model ({str(exc).splitlines()[0][:200]})") from None
        width = len(vocabulary)
        if (self.idf.shape != (width,) or self.coef.shape != (len(self.classes), width)
                or self.intercept.shape != (len(self.classes),)):
            raise ModelError(f"{self.path}: arrays of inconsistent shapes (vocabulary {width}, idf "
                             f"{self.idf.shape}, coef {self.coef.shape}, intercept {self.intercept.shape})")
        self.index = {term: i for i, term in enumerate(vocabulary)}

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and l2-normalised sublinear tf-idf weights of one text's known terms."""
        counts = Counter(self.index[t] for t in terms(text) if t in self.index)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = np.array([1.0 + math.log(counts[c]) for c in cols]) * self.idf[cols]
        return cols, weights / np.linalg.norm(weights)

    def predict_texts(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Softmax over the classes of each text's logits, keyed by label.  A binary scorer is saved with
        two rows (``0`` and the fitted weights), so the softmax is scikit-learn's sigmoid exactly."""
        out = []
        for text in texts:
            cols, weights = self.features(text)
            logits = self.coef[:, cols] @ weights + self.intercept
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            out.append(dict(zip(self.classes, (float(p) for p in probs), strict=True)))
        return out


class LinearStance(LinearScorer):
    """Stance probabilities of a (holder, sentence) pair from ``linear.npz``."""

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Softmax over the stance labels of each pair's logits, keyed by label."""
        return self.predict_texts([pair_document(a, b) for a, b in pairs])


def mix(encoder: dict[str, float], linear: dict[str, float], weight: float) -> dict[str, float]:
    """``(1 - weight) * encoder + weight * linear``, over the encoder's labels (a label the linear model
    never saw counts as 0 there)."""
    return {k: (1.0 - weight) * v + weight * linear.get(k, 0.0) for k, v in encoder.items()}
