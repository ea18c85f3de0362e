"""Where an actor says one thing in public and another in private, period by period.

For each actor (or state group) and period (a month by default), the
signals with a known channel are split into a public side and a private side
(``both`` counts on each side; ``unknown`` on neither) and compared by stance
polarity (``points.POLARITY``):

=================  ==================  =====================================
public side has    private side has    reported as
=================  ==================  =====================================
negative (-1)      positive (+1)       ``BACK_CHANNEL``: refusing in public
                                       while open / proposing / agreeing in
                                       private, the classic back channel
positive (+1)      negative (-1)       ``REVERSE``: open in public, refusing
                                       in private
anything else                          no divergence (same direction, or
                                       ``urges`` = 0 on one side)
=================  ==================  =====================================

Positive = open, proposes, agrees; negative = refuses, opposes.  Topics are
not required to match by default (refusing a *deal* in public while open to
*talks* in private is exactly what an analyst wants to see); pass
``same_topic=True`` to compare within each topic only.  Each divergence keeps
the evidence of both sides: the signals (ids, evidence, sources, outlet).

A recounted past position that the text does not date (``TimelinePoint.baseline`` and ``past``:
"the Kremlin had rejected ...", carrying only its article's date) is left out: it says what the
actor held before, not what it said in that period.  A standing position ("has long refused") is
kept: it is still held in the period it is reported in.

Signals are streamed in date order and a period's comparison is made as soon
as the stream leaves that period, so memory holds one period at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from backchannel.analysis.actors import ActorGroups, stream_signals
from backchannel.analysis.dates import PERIODS, bucket, signal_date
from backchannel.analysis.points import TimelinePoint, point_order, polarity
from backchannel.store import Store

BACK_CHANNEL = "public negative, private positive"
REVERSE = "public positive, private negative"

_SIDES = {"public": ("public",), "private": ("private",), "both": ("public", "private")}


@dataclass
class Divergence:
    """One actor's public and private stances pointing opposite ways within one period."""

    actor: str  # the actor, or its state with group_state
    period: str  # "2025-03", "2025-Q1", "2025" or "all"
    kind: str  # BACK_CHANNEL or REVERSE
    public: list[TimelinePoint] = field(default_factory=list)
    private: list[TimelinePoint] = field(default_factory=list)
    topic: str | None = None  # set with same_topic=True

    @property
    def actors(self) -> list[str]:
        return sorted({p.actor for p in (*self.public, *self.private)})

    @property
    def signal_ids(self) -> list[int]:
        return [p.signal_id for p in (*self.public, *self.private)]

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "actors": self.actors, "period": self.period, "kind": self.kind,
                "topic": self.topic, "public": [p.to_dict() for p in self.public],
                "private": [p.to_dict() for p in self.private]}


def divergence(store: Store, actor: str | None = None, since: str | None = None, until: str | None = None,
               period: str = "month", group_state: bool = False, same_topic: bool = False) -> list[Divergence]:
    """Every divergence (see the module table), by period then actor; of one actor when ``actor`` is given."""
    return list(iter_divergences(store, actor, since, until, period, group_state, same_topic))


def iter_divergences(store: Store, actor: str | None = None, since: str | None = None,
                     until: str | None = None, period: str = "month", group_state: bool = False,
                     same_topic: bool = False) -> Iterator[Divergence]:
    """``divergence`` as a stream: each period is reported when the date-ordered signals move past it."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    groups = ActorGroups(store, group_state)
    # (period, actor label, topic or None) -> side -> polarity -> points
    open_periods: dict[tuple[str, str, str | None], dict[str, dict[int, list[TimelinePoint]]]] = {}
    current: str | None = None
    for signal in stream_signals(store, actor, groups, since=since, until=until):
        span = signal_date(signal)
        score = polarity(signal.get("stance", ""))
        sides = _SIDES.get((signal.get("channel") or "").strip().lower())
        if span is None or not score or sides is None:
            continue
        point = TimelinePoint.from_signal(signal)
        if point.baseline and point.time_basis == "past":
            continue
        label = bucket(span, period)
        if label != current:
            yield from _flush(open_periods, keep=label)
            current = label
        # With an actor and group_state every streamed signal is of that actor's state.
        group = groups.label(actor) if actor is not None and group_state else groups.label(signal["actor"])
        key = (label, group, signal.get("topic") if same_topic else None)
        slot = open_periods.setdefault(key, {"public": defaultdict(list), "private": defaultdict(list)})
        for side in sides:
            slot[side][score].append(point)
    yield from _flush(open_periods, keep=None)


def _flush(open_periods: dict, keep: str | None) -> Iterator[Divergence]:
    done = sorted(k for k in open_periods if k[0] != keep)
    for key in done:
        slot = open_periods.pop(key)
        label, group, topic = key
        public, private = slot["public"], slot["private"]
        for kind, pub, priv in ((BACK_CHANNEL, -1, 1), (REVERSE, 1, -1)):
            if public.get(pub) and private.get(priv):
                yield Divergence(group, label, kind, sorted(public[pub], key=point_order),
                                 sorted(private[priv], key=point_order), topic)
