"""Choose the decision's settings end to end on the validation articles, and write them to the card.

    python -m backchannel.training.stance_thresholds --corpus ../shared/corpus \
        --annotations corpus/annotations --model MODEL_DIR

Why: training chooses one threshold on candidate pairs, but what the analyst sees is the signals after
holders, merging and the grammar's confirmations, and the model is surer of some stances than of others
(it over-calls ``urges`` and under-calls ``agrees``).  So the validation articles (the train split's held-out
share, with the seed and share on the card; never the dev split) are extracted once at a low threshold and
with the sentence filter and holder ratio off (``model/relevance.py``); every decision keeps its probability,
whether the grammar would settle it anyway, and its sentence's score (``decision.explain``).  The settings are
then searched offline by filtering those decisions the way the extraction does (``decision.filtered``) and
scoring them with the project's scorer, precision first: one threshold per stance, by coordinate ascent over
``GRID`` that never accepts a step lowering precision below the single threshold's; then the sentence floor
and the holder ratio over ``SENTENCE_FLOORS`` x ``HOLDER_RATIOS``, never below the thresholds' precision.
Last, the parse floor (``choose_parse_floor``): how little of a war article the default mode may parse.
``backchannel train`` runs this as its last step before the dev figures.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.nlp.decision import filtered
from backchannel.records import STANCES

if TYPE_CHECKING:
    from backchannel.corpus.gold import GoldArticle

#: The thresholds each stance may take.
GRID: tuple[float, ...] = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
#: The threshold of the one extraction every setting is read from: below every value of ``GRID``.
LOW = 0.3
SENTENCE_FLOORS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
#: The parse floors tried (``choose_parse_floor``), and how far below parsing everything they may take
#: validation precision and F1.
PARSE_FLOORS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)
PARSE_TOLERANCE = 0.002
HOLDER_RATIOS: tuple[float, ...] = (0.0, 0.7, 0.8, 0.9)

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


@dataclass(frozen=True)
class Explained:
    """A signal of the low-threshold extraction with what the filters read (``decision.Decided``)."""

    signal: dict[str, Any]
    probability: float
    grammar_settles: bool
    sentence_score: float
    sentence: tuple[int, int]


def explained(result: Mapping[str, Any], explanations: Sequence[Mapping[str, Any]]) -> list[Explained]:
    return [Explained(s, float(why["probability"]), bool(why.get("grammar_settles")),
                      float(why.get("sentence_score", 1.0)), tuple(why.get("gate", {}).get("sentence") or (0, 0)))
            for s, why in zip(result["signals"], explanations, strict=True)]


def kept(result: Mapping[str, Any], explanations: Sequence[Mapping[str, Any]],
         thresholds: Mapping[str, float], sentence_floor: float = 0.0, holder_ratio: float = 0.0) -> dict[str, Any]:
    """``result`` (an ``ArticleResult.to_dict``) with only the signals the settings decide: the probability
    clears the stance's threshold or the grammar settles it below any threshold, and then the filters of
    ``decision.filtered``, as the extraction applies them."""
    decided = [e for e in explained(result, explanations)
               if e.grammar_settles or e.probability >= thresholds[e.signal["stance"]]]
    survivors = filtered(decided, sentence_floor, holder_ratio, sentence_of=lambda e: e.sentence)
    return {**result, "signals": [e.signal for e in survivors]}


def _copy_with(model: Path, into: Path, drop: Sequence[str] = (), **settings: float) -> Path:
    """A copy of the model folder in ``into`` whose card has ``settings`` and lacks ``drop``."""
    copy = into / "model"
    shutil.copytree(model, copy)
    card = json.loads((copy / "card.json").read_text(encoding="utf-8"))
    for key in drop:
        card.pop(key, None)
    card.update(settings)
    (copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return copy


def _low_threshold_copy(model: Path, into: Path) -> Path:
    """A copy of the folder that decides at ``LOW`` with the sentence filter, the parse floor and the holder
    ratio off (the article filter stays: its floor is set by ``training.relevance``)."""
    return _copy_with(model, into, drop=("stance_thresholds",), threshold=LOW, sentence_floor=0.0,
                      sentence_parse_floor=0.0, holder_ratio=0.0)


def highest_harmless(rows: Mapping[float, Mapping[str, float]], tolerance: float = PARSE_TOLERANCE) -> float:
    """The highest floor whose precision and F1 are within ``tolerance`` of the lowest floor's (``rows``: the
    figures of each floor tried, the lowest being the parse of every candidate sentence)."""
    full = rows[min(rows)]
    return max(f for f, row in rows.items()
               if row["f1"] >= full["f1"] - tolerance and row["precision"] >= full["precision"] - tolerance)


def choose_parse_floor(model: Path, val: Sequence[GoldArticle]) -> dict[str, Any]:
    """The highest of ``PARSE_FLOORS`` (at most the sentence floor) whose end-to-end validation precision and
    F1 stay within ``PARSE_TOLERANCE`` of parsing every candidate sentence: sentences the cheap splitter
    cuts below it are not parsed in the default mode (``nlp/subset.py``).  Each floor is a real extraction
    of the validation articles, since what is not parsed changes the holders and attributions around what
    is.  Writes ``sentence_parse_floor`` to the card and returns the figures of every floor tried."""
    from backchannel.corpus.commands import predict_with
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.jobs.extractor import Extractor

    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    rows: dict[float, dict[str, float]] = {}
    for floor in (f for f in PARSE_FLOORS if f <= card.get("sentence_floor", 0.0)):
        with tempfile.TemporaryDirectory() as tmp:
            extractor = Extractor(signal_model=str(_copy_with(model, Path(tmp), sentence_parse_floor=floor)))
            signals = evaluate_corpus(list(val), predict_with(extractor), split="val").report.signals
        rows[floor] = {"precision": signals.precision, "recall": signals.recall, "f1": signals.f1}
    chosen = highest_harmless(rows)
    card.update({"sentence_parse_floor": chosen,
                 "sentence_parse_floor_selection": {"tolerance": PARSE_TOLERANCE,
                                                    "floors": {str(f): row for f, row in rows.items()}}})
    (model / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return card["sentence_parse_floor_selection"] | {"chosen": chosen}


def choose_decision(model: Path, val: Sequence[GoldArticle]) -> dict[str, Any]:
    """Choose the stance thresholds, then the sentence floor and holder ratio, on ``val``; write them and the
    selection figures to ``model``'s card and return the figures."""
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.jobs.extractor import Extractor

    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        extractor = Extractor(signal_model=str(_low_threshold_copy(model, Path(tmp))))
        captured = []
        for gold in val:
            result = extractor.extract(gold.article.to_article())
            captured.append((gold, result.to_dict(), list(result.explanations)))

    def score(thresholds: Thresholds, sentence_floor: float = 0.0, holder_ratio: float = 0.0) -> Figures:
        def predict(golds: Iterable[GoldArticle]) -> Iterator[tuple[GoldArticle, dict[str, Any]]]:
            for gold, result, why in captured:
                yield gold, kept(result, why, thresholds, sentence_floor, holder_ratio)
        signals = evaluate_corpus(list(val), predict, split="val").report.signals
        return signals.precision, signals.recall, signals.f1

    single = {s: float(card["threshold"]) for s in STANCES}
    chosen = ascend(score, single)
    floor = score(chosen)[0]
    filters = max(((f, r) for f in SENTENCE_FLOORS for r in HOLDER_RATIOS if score(chosen, f, r)[0] >= floor),
                  key=lambda fr: (score(chosen, *fr)[2], -fr[0], -fr[1]))
    figures = {
        "articles": len(val), "seed": card["settings"]["seed"], "val_share": card["settings"]["val_share"],
        "grid": list(GRID), "sentence_floors": list(SENTENCE_FLOORS), "holder_ratios": list(HOLDER_RATIOS),
        "single": dict(zip(("precision", "recall", "f1"), score(single), strict=True)),
        "thresholds": dict(zip(("precision", "recall", "f1"), score(chosen), strict=True)),
        "chosen": dict(zip(("precision", "recall", "f1"), score(chosen, *filters), strict=True)),
    }
    card.update({"stance_thresholds": chosen, "sentence_floor": filters[0], "holder_ratio": filters[1],
                 "sentence_parse_floor": 0.0, "stance_thresholds_selection": figures})
    (model / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    figures["parse_floor"] = choose_parse_floor(model, val)
    return figures


def main(argv: list[str] | None = None) -> int:
    from backchannel.training.selection import model_folder_split

    args, _, val = model_folder_split(__doc__.splitlines()[0], argv)
    print(json.dumps(choose_decision(args.model, val)), file=sys.stderr)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
