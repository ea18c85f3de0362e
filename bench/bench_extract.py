"""Throughput of `extract` on the gold set: articles/s and words/s (prints figures; not a test).

    python bench/bench_extract.py [--repeat N] [--gold DIR]

The pipeline is loaded once (load time reported separately); each article is read from disk and
extracted, as `backchannel extract` does.  Run on an idle machine; report the median of the repeats.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from backchannel.evaluation.scoring import load_gold_dir  # noqa: E402
from backchannel.jobs.extractor import Extractor  # noqa: E402
from backchannel.read import read_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    extractor = Extractor()
    load_s = time.perf_counter() - t0
    articles = [read_path(path) for _, _, path in load_gold_dir(Path(args.gold))]
    words = sum(len(a.text.split()) for a in articles)
    extractor.extract(articles[0])  # warm-up: first-call caches (matcher, lexicons)
    runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for a in articles:
            extractor.extract(a)
        runs.append(time.perf_counter() - t)
    batch_runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        list(extractor.extract_many(articles, batch_size=16))
        batch_runs.append(time.perf_counter() - t)
    med, med_b = statistics.median(runs), statistics.median(batch_runs)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus          {len(articles)} articles, {words} words (gold set)")
    print(f"pipeline load   {load_s:.2f} s")
    print(f"extract         {len(articles) / med:8.1f} articles/s  {words / med:9.0f} words/s  (one by one, median of {args.repeat})")
    print(f"extract_many    {len(articles) / med_b:8.1f} articles/s  {words / med_b:9.0f} words/s  (nlp.pipe batches of 16)")
    print(f"peak RSS        {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
