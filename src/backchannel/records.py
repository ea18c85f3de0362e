"""The records of docs/SCHEMA.md as dataclasses.

Field names and label values are the evaluation contract: keep them identical
to docs/SCHEMA.md.  Spans are ``(start, end)`` character offsets into
``Article.text`` so that every record can be traced back to its evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SpeakerKind = Literal["named", "anonymous", "outlet", "institution", "document"]
AttributionKind = Literal["direct", "indirect", "mixed"]
Stance = Literal["open", "refuses", "proposes", "agrees", "urges", "opposes"]
Topic = Literal["ceasefire", "talks", "deal"]
Channel = Literal["public", "private", "both", "unknown"]

SPEAKER_KINDS: tuple[str, ...] = ("named", "anonymous", "outlet", "institution", "document")
ATTRIBUTION_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed")
STANCES: tuple[str, ...] = ("open", "refuses", "proposes", "agrees", "urges", "opposes")
#: Not a stance: the label of a candidate (or a gold/predicted cell of the confusion table) that states none.
NONE = "none"
TOPICS: tuple[str, ...] = ("ceasefire", "talks", "deal")
CHANNELS: tuple[str, ...] = ("public", "private", "both", "unknown")
#: ``Signal.role``: where the actor stands in the signal's conflict (``nlp/conflicts.py`` decides it).
ROLES: tuple[str, ...] = ("party", "third_party")
#: ``Signal.time_basis``: how the position relates to its ``when`` when it is not simply "said then"
#: (``nlp/attributes.py`` decides it); '' for a position expressed at ``when``.
TIME_BASES: tuple[str, ...] = ("standing", "past")

Span = tuple[int, int]

#: The fields of an article object (docs/SCHEMA.md), in its order: what readers map, exports print and the
#: store keeps.  ``Article.source`` (where it was read from) is ours, not the schema's.
ARTICLE_FIELDS: tuple[str, ...] = ("title", "outlet", "author", "published", "url", "text")


@dataclass
class Article:
    """One news article: its text and what is known about where it came from.

    ``published`` is an ISO date (``YYYY-MM-DD``) or ``YYYY-MM`` when only the
    month is known, or empty when unknown.  ``source`` is where the article was
    read from (a path or URL); it is not part of docs/SCHEMA.md and is not
    printed with the article.
    """

    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    published: str = ""
    url: str = ""
    source: str = ""

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> Article:
        """An article from a mapping with ``ARTICLE_FIELDS`` keys (a stored row, a results row, ``to_dict``);
        absent or null fields are empty.  The values are taken as they are: a reader's input goes through
        ``read.mapping.article_from_mapping``, which checks and cleans them first."""
        return cls(**{name: data.get(name) or "" for name in ARTICLE_FIELDS}, source=source)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}


@dataclass
class Attribution:
    """One reported statement: who said it, with which words, through whom."""

    speaker: str
    speaker_kind: str
    cue: str
    content: str
    kind: str
    via: list[str] = field(default_factory=list)
    speaker_span: Span | None = None
    cue_span: Span | None = None
    content_span: Span | None = None
    confidence: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("speaker_span", "cue_span", "content_span"):
            d[key] = list(d[key]) if d[key] is not None else None
        return d


@dataclass
class Signal:
    """One actor's expressed position on ending or pausing the fighting."""

    actor: str
    stance: str
    topic: str
    channel: str
    evidence: str
    terms: list[str] = field(default_factory=list)
    when: str = ""
    sources: list[str] = field(default_factory=list)
    evidence_span: Span | None = None
    confidence: float = 0.5
    #: The conflict the article places the signal in, by its canonical ``name`` in the conflict data
    #: (``nlp/conflicts.py``: "Russia–Ukraine war"), the side the position is addressed to (``counterpart``:
    #: the other side's lead for a party, both sides' for a third party) and the actor's ``role`` in it
    #: (``ROLES``).  All three are '' when the article places no
    #: known conflict: it is still a signal.  The name, not the file's ``id``, is kept: it is what an analyst
    #: reads and filters by, and keeping both would be two copies of one fact that a user's file (which may
    #: rename a conflict under the same id) could make disagree; a changed file changes the extractor version,
    #: so ``reprocess`` re-stamps the names.
    conflict: str = ""
    counterpart: str = ""
    role: str = ""
    #: ``standing`` for a position held over time ("has long rejected", "has repeatedly said": its ``when`` is
    #: the date it is reported as still held, not the day it was taken), ``past`` for a recounted earlier
    #: position ("had rejected ... until the weekend": its ``when`` is before the change when the text bounds
    #: it), '' otherwise.  The analyses never read a standing or recounted position as the actor's news of the
    #: day (``analysis/points.py``).  A project extension, like ``conflict``.
    time_basis: str = ""
    #: The innermost identifiable link of ``sources`` then the article's outlet, canonically named ("two
    #: officials told the NYT" -> "The New York Times"; ``nlp.origins``), '' when there is none: what the
    #: corroboration analysis counts.  Not part of docs/SCHEMA.md: ``to_dict`` leaves it out, equality ignores it.
    origin: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "actor": self.actor,
            "stance": self.stance,
            "topic": self.topic,
            "channel": self.channel,
            "terms": list(self.terms),
            "when": self.when,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "evidence_span": list(self.evidence_span) if self.evidence_span else None,
            "confidence": round(self.confidence, 3),
            "conflict": self.conflict,
            "counterpart": self.counterpart,
            "role": self.role,
            "time_basis": self.time_basis,
        }
        return d


@dataclass(frozen=True)
class ActorInfo:
    """What the extractor's actor registry knows about a signal's actor: its kind, its state, the other
    names it goes by.  It travels with the result so that the store (which counts actors and their aliases)
    and the analyses (which group a leader with their state) need no NLP of their own, and so that a user's
    ``--actors`` file reaches them.  Not part of docs/SCHEMA.md: ``ArticleResult.to_dict`` leaves it out."""

    name: str
    kind: str = ""
    country: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class ArticleResult:
    """What the extractor returns for one article.

    ``about_war`` is False when the pre-parse scan found no war vocabulary (``nlp/scope.py``), or, in the
    default mode, when the signal model's article filter found it not about ending one
    (``model/relevance.py``): such an article is not parsed and has neither signals nor attributions.
    """

    article: Article
    attributions: list[Attribution] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    about_war: bool = True
    #: Per signal, why it was decided (the candidate's gate, holder features and the model's scores);
    #: filled by the learned decision, printed by ``extract --explain`` only; diagnostics, so neither
    #: stored nor part of a result's equality.
    explanations: list[dict[str, Any]] = field(default_factory=list, compare=False)
    #: Characters of the article that were not parsed (``nlp/guard.py``: overlong words, paragraph tails,
    #: the part past the parse limit); the article itself is kept whole.  In ``to_dict`` only when not 0,
    #: so that ordinary results look exactly as before.
    skipped_chars: int = 0
    #: What the registry knows about each signal's actor (``ActorInfo``), for the store and the analyses;
    #: not part of the result's contract, so neither printed nor part of its equality.
    actors: list[ActorInfo] = field(default_factory=list, compare=False)

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d = {
            "article": self.article.to_dict(),
            "about_war": self.about_war,
            "attributions": [a.to_dict() for a in self.attributions],
            "signals": [s.to_dict() for s in self.signals],
        }
        if self.skipped_chars:
            d["skipped_chars"] = self.skipped_chars
        if explain:
            d["explanations"] = list(self.explanations)
        return d
