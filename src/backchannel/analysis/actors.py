"""Which stored signals belong to an actor, optionally grouping a leader with their state.

``group_state=True`` files every actor under the state the registry says it
belongs to (``ActorRegistry.country_of``: "Vladimir Putin" -> "Russia"), so a
leader, his ministry and his state count as one side.  Actors the registry
does not know stay on their own.  Without grouping, an actor is matched the
way ``Store.signals`` matches it: canonical name or known alias, case and
accents ignored.

Signals are streamed from the store (``Store.iter_signals``) in date order;
for a group, one stream per member name is merged, so a group query reads
only its members' rows, never the whole table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from backchannel.store import Store, actor_key


@lru_cache(maxsize=1)
def default_registry() -> Any:
    try:
        from backchannel.nlp.registry import ActorRegistry

        return ActorRegistry.default()
    except Exception:  # the analyses must work without the NLP side: no grouping then
        return None


class ActorGroups:
    """Maps an actor name to the label it is counted under (itself, or its state with ``group_state``)."""

    def __init__(self, group_state: bool = False, registry: Any = None) -> None:
        self.group_state = group_state
        self._registry = registry
        self._cache: dict[str, str] = {}

    def label(self, actor: str) -> str:
        if not self.group_state:
            return actor
        found = self._cache.get(actor)
        if found is None:
            registry = self._registry if self._registry is not None else default_registry()
            country = None
            if registry:
                try:
                    country = registry.country_of(actor)
                except Exception:  # a registry oddity must not break a report
                    country = None
            found = country or actor
            if len(self._cache) < 100_000:
                self._cache[actor] = found
        return found

    def members(self, store: Store, actor: str) -> list[str]:
        """The stored actor names to read for ``actor``: itself, plus (grouped) every name in its state."""
        if not self.group_state:
            return [actor]
        target = actor_key(self.label(actor))
        names = [a["name"] for a in store.actors() if actor_key(self.label(a["name"])) == target]
        # The asked name too, unless it is (an alias of) a member already: that would read its rows twice.
        asked = {actor_key(actor), actor_key(self._canonical(actor))}
        if any(actor_key(n) in asked for n in names):
            return names
        return [actor, *names]

    def _canonical(self, actor: str) -> str:
        registry = self._registry if self._registry is not None else default_registry()
        try:
            entry = registry.lookup(actor) if registry else None
        except Exception:
            entry = None
        return entry.name if entry is not None else actor


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
    names = (groups or ActorGroups()).members(store, actor)
    if len(names) == 1:
        yield from store.iter_signals(actor=names[0], **filters)
        return
    last_id = None
    # A name and an alias of another may select the same rows: equal keys come out together, drop repeats.
    for signal in heapq.merge(*(store.iter_signals(actor=n, **filters) for n in names), key=_order):
        if signal["id"] != last_id:
            last_id = signal["id"]
            yield signal
