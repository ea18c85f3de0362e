"""An article's signals as analysts corrected them, written as an annotation file of the corpus format.

Why: a correction only teaches the model if training can read it, and training reads
annotation files (``corpus.annotations``: labels and character spans, the text's
sha256, never the text).  So a corrected article becomes such a file, named by the
id the corpus gives its text (``texts.corpus_id``), which ``train --extra DIR`` loads
like any other annotation folder (``training.dataset.with_extra``).

What the file says: an analyst who corrected one signal of an article has read
it, so the file is that analyst's reading of the whole article: every signal of
the article as corrected, minus those marked "not a signal", plus the signals
added as missed.  A signal whose evidence span cannot be written (missing, or
longer than an annotation allows) is left out and reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from backchannel.corpus.annotations import MAX_EVIDENCE_CHARS, MAX_NAME_CHARS, check_annotation, valid_when
from backchannel.corpus.texts import CorpusArticle, corpus_id, text_sha256
from backchannel.store.corrections import MISSED, missed_signal

DEFAULT_ANNOTATOR = "analyst"


def annotation_of(text: str, signals: Iterable[Mapping[str, Any]], corrections: Iterable[Mapping[str, Any]]
                  ) -> tuple[dict[str, Any], list[str]]:
    """The annotation file's data for one article (its text, its stored signals as ``Store.article_signals``
    gives them, its corrections), and a line for each signal left out."""
    corrections = list(corrections)
    left_out: list[str] = []
    records = [dict(s) for s in signals if not s.get("not_a_signal")]
    records += [missed_signal(c) for c in corrections if c["field"] == MISSED]
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, tuple[int, int]]] = set()
    for r in records:
        span = r.get("evidence_span")
        label = f"signal {r['id']}" if "id" in r else f"added signal (correction {r.get('correction_id')})"
        if not span or span[0] is None or not 0 <= span[0] < span[1] <= len(text):
            left_out.append(f"{label}: no evidence span in the article's text")
            continue
        if span[1] - span[0] > MAX_EVIDENCE_CHARS:
            left_out.append(f"{label}: evidence of {span[1] - span[0]} characters (an annotation allows "
                            f"{MAX_EVIDENCE_CHARS})")
            continue
        key = (r["actor"].casefold(), r["stance"], (span[0], span[1]))
        if key in seen:
            continue
        seen.add(key)
        out.append({
            "id": f"s{len(out) + 1}", "actor": r["actor"][:MAX_NAME_CHARS], "aliases": [r["actor"][:MAX_NAME_CHARS]],
            "stance": r["stance"], "topic": r["topic"], "channel": r.get("channel") or "unknown",
            "terms": _term_spans(text, r.get("terms") or [], span), "when": r["when"] if valid_when(r.get("when")) else "",
            "sources": [x for x in r.get("sources") or [] if 0 < len(x) <= MAX_NAME_CHARS],
            "evidence": [span[0], span[1]], "evidence_alt": [],
        })
    authors = sorted({c["author"] for c in corrections if c.get("author")}) or [DEFAULT_ANNOTATOR]
    data = {"id": corpus_id(text), "sha256": text_sha256(text), "annotators": authors,
            "attributions_annotated": False, "signals": out, "attributions": []}
    return data, left_out


def problems_of(data: dict[str, Any], text: str, path: Path) -> list[str]:
    """What ``corpus check`` would say about the file (nothing, for a file this module wrote correctly)."""
    article = CorpusArticle(id=data["id"], text=text)
    return [str(p) for p in check_annotation(path, data, article)]


def _term_spans(text: str, terms: Iterable[str], evidence: list[int]) -> list[list[int]]:
    """Each term as a span: where it occurs in the evidence's sentence, else left out (terms are copied from
    the text, so they are found unless the text changed)."""
    spans = []
    for term in terms:
        at = text.find(term, max(0, evidence[0] - 200), evidence[1] + 200) if term else -1
        if at >= 0:
            spans.append([at, at + len(term)])
    return spans
