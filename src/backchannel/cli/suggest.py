"""Unknown actor and conflict names: one line with the nearest stored name, the same in every command.

A filter that silently matches nothing reads as "no signals about that actor / that war", which is a
wrong answer rather than a typo caught.  So every command that takes ``--actor`` or ``--conflict``
(``signals``, ``export``, ``divergence``, ``corroboration``, and ``timeline``'s ACTOR) checks the name
against the store first, through ``check_names``, and refuses an unknown one with a "did you mean".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from ..errors import BackchannelError
from ..store.queries import actor_key, conflict_key

if TYPE_CHECKING:
    from ..store import Store

_SHOW_ALL = 8  # list every stored name when there are this few and none is near


def nearest(value: str, known: Sequence[str], key: Callable[[str], str]) -> str | None:
    """The stored name ``value`` most likely meant: one that contains it (as ``key`` folds both), else the
    closest spelling (difflib), else None."""
    keys = {key(name): name for name in known}
    wanted = key(value)
    if not wanted:
        return None
    within = [keys[k] for k in keys if wanted in k]
    if within:
        return within[0]
    close = get_close_matches(wanted, list(keys), n=1, cutoff=0.5)
    return keys[close[0]] if close else None


def unknown_name(kind: str, value: str, known: Sequence[str], key: Callable[[str], str]) -> BackchannelError:
    """The one-line error for a ``kind`` ("actor", "conflict") that no stored signal has."""
    near = nearest(value, known, key)
    if near:
        hint = f"; did you mean {near!r}?"
    elif not known:
        hint = f"; no stored signal has any {kind}"
    elif len(known) <= _SHOW_ALL:
        hint = f"; the stored {kind}s are: {', '.join(known)}"
    else:
        hint = ""
    return BackchannelError(f"unknown {kind} {value!r}: no stored signal has it{hint}")


def check_names(store: Store, actor: str | None = None, conflict: str | None = None) -> None:
    """Raise ``unknown_name`` for an ``actor`` (a canonical name or a known alias) or a ``conflict`` that
    the store's current signals do not have; blank values are no filter and pass."""
    if actor and actor.strip() and store.actor_named(actor) is None:
        raise unknown_name("actor", actor, [a["name"] for a in store.actor_overview()], actor_key)
    if conflict and conflict.strip():
        known = [c["name"] for c in store.conflicts()]
        if conflict_key(conflict) not in {conflict_key(name) for name in known}:
            raise unknown_name("conflict", conflict, known, conflict_key)
