"""How a training run chooses: which train articles validate, and at which threshold a pair is a signal.

Shared by the fine-tuning recipe (``run.py``), the linear scorer's mix (``linear_stance.py``) and the
baseline (``linear_baseline.py``), so that every candidate model is chosen by the same rule on the
same validation articles, and none of them imports another's recipe.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from backchannel.model.examples import NONE, PairExample

THRESHOLDS = [round(0.30 + 0.05 * k, 2) for k in range(13)]  # 0.30 ... 0.90


def model_folder_arguments(description: str, argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, Any]]:
    """The arguments of a command that revisits a trained model folder (``--corpus``, ``--annotations``,
    ``--extra``, ``--model``) and the folder's card, whose seed and validation share say which articles
    validated it."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--annotations", required=True, type=Path)
    ap.add_argument("--extra", action="append", default=[], type=Path, metavar="DIR",
                    help="more annotation folders, as for train --extra (their dev articles are never read)")
    ap.add_argument("--model", required=True, type=Path, help="a model folder written by backchannel train")
    args = ap.parse_args(argv)
    card = json.loads((args.model / "card.json").read_text(encoding="utf-8"))
    return args, card


def model_folder_split(description: str, argv: list[str] | None) -> tuple[argparse.Namespace, list[Any], list[Any]]:
    """``model_folder_arguments``, then the train split's fitting and validation articles as the folder's
    card says (its seed and validation share)."""
    from backchannel.corpus.gold import load_split
    from backchannel.training.dataset import with_extra

    args, card = model_folder_arguments(description, argv)
    golds = with_extra(load_split(args.corpus, args.annotations, "train"), args.corpus, args.extra)
    fit_ids, val_ids = card_split(golds, card["settings"])
    args.seed = card["settings"]["seed"]
    return args, [g for g in golds if g.article.id in fit_ids], [g for g in golds if g.article.id in val_ids]


def card_split(golds: list[Any], settings: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The fitting and validation articles a model folder was trained on, from its card's settings (seed,
    validation share, and fit share: 1 for a card written before ``--fit-share``), so that refitting a
    folder's parts never fits them on articles its encoder did not learn from."""
    val_ids = validation_ids(golds, settings["val_share"], settings["seed"])
    return fitting_ids(golds, val_ids, settings.get("fit_share", 1.0), settings["seed"]), val_ids


def validation_ids(golds: list[Any], share: float, seed: int) -> set[str]:
    """The validation articles of a set of annotated articles: ``split_articles`` drawn apart on the
    annotated corpus's articles and on the stream's (``train --extra corpus/stream-annotations``).

    Why apart: adding the stream's articles must not move the corpus's own validation articles, which the
    shipped encoder was chosen on; a filter refitted with the stream is then set on the same corpus
    articles, plus a share of the stream's."""
    from backchannel.corpus.texts import STREAM_KIND

    stream = [g.article.id for g in golds if g.article.kind == STREAM_KIND]
    corpus = [g.article.id for g in golds if g.article.kind != STREAM_KIND]
    return split_articles(corpus, share, seed) | (split_articles(stream, share, seed) if stream else set())


def split_articles(ids: list[str], share: float, seed: int) -> set[str]:
    """The validation articles: a seeded share of the train articles (whole articles, never pairs)."""
    ordered = sorted(ids)
    random.Random(seed).shuffle(ordered)
    return set(ordered[: max(1, round(share * len(ordered)))])


def fitting_ids(golds: list[Any], val_ids: set[str], share: float, seed: int) -> set[str]:
    """The fitting articles: every train article outside validation, or a seeded share of them.

    Why: a learning curve (``train --fit-share``) says whether more annotated articles would still help,
    which no single model can.  The validation articles never move, so every point of the curve is
    measured on the same articles; and the shares are nested (a smaller share's articles are all in a
    larger one's), so the curve compares more data with less, not one draw of articles with another."""
    rest = sorted(g.article.id for g in golds if g.article.id not in val_ids)
    if share >= 1.0:
        return set(rest)
    random.Random(seed + 1).shuffle(rest)
    return set(rest[: max(1, round(share * len(rest)))])


def pair_figures(examples: list[PairExample], scores: list[Any], threshold: float) -> dict[str, float]:
    """Pair-level P/R/F1 at a threshold: a pair is predicted positive when its best stance clears it."""
    from backchannel.nlp.decision import verdict

    tp = npred = ngold = 0
    for e, sc in zip(examples, scores, strict=True):
        predicted, _ = verdict(sc.stance, threshold)
        ngold += e.stance != NONE
        npred += predicted != NONE
        tp += predicted != NONE and predicted == e.stance
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return {"threshold": threshold, "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def choose_threshold(examples: list[PairExample], scores: list[Any]) -> dict[str, float]:
    """The threshold of best validation F1 among those where precision is at least recall (precision
    first: an analyst who sees a wrong signal stops trusting the tool)."""
    table = [pair_figures(examples, scores, t) for t in THRESHOLDS]
    careful = [row for row in table if row["precision"] >= row["recall"]] or table
    return max(careful, key=lambda row: (row["f1"], row["threshold"]))
