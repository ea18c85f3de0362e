"""Choose one decision threshold per stance, end to end on the validation articles, and write them to the card.

    python -m backchannel.training.stance_thresholds --corpus ../shared/corpus \
        --annotations corpus/annotations --model MODEL_DIR

Why: training chooses one threshold on candidate pairs, but what the analyst sees is the signals after
holders, merging and the grammar's confirmations, and the model is surer of some stances than of others
(it over-calls ``urges`` and under-calls ``agrees``).  So the validation articles (the train split's held-out
share, with the seed and share on the card; never the dev split) are extracted once at a low threshold,
every decision keeps its probability and whether the grammar would settle it anyway
(``decision.explain``), and the thresholds are then searched offline by filtering those decisions and scoring
them with the project's scorer.  The search is coordinate ascent over ``GRID``, and it never accepts a step
that lowers precision below the single threshold's: precision first.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from backchannel.records import STANCES

#: The thresholds each stance may take.
GRID: tuple[float, ...] = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
#: The threshold of the one extraction every setting is read from: below every value of ``GRID``.
LOW = 0.3

Thresholds = dict[str, float]
Figures = tuple[float, float, float]  # precision, recall, F1


def ascend(score: Callable[[Thresholds], Figures], start: Thresholds, grid: Sequence[float] = GRID,
           sweeps: int = 2) -> Thresholds:
    """Coordinate ascent from ``start``: each stance in turn takes the grid value with the best F1, among
    those that keep precision at least ``start``'s; ``sweeps`` passes over the stances."""
    floor, _, best_f1 = score(start)
    best = dict(start)
    for _ in range(sweeps):
        for stance in start:
            for value in grid:
                trial = {**best, stance: value}
                precision, _, f1 = score(trial)
                if precision >= floor and f1 > best_f1:
                    best, best_f1 = trial, f1
    return best


def kept(result: Mapping[str, Any], explanations: Sequence[Mapping[str, Any]],
         thresholds: Mapping[str, float]) -> dict[str, Any]:
    """``result`` (an ``ArticleResult.to_dict``) with only the signals the thresholds decide: the
    probability clears the stance's threshold, or the grammar settles it below any threshold."""
    signals = [s for s, why in zip(result["signals"], explanations, strict=True)
               if why.get("grammar_settles") or why["probability"] >= thresholds[s["stance"]]]
    return {**result, "signals": signals}


def _low_threshold_copy(model: Path, into: Path) -> Path:
    copy = into / "model"
    shutil.copytree(model, copy)
    card = json.loads((copy / "card.json").read_text(encoding="utf-8"))
    card.pop("stance_thresholds", None)
    card["threshold"] = LOW
    (copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return copy


def main(argv: list[str] | None = None) -> int:
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.corpus.gold import GoldArticle, load_split
    from backchannel.jobs.extractor import Extractor
    from backchannel.training.selection import model_folder_arguments, split_articles

    args, card = model_folder_arguments(__doc__.splitlines()[0], argv)
    seed, share = card["settings"]["seed"], card["settings"]["val_share"]
    golds = load_split(args.corpus, args.annotations, "train")
    val_ids = split_articles([g.article.id for g in golds], share, seed)
    val = [g for g in golds if g.article.id in val_ids]
    with tempfile.TemporaryDirectory() as tmp:
        extractor = Extractor(signal_model=str(_low_threshold_copy(args.model, Path(tmp))))
        captured = []
        for gold in val:
            result = extractor.extract(gold.article.to_article())
            captured.append((gold, result.to_dict(), list(result.explanations)))

    def score(thresholds: Thresholds) -> Figures:
        def predict(golds: Iterable[GoldArticle]) -> Iterator[tuple[GoldArticle, dict[str, Any]]]:
            for gold, result, why in captured:
                yield gold, kept(result, why, thresholds)
        signals = evaluate_corpus(val, predict, split="val").report.signals
        return signals.precision, signals.recall, signals.f1

    single = {s: float(card["threshold"]) for s in STANCES}
    chosen = ascend(score, single)
    card["stance_thresholds"] = chosen
    card["stance_thresholds_selection"] = {
        "articles": len(val), "seed": seed, "val_share": share, "grid": list(GRID),
        "single": dict(zip(("precision", "recall", "f1"), score(single), strict=True)),
        "chosen": dict(zip(("precision", "recall", "f1"), score(chosen), strict=True)),
    }
    (args.model / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(card["stance_thresholds_selection"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
