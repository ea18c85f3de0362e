"""Which war is an article about, and where does an actor stand in it?

A signal is a position on ending *a* war, and an analyst reads it against that war: Hamas's "yes"
means something only next to Israel's answer.  The conflicts are data (``lexicons/conflicts.json``,
extensible with a user's file in the same format, like the actor registry): each has its parties on
sides, the third parties known to broker it, and cue words that point at it.

Design choices, and why:

* **Cues, not the actors alone.**  "Israel" or "Russia" appear in stories about many things; a
  conflict is named by its places, its armed groups and its own names ("Gaza", "Hamas", "Donbas",
  "the Minsk agreements").  Such *strong* cues weigh 2; an actor that also lives in other stories is
  a *weak* cue and weighs 1.  Each distinct cue counts once: a story that says "Gaza" thirty times
  is no more about Gaza than one that says it twice, and a passing mention ("troops in Afghanistan")
  should not make a health-care story a war story.
* **A threshold measured on annotated news.**  An article is about a conflict when its distinct cues
  weigh at least ``MIN_SCORE`` (3: two strong cues, or one strong and one weak, or three weak).
  On the train split's annotations this places the articles that hold 99.4% of the gold signals
  (1,981 of 1,993); the rest are wars the file did not list (Mexico's cartels) or a story of
  Egyptian unrest.  Dev played no part in it.
* **Dated.**  A conflict has the years in which an article can be about it, so the 2015 Iran
  nuclear talks are not read as the 2025 Iran–Israel war.
* **Case-sensitive, whole words.**  The cues are names; "turkey" and "Georgia" (the US state) are
  left to the weak side or out, because case alone cannot tell them apart.
* **One pass.**  All cues of all conflicts are one compiled alternation scanned once over the text,
  so resolving costs one regular-expression pass per article, before any parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from backchannel.errors import ConflictFileError

from .datafiles import read_data_file

#: The least weight of distinct cues that places an article in a conflict (see the module docstring).
MIN_SCORE = 3
STRONG, WEAK = 2, 1


@dataclass(frozen=True)
class Conflict:
    """One war, as the data file describes it."""

    id: str
    name: str
    since: int
    until: int | None
    sides: tuple[frozenset[str], ...]
    mediators: frozenset[str]
    strong: tuple[str, ...]
    weak: tuple[str, ...]

    def live_in(self, year: int | None) -> bool:
        """Could an article of ``year`` be about this conflict?  (Unknown year: yes.)"""
        return year is None or (self.since <= year and (self.until is None or year <= self.until))

    def side_of(self, names: Iterable[str]) -> int | None:
        """The index of the side that any of ``names`` (an actor's name, its country) belongs to."""
        wanted = {n for n in names if n}
        for i, side in enumerate(self.sides):
            if side & wanted:
                return i
        return None


@dataclass(frozen=True)
class ConflictMatch:
    """A conflict an article is about, with the distinct cues that placed it there."""

    conflict: Conflict
    score: int
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    """Where an actor stands in a conflict: a party on one side, or a third party."""

    conflict: Conflict
    role: str
    counterpart: str


class ConflictRegistry:
    """The known conflicts and one question: which of them is this text about?"""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = tuple(conflicts)
        self._by_cue: dict[str, list[tuple[int, int]]] = {}
        for index, conflict in enumerate(self.conflicts):
            for weight, cues in ((STRONG, conflict.strong), (WEAK, conflict.weak)):
                for cue in cues:
                    self._by_cue.setdefault(cue, []).append((index, weight))
        alternation = "|".join(re.escape(c) for c in sorted(self._by_cue, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])") if alternation else None

    @classmethod
    def default(cls) -> ConflictRegistry:
        """The bundled conflicts (``lexicons/conflicts.json``), read once per process."""
        return _default_registry()

    @classmethod
    def from_file(cls, path: str | Path) -> ConflictRegistry:
        """A user's conflict file, in the bundled file's format (JSON; YAML when PyYAML is installed)."""
        path = Path(path)
        data = read_data_file(path, "conflict file", ConflictFileError)
        return cls(parse_conflicts(data, str(path)))

    def extended(self, other: ConflictRegistry) -> ConflictRegistry:
        """This registry with ``other``'s conflicts on top (same ``id``: ``other``'s replaces this one's)."""
        theirs = {c.id for c in other.conflicts}
        return ConflictRegistry([c for c in self.conflicts if c.id not in theirs] + list(other.conflicts))

    def by_id(self, conflict_id: str) -> Conflict | None:
        return next((c for c in self.conflicts if c.id == conflict_id), None)

    def resolve(self, text: str, published: date | None = None) -> list[ConflictMatch]:
        """The conflicts ``text`` is about, likeliest first (empty when it names none well enough)."""
        if self._pattern is None:
            return []
        year = published.year if published else None
        found: dict[int, dict[str, int]] = {}
        for cue in set(self._pattern.findall(text)):
            for index, weight in self._by_cue[cue]:
                found.setdefault(index, {})[cue] = weight
        matches = [ConflictMatch(self.conflicts[i], sum(cues.values()), tuple(sorted(cues)))
                   for i, cues in found.items()
                   if sum(cues.values()) >= MIN_SCORE and self.conflicts[i].live_in(year)]
        return sorted(matches, key=lambda m: (-m.score, m.conflict.id))

    def place(self, actor: str, country: str | None, kind: str | None,
              matches: Sequence[ConflictMatch]) -> Placement | None:
        """Where ``actor`` (a canonical name, with the registry's country and kind) stands.

        A party of one of the article's conflicts is placed there, addressed to the other side; an
        actor that is no party is a third party of the article's likeliest conflict, addressed to
        both sides.  Roles come from the conflict's sides, never from how often an actor is named.

        The actor's own name decides first.  Its country decides only for people and institutions:
        an armed group's country is the state it fights in (the RSF's is Sudan, the TPLF's
        Ethiopia), and placing it by that would merge the two sides of a civil war.
        """
        names = [actor] if kind == "armed_group" or not country else [actor, country]
        for candidates in ([actor], names):
            for match in matches:
                side = match.conflict.side_of(candidates)
                if side is not None:
                    others = [s for i, s in enumerate(match.conflict.sides) if i != side]
                    return Placement(match.conflict, "party", _lead(others, match.cues))
        if not matches:
            return None
        top = matches[0].conflict
        return Placement(top, "third_party", " and ".join(_lead([s], matches[0].cues) for s in top.sides))


def _lead(sides: Sequence[frozenset[str]], cues: Sequence[str]) -> str:
    """The member of ``sides`` that names them: one the article itself names, else the first listed."""
    members = sorted(m for side in sides for m in side)
    named = [m for m in members if m in cues]
    return (named or members or [""])[0]


@lru_cache(maxsize=1)
def _default_registry() -> ConflictRegistry:
    source = resources.files("backchannel.nlp").joinpath("lexicons", "conflicts.json")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:  # a broken bundled file is a bug, but say where
        raise ConflictFileError(f"{source}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    return ConflictRegistry(parse_conflicts(data, "backchannel/nlp/lexicons/conflicts.json"))


# ---- parsing ---------------------------------------------------------------------------------------
_KEYS = frozenset({"id", "name", "since", "until", "sides", "mediators", "strong", "weak", "note"})


def parse_conflicts(data: Any, source: str) -> list[Conflict]:
    """The conflicts of a file's parsed JSON; a malformed entry is one error naming the entry and field."""
    if not isinstance(data, Mapping) or not isinstance(data.get("conflicts"), list):
        raise ConflictFileError(f"{source}: expected an object with a 'conflicts' list")
    out, seen = [], set()
    for i, raw in enumerate(data["conflicts"]):
        conflict = _parse_conflict(raw, f"{source}: conflicts[{i}]")
        if conflict.id in seen:
            raise ConflictFileError(f"{source}: conflicts[{i}]: id {conflict.id!r} appears twice")
        seen.add(conflict.id)
        out.append(conflict)
    return out


def _parse_conflict(raw: Any, where: str) -> Conflict:
    if not isinstance(raw, Mapping):
        raise ConflictFileError(f"{where}: expected an object")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConflictFileError(f"{where}: unknown field {unknown[0]!r}")
    ident, name = _text(raw, "id", where), _text(raw, "name", where)
    since = raw.get("since")
    until = raw.get("until")
    if not isinstance(since, int) or isinstance(since, bool):
        raise ConflictFileError(f"{where}: field 'since' must be a year (an integer)")
    if until is not None and (not isinstance(until, int) or isinstance(until, bool) or until < since):
        raise ConflictFileError(f"{where}: field 'until' must be null or a year not before 'since'")
    sides = raw.get("sides")
    if not isinstance(sides, list) or len(sides) < 2:
        raise ConflictFileError(f"{where}: field 'sides' must list at least two sides")
    parsed_sides = tuple(frozenset(_names(side, f"{where}: sides[{j}]")) for j, side in enumerate(sides))
    if not all(parsed_sides):
        raise ConflictFileError(f"{where}: field 'sides' has an empty side")
    strong = _names(raw.get("strong", []), f"{where}: strong")
    weak = _names(raw.get("weak", []), f"{where}: weak")
    if not strong and not weak:
        raise ConflictFileError(f"{where}: give at least one cue in 'strong' or 'weak'")
    return Conflict(ident, name, since, until, parsed_sides,
                    frozenset(_names(raw.get("mediators", []), f"{where}: mediators")), tuple(strong), tuple(weak))


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConflictFileError(f"{where}: field {key!r} must be a non-empty string")
    return value.strip()


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConflictFileError(f"{where}: expected a list of non-empty strings")
    return [v.strip() for v in value]
