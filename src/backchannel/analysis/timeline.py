"""An actor's positions over time, and which way they have been moving.

``trend`` scores each dated point by its stance polarity (``points.POLARITY``:
open/proposes/agrees +1, urges 0, refuses/opposes -1) and compares the mean
of the most recent points with the mean of the ones before:

* recent = the last ``recent`` points (default 5), but never more than half
  of them, so that there is always an earlier period to compare with
  (two points: the last one against the first);
* ``delta = mean(recent) - mean(earlier)``;
* ``delta >= threshold`` (default 0.5) -> "moving toward talks";
  ``delta <= -threshold`` -> "hardening";
* otherwise "mixed" when the recent points themselves pull both ways (some
  +1 and some -1), else "steady".

Baseline points (``points.TimelinePoint.baseline``: a standing position such as "has long
rejected", or a recounted past one the text does not date) are never recent: they count with the
earlier points, whatever their date, so "India has long rejected mediation" in today's article is
what a change is measured against, never the change.  A recounted position the text dates ("until
the weekend, Bangkok had rejected ...", dated the Friday before) is placed at that date.

Fewer than two dated, scored points, or none that is news, is "steady": there is nothing to compare.
Counting points rather than days keeps the rule meaningful for actors who are
reported once a month as well as for those reported daily.
"""

from __future__ import annotations

from collections.abc import Sequence

from backchannel.analysis.actors import ActorGroups, stream_signals
from backchannel.analysis.points import TimelinePoint, point_order
from backchannel.store import Store

TOWARD_TALKS = "moving toward talks"
HARDENING = "hardening"
STEADY = "steady"
MIXED = "mixed"
TRENDS = (TOWARD_TALKS, HARDENING, STEADY, MIXED)


def timeline(store: Store, actor: str, since: str | None = None, until: str | None = None,
             group_state: bool = False) -> list[TimelinePoint]:
    """Each of ``actor``'s current signals, oldest first (undated last).

    ``since``/``until`` are inclusive ``YYYY[-MM[-DD]]`` bounds on the
    signal's ``when``, else its article's date (the store's rule).
    ``group_state`` adds the signals of every actor of the same state.
    """
    groups = ActorGroups(store, group_state)
    points = [TimelinePoint.from_signal(s)
              for s in stream_signals(store, actor, groups, since=since, until=until)]
    return sorted(points, key=point_order)


def trend(points: Sequence[TimelinePoint], recent: int = 5, threshold: float = 0.5) -> str:
    """"moving toward talks", "hardening", "steady" or "mixed": the rule is in the module docstring."""
    scored = [p for p in sorted(points, key=point_order) if p.span is not None and p.score is not None]
    news = [p.score for p in scored if not p.baseline]
    if len(scored) < 2 or not news:
        return STEADY
    k = max(1, min(recent, len(scored) // 2, len(news)))
    late, early = news[-k:], [p.score for p in scored if p.baseline] + news[:-k]
    delta = sum(late) / len(late) - sum(early) / len(early)
    if delta >= threshold:
        return TOWARD_TALKS
    if delta <= -threshold:
        return HARDENING
    if 1 in late and -1 in late:
        return MIXED
    return STEADY
