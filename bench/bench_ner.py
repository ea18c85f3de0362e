"""Can the actor registry replace spaCy's NER?  Dev-split signal F1 and extraction time, NER on and off.

    BACKCHANNEL_CORPUS=../shared/corpus python bench/bench_ner.py [--split dev] [--full-parse]

Without NER the holders come from the registry's matcher alone (``nlp/actors.py`` reads ``doc.ents`` only
for people and demonyms the registry does not know), and the parse skips its costliest component
(about 40% of en_core_web_sm's time on war news).  Both runs use one loaded pipeline, the default mode
unless ``--full-parse``; the times are for the whole extraction of the split, on whatever else the
machine is doing (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="dev", choices=("dev", "train", "all"))
    p.add_argument("--full-parse", action="store_true")
    p.add_argument("--corpus", type=Path, default=Path(os.environ.get("BACKCHANNEL_CORPUS") or ROOT.parent / "shared" /
                                                      "corpus"))
    args = p.parse_args()
    from backchannel.corpus.commands import predict_with
    from backchannel.corpus.evaluate import evaluate_corpus
    from backchannel.corpus.gold import load_split
    from backchannel.jobs.extractor import Extractor

    golds = load_split(args.corpus, ROOT / "corpus" / "annotations", args.split)
    extractor = Extractor(full_parse=args.full_parse)
    print(f"{args.split} split, {len(golds)} articles, {'full' if args.full_parse else 'gated'} mode")
    for ner in (True, False):
        if not ner:
            extractor.nlp.disable_pipe("ner")
        load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "n/a"
        t = time.perf_counter()
        result = evaluate_corpus(golds, predict_with(extractor), split=args.split).to_dict()
        seconds = time.perf_counter() - t
        s = result["signals"]
        print(f"NER {'on ' if ner else 'off'}  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
              f"({s['matched']}/{s['predicted']}/{s['gold']})  {seconds:.1f} s  load {load}")


if __name__ == "__main__":
    main()
