"""Which stored signals belong to an actor, optionally grouping a leader with their state.

``group_state=True`` files every actor under its state as the store holds it
(``Store.actor_countries``: what the extractor's registry said when the
signal was stored, "Vladimir Putin" -> "Russia"), so a leader, his ministry
and his state count as one side.  Actors with no known state stay on their
own, and so do actors that fight their own state: the RSF's state is Sudan, but in
the Sudanese civil war it is the Sudanese army's opponent, and merging the two would
make a war look like one actor's public/private split.  Who faces whom is read from
the stored signals' conflict, role and counterpart (``Store.conflict_parties``), not
from any NLP (``apart_from_their_state``).  Without grouping, an actor is matched
the way ``Store.signals`` matches it: canonical name or known alias, case and
accents ignored.

Signals are streamed from the store (``Store.iter_signals``) in date order;
for a group, one stream per member name is merged, so a group query reads
only its members' rows, never the whole table.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from backchannel.store import Store, actor_key


class ActorGroups:
    """Maps an actor name to the label it is counted under (itself, or its state with ``group_state``)."""

    def __init__(self, store: Store, group_state: bool = False) -> None:
        self.store = store
        self.group_state = group_state
        self._countries: dict[str, str] | None = None
        self._apart: set[str] = set()
        self._cache: dict[str, str] = {}

    def label(self, actor: str) -> str:
        if not self.group_state:
            return actor
        found = self._cache.get(actor)
        if found is None:
            if self._countries is None:
                countries = self.store.actor_countries()
                self._apart = apart_from_their_state(self.store.conflict_parties(),
                                                     lambda name: countries.get(name) or name)
                self._countries = countries
            canonical = actor if actor in self._countries else self._canonical(actor)
            found = canonical if canonical in self._apart else (
                self._countries.get(actor) or self._countries.get(canonical) or actor)
            if len(self._cache) < 100_000:
                self._cache[actor] = found
        return found

    def members(self, actor: str) -> list[str]:
        """The stored actor names to read for ``actor``: itself, plus (grouped) every name in its state."""
        if not self.group_state:
            return [actor]
        target = actor_key(self.label(actor))
        names = [a["name"] for a in self.store.actor_overview() if actor_key(self.label(a["name"])) == target]
        # The asked name too, unless it is (an alias of) a member already: that would read its rows twice.
        asked = {actor_key(actor), actor_key(self._canonical(actor))}
        if any(actor_key(n) in asked for n in names):
            return names
        return [actor, *names]

    def _canonical(self, actor: str) -> str:
        return self.store.actor_named(actor) or actor


def apart_from_their_state(parties: Iterable[Mapping[str, str]], state_of: Callable[[str], str]) -> set[str]:
    """The actors that must not be grouped under their state, because in some conflict they face it.

    ``parties`` are (actor, conflict, counterpart) of party signals: each says the actor and its counterpart
    are on opposite sides of that conflict.  Per conflict these edges are 2-coloured into sides.  Where
    actors of one state (``state_of``; a name with no known state is its own) stand on both sides, those on
    the side opposite the state itself are kept apart; when the state is not among them, no side can be
    called the state's, so all of them are kept apart: grouping may then miss a member, but it never
    merges two opposing parties.
    """
    graphs: dict[str, dict[str, set[str]]] = {}
    for row in parties:
        graph = graphs.setdefault(row["conflict"], {})
        graph.setdefault(row["actor"], set()).add(row["counterpart"])
        graph.setdefault(row["counterpart"], set()).add(row["actor"])
    apart: set[str] = set()
    for graph in graphs.values():
        side: dict[str, int] = {}
        for start in graph:
            if start in side:
                continue
            side[start], queue, component = 0, [start], [start]
            while queue:
                node = queue.pop()
                for other in graph[node]:
                    if other not in side:
                        side[other] = 1 - side[node]
                        queue.append(other)
                        component.append(other)
            for state in {state_of(n) for n in component}:
                members = [n for n in component if state_of(n) == state]
                if len({side[n] for n in members}) < 2:
                    continue
                state_side = side[state] if state in component else None
                apart.update(n for n in members if side[n] != state_side)
    return apart


def _order(signal: dict[str, Any]) -> tuple:
    """The store's order (undated last, then date text, then id), so merged streams stay sorted."""
    date = signal.get("date") or ""
    return (date == "", date, int(signal["id"]))


def stream_signals(store: Store, actor: str | None = None, groups: ActorGroups | None = None,
                   **filters: Any) -> Iterator[dict[str, Any]]:
    """Current signals in date order (undated last), of ``actor`` (and its group) or of everyone.

    ``filters`` are ``Store.iter_signals`` keywords (``since``, ``until``,
    ``stance``, ``topic``, ``channel``, ``outlet``).
    """
    if actor is None:
        yield from store.iter_signals(**filters)
        return
    names = (groups or ActorGroups(store)).members(actor)
    if len(names) == 1:
        yield from store.iter_signals(actor=names[0], **filters)
        return
    last_id = None
    # A name and an alias of another may select the same rows: equal keys come out together, drop repeats.
    for signal in heapq.merge(*(store.iter_signals(actor=n, **filters) for n in names), key=_order):
        if signal["id"] != last_id:
            last_id = signal["id"]
            yield signal
