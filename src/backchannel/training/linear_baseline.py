"""Candidate (b) of the model choice: TF-IDF and logistic regression on the same candidate pairs.

    python -m backchannel.training.linear_baseline --corpus ../shared/corpus --annotations corpus/annotations

The same pairs, the same validation articles and the same threshold rule as ``backchannel train``;
the dev split is scored end to end through the decision component, with this classifier standing in
for the encoder.  Kept so that the comparison in the model card can be rerun; needs scikit-learn
(the train extra).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from backchannel.model.examples import NONE, PairExample
from backchannel.training.run import TrainSettings, labelled_pairs
from backchannel.training.selection import choose_threshold, validation_ids


@dataclass(frozen=True)
class LinearScores:
    stance: dict[str, float]
    topic: dict[str, float]
    channel: dict[str, float]


class LinearPairModel:
    """Three logistic regressions over TF-IDF of the pair text, with ``PairModel``'s interface."""

    def __init__(self, fit: list[PairExample], seed: int) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x = self.vec.fit_transform([self._text(e.text_a, e.text_b) for e in fit])
        self.stance = LogisticRegression(max_iter=3000, C=4.0, class_weight="balanced", random_state=seed).fit(
            x, [e.stance for e in fit])
        positives = [i for i, e in enumerate(fit) if e.stance != NONE]
        xp = x[positives]
        self.topic = LogisticRegression(max_iter=3000, random_state=seed).fit(xp, [fit[i].topic for i in positives])
        self.channel = LogisticRegression(max_iter=3000, random_state=seed).fit(
            xp, [fit[i].channel for i in positives])
        self.card: dict = {}

    @staticmethod
    def _text(a: str, b: str) -> str:
        return f"{a} [SEP] {b}"

    def predict(self, pairs: list[tuple[str, str]]) -> list[LinearScores]:
        x = self.vec.transform([self._text(a, b) for a, b in pairs])
        heads = [(m.classes_, m.predict_proba(x)) for m in (self.stance, self.topic, self.channel)]
        return [LinearScores(*({str(c): float(p) for c, p in zip(classes, probs[i], strict=True)}
                               for classes, probs in heads)) for i in range(len(pairs))]


def main(argv: list[str] | None = None) -> int:
    from backchannel.corpus.commands import predict_with
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.corpus.gold import load_split
    from backchannel.jobs.extractor import Extractor
    from backchannel.nlp import factories

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--annotations", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    settings = TrainSettings(corpus=args.corpus, annotations=args.annotations, out=Path("."), seed=args.seed)
    golds = load_split(args.corpus, args.annotations, "train")
    examples, _ = labelled_pairs(golds, settings)
    val_ids = validation_ids(golds, settings.val_share, settings.seed)
    fit = [e for e in examples if e.article not in val_ids]
    val = [e for e in examples if e.article in val_ids]
    model = LinearPairModel(fit, args.seed)
    chosen = choose_threshold(val, model.predict([(e.text_a, e.text_b) for e in val]))
    model.card = {"threshold": chosen["threshold"]}
    factories.load_model = lambda *a, **k: model  # the decision component scores with this model
    result = evaluate_corpus(load_split(args.corpus, args.annotations, "dev"),
                             predict_with(Extractor(signal_model="linear-baseline")), split="dev")
    print(json.dumps({"validation": chosen, "dev": result.report.signals.to_dict(),
                      "false_signals": result.false_signals()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
