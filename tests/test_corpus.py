"""The corpus tools on a small corpus written here: anchoring, checking, scoring, agreement, floors.

These run without the shared corpus; the real-news gate itself is tests/test_corpus_gate.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.cli.commands import main
from backchannel.corpus import floors as gate
from backchannel.corpus.agreement import agreement
from backchannel.corpus.anchor import anchor
from backchannel.corpus.annotations import check_annotation, dump_annotation, materialize
from backchannel.corpus.evaluate import evaluate_corpus, stance_pairs
from backchannel.corpus.gold import load_split, split_digest
from backchannel.corpus.spans import TextIndex
from backchannel.corpus.texts import CorpusArticle, load_corpus, text_sha256

TALKS = ("The Northern Front said on Monday it was ready for talks with the government.\n\n"
         "“We will never sign a truce while the shelling goes on,” the army chief said. "
         "Norway urged both sides to meet in Oslo.")
DECOY = "The two supermarket chains agreed a truce in their price war, the companies said."


def _article(aid: str, text: str, kind: str, split: str) -> dict:
    return {"id": aid, "kind": kind, "split": split, "title": "t", "outlet": "Desk",
            "published": "2015-03-04", "url": "", "text": text}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    rows = [_article("abp-talks0000001", TALKS, "talks", "dev"),
            _article("abp-decoy0000001", DECOY, "decoy", "dev"),
            _article("abp-train0000001", TALKS + " Extra.", "talks", "train")]
    (folder / "annotate.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def _signal(sid: str, actor: str, stance: str, evidence: str, **extra) -> dict:
    return {"id": sid, "actor": actor, "aliases": [actor], "stance": stance, "topic": "talks",
            "channel": "public", "terms": [], "when": "2015-03", "sources": [], "evidence": evidence,
            "evidence_alt": [], **extra}


DRAFT = {"id": "abp-talks0000001", "annotator": "r1", "attributions_annotated": True,
         "signals": [_signal("s1", "Northern Front", "open", "it was ready for talks with the government"),
                     _signal("s2", "army chief", "refuses",
                             '"We will never sign a truce while the shelling goes on,"',
                             terms=["while the shelling goes on"]),
                     _signal("s3", "Norway", "urges", "Norway urged both sides to meet in Oslo.")],
         "attributions": [{"speaker": "army chief", "aliases": ["army chief"], "speaker_kind": "anonymous",
                           "cue": "said", "kind": "direct", "via": [],
                           "content": "We will never sign a truce while the shelling goes on,"}]}


def _write_annotations(corpus: Path, folder: Path, drafts: list[dict]) -> None:
    articles = load_corpus(corpus)
    folder.mkdir(parents=True, exist_ok=True)
    for draft in drafts:
        annotation, problems = anchor(draft, articles[draft["id"]])
        assert not problems
        (folder / f"{draft['id']}.json").write_text(dump_annotation(annotation), encoding="utf-8")


def test_text_index_folds_typography_and_maps_back_exactly():
    text = "He said: “We are  ready\nfor talks” — today."
    index = TextIndex(text)
    start, end = index.find('"We are ready for talks" - today')
    assert text[start:end] == "“We are  ready\nfor talks” — today"
    assert index.find("not in it") is None
    assert index.find("ready", near=len(text)) == (text.index("ready"), text.index("ready") + 5)


def test_anchor_keeps_spans_not_text_and_materializes_back(corpus):
    article = load_corpus(corpus)["abp-talks0000001"]
    annotation, problems = anchor(DRAFT, article)
    assert problems == []
    assert annotation["sha256"] == text_sha256(TALKS)
    stored = dump_annotation(annotation)
    assert "ready for talks" not in stored and "shelling" not in stored  # no text in the file
    assert check_annotation(Path("abp-talks0000001.json"), annotation, article) == []
    gold = materialize(annotation, article)
    assert gold["signals"][1]["evidence"] == "“We will never sign a truce while the shelling goes on,”"
    assert gold["signals"][1]["terms"] == ["while the shelling goes on"]
    assert gold["attributions"][0]["content"].startswith("We will never sign")


def test_anchor_reports_a_quote_that_is_not_in_the_text(corpus):
    article = load_corpus(corpus)["abp-talks0000001"]
    draft = {**DRAFT, "signals": [_signal("s1", "Norway", "urges", "Norway urged a summit in Bergen")]}
    _, problems = anchor(draft, article)
    assert problems == ["signal s1.evidence: not found in the text: 'Norway urged a summit in Bergen'"]


def test_check_names_every_problem(corpus):
    article = load_corpus(corpus)["abp-talks0000001"]
    annotation, _ = anchor(DRAFT, article)
    bad = json.loads(json.dumps(annotation))
    bad["sha256"] = "0" * 64
    bad["signals"][0]["stance"] = "maybe"
    bad["signals"][1]["evidence"] = [5, len(TALKS) + 10]
    bad["signals"][2]["actor"] = "x" * 300
    bad["signals"].append(dict(bad["signals"][0], id="s9", stance="open"))
    bad["signals"][0]["when"] = "2015-13"
    lines = [str(p) for p in check_annotation(Path("abp-talks0000001.json"), bad, article)]
    assert any("sha256: does not match" in x for x in lines)
    assert any("signal s1.stance: 'maybe' is not one of" in x for x in lines)
    assert any("s2.evidence: span [5, " in x and "ends after the text" in x for x in lines)
    assert any("s3.actor: longer than 100 characters" in x for x in lines)
    assert any("signal s1.when: '2015-13'" in x for x in lines)
    dup = dict(annotation["signals"][0], id="s9")
    lines = [str(p) for p in check_annotation(
        Path("abp-talks0000001.json"), {**annotation, "signals": [annotation["signals"][0], dup]}, article)]
    assert lines == ["abp-talks0000001.json: signal s9: duplicate of signal s1 (same actor, stance and evidence)"]


def test_corpus_check_command_exits_1_with_one_line_per_problem(corpus, tmp_path, capsys):
    folder = tmp_path / "ann"
    _write_annotations(corpus, folder, [DRAFT])
    assert main(["corpus", "check", str(folder), "--corpus", str(corpus)]) == 0
    data = json.loads((folder / "abp-talks0000001.json").read_text())
    data["signals"][0]["channel"] = "radio"
    data["signals"][1]["topic"] = "war"
    (folder / "abp-talks0000001.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["corpus", "check", str(folder), "--corpus", str(corpus)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and "s1.channel: 'radio'" in out[0] and "s2.topic: 'war'" in out[1]


def test_stance_pairs_put_wrong_stances_and_misses_in_the_table():
    gold = [_signal("s1", "Norway", "urges", "Norway urged both sides to meet"),
            _signal("s2", "Hamas", "agrees", "Hamas accepted the truce")]
    pred = [{"actor": "Norway", "stance": "open", "evidence": "Norway urged both sides to meet in Oslo."},
            {"actor": "Israel", "stance": "refuses", "evidence": "Israel said no."}]
    assert sorted(stance_pairs(gold, pred)) == [("agrees", "none"), ("none", "refuses"), ("urges", "open")]


def _predictions(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_scores_a_saved_run_with_false_signals_per_kind(corpus, tmp_path, capsys):
    folder = tmp_path / "ann"
    _write_annotations(corpus, folder, [DRAFT, {"id": "abp-decoy0000001", "annotator": "r1",
                                                "attributions_annotated": False, "signals": []}])
    pred = _predictions(tmp_path, [
        {"id": "abp-talks0000001", "signals": [
            {"actor": "Northern Front", "stance": "open", "channel": "public", "when": "2015-03-02",
             "evidence": "The Northern Front said on Monday it was ready for talks with the government."},
            {"actor": "Norway", "stance": "proposes", "evidence": "Norway urged both sides to meet in Oslo."}],
         "attributions": []},
        {"id": "abp-decoy0000001", "signals": [
            {"actor": "supermarket chains", "stance": "agrees", "evidence": DECOY}], "attributions": []}])
    assert main(["eval", "--corpus", str(corpus), "--annotations", str(folder), "--predictions", str(pred),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 2
    assert report["signals"]["matched"] == 1 and report["signals"]["gold"] == 3
    assert report["signals"]["predicted"] == 3 and report["signals"]["precision"] == pytest.approx(1 / 3, abs=1e-3)
    assert report["false_signals"]["decoy"] == {"articles": 1, "false_signals": 1, "per_article": 1.0}
    assert report["false_signals"]["talks"]["false_signals"] == 1
    assert report["stance_confusion"]["urges"]["proposes"] == 1
    assert report["stance_confusion"]["refuses"]["none"] == 1
    assert report["attributions"]["articles"] == 1 and report["attributions"]["gold"] == 1
    assert report["digest"]["articles"] == "2"


def test_eval_refuses_a_run_that_misses_an_article(corpus, tmp_path, capsys):
    folder = tmp_path / "ann"
    _write_annotations(corpus, folder, [DRAFT])
    pred = _predictions(tmp_path, [{"id": "abp-other", "signals": []}])
    assert main(["eval", "--corpus", str(corpus), "--annotations", str(folder), "--predictions", str(pred)]) == 2
    assert "no prediction for abp-talks0000001" in capsys.readouterr().err


def test_load_split_keeps_the_split_and_refuses_a_broken_file(corpus, tmp_path):
    folder = tmp_path / "ann"
    train_draft = {**DRAFT, "id": "abp-train0000001"}
    _write_annotations(corpus, folder, [DRAFT, train_draft])
    assert [g.article.id for g in load_split(corpus, folder, "dev")] == ["abp-talks0000001"]
    assert len(load_split(corpus, folder, "all")) == 2
    (folder / "abp-train0000001.json").write_text("{}")
    with pytest.raises(Exception, match="abp-train0000001.json"):
        load_split(corpus, folder, "dev")


def test_agreement_of_two_readings(corpus, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    _write_annotations(corpus, first, [DRAFT])
    other = json.loads(json.dumps(DRAFT))
    other["signals"][2]["stance"] = "proposes"
    _write_annotations(corpus, second, [other])
    report = agreement(first, second, load_corpus(corpus))
    assert report["articles"] == 1 and report["dev_articles"] == 1
    assert report["matched"] == 2
    assert report["f1_b_against_a"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["stance_confusion"]["urges"]["proposes"] == 1


def _report(corpus: Path, folder: Path, signals: list[dict]):
    golds = load_split(corpus, folder, "dev")

    def predict(items):
        for g in items:
            yield g, {"signals": signals if g.article.kind == "talks" else [], "attributions": []}

    result = evaluate_corpus(golds, predict)
    result.digest = split_digest(corpus, golds)
    return result


def test_floors_pin_check_and_refuse_a_silent_regression(corpus, tmp_path):
    folder = tmp_path / "ann"
    _write_annotations(corpus, folder, [DRAFT])
    good = [{"actor": "Norway", "stance": "urges", "channel": "public", "when": "2015-03",
             "evidence": "Norway urged both sides to meet in Oslo."},
            {"actor": "Northern Front", "stance": "open", "channel": "public", "when": "2015-03",
             "evidence": "it was ready for talks with the government"}]
    data, refusals = gate.pin(_report(corpus, folder, good), None)
    assert refusals == [] and data["floors"]["signals"]["precision"] == 0.99
    assert gate.check(_report(corpus, folder, good), data) == []
    worse = _report(corpus, folder, good[:1])
    assert any(x.startswith("signals.recall 0.333 < floor") for x in gate.check(worse, data))
    kept, refusals = gate.pin(worse, data)
    assert refusals and kept["floors"] == data["floors"]  # not lowered without the switch
    lowered, refusals = gate.pin(worse, data, allow_regression="annotations re-adjudicated")
    assert refusals == [] and gate.check(worse, lowered) == []
    assert {e["metric"] for e in lowered["lowered"]} >= {"signals.recall", "signals.f1"}
    by_hand = json.loads(json.dumps(data))
    by_hand["floors"]["signals"]["f1"] = 0.2  # lowered by editing the file, with no record
    assert any("no 'lowered' record" in x for x in gate.check(_report(corpus, folder, good), by_hand))


def test_floors_fail_when_the_annotations_change(corpus, tmp_path):
    folder = tmp_path / "ann"
    _write_annotations(corpus, folder, [DRAFT])
    data, _ = gate.pin(_report(corpus, folder, []), None)
    changed = json.loads(json.dumps(DRAFT))
    changed["signals"] = changed["signals"][:2]
    _write_annotations(corpus, folder, [changed])
    failures = gate.check(_report(corpus, folder, []), data)
    assert any(x.startswith("digest: annotations") for x in failures)


def test_corpus_article_digest_is_the_id_scheme():
    article = CorpusArticle(id="x", text="abc")
    assert article.sha256 == text_sha256("abc")


def test_stream_figures_and_seeded_sample():
    from backchannel.corpus.stream import run_stream, sample_signals

    war = CorpusArticle(id="w", text="Intro.\n\nThe rebels said they were ready for talks.\n\nMore.", title="W")
    quiet = CorpusArticle(id="q", text="Rates rose.", title="Q")
    signal = {"actor": "rebels", "stance": "open", "evidence": "The rebels said they were ready for talks.",
              "evidence_span": [8, 50]}
    run = run_stream([(war, {"about_war": True, "signals": [signal, dict(signal, stance="agrees")]}),
                      (quiet, {"about_war": False, "signals": []})] * 2)
    assert run.figures() == {"articles": 4, "signals": 4, "signals_per_100_articles": 100.0,
                             "scan_pass_share": 0.5, "articles_with_signals": 1}
    first, again = sample_signals(run, 3, seed=5), sample_signals(run, 3, seed=5)
    assert first == again and len(first) == 3
    assert first[0]["context"].startswith("Intro.") and "More." not in first[0]["context"]


def test_corpus_stream_command_runs_the_extractor(corpus, tmp_path, capsys):
    rows = [_article("s1", "Hamas said on Monday it was ready for ceasefire talks with Israel, "
                     "after a week of shelling killed dozens of troops.", "", ""),
            _article("s2", "The central bank raised interest rates again on Tuesday.", "", "")]
    (corpus / "stream.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "sample.json"
    # the plumbing under test, with the rules: whether the shipped model finds this one sentence is a
    # question for the dev figures, not for this test
    assert main(["corpus", "stream", "--corpus", str(corpus), "--json", "--sample", "5",
                 "--sample-out", str(out), "--signal-model", "rules"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["articles"] == 2 and figures["scan_pass_share"] == 0.5
    assert figures["signals"] >= 1 and len(json.loads(out.read_text())) == figures["signals"]


def _stream_rows(ids_texts: list[tuple[str, str]]) -> str:
    return "".join(json.dumps(_article(aid, text, "stream", "")) + "\n" for aid, text in ids_texts)


def test_stream_articles_have_a_half_fixed_by_their_id_and_can_be_annotated(corpus, tmp_path):
    from backchannel.corpus.texts import stream_split

    assert stream_split("abp-00000000000a") == "train" and stream_split("abp-00000000000b") == "dev"
    (corpus / "stream.jsonl").write_text(_stream_rows([("abp-stream000000", DECOY), ("abp-stream000001", TALKS)]),
                                         encoding="utf-8")
    articles = load_corpus(corpus)
    assert {a: articles[a].split for a in ("abp-stream000000", "abp-stream000001")} == {
        "abp-stream000000": "train", "abp-stream000001": "dev"}
    assert "abp-talks0000001" in articles  # the annotated corpus is still read
    assert set(load_corpus(corpus, "stream.jsonl")) == {"abp-stream000000", "abp-stream000001"}
    folder = tmp_path / "stream-ann"
    _write_annotations(corpus, folder, [{**DRAFT, "id": "abp-stream000001"},
                                        {"id": "abp-stream000000", "annotator": "r1", "signals": [],
                                         "attributions": [], "attributions_annotated": False}])
    # the dev half is for measuring: a training load never sees it, and the digest names the stream file
    assert [g.article.id for g in load_split(corpus, folder, "train")] == ["abp-stream000000"]
    assert "stream" in split_digest(corpus, load_split(corpus, folder, "all"))
    _write_annotations(corpus, tmp_path / "ann", [DRAFT])
    assert "stream" not in split_digest(corpus, load_split(corpus, tmp_path / "ann", "all"))


def test_corpus_stream_command_runs_on_one_half(corpus, capsys):
    quiet = "The central bank raised interest rates again on Tuesday."
    (corpus / "stream.jsonl").write_text(_stream_rows([("abp-stream000000", quiet), ("abp-stream000001", quiet),
                                                       ("abp-stream000003", quiet)]), encoding="utf-8")
    counts = {}
    for half in ("all", "train", "dev"):
        assert main(["corpus", "stream", "--corpus", str(corpus), "--json", "--split", half,
                     "--signal-model", "rules"]) == 0
        counts[half] = json.loads(capsys.readouterr().out)["articles"]
    assert counts == {"all": 3, "train": 1, "dev": 2}
