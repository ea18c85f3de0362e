"""Extraction in worker processes: the same results as in one process, in input order, with bounded
read-ahead, surviving a killed worker, and failing in one line when the workers cannot start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backchannel.errors import BackchannelError
from backchannel.jobs.extractor import CHUNK_BATCHES, ExtractionFailure, Extractor, ExtractorSpec
from backchannel.jobs.ingest import ingest
from backchannel.jobs.parallel import WorkerPool, extract_stream
from backchannel.records import Article
from backchannel.store import open_store
from fixtures.ingest.make_corpus import STORIES

OTHER_NEWS = (
    "The city council approved the new tram line on Tuesday after two years of talks with residents. "
    "\"This deal gives the harbour quarter the link it was promised,\" the mayor said. Work starts in May."
)


def mixed_articles(n: int) -> list[Article]:
    """One war story in three, the rest other news; every text distinct."""
    out = []
    for i in range(n):
        if i % 3 == 0:
            title, text = STORIES[(i // 3) % len(STORIES)]
            text = f"{text}\n\nThis report was updated at {i % 24}:00 (item {i})."
        else:
            title, text = f"Tram line {i}", f"{OTHER_NEWS} The line will have {i + 3} stops."
        out.append(Article(text=text, title=title, outlet="Test Desk", published="2025-03-15", url=f"https://t.example/{i}"))
    return out


def comparable(outcomes) -> list[dict]:
    return [o.to_dict() for _, o in outcomes]


def test_two_workers_give_the_single_process_results_in_order(extractor: Extractor):
    articles = mixed_articles(30)
    serial = list(extract_stream(articles, extractor, batch_size=2))
    parallel = list(extract_stream(articles, ExtractorSpec(), workers=2, batch_size=2))
    assert [a.url for a, _ in parallel] == [a.url for a in articles]
    assert comparable(parallel) == comparable(serial)
    assert sum(len(o.signals) for _, o in parallel) > 0
    assert [o.about_war for _, o in parallel] == [i % 3 == 0 for i in range(30)]


def test_read_ahead_is_bounded():
    """At most two chunks per worker are in flight, however long the stream."""
    consumed = [0]

    def stream() -> Iterator[Article]:
        for i, article in enumerate(mixed_articles(2_000)):
            consumed[0] = i + 1
            yield article

    outcomes = extract_stream(stream(), ExtractorSpec(), workers=2, batch_size=2)
    next(outcomes)
    assert consumed[0] <= 2 * 2 * 2 * CHUNK_BATCHES
    outcomes.close()  # shuts the pool down


def test_a_killed_worker_costs_a_retry_not_the_run(extractor: Extractor):
    articles = mixed_articles(48)
    expected = comparable(extract_stream(articles, extractor, batch_size=2))
    got = []
    with WorkerPool(ExtractorSpec(), workers=2, batch_size=2) as pool:
        run = pool.run([articles[i : i + 8] for i in range(0, len(articles), 8)])
        got.append(next(run))
        victim = pool.worker_pids()[0]  # a live worker, while chunks are in flight
        os.kill(victim, signal.SIGKILL)
        got.extend(run)
        assert pool.restarts >= 1
    assert not [o for _, o in got if isinstance(o, ExtractionFailure)]
    assert comparable(got) == expected


def test_workers_that_cannot_start_fail_in_one_line(tmp_path: Path):
    bad = tmp_path / "actors.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BackchannelError) as err:
        list(extract_stream(mixed_articles(4), ExtractorSpec(actors_file=str(bad)), workers=2))
    assert "actors.json" in str(err.value) and "\n" not in str(err.value)


def test_several_workers_need_a_spec(extractor: Extractor):
    with pytest.raises(TypeError):
        list(extract_stream(mixed_articles(2), extractor, workers=2))


def test_ingest_with_two_workers_stores_what_one_process_stores(tmp_path: Path, extractor: Extractor):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(
        "\n".join(json.dumps(a.to_dict()) for a in mixed_articles(24)) + "\n", encoding="utf-8")
    counts = []
    for workers, name in ((1, "one.db"), (2, "two.db")):
        with open_store(str(tmp_path / name)) as store:
            source = extractor if workers == 1 else ExtractorSpec()
            summary = ingest([str(folder)], store, source, workers=workers, batch_size=2)
            assert summary.stored == 24 and summary.errors == 0
            counts.append((store.counts(), sorted((s["actor"], s["stance"], s["evidence"]) for s in store.signals())))
    assert counts[0] == counts[1]
    assert counts[0][0]["signals"] > 0


def test_cli_ingest_with_workers_then_all_articles_and_reprocess(tmp_path: Path):
    """`python -m backchannel ingest --workers 2` (real worker processes of the installed CLI); articles
    stored without --all-articles are due for `reprocess --all-articles`, which adds their attributions."""
    folder = tmp_path / "in"
    folder.mkdir()
    articles = mixed_articles(9)
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(a.to_dict()) for a in articles) + "\n", encoding="utf-8")
    db = str(tmp_path / "cli.db")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "backchannel", *args, "--db", db],
                              capture_output=True, text=True, timeout=600)

    first = run("ingest", str(folder), "--workers", "2", "--no-progress")
    assert first.returncode == 0, first.stderr
    assert "9 articles read, 9 stored" in first.stderr
    with open_store(db) as store:
        before = store.counts()
    assert before["signals"] > 0
    again = run("ingest", str(folder), "--all-articles", "--no-progress")
    assert "9 stored by another extractor version" in again.stderr, again.stderr
    redo = run("reprocess", "--all-articles", "--workers", "2")
    assert redo.returncode == 0, redo.stderr
    with open_store(db) as store:
        after = store.counts()
    assert after["signals"] == before["signals"]  # the scan never costs a signal
    assert after["attributions"] > before["attributions"]  # the mayor's quotes in the tram stories
