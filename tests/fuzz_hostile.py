"""The fuzz run of issue 14: >= 10,000 generated hostile inputs through ``extract`` and ``ingest``.

    nice -n 10 .venv/bin/python tests/fuzz_hostile.py [--count 10000] [--batches 4] [--seed 1]

Not a pytest test (it takes minutes): a script that writes the inputs batch by batch into a temporary
folder (each batch with three good control files), runs one ``extract`` and one ``ingest`` per batch
(real subprocesses, a real SQLite file), and reports:

- internal errors: tracebacks, "internal error", "extraction failed", exits other than 0/1 (must be 0);
- mismatches: a file whose error lines or articles differ from what its generator expects (must be 0);
- runs over budget: a batch slower than model loading plus ``PER_INPUT_SECONDS`` per input (must be 0);
- control results present: every control article printed by extract and stored by ingest;
- the database's ``PRAGMA integrity_check``.

Exit status 0 when all of these hold.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import hostile_corpus as hc  # noqa: E402 - the generator lives beside this script

#: A batch's budget: loading the model, then this much per input (most are refused by a pre-pass in
#: milliseconds; the slow texts are parsed up to the guard's limits, about a second at most).
LOAD_SECONDS = 30.0
PER_INPUT_SECONDS = 0.5
CRASH = re.compile(r"Traceback|internal error|extraction failed|database error")


def run_batch(folder: Path, docs: list[hc.Hostile], db: Path) -> dict[str, object]:
    paths = hc.write(folder, docs)
    budget = LOAD_SECONDS + PER_INPUT_SECONDS * len(docs)
    report: dict[str, object] = {"inputs": len(docs)}
    mismatches: list[str] = []
    crashes = 0
    over_budget = 0
    missing_controls = 0
    for command in ("extract", "ingest"):
        args = (("extract", *paths, "--format", "jsonl") if command == "extract"
                else ("ingest", folder, "--db", db, "--no-progress"))
        run = hc.cli(*args, timeout=max(600.0, 3 * budget))
        report[f"{command}_seconds"] = round(run.seconds, 1)
        report[f"{command}_peak_rss_mb"] = run.peak_rss // (1024 * 1024)
        crashes += len(CRASH.findall(run.stderr)) + (run.returncode not in (0, 1))
        over_budget += run.seconds > budget
        lines = hc.error_lines(run.stderr)
        counts = Counter()
        for line in lines:
            match = re.match(r"error: (.*?)(?:[:@]\d+)?: ", line)
            counts[Path(match.group(1)).name if match else line] += 1
        for doc in docs:
            if counts.pop(doc.name, 0) != doc.errors:
                mismatches.append(f"{command} {doc.name}: expected {doc.errors} error lines")
        mismatches += [f"{command}: unexpected error line for {name}" for name in counts]
        if command == "extract":
            texts = [json.loads(line)["article"]["text"] for line in run.stdout.splitlines() if line.strip()]
        else:
            with sqlite3.connect(db) as connection:
                texts = [row[0] for row in connection.execute("SELECT text FROM articles")]
                report["integrity_check"] = connection.execute("PRAGMA integrity_check").fetchone()[0]
        joined = "\n".join(texts)
        for doc in docs:
            for mark in doc.markers:
                if f"{mark}." not in joined:
                    mismatches.append(f"{command} {doc.name}: {mark} missing")
                    missing_controls += doc.name.startswith("good-")
        if len(texts) != sum(doc.articles for doc in docs):
            mismatches.append(f"{command}: {len(texts)} articles, expected {sum(doc.articles for doc in docs)}")
    report.update(crashes=crashes, over_budget=over_budget, mismatches=mismatches,
                  missing_controls=missing_controls)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="hostile inputs in all (default 10000)")
    parser.add_argument("--batches", type=int, default=4, help="extract/ingest invocations each (default 4)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    per_batch = -(-args.count // args.batches)
    totals = Counter()
    families = Counter()
    all_mismatches: list[str] = []
    integrity = set()
    root = Path(tempfile.mkdtemp(prefix="fuzz-hostile-"))
    try:
        n = 1_000_000
        for batch in range(args.batches):
            docs = []
            for _ in range(min(per_batch, args.count - batch * per_batch)):
                doc = hc.variant(rng, n)
                docs.append(doc)
                families[re.sub(r"-\d+(?=[-.])", "", doc.name).split(".")[0]] += 1
                n += 2
            controls = hc.controls(n, 3)
            n += 3
            folder = root / f"batch-{batch}"
            report = run_batch(folder, docs + controls, root / f"batch-{batch}.db")
            print(json.dumps({"batch": batch, **{k: v for k, v in report.items() if k != "mismatches"},
                              "mismatches": len(report["mismatches"])}), flush=True)  # type: ignore[arg-type]
            totals.update(inputs=len(docs), controls=len(controls), crashes=report["crashes"],
                          over_budget=report["over_budget"], missing_controls=report["missing_controls"])
            all_mismatches += report["mismatches"]  # type: ignore[arg-type]
            integrity.add(report["integrity_check"])
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    seconds = time.perf_counter() - started
    summary = {"hostile_inputs": totals["inputs"], "control_files": totals["controls"],
               "internal_errors": totals["crashes"], "runs_over_budget": totals["over_budget"],
               "controls_missing": totals["missing_controls"], "mismatches": len(all_mismatches),
               "integrity_check": sorted(integrity), "seconds": round(seconds, 1), "families": dict(families)}
    print(json.dumps(summary, indent=1))
    for line in all_mismatches[:30]:
        print("mismatch:", line)
    ok = not (totals["crashes"] or totals["over_budget"] or totals["missing_controls"] or all_mismatches)
    return 0 if ok and integrity == {"ok"} else 1


if __name__ == "__main__":
    sys.exit(main())
