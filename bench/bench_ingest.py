"""Throughput and peak memory of `ingest` on the mixed corpus, SQLite and PostgreSQL (figures; not a test).

    python bench/bench_ingest.py [--sizes 1000 10000] [--pg URL] [--backends sqlite postgresql]
                                 [--corpus-dir DIR] [--seed S] [--war-share 0.1] [--batch-size 16]
                                 [--workers 2]

For each size the corpus (bench/corpus.py) is generated once and reused; for each (backend, size)
a fresh child process loads the pipeline, opens an empty store (a new SQLite file; on PostgreSQL the
public schema is dropped and recreated) and ingests the JSONL file as `backchannel ingest` does.  One
process per run because peak RSS (VmHWM) only ever grows within a process: measured this way, the
1k and 10k figures can be compared, and they must stay flat.  PostgreSQL runs when ``--pg`` or
BACKCHANNEL_TEST_PG names a server (the database is wiped: never point it at real data).

"seconds" is the ingest itself (reading, extraction, storing), not the pipeline load, which is
reported apart; "store s" is the part of it spent in the store (duplicate check and save), so
``articles / store s`` is the rate the store alone could sustain.  With ``--workers`` > 1 the
extraction runs in worker processes (``backchannel ingest --workers``); "peak RSS MB" is then the
largest summed RSS of the whole process tree, sampled four times a second, and the load figures are
the workers' (they load the model themselves, inside the timed run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import write_corpus  # noqa: E402
from memory import TreePeak, status_mb  # noqa: E402

PG_ENV = "BACKCHANNEL_TEST_PG"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--pg", default=os.environ.get(PG_ENV, ""),
                        help=f"PostgreSQL URL (default ${PG_ENV}); its public schema is wiped")
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "backchannel-bench")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--war-share", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="extraction processes (default 2)")
    parser.add_argument("--doc-timeout", type=float, default=30.0,
                        help="per-document budget, as `ingest --doc-timeout` (default 30; 0: with --workers 1, "
                        "extraction in the main process, the way ingest ran before the budget)")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    backends = [b for b in args.backends if b == "sqlite" or args.pg]
    if "postgresql" in args.backends and not args.pg:
        print(f"PostgreSQL skipped: no --pg URL and ${PG_ENV} is not set", file=sys.stderr)

    when = time.strftime("%Y-%m-%d %H:%M")
    print(f"machine         {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {when}")
    results = []
    for size in args.sizes:
        corpus, words = ensure_corpus(args.corpus_dir, size, args.seed, args.war_share)
        for backend in backends:
            db = args.pg if backend == "postgresql" else str(args.corpus_dir / f"bench-{size}.db")
            print(f"running         {backend}, {size} articles ...", file=sys.stderr, flush=True)
            result = run_child(backend, db, corpus, args.batch_size, args.workers, args.doc_timeout)
            result.update(words=words, size=size)
            results.append(result)
            print_row(result, header=len(results) == 1)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def ensure_corpus(folder: Path, size: int, seed: int, war_share: float) -> tuple[Path, int]:
    """The corpus file for these settings (written when missing) and its word count."""
    path = folder / f"corpus-{size}-seed{seed}-war{war_share:g}.jsonl"
    if not path.exists():
        counts = write_corpus(size, path, seed, war_share)
        print(f"corpus          wrote {path} ({counts['avg_words']:.0f} words per article)", file=sys.stderr)
    with path.open(encoding="utf-8") as fh:
        words = sum(len(json.loads(line)["text"].split()) for line in fh)
    return path, words


def run_child(backend: str, db: str, corpus: Path, batch_size: int, workers: int, doc_timeout: float) -> dict[str, Any]:
    script = str(Path(__file__).resolve())
    cmd = [sys.executable, script, "--child", backend, db, str(corpus), str(batch_size), str(workers), str(doc_timeout)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{backend} run failed (exit {proc.returncode}); its stdout:\n{proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


HEADER = (f"{'backend':<11}{'workers':>8}{'articles':>9}{'seconds':>9}{'articles/s':>11}{'words/s':>9}{'signals':>9}"
          f"{'peak RSS MB':>12}{'load RSS MB':>12}{'load s':>8}{'store s':>9}{'store art/s':>12}")


def print_row(r: dict[str, Any], header: bool) -> None:
    if header:
        print(HEADER)
    secs = r["seconds"] or float("nan")
    store_rate = r["stored"] / r["store_seconds"] if r["store_seconds"] else float("nan")
    print(f"{r['backend']:<11}{r['workers']:>8}{r['stored']:>9}{r['seconds']:>9.1f}{r['stored'] / secs:>11.1f}"
          f"{r['words'] / secs:>9.0f}{r['signals']:>9}{r['peak_rss_mb']:>12.0f}{r['load_rss_mb']:>12.0f}"
          f"{r['load_seconds']:>8.1f}{r['store_seconds']:>9.1f}{store_rate:>12.0f}", flush=True)
    if r["errors"] or r["stored"] != r["size"]:
        print(f"  warning: {r['stored']} of {r['size']} articles stored, {r['errors']} errors", flush=True)


# --- the child: one ingest run in a fresh process -------------------------------------------------


class TimedStore:
    """Forwards everything to the store and adds up the time spent in the calls made per article."""

    _TIMED = ("article", "save")

    def __init__(self, store: Any) -> None:
        self._store = store
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name not in self._TIMED:
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        return timed


def fresh_store_url(backend: str, db: str) -> str:
    """An empty store: the SQLite file removed, or PostgreSQL's public schema dropped and recreated."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        return db
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return db


def child(argv: list[str]) -> None:
    backend, db, corpus, batch_size, workers = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    doc_timeout = float(argv[5])
    from backchannel.jobs.extractor import ExtractorSpec
    from backchannel.jobs.ingest import ingest
    from backchannel.store import open_store

    t = time.perf_counter()
    extractor = ExtractorSpec() if workers > 1 or doc_timeout else ExtractorSpec()()  # a spec: worker processes
    load_seconds = time.perf_counter() - t
    load_rss = status_mb("VmRSS")
    store = TimedStore(open_store(fresh_store_url(backend, db)))
    last = [0]

    def progress(summary: Any) -> None:
        if summary.read - last[0] >= 1000:
            last[0] = summary.read
            print(f"  {backend}: {summary.read} articles, {summary.seconds:.0f} s, "
                  f"RSS {status_mb('VmRSS'):.0f} MB (all processes {peak.peak_mb:.0f} MB peak so far)", file=sys.stderr, flush=True)

    try:
        with TreePeak() as peak:
            summary = ingest([corpus], store, extractor, batch_size=batch_size, progress=progress, workers=workers,
                             doc_timeout=doc_timeout)
        counts = store.counts()
    finally:
        store.close()
    print(json.dumps({
        "backend": backend, "read": summary.read, "stored": summary.stored, "errors": summary.errors,
        "signals": counts["signals"], "attributions": counts["attributions"], "seconds": summary.seconds,
        "store_seconds": store.seconds, "load_seconds": load_seconds, "load_rss_mb": load_rss,
        "peak_rss_mb": max(status_mb("VmHWM"), peak.peak_mb), "main_peak_rss_mb": status_mb("VmHWM"),
        "workers": workers, "doc_timeout": doc_timeout,
    }))


if __name__ == "__main__":
    main()
