"""One row per claim: a list of signals regrouped so that one position reported by many outlets is one row.

Why: an analyst reading a list of signals sees the same Reuters scoop five times and
takes it for five confirmations.  Shown as one claim, "reported by 5 outlets, 1
independent origin", it reads as what it is.

What a claim is, and how its origins are counted, is decided once, in
``corroboration`` (same actor, stance and topic, close dates, similar wording;
origins from the stored chains of sources, syndicated copies merged).  This
module only runs that grouping over the period of the signals it is given and
regroups them, keeping their order (the list's first signal of a claim places
the claim).  A signal that belongs to no claim (undated, so closeness cannot be
judged) is a claim of its own.  A claim's counts cover all its signals; its
``reports`` are those of the given signals that belong to it (a filter such as
``--outlet`` or ``--channel`` can leave some out; ``size`` says how many there are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from backchannel.analysis.corroboration import CORROBORATED, NOT_CORROBORATED, Claim, claim_for, iter_claims
from backchannel.analysis.dates import signal_date
from backchannel.analysis.origins import origin_of
from backchannel.store import Store

#: How far before the earliest listed signal the grouping starts reading: claims are seeded in date order,
#: so a claim holding the first listed signal may have begun up to a few windows earlier (``claim_for``).
LOOKBACK_WINDOWS = 4


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class ClaimRow:
    """A claim as a list shows it: the position, how widely and how independently it is reported, its reports."""

    id: int
    actor: str
    stance: str
    topic: str
    first_date: str
    last_date: str
    outlets: list[str]
    origins: list[str]
    size: int  # the signals the claim rests on
    evidence: str
    reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def corroborated(self) -> bool:
        """The rule of ``Claim.corroborated``: two independent origins at least."""
        return len(self.origins) >= 2

    @property
    def verdict(self) -> str:
        return CORROBORATED if self.corroborated else NOT_CORROBORATED

    @property
    def label(self) -> str:
        """The one wording the CLI and the web print: "reported by 3 outlets, 1 independent origin"."""
        return (f"reported by {_plural(len(self.outlets), 'outlet')}, "
                f"{_plural(len(self.origins), 'independent origin')}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "actor": self.actor, "stance": self.stance, "topic": self.topic,
                "first_date": self.first_date, "last_date": self.last_date, "outlets": list(self.outlets),
                "outlet_count": len(self.outlets), "origins": list(self.origins), "origin_count": len(self.origins),
                "signals": self.size, "corroborated": self.corroborated, "verdict": self.verdict,
                "label": self.label, "evidence": self.evidence, "reports": [dict(r) for r in self.reports]}


def row_of(claim: Claim, reports: Sequence[dict[str, Any]]) -> ClaimRow:
    """A ``corroboration`` claim with the reports to show under it."""
    return ClaimRow(claim.id, claim.actor, claim.stance, claim.topic, claim.first_date, claim.last_date,
                    list(claim.outlets), claim.origin_names, len(claim.signal_ids), claim.evidence, list(reports))


def single(signal: dict[str, Any]) -> ClaimRow:
    """A signal that is a claim of its own (undated: no other report can be judged close to it)."""
    _, origin = origin_of(signal.get("origin") or "", signal.get("url") or "", signal.get("article_id") or "")
    date = signal.get("date") or ""
    return ClaimRow(int(signal["id"]), signal["actor"], signal["stance"], signal["topic"], date, date,
                    [signal["outlet"]] if signal.get("outlet") else [], [origin], 1, signal.get("evidence") or "",
                    [signal])


def group(store: Store, signals: Sequence[dict[str, Any]], *, actor: str | None = None, stance: str | None = None,
          topic: str | None = None, window_days: int = 7) -> list[ClaimRow]:
    """``signals`` (as the store lists them) regrouped into claims, in the order of their first signal.

    ``actor``, ``stance`` and ``topic``: the filters the list was made with, passed on so that the
    grouping reads only those signals.
    """
    spans = [span for span in (signal_date(s) for s in signals) if span is not None]
    claim_of: dict[int, Claim] = {}
    if spans:
        since = min(s.start for s in spans) - timedelta(days=LOOKBACK_WINDOWS * window_days)
        until = max(s.end for s in spans) + timedelta(days=window_days)
        wanted = {int(s["id"]) for s in signals}
        for claim in iter_claims(store, since=since.isoformat(), until=until.isoformat(), actor=actor,
                                 stance=stance, topic=topic, window_days=window_days):
            for sid in claim.signal_ids:
                if sid in wanted:
                    claim_of[sid] = claim
    rows: dict[int, ClaimRow] = {}
    ordered: list[ClaimRow] = []
    for s in signals:
        claim = claim_of.get(int(s["id"]))
        if claim is None:
            ordered.append(single(s))
            continue
        row = rows.get(claim.id)
        if row is None:
            row = rows[claim.id] = row_of(claim, [])
            ordered.append(row)
        row.reports.append(s)
    return ordered


def claim_view(store: Store, signal_id: int) -> ClaimRow | None:
    """The claim holding one signal, with all its reports (the web's claim view), or None: no such signal."""
    found = store.signals_by_id([signal_id])
    if not found:
        return None
    claim = claim_for(store, signal_id)
    if claim is None:
        return single(found[0])
    return row_of(claim, store.signals_by_id(claim.signal_ids))
