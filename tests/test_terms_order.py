"""A signal's terms come out in the order the text gives them, the same on every run.

They used to be collected by iterating a set of prepositions, so their order followed the interpreter's
string hash seed: the same article stored twice could differ, and an export changed from run to run.
Each run here is a fresh interpreter with its own ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TEXT = ("Hamas offers a truce\n\nGAZA CITY — Hamas said on Tuesday it was ready to accept a ceasefire in Gaza "
        "in exchange for the release of prisoners, without preconditions on the crossings, until the end of Ramadan.\n")
IN_TEXT_ORDER = ["in exchange for the release of prisoners", "without preconditions on the crossings",
                 "until the end of Ramadan"]


def terms_with_hash_seed(path: Path, seed: int) -> list[list[str]]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    run = subprocess.run([sys.executable, "-m", "backchannel", "extract", str(path), "--format", "json",
                          "--signal-model", "rules", "--published", "2024-03-05"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return [s["terms"] for s in json.loads(run.stdout)["signals"]]


def test_terms_keep_the_text_order_whatever_the_hash_seed(tmp_path: Path):
    path = tmp_path / "truce.txt"
    path.write_text(TEXT, encoding="utf-8")
    runs = [terms_with_hash_seed(path, seed) for seed in (1, 2, 4)]
    assert runs[0] == [IN_TEXT_ORDER], runs[0]
    assert runs[1] == runs[0] and runs[2] == runs[0], runs
