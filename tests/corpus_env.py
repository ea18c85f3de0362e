"""Where the tests find the shared corpus: ``$BACKCHANNEL_CORPUS``.

Without it the corpus tests are skipped on a developer's machine, and fail under ``CI=true``:
the real-news gate must run in CI (``.ci/run`` points the variable at ``../shared/corpus``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def corpus_or_skip() -> Path:
    value = os.environ.get("BACKCHANNEL_CORPUS", "")
    path = Path(value) if value else None
    if path is not None and (path / "annotate.jsonl").is_file():
        return path
    reason = ("BACKCHANNEL_CORPUS is not set" if not value
              else f"BACKCHANNEL_CORPUS={value} holds no annotate.jsonl")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: the real-news tests must run in CI")
    pytest.skip(reason)
