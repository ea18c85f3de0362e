"""``backchannel eval --corpus``: the extractor scored on annotated real news.

Matching follows docs/SCHEMA.md ("Scoring") through ``backchannel.evaluation.scoring``, the
same code that scores the self-written gold set, so one figure means one thing.
On top of the totals this report gives what an engineer needs to know where the
extractor fails: a stance confusion table, false signals per article of each
kind (an article of kind ``decoy`` or ``war_no_talks`` should have none), and
attribution figures over the articles whose attributions were annotated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from backchannel.corpus.gold import GoldArticle
from backchannel.corpus.texts import KINDS, STREAM_KIND
from backchannel.evaluation.scoring import (
    ArticleScore,
    EvalReport,
    FieldScores,
    _score,
    alias_match,
    pinpoints,
)
from backchannel.records import NONE, STANCES

CONFUSION_LABELS: tuple[str, ...] = (*STANCES, NONE)

#: (gold article, extractor output as ``extract --format json`` prints it) for each article.
Predict = Callable[[Iterable[GoldArticle]], Iterator[tuple[GoldArticle, dict[str, Any]]]]


def stance_pairs(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(gold stance, predicted stance) pairs, matching as the scorer does but ignoring the stance.

    A gold signal with no prediction on its actor and evidence pairs with ``none``; a prediction
    that meets no gold signal pairs ``none`` with its stance.  Predictions of a gold signal already
    paired are left out, as the scorer leaves out repeats.
    """
    used: set[int] = set()
    pairs: list[tuple[str, str]] = []
    for p in pred:
        hits = [i for i, g in enumerate(gold)
                if alias_match([*g.get("aliases", []), g["actor"]], p.get("actor", ""))
                and (pinpoints(g["evidence"], p.get("evidence", ""))
                     or any(pinpoints(a, p.get("evidence", "")) for a in g.get("evidence_alt") or []))]
        if not hits:
            pairs.append((NONE, str(p.get("stance"))))
            continue
        same = [i for i in hits if i not in used and gold[i]["stance"] == p.get("stance")]
        free = same or [i for i in hits if i not in used]
        if free:
            used.add(free[0])
            pairs.append((gold[free[0]]["stance"], str(p.get("stance"))))
    pairs += [(g["stance"], NONE) for i, g in enumerate(gold) if i not in used]
    return pairs


@dataclass
class CorpusReport:
    """Totals, per-kind false signals, the stance confusion table and the per-article scores."""

    report: EvalReport
    kinds: dict[str, str]  # article id -> kind
    attributions: FieldScores
    attribution_articles: int
    confusion: dict[str, dict[str, int]]
    digest: dict[str, str] = field(default_factory=dict)
    split: str = "dev"

    def false_signals(self) -> dict[str, dict[str, float]]:
        """Per kind: articles, false signals (predictions matching no gold signal), and per article; the
        stream's articles (``corpus/stream-annotations``) when there are some."""
        out: dict[str, dict[str, float]] = {}
        present = set(self.kinds.values())
        for kind in (*KINDS, *([STREAM_KIND] if STREAM_KIND in present else [])):
            arts = [a for a in self.report.articles if self.kinds.get(a.slug) == kind]
            false = sum(len(a.spurious_signals) for a in arts)
            out[kind] = {"articles": len(arts), "false_signals": false,
                         "per_article": round(false / len(arts), 3) if arts else 0.0}
        return out

    def to_dict(self, with_articles: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "split": self.split,
            "digest": self.digest,
            "articles": len(self.report.articles),
            "signals": self.report.signals.to_dict(),
            "attributions": {**self.attributions.to_dict(), "articles": self.attribution_articles},
            "false_signals": self.false_signals(),
            "stance_confusion": self.confusion,
        }
        if with_articles:
            d["per_article"] = [{**a.to_dict(), "kind": self.kinds.get(a.slug, "")} for a in self.report.articles]
        return d


def evaluate_corpus(golds: list[GoldArticle], predict: Predict, split: str = "dev") -> CorpusReport:
    """Score ``predict``'s output on every gold article.  Errors propagate: a broken gate is no zero."""
    scores: list[ArticleScore] = []
    confusion: Counter[tuple[str, str]] = Counter()
    att_gold = att_pred = att_matched = att_articles = 0
    kinds: dict[str, str] = {}
    for gold_article, output in predict(golds):
        gold = gold_article.gold
        signals = list(output.get("signals") or [])
        attributions = list(output.get("attributions") or [])
        score = _score(gold, signals, attributions, slug=gold_article.article.id)
        scores.append(score)
        kinds[gold_article.article.id] = gold_article.article.kind
        confusion.update(stance_pairs(gold["signals"], signals))
        if gold["attributions_annotated"]:
            att_articles += 1
            att_gold += score.attributions.gold
            att_pred += score.attributions.predicted
            att_matched += score.attributions.matched
    table = {g: {p: confusion[(g, p)] for p in CONFUSION_LABELS} for g in CONFUSION_LABELS}
    return CorpusReport(
        report=EvalReport.from_articles(scores), kinds=kinds,
        attributions=FieldScores.from_counts(att_gold, att_pred, att_matched),
        attribution_articles=att_articles, confusion=table, split=split)


def format_confusion(confusion: dict[str, dict[str, int]]) -> str:
    """Gold stance down, predicted stance across; ``none`` is no signal on that side."""
    labels = list(CONFUSION_LABELS)
    width = max(len(x) for x in labels) + 2
    lines = ["gold \\ predicted".ljust(width + 8) + "".join(x.rjust(width) for x in labels)]
    for g in labels:
        lines.append(g.ljust(width + 8) + "".join(str(confusion[g][p]).rjust(width) for p in labels))
    return "\n".join(lines)


def format_corpus_report(result: CorpusReport) -> str:
    s, a = result.report.signals, result.attributions
    lines = [
        f"split {result.split}: {len(result.report.articles)} articles"
        + (f"; annotations {result.digest.get('annotations', '')[:12]}, corpus {result.digest.get('corpus', '')[:12]}"
           if result.digest else ""),
        "",
        f"signals       P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}   "
        f"(matched {s.matched}, gold {s.gold}, predicted {s.predicted - s.ignored_repeats}"
        f"{f', {s.ignored_repeats} repeats ignored' if s.ignored_repeats else ''})",
        f"on matched    channel {s.channel_acc:.3f}  when {s.when_acc:.3f}  sources "
        + ("n/a" if s.sources_acc is None else f"{s.sources_acc:.3f}"),
        f"attributions  P {a.precision:.3f}  R {a.recall:.3f}  F1 {a.f1:.3f}   "
        f"(over {result.attribution_articles} articles with annotated attributions; matched {a.matched}, "
        f"gold {a.gold}, predicted {a.predicted})",
        "",
        "false signals per article (predictions that match no gold signal):",
    ]
    for kind, f in result.false_signals().items():
        lines.append(f"  {kind:<13} {f['per_article']:.2f}   ({int(f['false_signals'])} over {int(f['articles'])} articles)")
    lines += ["", "stance confusion (gold down, predicted across):", format_confusion(result.confusion)]
    return "\n".join(lines)
