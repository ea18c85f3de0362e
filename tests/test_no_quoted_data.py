"""No rule quotes its data: no run of 8 words from an evaluation text appears anywhere in ``src/``.

A phrase lifted from a gold or dev article into a rule, a lexicon or a docstring example makes the
figures on that article mean nothing.  Our own gold texts are in the repository; the corpus dev texts
and the shared examples are read from ``$BACKCHANNEL_CORPUS`` (and its sibling ``examples/``) when set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from corpus_env import corpus_or_skip

ROOT = Path(__file__).resolve().parent.parent
RUN = 8
_WORD = re.compile(r"[^\W_]+")


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _source_runs() -> dict[Path, set[tuple[str, ...]]]:
    files = [p for p in (ROOT / "src").rglob("*") if p.suffix in {".py", ".json", ".html", ".txt"}
             and ".egg-info" not in str(p)]
    return {p: runs(p.read_text(encoding="utf-8")) for p in files}


def _quoted(texts: dict[str, str]) -> list[str]:
    sources = _source_runs()
    found = []
    for name, text in texts.items():
        wanted = runs(text)
        for path, have in sources.items():
            for hit in sorted(wanted & have)[:3]:
                found.append(f"{path.relative_to(ROOT)} quotes {name}: {' '.join(hit)!r}")
    return found


def test_runs_finds_a_lifted_sentence():
    text = "The envoy said the two camps would meet in the capital next week to talk."
    assert runs(text) & runs(f'PATTERN = "{text[10:70]}"')
    assert not runs(text) & runs("the two camps would meet somewhere else entirely")


def test_no_gold_text_is_quoted_in_src():
    texts = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))["text"]
             for p in (ROOT / "eval" / "gold").glob("*/article.json")}
    assert len(texts) >= 12
    assert not _quoted(texts)


def test_no_dev_text_or_shared_example_is_quoted_in_src():
    corpus = corpus_or_skip()
    texts = {}
    with (corpus / "annotate.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["split"] == "dev":
                texts[row["id"]] = row["text"]
    for path in (corpus.parent / "examples").glob("*/article.json"):
        texts[f"examples/{path.parent.name}"] = json.loads(path.read_text(encoding="utf-8"))["text"]
    assert len(texts) >= 83
    assert not _quoted(texts)
