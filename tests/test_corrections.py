"""Corrections that teach: recorded with who and when, shown and counted as corrected everywhere, kept across
``reprocess``, exported as annotation files that the training loader reads back.

Real SQLite files; the CLI through its ``main()``; the real extractor where a re-extraction is the point.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import builders
from backchannel.analysis import corroboration
from backchannel.cli.commands import main
from backchannel.corpus.annotations import check_annotation, read_annotation
from backchannel.corpus.texts import CorpusArticle, corpus_id
from backchannel.records import ArticleResult
from backchannel.store import MIGRATIONS, open_store
from backchannel.store.dialect import dialect_for
from backchannel.store.store import Store
from backchannel.training.dataset import with_extra

ARTICLE = {
    "title": "Kyiv accepts US truce proposal", "outlet": "Test Desk", "author": "A. Writer",
    "published": "2025-03-12", "url": "https://desk.example/kyiv-truce",
    "text": ("Ukraine said on Tuesday it was ready to accept a 30-day ceasefire proposed by the United States, "
             "after talks with American officials in Jeddah as the war went on.\n\n"
             "“We are ready for peace,” Volodymyr Zelenskyy said in his evening address."),
}

REFUSAL = "Hamas rejected the Egyptian proposal for a truce on Sunday, its spokesman said."
OPENING = "Israel is ready to send a delegation to Cairo for talks, an official said."
MISSED = "Qatar urged both sides to accept a ceasefire before the holiday."
TEXT = f"Gaza truce talks\n\n{REFUSAL}\n\n{OPENING}\n\n{MISSED}"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def gaza_store(path: Path) -> tuple[str, int, int]:
    """A store with one article of two extracted signals; returns (db, refusal id, opening id)."""
    result = builders.result(TEXT, signals=[
        builders.signal(TEXT, REFUSAL, "Hamas", "refuses", "ceasefire", when="2025-03-09"),
        builders.signal(TEXT, OPENING, "Israel", "open", "talks", channel="unknown", when="2025-03-10"),
    ], outlet="Test Desk", published="2025-03-10", url="https://desk.example/gaza")
    with open_store(str(path)) as store:
        store.save(result, None, "1.0")
        ids = {s["actor"]: s["id"] for s in store.signals()}
    return str(path), ids["Hamas"], ids["Israel"]


# ---- the CLI, the real extractor, reprocess ----------------------------------------------------------------
def test_a_cli_correction_is_shown_counted_exported_and_survives_reprocess(tmp_path, capsys):
    source = tmp_path / "kyiv.json"
    source.write_text(json.dumps(ARTICLE), encoding="utf-8")
    db = str(tmp_path / "c.db")
    assert cli(capsys, "ingest", str(source), "--db", db, "--doc-timeout", "0", "--no-progress")[0] == 0
    code, out, _ = cli(capsys, "signals", "--db", db, "--format", "json")
    extracted = json.loads(out)
    assert code == 0 and extracted and not any(s["corrected"] for s in extracted)
    target = extracted[0]
    new_stance = "refuses" if target["stance"] != "refuses" else "open"

    code, out, err = cli(capsys, "correct", str(target["id"]), "--stance", new_stance, "--channel", "private",
                         "--by", "ana", "--note", "the sentence is a refusal", "--db", db)
    assert code == 0, err
    assert out.strip() == (f"signal {target['id']} corrected by ana: stance {target['stance']} -> {new_stance}, "
                           f"channel {target['channel']} -> private")

    (shown,) = [s for s in json.loads(cli(capsys, "signals", "--db", db, "--format", "json")[1])
                if s["id"] == target["id"]]
    assert (shown["stance"], shown["channel"], shown["corrected"]) == (new_stance, "private", True)
    assert shown["original"] == {"stance": target["stance"], "channel": target["channel"]}
    table = cli(capsys, "signals", "--db", db)[1]
    assert f"{target['id']}* " in table and f"* corrected by an analyst: 1 of {len(extracted)} signals" in table
    assert f"CORRECTED   by an analyst: stance was {target['stance']}" in cli(capsys, "show", str(target["id"]),
                                                                                "--db", db)[1]
    rows = list(csv.DictReader(io.StringIO(cli(capsys, "export", "--format", "csv", "--db", db)[1])))
    assert {r["id"]: r["corrected"] for r in rows}[str(target["id"])] == "true"

    # Reprocess: first an extraction by an older version that lost the signal (the correction is then
    # attached to nothing), then the real re-extraction, which finds it again under a new id.
    with open_store(db) as store:
        store.replace_extraction(target["article_id"], ArticleResult(builders.article(ARTICLE["text"]), [], []),
                                 None, "an-older-version")
        assert store.signals() == [] and store.corrections(target["id"]) == []
    code, _, err = cli(capsys, "reprocess", "--db", db, "--doc-timeout", "0")
    assert code == 0, err
    again = json.loads(cli(capsys, "signals", "--db", db, "--format", "json")[1])
    (same,) = [s for s in again if s["evidence_span"] == target["evidence_span"] and s["actor"] == target["actor"]]
    assert same["id"] != target["id"]
    assert (same["stance"], same["channel"], same["corrected"]) == (new_stance, "private", True)
    with open_store(db) as store:
        kept = store.corrections(same["id"])
    assert [(c["field"], c["author"], c["note"]) for c in kept] == [
        ("stance", "ana", "the sentence is a refusal"), ("channel", "ana", "the sentence is a refusal")]
    assert all(c["created_at"] for c in kept)


@pytest.mark.parametrize(("flags", "message"), [
    (["--when", "2025-02-30"], "error: when: '2025-02-30' is not a real date written YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--stance", "open", "--when", "March"], "error: when: 'March' is not a real date written YYYY, YYYY-MM or "
                                               "YYYY-MM-DD"),
    ([], "error: nothing to correct: give --stance, --topic, --actor, --channel, --when or --not-a-signal"),
    (["--not-a-signal", "--stance", "open"], "error: --not-a-signal: give it alone (a signal that is not one has "
                                             "no right stance)"),
    (["--actor", "x" * 101], "error: actor: a name of 1 to 100 characters"),
])
def test_a_bad_correction_is_one_line_and_records_nothing(tmp_path, capsys, flags, message):
    db, refusal, _ = gaza_store(tmp_path / "g.db")
    code, out, err = cli(capsys, "correct", str(refusal), *flags, "--db", db)
    assert (code, out, err.strip()) == (2, "", message)
    with open_store(db) as store:
        assert store.corrections(refusal) == []


def test_an_unknown_signal_or_database_is_one_line(tmp_path, capsys):
    db, _, _ = gaza_store(tmp_path / "g.db")
    assert cli(capsys, "correct", "424242", "--stance", "open", "--db", db)[2].strip() == "error: no signal with id 424242"
    code, _, err = cli(capsys, "correct", "1", "--stance", "open", "--db", str(tmp_path / "nope.db"))
    assert code == 2 and err.startswith("error: ") and "no such database" in err and "Traceback" not in err


# ---- what a correction changes -----------------------------------------------------------------------------
def test_not_a_signal_is_kept_marked_and_no_longer_corroborates(tmp_path, capsys):
    db, refusal, opening = gaza_store(tmp_path / "g.db")
    assert cli(capsys, "correct", str(refusal), "--not-a-signal", "--by", "ana", "--db", db)[1].strip() == (
        f"signal {refusal} corrected by ana: not a signal")
    with open_store(db) as store:
        rows = {s["id"]: s for s in store.signals()}
        assert rows[refusal]["not_a_signal"] and rows[refusal]["corrected"]
        assert not rows[opening]["corrected"]
        assert store.correction_counts() == {"corrected": 1, "added": 0}
        claimed = {sid for c in corroboration(store) for sid in c.signal_ids}
    assert claimed == {opening}
    table = cli(capsys, "signals", "--db", db)[1]
    assert "NOT SIG" in table and "* corrected by an analyst: 1 of 2 signals (1 marked NOT SIG: not a signal)" in table


def test_a_note_is_not_a_correction_and_a_missed_signal_must_be_in_the_text(tmp_path):
    db, refusal, _ = gaza_store(tmp_path / "g.db")
    with open_store(db) as store:
        store.add_correction(refusal, "", "", "check the date with the desk", "bo")
        assert not store.signals_by_id([refusal])[0]["corrected"]
        assert store.correction_counts() == {"corrected": 0, "added": 0}
        article_id = store.signals_by_id([refusal])[0]["article_id"]
        with pytest.raises(Exception, match="not inside the article's text"):
            store.add_missed_signal(article_id, (len(TEXT) - 5, len(TEXT) + 10),
                                    {"actor": "Qatar", "stance": "urges", "topic": "ceasefire"})
        with pytest.raises(Exception, match="stance: 'hopes' is not one of"):
            store.add_missed_signal(article_id, builders.span_of(TEXT, MISSED),
                                    {"actor": "Qatar", "stance": "hopes", "topic": "ceasefire"})


def test_notes_made_before_the_migration_get_their_keys(tmp_path):
    path = str(tmp_path / "old.db")
    names = [m.name for m in MIGRATIONS]
    old = Store(dialect_for(path), migrations=MIGRATIONS[:names.index("0010_correction_keys")])
    result = builders.result(TEXT, signals=[builders.signal(TEXT, REFUSAL, "Hamas", "refuses", "ceasefire")],
                             published="2025-03-10")
    old.save(result, None, "1.0")
    (sid,) = [s["id"] for s in old.signals()]
    with old._db.transaction():  # what the web app wrote before this migration
        old._db.execute("INSERT INTO corrections (signal_id, field, value, note, created_at) "
                        "VALUES (?, 'actor', '', 'the actor is wrong', '2026-01-01T00:00:00Z')", (sid,))
    old.close()
    with open_store(path) as store:
        assert "0010_correction_keys" in store.migrations_applied
        (note,) = store.corrections(sid)
        assert (note["article_id"], note["actor"], note["note"], note["author"]) == (
            result_signal_article(store, sid), "Hamas", "the actor is wrong", "")
        assert [note["evidence_start"], note["evidence_end"]] == list(builders.span_of(TEXT, REFUSAL))


def result_signal_article(store: Store, sid: int) -> str:
    return store.signals_by_id([sid])[0]["article_id"]


# ---- the annotation export and the training loader ---------------------------------------------------------
def _corpus(tmp_path: Path, *articles: tuple[str, str]) -> Path:
    """A corpus folder whose annotate.jsonl holds ``(text, split)`` articles under the ids the corpus gives."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [json.dumps({"id": corpus_id(text), "kind": "talks", "split": split, "title": "t", "outlet": "o",
                         "published": "2025-03-10", "url": "", "text": text}) for text, split in articles]
    (folder / "annotate.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_corrections_export_as_annotations_that_training_reads_back(tmp_path, capsys):
    db, refusal, opening = gaza_store(tmp_path / "g.db")
    dev_text = "Dev desk\n\n" + REFUSAL
    with open_store(db) as store:
        article_id = store.signals_by_id([refusal])[0]["article_id"]
        store.add_correction(refusal, "stance", "open", "it is an opening", "ana")
        store.add_correction(opening, "not_a_signal", "", "", "bo")
        store.add_missed_signal(article_id, builders.span_of(TEXT, MISSED),
                                {"actor": "Qatar", "stance": "urges", "topic": "ceasefire", "when": "2025-03"},
                                "missed", "ana")
        dev = builders.result(dev_text, signals=[builders.signal(dev_text, REFUSAL, "Hamas", "refuses", "ceasefire")],
                              published="2025-03-10", url="https://desk.example/dev")
        store.save(dev, None, "1.0")
        (dev_signal,) = [s["id"] for s in store.signals(outlet="") if s["evidence"] == REFUSAL and s["id"] != refusal]
        store.add_correction(dev_signal, "channel", "public", "", "ana")
    corpus = _corpus(tmp_path, (TEXT, "train"), (dev_text, "dev"))
    out = tmp_path / "ann"
    code, _, err = cli(capsys, "export", "--format", "annotations", "--out", str(out), "--db", db)
    assert code == 0 and err.strip().endswith("2 annotation files written to " + str(out)), err
    path = out / f"{corpus_id(TEXT)}.json"
    raw = path.read_text(encoding="utf-8")
    assert REFUSAL not in raw and "Gaza truce talks" not in raw  # labels and spans, never the text
    data = read_annotation(path)
    assert check_annotation(path, data, CorpusArticle(corpus_id(TEXT), TEXT)) == []
    assert data["annotators"] == ["ana", "bo"]
    assert [(s["actor"], s["stance"], s["topic"], s["when"]) for s in data["signals"]] == [
        ("Hamas", "open", "ceasefire", "2025-03-09"), ("Qatar", "urges", "ceasefire", "2025-03")]

    golds = with_extra([], corpus, [out])  # what `train --extra DIR` loads; no torch needed
    assert [g.article.id for g in golds] == [corpus_id(TEXT)]  # the dev article's corrections are left out
    gold = golds[0].gold
    assert [(s["actor"], s["stance"], s["evidence"]) for s in gold["signals"]] == [
        ("Hamas", "open", REFUSAL), ("Qatar", "urges", MISSED)]


def test_the_annotation_export_needs_a_folder(tmp_path, capsys):
    db, _, _ = gaza_store(tmp_path / "g.db")
    assert cli(capsys, "export", "--format", "annotations", "--db", db)[2].strip() == (
        "error: --format annotations writes one file per article: give --out DIR")
    (tmp_path / "file").write_text("x")
    code, _, err = cli(capsys, "export", "--format", "annotations", "--out", str(tmp_path / "file"), "--db", db)
    assert code == 2 and "not a folder" in err
