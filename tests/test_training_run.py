"""The training recipe's pure parts: article splits, negative sampling, threshold choice, --extra."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from backchannel.errors import BackchannelError
from backchannel.model.examples import PairExample
from backchannel.training.run import TrainSettings, check_settings, sample_negatives
from backchannel.training.selection import (
    card_split,
    choose_threshold,
    fitting_ids,
    pair_figures,
    split_articles,
)


@dataclass
class S:
    stance: dict


def probs(stance: str, p: float) -> S:
    rest = (1 - p) / 6
    d = {k: rest for k in ("none", "open", "refuses", "proposes", "agrees", "urges", "opposes")}
    d[stance] = p
    return S(d)


def test_validation_articles_are_whole_articles_and_seeded():
    ids = [f"a{i}" for i in range(40)]
    val = split_articles(ids, 0.15, seed=13)
    assert len(val) == 6 and val == split_articles(list(reversed(ids)), 0.15, seed=13)
    assert val != split_articles(ids, 0.15, seed=14)


def test_fitting_shares_are_seeded_nested_and_never_touch_validation():
    """A learning curve's points differ only in how many articles they fit on."""
    golds = [SimpleNamespace(article=SimpleNamespace(id=f"a{i:02d}", kind="talks")) for i in range(40)]
    val = split_articles([g.article.id for g in golds], 0.15, seed=13)
    everything = fitting_ids(golds, val, 1.0, seed=13)
    assert everything == {g.article.id for g in golds} - val
    quarter, half = fitting_ids(golds, val, 0.25, seed=13), fitting_ids(golds, val, 0.5, seed=13)
    assert (len(quarter), len(half)) == (8, 17)  # of the 34 fitting articles
    assert quarter < half < everything and not half & val
    assert quarter == fitting_ids(list(reversed(golds)), val, 0.25, seed=13)
    assert quarter != fitting_ids(golds, val, 0.25, seed=14)
    # a folder's parts are refitted on the articles its card says it was fitted on
    assert card_split(golds, {"seed": 13, "val_share": 0.15, "fit_share": 0.25}) == (quarter, val)
    assert card_split(golds, {"seed": 13, "val_share": 0.15}) == (everything, val)  # a card before --fit-share


def test_negative_sampling_keeps_every_positive_and_the_ratio():
    ex = [PairExample("a", str(i), "urges" if i % 10 == 0 else "none") for i in range(100)]
    kept = sample_negatives(ex, 2.0, seed=1)
    assert sum(e.stance == "urges" for e in kept) == 10 and sum(e.stance == "none" for e in kept) == 20
    assert kept == sample_negatives(ex, 2.0, seed=1)
    assert [int(e.text_b) for e in kept] == sorted(int(e.text_b) for e in kept)  # original order


def test_hard_negatives_are_other_holders_of_sentences_that_hold_a_signal_up_to_half_the_budget():
    """Ten signal sentences, each with its signal's holder and four other holders; ninety other sentences."""
    ex = []
    for k in range(10):
        ex.append(PairExample("Egypt ; named", f"«Egypt» urged a truce {k}.", "urges", article="a"))
        ex += [PairExample(f"other{j} ; named", f"Egypt urged a truce {k}.", "none", article="a") for j in range(4)]
    ex += [PairExample("Egypt ; named", f"Nothing here {k}.", "none", article="a") for k in range(90)]
    kept = sample_negatives(ex, 2.0, seed=1, hard=True)
    negatives = [e for e in kept if e.stance == "none"]
    beside = [e for e in negatives if e.text_b.startswith("Egypt urged")]
    assert sum(e.stance == "urges" for e in kept) == 10 and len(negatives) == 20
    assert len(beside) == 10  # half the budget from the signal sentences' other holders: 40 were on offer
    assert kept == sample_negatives(ex, 2.0, seed=1, hard=True)
    plain = [e for e in sample_negatives(ex, 2.0, seed=1) if e.stance == "none"]
    assert sum(e.text_b.startswith("Egypt urged") for e in plain) < 10  # 40 of 130 none pairs: about 6 by chance


def test_pair_figures_need_the_right_stance_and_the_threshold_is_precision_first():
    gold = [PairExample("a", "b", s) for s in ("urges", "urges", "open", "none", "none")]
    scores = [probs("urges", 0.9), probs("agrees", 0.6), probs("open", 0.45), probs("urges", 0.5), probs("none", 0.9)]
    at_04 = pair_figures(gold, scores, 0.4)
    assert (at_04["precision"], at_04["recall"]) == (0.5, round(2 / 3, 3))
    chosen = choose_threshold(gold, scores)
    assert chosen["precision"] >= chosen["recall"]


def test_impossible_settings_are_one_clear_error(tmp_path: Path):
    settings = TrainSettings(corpus=tmp_path, annotations=tmp_path, out=tmp_path, epochs=0, negatives=-1)
    with pytest.raises(BackchannelError, match="--epochs, --negatives"):
        check_settings(settings)
    for share in (0.0, 1.5):
        with pytest.raises(BackchannelError, match="--fit-share"):
            check_settings(TrainSettings(corpus=tmp_path, annotations=tmp_path, out=tmp_path, fit_share=share))


def test_extra_annotations_never_bring_dev_articles_into_training(tmp_path: Path, monkeypatch):
    from backchannel.corpus.anchor import anchor
    from backchannel.corpus.annotations import dump_annotation
    from backchannel.corpus.texts import load_corpus
    from backchannel.training import run

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"id": f"abp-{split}{i}", "kind": "talks", "split": split, "title": "", "outlet": "", "published": "",
             "url": "", "text": f"Text {split} {i}: Hamas accepted the truce."} for split in ("train", "dev")
            for i in range(2)]
    (corpus / "annotate.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    articles = load_corpus(corpus)
    main, extra = tmp_path / "main", tmp_path / "extra"
    for folder, ids in ((main, ["abp-train0", "abp-train1", "abp-dev0"]), (extra, ["abp-train1", "abp-dev1"])):
        folder.mkdir()
        for aid in ids:
            ann, _ = anchor({"id": aid, "annotator": folder.name, "signals": []}, articles[aid])
            (folder / f"{aid}.json").write_text(dump_annotation(ann))
    seen: dict[str, list[str]] = {}

    def stop(golds, settings):
        seen["ids"] = sorted(g.article.id for g in golds)
        seen["readers"] = sorted(json.loads(g.path.read_text())["annotators"][0] for g in golds)
        raise RuntimeError("stop")

    monkeypatch.setattr(run, "check_settings", lambda s: None)
    monkeypatch.setattr(run, "labelled_pairs", stop)
    with pytest.raises(RuntimeError, match="stop"):
        run.train(TrainSettings(corpus=corpus, annotations=main, out=tmp_path / "out", extra=[extra]))
    assert seen["ids"] == ["abp-train0", "abp-train1"]
    assert seen["readers"] == ["extra", "main"]  # the corrected reading replaces the original


def test_stream_articles_never_move_the_corpus_validation_articles():
    from types import SimpleNamespace

    from backchannel.training.selection import validation_ids

    def gold(aid: str, kind: str) -> SimpleNamespace:
        return SimpleNamespace(article=SimpleNamespace(id=aid, kind=kind))

    corpus = [gold(f"abp-c{i:03d}", "talks") for i in range(40)]
    stream = [gold(f"abp-s{i:03d}", "stream") for i in range(20)]
    alone = validation_ids(corpus, 0.15, seed=13)
    assert alone == split_articles([g.article.id for g in corpus], 0.15, seed=13)
    both = validation_ids(corpus + stream, 0.15, seed=13)
    assert both & alone == alone and len(both - alone) == 3
    assert all(a.startswith("abp-s") for a in both - alone)
