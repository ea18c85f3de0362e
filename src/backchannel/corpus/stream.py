"""False alarms on a real news stream: signals per 100 articles and the share the scan lets through.

``stream.jsonl`` is unannotated, so its figures are rates, not scores: how many signals an analyst
would be shown per 100 articles of ordinary political news, and how many articles are parsed at
all.  Precision there is judged by hand on a seeded random sample (``sample_signals``), which is
written with each signal's surrounding paragraphs so that a judge needs nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backchannel.corpus.texts import CorpusArticle


@dataclass
class StreamRun:
    """The extractor's output on a stream: per article, whether it was parsed and its signals."""

    articles: int = 0
    parsed: int = 0
    signals: list[tuple[CorpusArticle, dict[str, Any]]] = field(default_factory=list)

    def add(self, article: CorpusArticle, output: dict[str, Any]) -> None:
        self.articles += 1
        self.parsed += bool(output.get("about_war", True))
        self.signals += [(article, s) for s in output.get("signals") or []]

    def figures(self) -> dict[str, float]:
        n = self.articles or 1
        with_signals = len({a.id for a, _ in self.signals})
        return {"articles": self.articles, "signals": len(self.signals),
                "signals_per_100_articles": round(100 * len(self.signals) / n, 2),
                "scan_pass_share": round(self.parsed / n, 3),
                "articles_with_signals": with_signals}


def run_stream(pairs: Iterable[tuple[CorpusArticle, dict[str, Any]]]) -> StreamRun:
    run = StreamRun()
    for article, output in pairs:
        run.add(article, output)
    return run


def _context(text: str, start: int, end: int, limit: int = 2500) -> str:
    """The evidence's paragraph and the one before it: enough to judge who says what."""
    para_start = text.rfind("\n\n", 0, start)
    before = text.rfind("\n\n", 0, max(para_start, 0))
    para_end = text.find("\n\n", end)
    return text[(before + 2 if before >= 0 else 0):(para_end if para_end >= 0 else len(text))][-limit:]


def sample_signals(run: StreamRun, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` signals drawn at random (seeded), each with its article's title, date and context."""
    chosen = random.Random(seed).sample(run.signals, min(n, len(run.signals)))
    out = []
    for k, (article, signal) in enumerate(chosen, 1):
        span = signal.get("evidence_span") or [0, 0]
        out.append({"n": k, "article": article.id, "title": article.title, "published": article.published,
                    "actor": signal.get("actor"), "stance": signal.get("stance"), "topic": signal.get("topic"),
                    "channel": signal.get("channel"), "evidence": signal.get("evidence"),
                    "evidence_span": span, "context": _context(article.text, span[0], span[1])})
    return out
