"""Three inputs, three extractors, one run: what the default (gated) mode buys against the full parse and
against the baseline a user would reach for (spaCy en_core_web_sm + textacy's direct quotations).

    python bench/bench_modes.py [--inputs war stream synthetic] [--limit N] [--synthetic-n 2000]
                                [--workers 1 2] [--repeats 3] [--batch-size 16] [--corpus DIR]
                                [--ingest] [--ingest-100k] [--json OUT]

Inputs (written as JSONL into ``--work-dir`` and reused):

* ``war``: the train split's ``talks`` articles of the shared corpus (``annotate.jsonl``, ``split``
  ``train``, ``kind`` ``talks``): war news only, where the pre-parse scan skips nothing;
* ``stream``: the real mixed stream, ``stream.jsonl``;
* ``synthetic``: ``bench/corpus.py``'s mixed stream (10% war), ``--synthetic-n`` articles, seed 1.

``--limit N`` keeps the first N articles of each (for a quick look on a busy machine).

Sides: ``baseline`` (``nlp.pipe(n_process=W)`` over the full en_core_web_sm, then textacy), ``full``
(``--full-parse``: every sentence of an article about a war parsed, every candidate pair scored by the
encoder, the extractor as it was before the gated mode) and ``gated`` (the default: ``nlp/subset.py``
and ``nlp/cascade.py``).  Each (input, workers, repeat, side) runs in a fresh child process, so that
peak RSS (the summed RSS of the child and its workers, four samples a second) is its own; the model
load and a warm-up are outside the timed part.  Every child pins the encoder to one thread a process,
so W workers use W cores on either side.

Printed per input and worker count: articles/s and words/s (median of the repeats, with min and max),
the ratio to the baseline's articles/s (median of the per-repeat ratios), the share of sentences
parsed (the cheap sentence splitter of ``nlp/subset.py`` counts them for every side: the baseline
parses all; ``full`` those of the articles the scan passes; ``gated`` the sentences it keeps of
those), and the peak RSS.  The machine's 1-minute load average (``/proc/loadavg``) is sampled every
five seconds while the children run, and printed with each table: on a shared machine it says how
far to trust the figures.

``--ingest`` also runs ``backchannel ingest --workers 2`` (bench_ingest's child, a new SQLite store) on
the stream (its first ``--limit`` articles), ``--repeats`` times.  ``--ingest-100k`` streams 100,000 articles through the same ingest:
``stream.jsonl`` cycled, each copy with its own id and url (so none is a duplicate), written to the
work folder, never to the repository; it prints the peak RSS of the process tree.  Dev-split F1 of the
two modes comes from ``backchannel eval`` (bench/README.md has the commands).

textacy is not a dependency of backchannel: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_baseline import BASELINE_MODEL, baseline_side, textacy_available  # noqa: E402
from bench_ingest import run_child as ingest_child  # noqa: E402
from corpus import write_corpus  # noqa: E402
from memory import TreePeak  # noqa: E402

SIDES = ("baseline", "full", "gated")
INPUTS = ("war", "stream", "synthetic")
WARM_UP = 3
DEFAULT_CORPUS = Path(os.environ.get("BACKCHANNEL_CORPUS") or ROOT.parent / "shared" / "corpus")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", nargs="+", choices=INPUTS, default=list(INPUTS))
    p.add_argument("--limit", type=int, default=0, help="keep the first N articles of each input (0: all)")
    p.add_argument("--synthetic-n", type=int, default=2000)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES))
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus folder")
    p.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "backchannel-bench-modes")
    p.add_argument("--ingest", action="store_true", help="also time `ingest --workers 2` on the stream")
    p.add_argument("--ingest-100k", action="store_true", help="peak RSS of 100,000 articles through ingest")
    p.add_argument("--json", type=Path, help="also write every run's figures here")
    p.add_argument("--signal-model", default="", metavar="DIR",
                   help="the decision of the backchannel sides (default: the shipped model), to time a candidate")
    args = p.parse_args()
    if "baseline" in args.sides and not textacy_available():
        raise SystemExit("textacy is not installed: the baseline needs it (pip install -e '.[bench]')")
    for name in ("annotate.jsonl", "stream.jsonl"):
        if not (args.corpus / name).is_file():
            raise SystemExit(f"{args.corpus / name}: not found (give the shared corpus with --corpus)")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    print(f"machine   {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"load before: {loadavg()}")
    report: dict[str, Any] = {}
    for name in args.inputs:
        path = prepare(name, args)
        shares = parsed_shares(path)
        print(f"\n{name}: {path} — {shares['articles']} articles, {shares['words']} words, "
              f"{shares['about_war']} about a war (scan)")
        report[name] = {"shares": shares, "runs": {}}
        for workers in args.workers:
            with LoadSampler() as load:
                runs = {side: [run_child(side, path, workers, args.batch_size, args.signal_model)
                               for _ in range(args.repeats)]
                        for side in args.sides}
            report[name]["runs"][str(workers)] = {"runs": runs, "load": load.summary()}
            print_table(runs, shares, workers, load.summary())
    if args.ingest:
        report["ingest"] = ingest_stream(args)
    if args.ingest_100k:
        report["ingest_100k"] = ingest_100k(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


# --- inputs -----------------------------------------------------------------------------------------


def prepare(name: str, args: argparse.Namespace) -> Path:
    """The input as a JSONL file of articles (``title, outlet, published, url, text``)."""
    limit = f"-{args.limit}" if args.limit else ""
    if name == "synthetic":
        n = min(args.synthetic_n, args.limit) if args.limit else args.synthetic_n
        out = args.work_dir / f"synthetic-{n}.jsonl"
        if not out.exists():
            write_corpus(n, out, 1, 0.1)
        return out
    out = args.work_dir / f"{name}{limit}.jsonl"
    if out.exists():
        return out
    source = args.corpus / ("annotate.jsonl" if name == "war" else "stream.jsonl")
    rows = (json.loads(line) for line in source.open(encoding="utf-8") if line.strip())
    if name == "war":
        rows = (r for r in rows if r.get("split") == "train" and r.get("kind") == "talks")
    kept = list(islice(rows, args.limit or None))
    out.write_text("".join(json.dumps(article_fields(r)) + "\n" for r in kept), encoding="utf-8")
    return out


def article_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k, "") for k in ("title", "outlet", "author", "published", "url", "text")}


def read_articles(path: Path) -> list[Any]:
    from backchannel.read.bulk import iter_jsonl
    from backchannel.records import Article

    return [a for a in iter_jsonl(path) if isinstance(a, Article)]


def parsed_shares(path: Path) -> dict[str, Any]:
    """Sentences each side parses, as a share of all the input's sentences (the tokenizer only).  The gated
    side reads the shipped model's article filter and parse floor as the extractor does
    (``Extractor._may_parse``, ``_to_parse``)."""
    import json

    import spacy

    from backchannel.model.choice import SHIPPED_DIR
    from backchannel.model.relevance import Relevance
    from backchannel.nlp.guard import parse_text
    from backchannel.nlp.scope import is_about_war
    from backchannel.nlp.subset import select, sentence_spans

    relevance = Relevance.load(SHIPPED_DIR, json.loads((SHIPPED_DIR / "card.json").read_text(encoding="utf-8")))
    worth = relevance.worth_parsing if relevance.sentence_parse_floor else None

    nlp = spacy.load(BASELINE_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner",
                                              "senter"])  # the tokenizer only
    total = war = gated = words = about = n = 0
    for article in read_articles(path):
        n += 1
        words += len(article.text.split())
        doc = nlp.make_doc(parse_text(article.text).text)
        count = len(sentence_spans(doc.text))
        total += count
        if is_about_war(doc):
            about += 1
            war += count
            if relevance.article_relevant(article.title or "", doc.text):
                gated += select(doc, worth).parsed
    share = (lambda k: k / total) if total else (lambda k: 0.0)
    return {"articles": n, "words": words, "about_war": about, "sentences": total,
            "baseline": 1.0, "full": share(war), "gated": share(gated)}


# --- one side in a fresh process --------------------------------------------------------------------


def run_child(side: str, path: Path, workers: int, batch_size: int, signal_model: str = "") -> dict[str, Any]:
    print(f"  running {side}, {workers} worker(s), {path.name} ...", file=sys.stderr, flush=True)
    env = {**os.environ, "BACKCHANNEL_MODEL_THREADS": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side, str(path), str(workers), str(batch_size),
           signal_model]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{side} run failed (exit {proc.returncode}); its stdout:\n{proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(side: str, path: Path, workers: int, batch_size: int, signal_model: str) -> None:
    articles = read_articles(path)
    t = time.perf_counter()
    if side == "baseline":
        run, close = baseline_side(batch_size, workers)[0], (lambda: None)  # bench_baseline's, the same baseline
    else:
        run, close = extractor_side(side, batch_size, workers, signal_model)
    load_seconds = time.perf_counter() - t
    run(articles[: WARM_UP * max(1, workers) * (batch_size if workers > 1 else 1)])
    with TreePeak() as tree:
        t = time.perf_counter()
        found = run(articles)
        seconds = time.perf_counter() - t
    close()
    print(json.dumps({"side": side, "workers": workers, "articles": len(articles),
                      "words": sum(len(a.text.split()) for a in articles), "seconds": seconds, "found": found,
                      "load_seconds": load_seconds, "peak_rss_mb": tree.peak_mb}))


def extractor_side(side: str, batch_size: int, workers: int, signal_model: str = "") -> tuple[Any, Any]:
    """(run over articles -> signals found, close) for backchannel in one of its modes."""
    from backchannel.jobs.extractor import ExtractorSpec
    from backchannel.jobs.parallel import WorkerPool

    spec = ExtractorSpec(full_parse=side == "full", signal_model=signal_model)
    if workers <= 1:
        extractor = spec()

        def run_here(articles: list[Any]) -> int:
            return sum(len(r.signals) for r in extractor.extract_many(articles, batch_size=batch_size))

        return run_here, lambda: None
    pool = WorkerPool(spec, workers, batch_size)

    def run_pool(articles: list[Any]) -> int:
        return sum(len(getattr(r, "signals", ())) for _, r in pool.stream(articles))

    return run_pool, pool.close


# --- ingest ------------------------------------------------------------------------------------------


def ingest_stream(args: argparse.Namespace) -> list[dict[str, Any]]:
    """``ingest --workers 2`` of the stream (its first ``--limit`` articles) into a new SQLite store,
    ``--repeats`` times."""
    source = prepare("stream", args)
    runs = []
    with LoadSampler() as load:
        for i in range(args.repeats):
            db = str(args.work_dir / f"ingest-stream-{i}.db")
            Path(db).unlink(missing_ok=True)
            runs.append(ingest_child("sqlite", db, source, args.batch_size, 2, 30.0))
    rates = [r["stored"] / r["seconds"] for r in runs]
    print(f"\ningest    {source.name} -> SQLite, --workers 2: {spread(rates, '.1f')} articles/s, peak RSS "
          f"{max(r['peak_rss_mb'] for r in runs):.0f} MB, {runs[0]['signals']} signals; load {load.summary()}")
    return runs


def ingest_100k(args: argparse.Namespace) -> dict[str, Any]:
    """Peak RSS of the process tree while 100,000 articles (the stream, cycled) go through ingest."""
    out = args.work_dir / "stream-100k.jsonl"
    if not out.exists():
        write_cycled(args.corpus / "stream.jsonl", out, 100_000)
    db = str(args.work_dir / "ingest-100k.db")
    Path(db).unlink(missing_ok=True)
    with LoadSampler() as load:
        r = ingest_child("sqlite", db, out, args.batch_size, 2, 30.0)
    print(f"\ningest    100,000 articles -> SQLite, --workers 2: {r['stored']} stored in {r['seconds']:.0f} s "
          f"({r['stored'] / r['seconds']:.1f} articles/s), peak RSS of the process tree {r['peak_rss_mb']:.0f} MB; "
          f"load {load.summary()}")
    return r


def write_cycled(source: Path, out: Path, n: int) -> None:
    """``n`` articles from ``source``, cycled, each copy with its own id and url (so none is a duplicate
    and each is extracted: an article's id is a hash of its text and url, the url without its #fragment,
    so the copy number goes in the query, before any fragment)."""
    rows = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    with out.open("w", encoding="utf-8") as f:
        for i, row in enumerate(islice(cycle(rows), n)):
            copy = i // len(rows)
            fields = article_fields(row)
            parts = urlsplit(row.get("url") or "https://bench.invalid/a")
            query = f"{parts.query}&bench_copy={copy}" if parts.query else f"bench_copy={copy}"
            fields["url"] = urlunsplit(parts._replace(query=query))
            fields["id"] = f"{row.get('id', 'a')}-{copy}"
            f.write(json.dumps(fields) + "\n")


# --- figures -----------------------------------------------------------------------------------------


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


class LoadSampler:
    """The 1-minute load average every five seconds while the block runs."""

    def __init__(self, interval: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            value = loadavg().split()[0]
            if value != "n/a":
                self.samples.append(float(value))
            self._stop.wait(interval)

    def summary(self) -> str:
        if not self.samples:
            return "n/a"
        return f"1-min load {min(self.samples):.1f}–{max(self.samples):.1f} (median {statistics.median(self.samples):.1f})"


def spread(values: list[float], fmt: str) -> str:
    """Median, with min–max when there are several runs."""
    med = format(statistics.median(values), fmt)
    return med if len(values) == 1 else f"{med} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def print_table(runs: dict[str, list[dict[str, Any]]], shares: dict[str, Any], workers: int, load: str) -> None:
    print(f"  {workers} worker(s) a side, {len(next(iter(runs.values())))} run(s); {load}")
    print(f"  {'side':<9}{'articles/s':>24}{'words/s':>26}{'x baseline':>22}{'parsed':>8}{'peak RSS MB':>13}")
    base = runs.get("baseline")
    for side, rs in runs.items():
        rates = [r["articles"] / r["seconds"] for r in rs]
        words = [r["words"] / r["seconds"] for r in rs]
        ratio = spread([a / (b["articles"] / b["seconds"]) for a, b in zip(rates, base, strict=True)], ".2f") \
            if base else "n/a"
        print(f"  {side:<9}{spread(rates, '.1f'):>24}{spread(words, '.0f'):>26}{ratio:>22}"
              f"{shares[side]:>8.1%}{max(r['peak_rss_mb'] for r in rs):>13.0f}")


if __name__ == "__main__":
    main()
