"""Word lists kept as data (``lexicons/*.json``), loaded once and frozen into sets.

Keeping cues and negotiation vocabulary in JSON lets analysts extend them
without touching the rules, and lets the rules stay short.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


def _load(name: str) -> dict[str, Any]:
    text = resources.files("backchannel.nlp.lexicons").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Lexicon:
    """All word lists the attribution and signal rules use."""

    cue_verbs: frozenset[str]
    quote_cue_verbs: frozenset[str]
    anonymous_heads: frozenset[str]
    institution_heads: frozenset[str]
    document_heads: frozenset[str]
    outlet_aliases: dict[str, str]  # lower-cased surface form -> canonical outlet name
    outlet_words: frozenset[str]
    topic_words: dict[str, str]  # lemma -> topic
    topic_phrases: tuple[tuple[str, str], ...]  # (lower-cased phrase, topic), longest first
    stance_verbs: dict[str, tuple[str, ...]]  # lemma -> stances it can signal
    stance_adjectives: dict[str, str]
    stance_nouns: dict[str, str]
    refusal_phrases: tuple[str, ...]
    negators: frozenset[str]
    negating_phrases: tuple[str, ...]
    hedges: frozenset[str]
    forecast_heads: frozenset[str]
    channel_private: tuple[str, ...]
    channel_public: tuple[str, ...]

    def outlet_name(self, text: str) -> str | None:
        """The canonical outlet for a mention ("the NYT" -> "The New York Times"), or None."""
        key = " ".join(text.replace("’", "'").split()).strip(" ,.:;'\"‘’“”").lower()
        if key in self.outlet_aliases:
            return self.outlet_aliases[key]
        if key.startswith("the ") and key[4:] in self.outlet_aliases:
            return self.outlet_aliases[key[4:]]
        return None


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon (cached: it is read once per process)."""
    rep = _load("reporting.json")
    neg = _load("negotiation.json")
    outlets: dict[str, str] = {}
    for canonical, aliases in rep["outlets"].items():
        for form in [canonical, *aliases]:
            key = form.lower()
            outlets[key] = canonical
            if key.startswith("the "):
                outlets[key[4:]] = canonical
    topic_words = {w: topic for topic, ws in neg["topic_words"].items() for w in ws}
    phrases = sorted(
        ((p.lower(), topic) for topic, ps in neg["topic_phrases"].items() for p in ps),
        key=lambda pt: -len(pt[0]),
    )
    stance_verbs: dict[str, list[str]] = {}
    for stance, lemmas in neg["stance_verbs"].items():
        for lemma in lemmas:
            stance_verbs.setdefault(lemma, []).append(stance)
    return Lexicon(
        cue_verbs=frozenset(rep["cue_verbs"]),
        quote_cue_verbs=frozenset(rep["quote_cue_verbs"]),
        anonymous_heads=frozenset(rep["anonymous_heads"]),
        institution_heads=frozenset(rep["institution_heads"]),
        document_heads=frozenset(rep["document_heads"]),
        outlet_aliases=outlets,
        outlet_words=frozenset(rep["outlet_words"]),
        topic_words=topic_words,
        topic_phrases=tuple(phrases),
        stance_verbs={k: tuple(v) for k, v in stance_verbs.items()},
        stance_adjectives={w: s for s, ws in neg["stance_adjectives"].items() for w in ws},
        stance_nouns={w: s for s, ws in neg["stance_nouns"].items() for w in ws},
        refusal_phrases=tuple(neg["refusal_phrases"]),
        negators=frozenset(neg["negators"]),
        negating_phrases=tuple(neg["negating_phrases"]),
        hedges=frozenset(neg["hedges"]),
        forecast_heads=frozenset(neg["forecast_heads"]),
        channel_private=tuple(neg["channel_private"]),
        channel_public=tuple(neg["channel_public"]),
    )
