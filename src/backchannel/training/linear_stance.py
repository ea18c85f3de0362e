"""The linear stance scorer of a model folder: fit, export to ``linear.npz``, choose how much it counts.

``backchannel train`` runs these steps after fine-tuning; ``python -m backchannel.training.refit``
adds them to a model folder trained before (it needs the folder's own validation split: the same seed
and share).  The scorer is
TF-IDF of unigrams and bigrams with a class-balanced logistic regression, fitted on every pair of the
fitting articles; the weight it gets beside the encoder and the decision threshold are chosen together
on the validation articles with the same precision-first rule as the threshold alone.  Needs
scikit-learn (the train extra); the runtime reads the arrays with numpy only (``model/linear.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.errors import ModelError
from backchannel.model.examples import PairExample
from backchannel.model.linear import LinearScorer, LinearStance, mix, pair_document
from backchannel.training.selection import choose_threshold

WEIGHTS = (0.0, 0.25, 0.5, 0.75)
FILE = "linear.npz"


def fit_linear(fit: Sequence[PairExample], out_dir: Path, seed: int) -> dict[str, Any]:
    """Fit on ``fit``, write ``out_dir/linear.npz``, and check the numpy scorer against scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    docs = [pair_document(e.text_a, e.text_b) for e in fit]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(docs)
    model = LogisticRegression(max_iter=3000, C=4.0, class_weight="balanced", random_state=seed)
    model.fit(x, [e.stance for e in fit])
    sample = [pair_document(e.text_a, e.text_b) for e in fit[:: max(1, len(fit) // 200)]]
    diff = save_scorer(Path(out_dir) / FILE, vectorizer, model, sample)
    vocabulary = vectorizer.get_feature_names_out()
    return {"vocabulary": len(vocabulary), "pairs": len(fit), "max_diff": round(diff, 8)}


def save_scorer(path: Path, vectorizer: Any, model: Any, check_texts: Sequence[str]) -> float:
    """Write a fitted (vectorizer, logistic regression) as the plain arrays ``LinearScorer`` reads, and
    return the largest difference between its probabilities and scikit-learn's on ``check_texts`` (an
    error above 1e-3).  A binary model is written with two rows, ``0`` and its weights, whose softmax is
    its sigmoid."""
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    np.savez_compressed(path, vocabulary=np.asarray(vectorizer.get_feature_names_out(), dtype=str),
                        idf=vectorizer.idf_.astype(np.float32), coef=coef.astype(np.float32),
                        intercept=intercept.astype(np.float32), classes=np.asarray(model.classes_, dtype=str))
    got = LinearScorer(path).predict_texts(list(check_texts))
    want = model.predict_proba(vectorizer.transform(list(check_texts)))
    diff = max((abs(g[str(c)] - float(w[i])) for g, w in zip(got, want, strict=True)
                for i, c in enumerate(model.classes_)), default=0.0)
    if diff > 1e-3:  # float32 arrays: about 1e-6 is expected
        raise ModelError(f"{path}: numpy scores differ from scikit-learn's by {diff:.2e}")
    return diff


def choose_mix(val: Sequence[PairExample], encoder_scores: Sequence[Any],
               linear_scores: Sequence[dict[str, float]]) -> dict[str, float]:
    """The (weight, threshold) of best validation F1, precision first (``selection.choose_threshold``)."""
    from backchannel.model.runtime import PairScores

    best: dict[str, float] | None = None
    for weight in WEIGHTS:
        mixed = [PairScores(mix(e.stance, lin, weight), e.topic, e.channel)
                 for e, lin in zip(encoder_scores, linear_scores, strict=True)]
        row = {"linear_weight": weight, **choose_threshold(list(val), mixed)}
        if best is None or (row["f1"], -weight) > (best["f1"], -best["linear_weight"]):
            best = row
    assert best is not None
    return best


def add_linear(model_dir: Path, fit: Sequence[PairExample], val: Sequence[PairExample], seed: int,
               threads: int = 1) -> dict[str, Any]:
    """Fit the linear scorer into ``model_dir``, choose its weight and the threshold, update the card."""
    from backchannel.model.runtime import PairModel

    pairs = [(e.text_a, e.text_b) for e in val]
    (model_dir / FILE).unlink(missing_ok=True)  # the encoder alone first: an old scorer must not count
    encoder_scores = PairModel(model_dir, threads=threads).encoder_scores(pairs)
    figures = fit_linear(fit, model_dir, seed)
    chosen = choose_mix(val, encoder_scores, LinearStance(model_dir / FILE).predict(pairs))
    card_path = model_dir / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.exists() else {}
    card.update({"linear": {**figures, "model": "TF-IDF (1-2 grams, sublinear) + logistic regression "
                            "(C 4, balanced), on every pair of the fitting articles"},
                 "linear_weight": chosen["linear_weight"], "threshold": chosen["threshold"],
                 "validation_pairs": chosen})
    card_path.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return chosen
