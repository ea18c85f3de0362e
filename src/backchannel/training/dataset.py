"""Training examples from the annotations: every candidate pair of an article, labelled by its gold.

A candidate (sentence, holder) is positive when the scorer would accept the sentence as the evidence
of a gold signal (it holds the gold evidence or one of its ``evidence_alt``, and is not much longer:
``evaluation.pinpoints``) and the holder is one of the gold actor's aliases (the scorer's alias
test); it then takes the gold stance, topic and channel.  A gold signal whose evidence runs over
two sentences can be reached by neither, and is counted as out of reach in the gate figures.  Everything else is a ``none`` example.  The same candidates are what the
extractor scores at run time, so the model learns on exactly the distribution it will meet.

Only spaCy is needed here (no torch), so the gate figures can be measured on the runtime install.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.corpus.gold import GoldArticle, load_split
from backchannel.evaluation.scoring import alias_match, pinpoints
from backchannel.model.examples import NONE, PairExample
from backchannel.nlp.attribution import FoundAttribution, extract_attributions
from backchannel.nlp.candidates import Candidate, find_candidates
from backchannel.nlp.context import DocContext
from backchannel.nlp.registry import ActorRegistry
from backchannel.nlp.scope import is_about_war


def with_extra(golds: Sequence[GoldArticle], corpus: Path, extra: Sequence[Path]) -> list[GoldArticle]:
    """The training articles with the annotation folders of ``train --extra`` added (analysts' corrections
    exported by ``export --format annotations``, or any folder of annotation files).

    Corrections of dev articles would leak the measure into the model: only train articles are taken.  An
    article already annotated keeps one reading: the extra one replaces it (a later folder wins).
    """
    out = list(golds)
    for folder in extra:
        more = [g for g in load_split(corpus, folder, "all") if g.article.split != "dev"]
        replaced = {g.article.id for g in more}
        out = [g for g in out if g.article.id not in replaced] + more
    return out


@dataclass
class GateFigures:
    """How much of the gold the candidates can reach, and how much text they let through."""

    gold_signals: int = 0
    scan_passed: int = 0  # gold signals in articles the pre-parse scan lets through
    gated: int = 0  # ... whose evidence sentence is a candidate sentence
    holder_found: int = 0  # ... with a candidate holder matching the gold actor
    sentences: int = 0
    sentences_gated: int = 0
    pairs: int = 0

    def to_dict(self) -> dict[str, Any]:
        n = self.gold_signals or 1
        return {"gold_signals": self.gold_signals,
                "scan_recall": round(self.scan_passed / n, 3),
                "gate_recall": round(self.gated / n, 3),
                "holder_recall": round(self.holder_found / n, 3),
                "sentences_gated_share": round(self.sentences_gated / (self.sentences or 1), 3),
                "pairs": self.pairs}


@dataclass
class ParsedArticle:
    gold: GoldArticle
    ctx: DocContext | None  # None: the pre-parse scan skipped it
    attributions: list[FoundAttribution] = field(default_factory=list)


def parse_articles(golds: Iterable[GoldArticle], nlp, registry: ActorRegistry | None = None,
                   batch_size: int = 16) -> Iterator[ParsedArticle]:
    """Parse each article as the extractor would (scan first), building the rules' context."""
    registry = registry or ActorRegistry.default()
    golds = list(golds)
    docs = []
    for g in golds:
        doc = nlp.make_doc(g.article.text)
        doc._.bc_published = g.article.published
        docs.append(doc)
    wanted = [is_about_war(d) for d in docs]
    parsed = iter(nlp.pipe((d for d, w in zip(docs, wanted, strict=True) if w), batch_size=batch_size))
    for g, want in zip(golds, wanted, strict=True):
        if not want:
            yield ParsedArticle(g, None)
            continue
        doc = next(parsed)
        a = g.article
        ctx = DocContext.build(doc, registry, a.published, a.outlet, a.title)
        yield ParsedArticle(g, ctx, extract_attributions(ctx))


def accepts(gold_signal: dict[str, Any], evidence: str) -> bool:
    """Would the scorer accept ``evidence`` as this gold signal's evidence?"""
    return pinpoints(gold_signal["evidence"], evidence) or any(
        pinpoints(alt, evidence) for alt in gold_signal.get("evidence_alt") or [])


def example_of(c: Candidate, label: dict[str, Any] | None, article_id: str = "") -> PairExample:
    a, b = c.pair()
    if label is None:
        return PairExample(a, b, NONE, article=article_id, features=c.features)
    return PairExample(a, b, label["stance"], label["topic"], label["channel"], article_id, c.features)


def label_article(parsed: ParsedArticle, figures: GateFigures) -> list[PairExample]:
    """The labelled pairs of one article; updates the gate figures as it goes."""
    gold_signals = parsed.gold.gold["signals"]
    figures.gold_signals += len(gold_signals)
    if parsed.ctx is None:
        return []
    figures.scan_passed += len(gold_signals)
    cands = find_candidates(parsed.ctx, parsed.attributions)
    sents = list(parsed.ctx.doc.sents)
    gated_starts = {c.sent.start_char for c in cands}
    figures.sentences += len(sents)
    figures.sentences_gated += len(gated_starts)
    figures.pairs += len(cands)
    reached: set[int] = set()
    examples = []
    for c in cands:
        label = None
        for i, g in enumerate(gold_signals):
            if accepts(g, c.evidence_text()) and alias_match([*g["aliases"], g["actor"]], c.holder.name):
                label = g
                reached.add(i)
                break
        examples.append(example_of(c, label, parsed.gold.article.id))
    gated_texts = [s.text for s in sents if s.start_char in gated_starts]
    figures.gated += sum(1 for g in gold_signals if any(accepts(g, t) for t in gated_texts))
    figures.holder_found += len(reached)
    return examples
