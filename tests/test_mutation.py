"""The mutation check: break the signal decision and the suite must notice, loudly.

The signal, decision, gold-set and quality-gate tests run in a subprocess three times: as they are,
then with the decision replaced by "no signals", then by "every candidate is ``open``"
(``decider_mutants.py``: the learned decision's ``decide`` and the rules' ``extract_signals``).  The
first run must pass; each broken run must fail at least the number of tests below.  A suite that
lets a decider returning nothing through is a suite of tests that cannot fail.

Measured on 62 tests (2026-12-06): 0 failures intact, 30 with "no signals", 21 with "every candidate is
``open``".  The floors are set about a fifth under that, so a reworded test does not trip them, but a
suite that goes back to one-sided negatives does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SUBSET = ("test_signals.py", "test_decision.py", "test_decision_component.py", "test_quality_gate.py",
          "test_spans.py", "test_model_shipped.py", "test_components.py", "test_scope.py", "test_candidates.py")
#: At least this many tests of the subset fail with each broken decider.
FLOORS = {"none": 24, "open": 16}


def run_subset(mutant: str, junit: Path) -> tuple[int, int, str]:
    """(tests run, tests failed or errored, pytest's output) of the subset under ``mutant`` ('' = none)."""
    env = {k: v for k, v in os.environ.items() if k != "BACKCHANNEL_MUTANT"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH", "")) if p)
    if mutant:
        env["BACKCHANNEL_MUTANT"] = mutant
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decider_mutants",
           f"--junitxml={junit}", *(str(TESTS / name) for name in SUBSET)]
    proc = subprocess.run(cmd, cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=900)
    output = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert junit.exists(), f"the subset did not run under mutant {mutant!r}:\n{output}"
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    broken = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    # a failure raised inside the mutant is the mutant's bug (a changed Decision, say), not the suite noticing
    own = [f"{c.get('classname')}.{c.get('name')}" for c in broken
           if any("decider_mutants.py" in (e.text or "") for e in c if e.tag in ("failure", "error"))]
    assert not own, f"the {mutant!r} mutant itself raised in: {own}\n{output}"
    return len(cases), len(broken), output


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[int, int, str]]:
    base = tmp_path_factory.mktemp("mutation")
    return {m: run_subset(m, base / f"{m or 'intact'}.xml") for m in ("", "none", "open")}


def test_the_subset_exists():
    missing = [name for name in SUBSET if not (TESTS / name).exists()]
    assert not missing, f"the mutation subset names test files that are gone: {missing}"


def test_the_subset_passes_with_the_real_decision(runs):
    tests, failed, output = runs[""]
    assert tests >= 50 and failed == 0, output


@pytest.mark.parametrize("mutant", sorted(FLOORS))
def test_a_broken_decision_fails_the_subset_loudly(runs, mutant: str):
    tests, failed, output = runs[mutant]
    assert tests == runs[""][0], output
    assert failed >= FLOORS[mutant], (
        f"with the decision replaced by {mutant!r} only {failed} of {tests} tests failed "
        f"(at least {FLOORS[mutant]} must):\n{output}")
