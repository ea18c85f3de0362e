"""Ingest end to end: idempotent, crash-safe, bad documents recorded; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backchannel.jobs.extractor import extractor_version
from backchannel.jobs.ingest import ingest, reprocess
from backchannel.records import Article
from backchannel.store import Status, open_store
from fixtures.ingest.make_corpus import write_corpus

PG_URL = os.environ.get("BACKCHANNEL_TEST_PG", "")



@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ingest.db")
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("BACKCHANNEL_TEST_PG is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("BACKCHANNEL_TEST_PG not set (run .ci/postgres.sh start)")
    from psycopg import connect

    with connect(PG_URL, autocommit=True) as conn:  # a clean schema for each test
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return PG_URL


def never_called():
    raise AssertionError("nothing new to extract: the model must not be loaded")


def test_ingest_stores_once_and_records_bad_documents(db_url: str, tmp_path: Path, extractor):
    folder = tmp_path / "in"
    paths = write_corpus(folder, copies=2)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    with open_store(db_url) as store:
        first = ingest([str(folder)], store, extractor)
        assert first.stored == len(paths)
        assert first.errors == 2 and first.exit_status == 1
        assert {e["source"] for e in store.errors()} >= {str(folder / "empty.txt"), str(folder / "broken.json")}
        assert first.signals > 0
        n_signals = store.counts()["signals"]
        again = ingest([str(folder)], store, never_called)
        assert again.stored == 0 and again.duplicates == len(paths)
        assert store.counts()["articles"] == len(paths)
        assert store.counts()["signals"] == n_signals


def test_changed_text_at_the_same_url_is_a_new_version(db_url: str, tmp_path: Path, extractor):
    path = write_corpus(tmp_path / "in", copies=1)[0]
    with open_store(db_url) as store:
        ingest([str(path)], store, extractor)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["text"] += "\n\nUpdate: the talks were postponed."
        path.write_text(json.dumps(data), encoding="utf-8")
        summary = ingest([str(path)], store, extractor)
        assert summary.new_versions == 1
        assert store.counts()["articles"] == 2


def test_reprocess_replaces_extractions_of_another_version(db_url: str, tmp_path: Path, extractor):
    paths = write_corpus(tmp_path / "in", copies=1)
    from backchannel.read import read_path

    with open_store(db_url) as store:
        run = store.begin_run("0.0.1")
        for p in paths:
            result = extractor.extract(read_path(p))
            result.signals = result.signals[:1]  # what an older, weaker extractor stored
            assert store.save(result, run, "0.0.1").status == Status.NEW
        before = store.counts()["signals"]
        summary = reprocess(store, extractor)
        assert summary.stored == len(paths)
        assert store.counts()["signals"] > before
        assert list(store.articles_needing(extractor_version())) == []


def test_a_change_to_the_extraction_code_is_a_new_extractor_version(tmp_path: Path, monkeypatch):
    """A rule changed in the code, with no release, must still make the stored articles due for reprocess."""
    import backchannel.jobs.extractor as extractor_module

    package = tmp_path / "rules_under_test"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "decide.py").write_text("THRESHOLD = 0.5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(extractor_module, "EXTRACTION_CODE", ("rules_under_test",))
    extractor_version.cache_clear()
    before = extractor_version()
    (package / "decide.py").write_text("THRESHOLD = 0.6\n")
    extractor_version.cache_clear()
    after = extractor_version()
    extractor_version.cache_clear()
    assert before != after and before.split("+")[2:] == after.split("+")[2:]  # the data digest moved, nothing else


def test_cli_ingest_query_show_export(db_url: str, tmp_path: Path):
    folder = tmp_path / "in"
    write_corpus(folder, copies=1)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "backchannel", *args, "--db", db_url],
                              capture_output=True, text=True, timeout=600)

    ing = run("ingest", str(folder), "--no-progress")
    assert ing.returncode == 0, ing.stderr
    assert "4 articles read, 4 stored" in ing.stderr
    table = run("signals", "--format", "json")
    rows = json.loads(table.stdout)
    assert rows and {"actor", "stance", "topic", "channel", "when", "sources", "evidence"} <= set(rows[0])
    only = json.loads(run("signals", "--stance", rows[0]["stance"], "--format", "json").stdout)
    assert only and all(r["stance"] == rows[0]["stance"] for r in only)
    show = run("show", str(rows[0]["id"]))
    assert show.returncode == 0 and rows[0]["actor"] in show.stdout
    bad_date = run("signals", "--since", "last week")
    assert bad_date.returncode == 2 and "--since" in bad_date.stderr
    out = tmp_path / "signals.csv"
    exp = run("export", "--format", "csv", "--to", str(out))
    assert exp.returncode == 0, exp.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows) + 1
    actors = run("actors", "--format", "json")
    assert {a["name"] for a in json.loads(actors.stdout)} >= {r["actor"] for r in rows}
    timeline = run("timeline", rows[0]["actor"], "--format", "json", "--plot", str(tmp_path / "t.png"))
    assert timeline.returncode == 0, timeline.stderr
    assert {p["actor"] for p in json.loads(timeline.stdout)} == {rows[0]["actor"]}
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    for report in ("divergence", "corroboration"):
        out = run(report, "--format", "json")
        assert out.returncode == 0, out.stderr
        assert isinstance(json.loads(out.stdout), list)
    claims = json.loads(run("corroboration", "--format", "json").stdout)
    assert sum(len(c["signal_ids"]) for c in claims) == len([r for r in rows if r["date"]])


def test_exit_status_2_when_nothing_could_be_read(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "backchannel", "ingest", str(bad), "--db", str(tmp_path / "x.db"),
                           "--no-progress"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "bad.json" in proc.stderr


def _stored_count(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_sigkill_at_random_points_loses_nothing_committed(tmp_path: Path, extractor):
    """Kill `backchannel ingest` with SIGKILL 10 times, each time at a random moment after it has
    committed more articles, then let it finish: every article is stored exactly once and every
    stored article has all of its signals."""
    folder = tmp_path / "in"
    paths = write_corpus(folder, copies=80)
    db = tmp_path / "kill.db"
    cmd = [sys.executable, "-m", "backchannel", "ingest", str(folder), "--db", str(db), "--no-progress",
           "--batch-size", "2"]
    rng = random.Random(20261125)
    counts = [0]
    for _ in range(10):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _stored_count(db) <= counts[-1] and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until this run has committed something new
        time.sleep(rng.uniform(0.0, 0.4))  # then kill it anywhere: mid-parse, mid-transaction, between
        assert proc.poll() is None, "the corpus finished before it could be interrupted 10 times"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(_stored_count(db))
    assert counts[-1] > counts[1] > 0, counts  # the kills landed while articles were being committed
    assert counts[-1] < len(paths)
    final = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, final.stderr
    from backchannel.read import read_path

    with open_store(str(db)) as store:
        assert store.counts()["articles"] == len(paths)
        all_stored = store.signals()
        for p in paths:
            expected = extractor.extract(read_path(p))
            stored = [s for s in all_stored if s["url"] == expected.article.url]
            assert len(stored) == len(expected.signals), p.name
            assert sorted((s["actor"], s["stance"]) for s in stored) == sorted(
                (s.actor, s.stance) for s in expected.signals)


def test_article_from_another_source_kind_is_the_same_article(tmp_path: Path, extractor):
    """A JSONL dump holding an article already ingested from a file does not duplicate it."""
    path = write_corpus(tmp_path / "in", copies=1)[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(data) + "\n", encoding="utf-8")
    with open_store(str(tmp_path / "same.db")) as store:
        ingest([str(path)], store, extractor)
        second = ingest([str(dump)], store, never_called)
        assert second.duplicates == 1 and store.counts()["articles"] == 1


def test_article_record_kept_whole(tmp_path: Path, extractor):
    text = "The war goes on. Hamas said on Monday it was ready for a ceasefire in Gaza."
    with open_store(str(tmp_path / "whole.db")) as store:
        run = store.begin_run(extractor_version())
        outcome = store.save(extractor.extract(Article(text=text, published="2025-01-13", outlet="Desk")), run,
                             extractor_version())
        stored = store.article(outcome.article_id)
        assert stored["text"] == text and stored["published"] == "2025-01-13"


def test_ingest_parquet_results_stores_them_without_extracting(tmp_path: Path, extractor):
    """`spark-extract` output (or any results file) goes into the store as it is: no second extraction."""
    from backchannel.jobs.results_io import write_results
    from backchannel.read import read_path

    paths = write_corpus(tmp_path / "in", copies=1)
    results = [extractor.extract(read_path(p)) for p in paths]
    out = tmp_path / "results.parquet"
    write_results([*results, ("broken.jsonl:3", "invalid JSON")], out, extractor_version=extractor_version())
    with open_store(str(tmp_path / "pq.db")) as store:
        summary = ingest([str(out)], store, never_called)
        assert summary.stored == len(paths) and summary.errors == 1
        assert store.counts()["signals"] == sum(len(r.signals) for r in results)
        again = ingest([str(out)], store, never_called)
        assert again.stored == 0 and again.duplicates == len(paths)
