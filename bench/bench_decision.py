"""The signal decision's cost and output rate on real text: the shipped model against the rules.

    python bench/bench_decision.py --corpus ../shared/corpus [--decisions rules model] [--limit N] [--json OUT]

Two inputs from the shared corpus, in one run: war-only articles (the train split's ``talks``
articles, what a desk following conflicts reads) and the unannotated mixed stream (``stream.jsonl``).
Each decision runs in its own child process (peak RSS only grows within a process), loads its
pipeline, warms up on five articles, then extracts the input with ``Extractor.extract_many``.
Printed per decision and input: articles/s, words/s, signals per 100 articles, the share of
articles the pre-parse scan lets through, load time and peak RSS.  Speed is measured here, never in
unit tests; run it on an idle machine and compare figures of one run only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child(corpus: str, decision: str, which: str, limit: int) -> dict:
    sys.path.insert(0, str(HERE))
    from memory import status_mb

    from backchannel.corpus.texts import STREAM_FILE, corpus_file, iter_corpus
    from backchannel.jobs.extractor import Extractor

    path = corpus_file(Path(corpus), STREAM_FILE if which == "stream" else "annotate.jsonl")
    rows = [a for a in iter_corpus(path) if which == "stream" or (a.split == "train" and a.kind == "talks")]
    rows = rows[:limit] if limit else rows
    articles = [a.to_article() for a in rows]
    t0 = time.perf_counter()
    extractor = Extractor(signal_model="rules" if decision == "rules" else "")
    load = time.perf_counter() - t0
    list(extractor.extract_many(articles[:5]))
    t0 = time.perf_counter()
    results = list(extractor.extract_many(articles))
    seconds = time.perf_counter() - t0
    words = sum(len(a.text.split()) for a in articles)
    signals = sum(len(r.signals) for r in results)
    return {"decision": decision, "input": which, "articles": len(articles), "seconds": round(seconds, 2),
            "articles_per_s": round(len(articles) / seconds, 1), "words_per_s": round(words / seconds),
            "signals_per_100": round(100 * signals / len(articles), 1),
            "scan_pass": round(sum(r.about_war for r in results) / len(articles), 3),
            "load_s": round(load, 1), "peak_rss_mb": round(status_mb("VmHWM"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--decisions", nargs="+", default=["rules", "model"], choices=["rules", "model"])
    ap.add_argument("--inputs", nargs="+", default=["war", "stream"], choices=["war", "stream"])
    ap.add_argument("--limit", type=int, default=0, help="first N articles of each input (0: all)")
    ap.add_argument("--json", default="", metavar="OUT")
    ap.add_argument("--child", nargs=3, metavar=("DECISION", "INPUT", "LIMIT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.corpus, args.child[0], args.child[1], int(args.child[2]))))
        return
    rows = []
    for which in args.inputs:
        for decision in args.decisions:
            out = subprocess.run([sys.executable, __file__, "--corpus", args.corpus, "--child", decision, which,
                                  str(args.limit)], capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"{which:<7} {decision:<6} {row['articles']:>5} articles  {row['articles_per_s']:>6} art/s  "
                  f"{row['words_per_s']:>7} words/s  {row['signals_per_100']:>6} signals/100  "
                  f"scan {row['scan_pass']:.3f}  load {row['load_s']} s  peak {row['peak_rss_mb']} MB", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
