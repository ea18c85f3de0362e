"""Which stored signals belong to an actor, optionally grouping a leader with their state.

``group_state=True`` files every actor under its state as the store holds it
(``Store.actor_countries``: what the extractor's registry said when the
signal was stored, "Vladimir Putin" -> "Russia"), so a leader, his ministry
and his state count as one side.  Actors with no known state stay on their
own.  Without grouping, an actor is matched the way ``Store.signals`` matches
it: canonical name or known alias, case and accents ignored.

Signals are streamed from the store (``Store.iter_signals``) in date order;
for a group, one stream per member name is merged, so a group query reads
only its members' rows, never the whole table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from backchannel.store import Store, actor_key


class ActorGroups:
    """Maps an actor name to the label it is counted under (itself, or its state with ``group_state``)."""

    def __init__(self, store: Store, group_state: bool = False) -> None:
        self.store = store
        self.group_state = group_state
        self._countries: dict[str, str] | None = None
        self._cache: dict[str, str] = {}

    def label(self, actor: str) -> str:
        if not self.group_state:
            return actor
        found = self._cache.get(actor)
        if found is None:
            if self._countries is None:
                self._countries = self.store.actor_countries()
            found = self._countries.get(actor) or self._countries.get(self._canonical(actor)) or actor
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
