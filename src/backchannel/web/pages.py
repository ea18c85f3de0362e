"""What each page shows, as plain dicts: the HTML templates and the ``.json`` answers render the same data.

This is the one module that calls the analysis library (``timeline``,
``trend``, ``divergence``, ``claim_for``, ``corroboration``) and the store's
queries; the routes only parse parameters and pick a representation.

Costs are bounded for large stores: the overview reads each actor's latest
``RECENT`` signals (its trend there is the *recent* trend: the last five of
those against the ones before), the actor page lists at most ``TABLE_ROWS``
signals in HTML (the JSON has every point), and search answers at most
``params.MAX_LIMIT`` rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from backchannel.analysis import TimelinePoint, claim_for, corroboration, divergence, timeline, trend
from backchannel.analysis.points import point_order
from backchannel.store import SignalFilter, Sort, Store
from backchannel.store.detail import evidence_bounds
from backchannel.web import cursor
from backchannel.web.chart import timeline_chart
from backchannel.web.errors import ApiError

RECENT = 50
TABLE_ROWS = 200
MAX_POINTS = 2000  # an actor page's timeline at most; narrower dates show the rest
MAX_CORROBORATING = 50
PUBLIC, PRIVATE = ("public", "both"), ("private", "both")


def safe_href(url: str | None) -> str | None:
    """``url`` when it is http(s), else None: a stored ``javascript:`` URL must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def brief(s: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a signal that a list shows."""
    if s is None:
        return None
    return {k: s.get(k) for k in ("id", "date", "actor", "stance", "topic", "channel", "evidence", "outlet",
                                  "title", "when", "sources", "conflict", "counterpart", "role")}


# ---- overview -------------------------------------------------------------------------------------------
def _latest_on(store: Store, name: str, recent: list[dict[str, Any]], channels: tuple[str, ...]) -> dict | None:
    """The actor's latest stance on one side: a position stated at its date wins over a standing or recounted
    one (``time_basis``), which is shown only when the side has nothing else: "has long rejected" in today's
    article is not the actor's news of today."""
    on_side = [s for s in recent if s["channel"] in channels]  # newest first
    stated = [s for s in on_side if not s.get("time_basis")]
    if stated:
        return stated[0]
    if len(recent) < RECENT:  # every signal of the actor was in ``recent``
        return on_side[0] if on_side else None
    found = [row for channel in channels
             for row in store.signals(actor=name, channel=channel, limit=1, newest_first=True)]
    found.sort(key=lambda s: (not s.get("time_basis"), bool(s["date"]), s["date"], s["id"]), reverse=True)
    return found[0] if found else (on_side[0] if on_side else None)


def overview(store: Store, actors: list[dict[str, Any]]) -> dict[str, Any]:
    """``actors``: name, kind and signal count of each actor with current signals (``Store.actor_overview``)."""
    rows = []
    for actor in actors:
        name = actor["name"]
        recent = store.signals(actor=name, limit=RECENT, newest_first=True)
        rows.append({
            "name": name, "kind": actor["kind"], "signals": actor["signals"],
            "latest_date": recent[0]["date"] if recent else "",
            "trend": trend([TimelinePoint.from_signal(s) for s in recent]),
            "latest_public": brief(_latest_on(store, name, recent, PUBLIC)),
            "latest_private": brief(_latest_on(store, name, recent, PRIVATE)),
        })
    return {"actors": rows, "conflicts": by_conflict(store.actor_conflicts()), "counts": store.counts(),
            "trend_window": RECENT}


def by_conflict(placements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actors grouped by the conflict their signals are placed in (``Store.actor_conflicts``): named conflicts
    first, the most signals first; within one, parties before third parties; '' (no known conflict) last.
    An actor placed in two conflicts is in both groups, with its count in each."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for p in placements:
        members = groups.setdefault(p["conflict"], {})
        member = members.setdefault(p["actor"], {"actor": p["actor"], "role": p["role"], "signals": 0})
        member["signals"] += p["signals"]
        if p["role"] == "party":  # a party in some signals, unplaced in others: a party
            member["role"] = "party"
    rank = {"party": 0, "third_party": 1}
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", -sum(m["signals"] for m in kv[1].values()), kv[0]))
    return [{"conflict": name, "actors": sorted(members.values(),
                                                key=lambda m: (rank.get(m["role"], 2), -m["signals"], m["actor"]))}
            for name, members in ordered]


def overview_html(data: dict[str, Any]) -> dict[str, Any]:
    """Adds ``groups`` for the page: each conflict with the overview rows of its actors, and their role there."""
    rows = {a["name"]: a for a in data["actors"]}
    groups = [{"conflict": g["conflict"],
               "rows": [{**rows[m["actor"]], "role": m["role"], "in_conflict": m["signals"]}
                        for m in g["actors"] if m["actor"] in rows]}
              for g in data["conflicts"]]
    return {**data, "groups": [g for g in groups if g["rows"]]}


class OverviewCache:
    """The overview, recomputed only when the store's signals change (``Store.fingerprint``).

    It reads every actor's newest signals, which grows with the store, and it
    is the page everyone lands on; between two ingests it cannot change.
    """

    def __init__(self) -> None:
        self._key: Any = None
        self._value: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:  # one computation at a time; the others wait and reuse it
            if self._value is None or key != self._key:
                self._value, self._key = compute(), key
            return self._value


# ---- actor ----------------------------------------------------------------------------------------------
def actor(store: Store, name: str, since: str | None, until: str | None) -> dict[str, Any]:
    """The actor's timeline; for a very busy actor only its latest ``MAX_POINTS`` signals (say so), because
    a timeline of 170,000 points costs seconds to build and megabytes to send and no chart can show it."""
    latest = store.signals(actor=name, since=since, until=until, limit=MAX_POINTS + 1, newest_first=True)
    if not latest:
        if not store.signals(actor=name, limit=1):
            raise ApiError(404, f"no signals for actor {name!r}")
        points: list[TimelinePoint] = []
        truncated = False
    elif len(latest) > MAX_POINTS:
        points = sorted((TimelinePoint.from_signal(r) for r in latest[:MAX_POINTS]), key=point_order)
        truncated = True
    else:
        points = timeline(store, name, since=since, until=until)
        truncated = False
    return {"actor": name, "since": since, "until": until, "trend": trend(points), "count": len(points),
            "truncated": truncated, "actors": sorted({p.actor for p in points}), "points": points}


def actor_json(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "points": [p.to_dict() for p in data["points"]]}


def actor_html(data: dict[str, Any]) -> dict[str, Any]:
    """Adds the chart and the table rows: dated signals newest first, then the undated, ``TABLE_ROWS`` at most."""
    points: list[TimelinePoint] = data["points"]
    dated = [p for p in points if p.span is not None]
    rows = ([*reversed(dated), *(p for p in points if p.span is None)])[:TABLE_ROWS]
    return {**data, "chart": timeline_chart(points), "rows": rows, "shown": len(rows)}


# ---- signal ---------------------------------------------------------------------------------------------
def signal(store: Store, signal_id: int, corrections: list[dict[str, Any]]) -> dict[str, Any]:
    detail = store.signal(signal_id)
    if detail is None:
        raise ApiError(404, f"no signal with id {signal_id}")
    article = detail.get("article") or {}
    text = article.get("text") or ""
    bounds = evidence_bounds(text, detail["evidence"], detail["evidence_span"])
    claim = claim_for(store, signal_id)
    return {"signal": detail, "bounds": list(bounds) if bounds else None, "claim": claim,
            "reports": _reports(store, detail, claim), "corrections": corrections,
            "article_href": safe_href(article.get("url"))}


def _reports(store: Store, detail: dict[str, Any], claim: Any) -> list[dict[str, Any]]:
    """The other signals of the claim, each with its origin: what corroborates (or merely echoes) this one."""
    if claim is None:
        return []
    origin_of = {sid: o.name for o in claim.origins for sid in o.signal_ids}
    others = [sid for sid in claim.signal_ids if sid != detail["id"]][:MAX_CORROBORATING]
    rows = {s["id"]: s for s in store.signals(actor=detail["actor"], stance=detail["stance"], topic=detail["topic"],
                                              since=claim.first_date, until=claim.last_date)}
    reports = []
    for sid in others:
        row = rows.get(sid) or store.signal(sid)
        if row is not None:
            reports.append({**brief(row), "origin": origin_of.get(sid, ""), "url": safe_href(row.get("url"))})
    return reports


def signal_json(data: dict[str, Any]) -> dict[str, Any]:
    claim = data["claim"]
    return {**data["signal"], "evidence_bounds": data["bounds"], "corrections": data["corrections"],
            "corroboration": None if claim is None else {**claim.to_dict(), "reports": data["reports"]}}


def highlighted(text: str, bounds: list[int] | None) -> tuple[str, str, str]:
    """The article text split around the evidence: (before, evidence, after); the template marks the middle."""
    if not bounds:
        return text, "", ""
    start, end = bounds
    return text[:start], text[start:end], text[end:]


# ---- divergence and search --------------------------------------------------------------------------------
def divergences(store: Store, actor_name: str | None, since: str | None, until: str | None,
                period: str) -> dict[str, Any]:
    found = divergence(store, actor_name, since=since, until=until, period=period)
    return {"actor": actor_name, "since": since, "until": until, "period": period, "count": len(found),
            "divergences": found}


def divergences_json(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "divergences": [d.to_dict() for d in data["divergences"]]}


def search(store: Store, filters: SignalFilter, sort: Sort, limit: int, after: tuple | None) -> dict[str, Any]:
    """One page of matching signals in ``sort`` order after the cursor's row; ``next`` is the cursor of the page
    after it (None on the last), ``total`` how many match in all."""
    rows, following = store.signal_page(filters, sort, limit, after)
    return {"filters": filters.values(), "sort": sort.name, "limit": limit, "count": len(rows),
            "total": store.count_signals(filters), "more": following is not None,
            "next": None if following is None else cursor.encode(sort, following), "signals": rows}


# ---- corroboration ------------------------------------------------------------------------------------------
def corroborations(store: Store, filters: SignalFilter, corroborated: str | None, limit: int) -> dict[str, Any]:
    """The claims of ``analysis.corroboration`` (the CLI's ``backchannel corroboration``), newest first,
    ``limit`` at most; ``corroborated`` "yes" keeps those with two independent origins or more, "no" the rest."""
    claims = corroboration(store, since=filters.since, until=filters.until, actor=_single(filters.actor),
                           stance=_single(filters.stance), topic=_single(filters.topic))
    if corroborated is not None:
        claims = [c for c in claims if c.corroborated == (corroborated == "yes")]
    newest = list(reversed(claims))[:limit]
    return {"filters": {k: v for k, v in filters.values().items() if k in CORROBORATION_FILTERS},
            "corroborated": corroborated, "limit": limit, "count": len(newest), "total": len(claims),
            "claims": newest}


CORROBORATION_FILTERS = ("actor", "stance", "topic", "since", "until")


def _single(value: str | tuple[str, ...] | None) -> str | None:
    return value if value is None or isinstance(value, str) else value[0]


def corroborations_json(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "claims": [c.to_dict() for c in data["claims"]]}


# ---- actors and conflicts -------------------------------------------------------------------------------------
def actors_json(store: Store) -> dict[str, Any]:
    """Every actor with current signals (``Store.actors``) and the conflicts its signals are placed in."""
    placed: dict[str, list[dict[str, Any]]] = {}
    for p in store.actor_conflicts():
        if p["conflict"]:
            placed.setdefault(p["actor"], []).append({"conflict": p["conflict"], "role": p["role"],
                                                      "signals": p["signals"]})
    return {"actors": [{**a, "conflicts": placed.get(a["name"], [])} for a in store.actors()]}


def conflicts_json(store: Store) -> dict[str, Any]:
    """Every conflict of current signals (``Store.conflicts``) with the actors placed in it as parties and as
    third parties (an actor with no role in a signal of the conflict is in neither list)."""
    members = {g["conflict"]: g["actors"] for g in by_conflict(store.actor_conflicts())}
    rows = []
    for c in store.conflicts():
        placed = members.get(c["name"], [])
        rows.append({"name": c["name"], "signals": c["signals"],
                     "parties": [{"actor": m["actor"], "signals": m["signals"]} for m in placed if m["role"] == "party"],
                     "third_parties": [{"actor": m["actor"], "signals": m["signals"]}
                                       for m in placed if m["role"] == "third_party"]})
    return {"conflicts": rows}
