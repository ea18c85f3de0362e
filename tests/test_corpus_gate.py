"""The quality gate on real news: the extractor on the annotated dev split must hold the floors.

The floors (``eval/dev_floors.json``) are pinned to a digest of the annotation files and of the
corpus, so a figure is only ever compared with a floor measured on the same data; lowering a floor
needs ``backchannel eval --pin-floors --allow-regression REASON``, which records the reason.
Needs ``$BACKCHANNEL_CORPUS`` (skipped without it, failed under CI=true).
"""

from __future__ import annotations

from pathlib import Path

from backchannel.corpus import floors as gate
from backchannel.corpus.commands import predict_with
from backchannel.corpus.evaluate import evaluate_corpus, format_corpus_report
from backchannel.corpus.gold import load_split, split_digest
from backchannel.jobs.extractor import Extractor
from corpus_env import corpus_or_skip

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "corpus" / "annotations"
FLOORS = ROOT / "eval" / "dev_floors.json"


def test_dev_split_meets_the_pinned_floors():
    corpus = corpus_or_skip()
    golds = load_split(corpus, ANNOTATIONS, "dev")
    # the default extractor, whatever decides by default (model.choice): the gate measures what users get
    result = evaluate_corpus(golds, predict_with(Extractor()), split="dev")
    result.digest = split_digest(corpus, golds)
    failures = gate.check(result, gate.read_floors(FLOORS))
    assert not failures, "\n".join(failures) + "\n\n" + format_corpus_report(result)


def test_the_streams_dev_half_meets_its_pinned_floors():
    """Precision on a political news stream, where most articles are not about a war: the stream's dev
    half (``eval/stream_dev_floors.json``), with its false signals per article."""
    corpus = corpus_or_skip()
    golds = load_split(corpus, ROOT / "corpus" / "stream-annotations", "dev")
    result = evaluate_corpus(golds, predict_with(Extractor()), split="dev")
    result.digest = split_digest(corpus, golds)
    failures = gate.check(result, gate.read_floors(ROOT / "eval" / "stream_dev_floors.json"))
    assert not failures, "\n".join(failures) + "\n\n" + format_corpus_report(result)


def test_every_dev_article_is_annotated():
    corpus = corpus_or_skip()
    golds = load_split(corpus, ANNOTATIONS, "dev")
    assert len(golds) == 83
    assert len(load_split(corpus, ANNOTATIONS, "train")) >= 250


def test_the_streams_dev_half_is_annotated_for_measuring_and_never_trained_on():
    """Both halves of the stream are annotated; the dev half is where precision on a news stream is
    measured, so ``train --extra corpus/stream-annotations`` must never see one of its articles."""
    from backchannel.training.dataset import with_extra

    corpus = corpus_or_skip()
    folder = ROOT / "corpus" / "stream-annotations"
    golds = load_split(corpus, folder, "all")
    assert {g.article.kind for g in golds} == {"stream"}
    assert {g.article.split for g in golds} == {"train", "dev"}
    trained = with_extra([], corpus, [folder])
    assert trained and {g.article.split for g in trained} == {"train"}
