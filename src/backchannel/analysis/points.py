"""One signal as the analyses show it (``TimelinePoint``) and the stance polarity table they share.

Polarity says which way a stance points on ending the fighting:

=========  ========  ==================================================
stance     polarity  why
=========  ========  ==================================================
open       +1        ready to negotiate / cease fire
proposes   +1        puts terms on the table: engaging, not refusing
agrees     +1        reached or accepted a deal or truce
urges       0        a third party's pressure says nothing of its own
                     readiness; it neither softens nor hardens
refuses    -1        rules out talks, a truce or a deal
opposes    -1        works against talks or a deal
=========  ========  ==================================================

Unknown stance labels get no polarity (``None``) and are left out of
trends and divergences rather than guessed.

A point is a *baseline* (``TimelinePoint.baseline``) when it is not the actor's news of its date: a
standing position ("has long rejected", ``time_basis`` ``standing``), or a recounted past one
(``past``) that the text gives no date of its own, so that it carries its article's.  The analyses
compare news against it and never read it as the latest move.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from backchannel.analysis.dates import Span, parse_date, signal_date
from backchannel.store.detail import source_chain

POLARITY: dict[str, int] = {"open": 1, "proposes": 1, "agrees": 1, "urges": 0, "refuses": -1, "opposes": -1}


def polarity(stance: str) -> int | None:
    return POLARITY.get((stance or "").strip().lower())


@dataclass
class TimelinePoint:
    """One signal placed in time, with what an analyst needs to judge it.

    ``date`` is the signal's ``when``, else its article's ``published``
    (empty when neither is a valid date); ``chain`` is the source chain,
    innermost first, ending with the outlet that published it.
    """

    signal_id: int
    date: str
    actor: str
    stance: str
    topic: str
    channel: str
    evidence: str
    sources: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    when: str = ""
    article_id: str = ""
    outlet: str = ""
    title: str = ""
    url: str = ""
    published: str = ""
    time_basis: str = ""

    @property
    def baseline(self) -> bool:
        """Not the actor's news of its date: standing, or recounted and dated only by its article (see the
        module docstring).  A recounted position the text dates ("had rejected ... until the weekend") is
        news of its own, earlier date."""
        if self.time_basis == "standing":
            return True
        return self.time_basis == "past" and (not self.when or self.published.startswith(self.when))

    @property
    def score(self) -> int | None:
        """The stance's polarity (see the module table)."""
        return polarity(self.stance)

    @property
    def span(self) -> Span | None:
        return parse_date(self.date)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = self.score
        return d

    @classmethod
    def from_signal(cls, s: dict[str, Any]) -> TimelinePoint:
        """From a store signal dict (``Store.signals`` / ``iter_signals``)."""
        span = signal_date(s)
        sources = list(s.get("sources") or [])
        outlet = s.get("outlet") or ""
        return cls(
            signal_id=int(s["id"]), date=span.text if span else "", actor=s.get("actor") or "",
            stance=s.get("stance") or "", topic=s.get("topic") or "", channel=s.get("channel") or "",
            evidence=s.get("evidence") or "", sources=sources, chain=source_chain(sources, outlet),
            terms=list(s.get("terms") or []), when=s.get("when") or "", article_id=s.get("article_id") or "",
            outlet=outlet, title=s.get("title") or "", url=s.get("url") or "", published=s.get("published") or "",
            time_basis=s.get("time_basis") or "",
        )


def point_order(point: TimelinePoint) -> tuple:
    """Oldest first by the first day the date covers (a coarse date before the days it contains; a baseline
    before the news of the same day), undated last."""
    span = point.span
    if span is None:
        return (1, "", 0, 0, point.signal_id)
    return (0, span.start.isoformat(), 0 if point.baseline else 1, span.text.count("-"), point.signal_id)
