"""Supervised extraction, for real: the real CLI in real processes on real SQLite files.

- Workers die with their parent: SIGKILL the main process of `ingest --workers 2` mid-run and no process
  it started (worker, resource tracker, anything) is left after 5 s; ten times over.
- A run whose process died is marked `interrupted`, with what it had committed, when the next one starts.
- A document slower than --doc-timeout fails alone, with one line naming it and the budget; the good
  documents beside it all come back, in `extract` and in `ingest` (one worker and two).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backchannel.jobs.runs import Owner, is_gone, process, this_process
from backchannel.records import Article
from backchannel.store import open_store
from fixtures.ingest.make_corpus import STORIES
from test_parallel import mixed_articles

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")


def backchannel(*args: str) -> list[str]:
    return [sys.executable, "-m", "backchannel", *args]


def write_feed(path: Path, articles: list[Article]) -> Path:
    path.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in articles), encoding="utf-8")
    return path


def stat_of(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` (children, their children...), with its start time."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := stat_of(int(entry.name))) is not None:
            children.setdefault(st[1], []).append(int(entry.name))
            starts[int(entry.name)] = st[2]
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found[pid] = starts[pid]
        todo.extend(children.get(pid, []))
    return found


def still_running(processes: dict[int, str]) -> list[int]:
    """Those of ``processes`` that still exist as themselves (not reused ids, not zombies)."""
    alive = []
    for pid, started in processes.items():
        st = stat_of(pid)
        if st is not None and st[2] == started and st[0] != "Z":
            alive.append(pid)
    return alive


def stored_articles(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def start_and_kill_mid_run(feed: Path, db: Path, workers: int) -> dict[int, str]:
    """Start `ingest`, wait until its workers run and it has committed an article, SIGKILL its main
    process; return the processes it had started."""
    main = subprocess.Popen(backchannel("ingest", str(feed), "--db", str(db), "--workers", str(workers),
                                        "--batch-size", "2", "--no-progress"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while stored_articles(db) == 0 or len(descendants(main.pid)) < workers:
            assert main.poll() is None, main.stderr.read().decode() if main.stderr else main.returncode
            assert time.monotonic() < deadline, "ingest never got going"
            time.sleep(0.05)
        started = descendants(main.pid)
    finally:
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        if main.stderr:
            main.stderr.close()
    return started


def test_sigkilled_ingest_leaves_no_worker_or_tracker_behind(tmp_path: Path):
    feed = write_feed(tmp_path / "feed.jsonl", mixed_articles(300))
    leftovers = []
    for attempt in range(10):
        started = start_and_kill_mid_run(feed, tmp_path / f"run{attempt}.db", workers=2)
        assert len(started) >= 2, started  # the two workers were there to be left behind
        deadline = time.monotonic() + 5
        while still_running(started) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = still_running(started)
        for pid in left:  # do not leak them into the rest of the session
            os.kill(pid, signal.SIGKILL)
        leftovers.append(left)
    assert leftovers == [[]] * 10


def test_the_portable_watch_ends_a_busy_worker_when_its_connection_closes():
    """The fallback where prctl does not exist: the end of the connection to the parent ends the
    process, while its main thread is busy computing."""
    ours, theirs = socket.socketpair()
    busy = ("import sys\n"
            "from multiprocessing.connection import Connection\n"
            "from backchannel.jobs.lifeline import exit_when_closed\n"
            "exit_when_closed(Connection(int(sys.argv[1])).recv, print)\n"
            "while True:\n    sum(range(10_000))\n")
    child = subprocess.Popen([sys.executable, "-c", busy, str(theirs.fileno())], pass_fds=(theirs.fileno(),))
    theirs.close()
    try:
        time.sleep(1)
        assert child.poll() is None  # busy, and still listening
        ours.close()
        assert child.wait(timeout=10) == 0
    finally:
        child.kill()


def test_an_interrupted_run_is_marked_when_the_next_one_starts(tmp_path: Path):
    feed = write_feed(tmp_path / "feed.jsonl", mixed_articles(120))
    db = tmp_path / "runs.db"
    start_and_kill_mid_run(feed, db, workers=1)
    with open_store(str(db)) as store:
        (killed,) = store.runs()
        committed = store._db.scalar("SELECT COUNT(*) FROM articles WHERE run_id = ?", (killed["id"],))
    assert killed["status"] == "running" and killed["finished_at"] is None and committed >= 1

    again = subprocess.run(backchannel("ingest", str(feed), "--db", str(db), "--no-progress"),
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    with open_store(str(db)) as store:
        second, first = store.runs()
    assert first["id"] == killed["id"] and first["status"] == "interrupted" and first["finished_at"] is None
    assert first["counts"] == {"stored": committed, "errors": 0}
    assert second["status"] == "finished" and second["counts"]["stored"] == 120 - committed
    listing = subprocess.run(backchannel("runs", "--db", str(db)), capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    rows = [line.split() for line in listing.stdout.splitlines()[1:]]
    assert [(r[0], r[1], r[4]) for r in rows] == [(str(second["id"]), "finished", str(120 - committed)),
                                                  (str(first["id"]), "interrupted", str(committed))]


def test_a_live_process_is_not_gone_and_a_dead_one_is():
    assert not is_gone(this_process())
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    owner = process(child.pid)
    assert not is_gone(owner)
    child.stdin.close()  # type: ignore[union-attr]  (it ends when its input does)
    deadline = time.monotonic() + 30
    while not is_gone(owner):  # a zombie (not reaped yet) counts as gone
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.wait()
    assert is_gone(owner)
    reused = Owner(owner.host, owner.boot, os.getpid(), "1")  # our id, another start time: not us
    assert is_gone(reused)
    elsewhere = Owner("another-host", owner.boot, 999_999_999, "1")
    assert not is_gone(elsewhere)  # nothing here can tell


# ---- the per-document budget ---------------------------------------------------------------------------

#: Seconds.  The guard (nlp/guard.py) cuts the long article to 100,000 characters, which still take
#: about 5 s to extract on an idle 2-core machine; a short article takes about 0.1 s alone.
SLOW_BUDGET = 1.0


def long_article_text(chars: int = 400_000) -> str:
    """Ordinary war-news paragraphs, many of them: nothing pathological, just a long parse (the guard
    keeps the first 100,000 characters, which take several times the budget)."""
    paragraphs = [text for _, text in STORIES]
    out, i = [], 0
    while sum(map(len, out)) < chars:
        out.append(f"{paragraphs[i % len(paragraphs)]} (Update {i}.)")
        i += 1
    return "\n\n".join(out)


@pytest.fixture(scope="module")
def slow_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("budget")
    for i, article in enumerate(mixed_articles(6)):
        (folder / f"good{i}.json").write_text(json.dumps(article.to_dict()), encoding="utf-8")
    long = Article(text=long_article_text(), title="A very long dispatch", outlet="Test Desk",
                   published="2025-03-15", url="https://t.example/long")
    (folder / "good3-long.json").write_text(json.dumps(long.to_dict()), encoding="utf-8")
    return folder


def test_extract_fails_the_slow_document_alone(slow_folder: Path):
    proc = subprocess.run(backchannel("extract", str(slow_folder), "--format", "jsonl", "--doc-timeout", str(SLOW_BUDGET)),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1 and "good3-long.json" in errors[0] and f"budget of {SLOW_BUDGET:g} s" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    urls = [json.loads(line)["article"]["url"] for line in proc.stdout.splitlines()]
    assert urls == [f"https://t.example/{i}" for i in range(6)]  # every good one, in order


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_fails_the_slow_document_alone_and_goes_on(slow_folder: Path, tmp_path: Path, workers: int):
    db = tmp_path / "budget.db"
    proc = subprocess.run(backchannel("ingest", str(slow_folder), "--db", str(db), "--workers", str(workers),
                                      "--batch-size", "1", "--doc-timeout", str(SLOW_BUDGET), "--no-progress"),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "good3-long.json" in errors[0] and f"budget of {SLOW_BUDGET:g} s" in errors[0], proc.stderr
    assert "6 stored" in proc.stderr and "1 errors" in proc.stderr and "Traceback" not in proc.stderr
    with open_store(str(db)) as store:
        assert {a["url"] for a in store._db.all("SELECT url FROM articles")} == {
            f"https://t.example/{i}" for i in range(6)}
        assert [e["source"].endswith("good3-long.json") for e in store.errors()] == [True]
        assert store._db.scalar("PRAGMA integrity_check") == "ok"
