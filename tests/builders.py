"""Hand-built extraction results for the tests of the store, the views, the exports, the web and the analysis.

A hand-built record is only as good as its spans: a signal whose ``evidence_span`` does not point at its
``evidence`` in the article text is a record the extractor can never produce, and a test built on it
tests nothing real.  So the builders take the text and find every span in it (failing loudly when the
quoted part is not there), instead of each test file counting offsets by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backchannel.nlp.origins import origin_name
from backchannel.nlp.registry import ActorRegistry
from backchannel.records import ActorInfo, Article, ArticleResult, Attribution, Signal


def span_of(text: str, part: str, start: int = 0) -> tuple[int, int]:
    """Where ``part`` first occurs in ``text`` (from ``start``); a ValueError naming it when it does not."""
    at = text.find(part, start)
    if at < 0:
        raise ValueError(f"{part!r} is not in the article text")
    return at, at + len(part)


def signal(text: str, evidence: str, actor: str, stance: str, topic: str, channel: str = "public",
           **fields: Any) -> Signal:
    """A Signal whose evidence is found in ``text`` (``fields``: terms, when, sources, confidence)."""
    return Signal(actor, stance, topic, channel, evidence, evidence_span=span_of(text, evidence), **fields)


def attribution(text: str, speaker: str, speaker_kind: str, cue: str, content: str, kind: str = "indirect",
                **fields: Any) -> Attribution:
    """An Attribution whose content is found in ``text`` (``fields``: via, spans, confidence)."""
    return Attribution(speaker, speaker_kind, cue, content, kind, content_span=span_of(text, content), **fields)


def article(text: str, **meta: Any) -> Article:
    """An Article read from ``meta["url"]`` (its ``source``) unless a source is given."""
    meta.setdefault("source", meta.get("url", ""))
    return Article(text=text, **meta)


def result(text: str, attributions: Iterable[Attribution] = (), signals: Iterable[Signal] = (),
           actors: Mapping[str, ActorInfo] | None = None, **meta: Any) -> ArticleResult:
    """An ArticleResult for ``text`` with the given records (built against the same text), in the order
    of ``ArticleResult``'s fields; the article's metadata as keywords.

    It carries what the extractor tells the store beside the records, from the bundled registry: each
    signal actor's kind, state and aliases (``actors`` overrides them by name, for a test's own
    actors), and each signal's origin (unless the test set one).
    """
    built = article(text, **meta)
    signals = list(signals)
    registry = ActorRegistry.default()
    for s in signals:
        if not s.origin:
            s.origin = origin_name(s.sources, built.outlet, registry)
    given = actors or {}
    infos = [given.get(name) or registry.info(name) for name in dict.fromkeys(s.actor for s in signals)]
    return ArticleResult(built, list(attributions), signals, actors=infos)


def result_of_evidence(signals: list[Signal], body: str = "", **meta: Any) -> ArticleResult:
    """An article written from its signals: ``body``, then each signal's evidence as a paragraph.

    The signals' spans are set to where their evidence lands, so they can be made without a text.
    """
    text = (body + "\n\n" if body else "") + "\n\n".join(s.evidence for s in signals)
    for s in signals:
        s.evidence_span = span_of(text, s.evidence)
    return result(text, signals=signals, **meta)
