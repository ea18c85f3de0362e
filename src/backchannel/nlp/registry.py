"""The actor alias registry: which canonical actor a mention names, on a given day.

News names the same actor many ways: "Putin", "Mr Putin", "the Russian
president", "the Kremlin", "Moscow", "Russian officials".  The signals are
only comparable across articles if all of these collapse to one canonical
name, so the registry keeps that knowledge as data (``lexicons/actors.json``)
and this module answers one question fast: *who is this mention?*

Design choices, and why:

* Lookups are exact matches of a normalised key in a dict built once, never a
  scan: the extractor asks for every phrase-matcher hit in every article.
* Titles are dated.  "The US president" is Biden in 2023 and Trump in 2025,
  so a title claim carries a tenure; ``since`` is inclusive and ``until`` is
  exclusive (the day the successor took office), so a handover day has
  exactly one holder.
* A bare surname that two people share ("Sinwar", "Aoun") is not an alias of
  either: it is a *dated* surface form (stored as a title) that points to
  whichever of them the press meant at the time.  Aliases proper must be
  unique; :meth:`ActorRegistry.conflicts` reports any clash.
* Explicit names and aliases beat titles, which beat generated demonym
  phrases ("Israeli military" is the IDF because the IDF entry says so, while
  "Israeli officials" falls back to Israel).
* ``demonyms`` generate "Russian officials", "the Russian side" and so on.
  States use them; armed groups and organisations may too ("Houthi
  officials", "Hamas negotiators"), but only states answer
  :meth:`ActorRegistry.state_for_demonym`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from backchannel.errors import ActorFileError
from backchannel.records import ActorInfo

from .datafiles import read_data_file

KINDS: frozenset[str] = frozenset({"person", "state", "armed_group", "organisation", "institution"})

# Heads that a demonym turns into a reference to the state's (or group's) authorities.
GROUP_NOUNS: tuple[str, ...] = (
    "government", "authorities", "officials", "official", "side", "negotiators", "negotiator",
    "delegation", "delegates", "leadership", "leaders", "diplomats", "diplomat", "administration",
    "regime", "cabinet", "state", "military", "army", "armed forces", "forces", "foreign ministry",
    "defence ministry", "defense ministry", "presidency", "spokesman", "spokeswoman", "spokesperson",
    "commanders", "representatives",
)
# "Russia's government": only the heads that name the authorities themselves.
POSSESSIVE_NOUNS: tuple[str, ...] = ("government", "leadership", "authorities", "officials", "negotiators", "delegation")

# Words put before a name that are not part of it.  Longest first, so "prime minister" beats "prime".
HONORIFICS: tuple[str, ...] = tuple(sorted({
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "vice president", "president elect", "prime minister", "pm", "premier", "chancellor",
    "minister", "foreign minister", "defence minister", "defense minister", "secretary", "senator", "sen",
    "rep", "representative", "governor", "gov", "ambassador", "envoy", "spokesman", "spokeswoman",
    "general", "gen", "lt gen", "lieutenant general", "major general", "maj gen", "brigadier general",
    "brig gen", "field marshal", "marshal", "senior general", "admiral", "adm", "colonel", "col",
    "commander", "sheikh", "sheik", "shaikh", "emir", "king", "queen", "prince", "crown prince", "sultan",
    "pope", "cardinal", "archbishop", "ayatollah", "grand ayatollah", "sayyed", "sayyid", "imam", "rabbi",
    "samdech", "daw", "judge", "justice", "former", "acting", "interim", "then",
}, key=lambda h: (-len(h), h)))
# An honorific is not stripped when the rest starts like this: "President of Russia" is a title.
_NOT_A_NAME = frozenset({"of", "for", "and", "to", "in", "at", "on", "the", "'s", "s"})

# Quantifiers and adjectives in front of a demonym phrase: "top Russian officials", "a senior Hamas official".
MODIFIERS: tuple[str, ...] = tuple(sorted({
    "a", "an", "one", "two", "three", "four", "five", "some", "several", "many", "other", "top", "senior",
    "high ranking", "unnamed", "anonymous", "leading", "key", "most", "all",
}, key=lambda m: (-len(m), m)))

# Aliases whose lower-case form is an ordinary English word ("us", "turkey", "trump"): a mention only
# matches them when it is written like a name (capitalised; all capitals for an acronym).
COMMON_WORDS: frozenset[str] = frozenset({
    "us", "is", "it", "pa", "au", "un", "an", "as", "at", "am", "let", "who", "turkey", "china", "chad",
    "jordan", "niger", "gallant", "waltz", "salami", "quad", "cooper", "tusk", "trump", "truss", "macron",
    "barrack", "hun", "store", "sac", "agar",
})

_FOLD = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "þ": "th",
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'",
    "-": " ", "‐": " ", "‑": " ", "‒": " ", "–": " ", "—": " ", "―": " ", "/": " ",
    ".": "", "\u00a0": " ",
    '"': " ", "“": " ", "”": " ", "«": " ", "»": " ", "(": " ", ")": " ", "[": " ", "]": " ",
    ",": " ", ";": " ", ":": " ", "!": " ", "?": " ",
})
_APOSTROPHE_NOT_POSSESSIVE = re.compile(r"'(?!s\b)")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Lower case, no accents, one apostrophe, hyphens as spaces, no periods: the comparable form."""
    text = text.translate(_FOLD).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip()


def _base_key(text: str) -> str:
    """The key a surface form is filed under: folded, without a leading "the" or a final possessive."""
    key = _fold(text)
    if key.endswith("'s"):
        key = key[:-2]
    key = _APOSTROPHE_NOT_POSSESSIVE.sub("", key).strip()
    while key.startswith("the "):
        key = key[4:]
    return key


def _strip_prefixes(key: str, words: tuple[str, ...], guard: bool) -> str:
    changed = True
    while changed:
        changed = False
        for word in words:
            if key.startswith(word + " "):
                rest = key[len(word) + 1:]
                if guard and rest.split(" ", 1)[0] in _NOT_A_NAME:
                    continue
                key, changed = rest, True
                break
    return key


def normalise_mention(text: str) -> str:
    """The comparable form of a mention.

    Case, accents, curly apostrophes, hyphens and periods are levelled, a
    leading "the" and a final possessive dropped, and honorifics removed when
    a name follows them ("Mr. Putin's" -> "putin", but "President of Russia"
    keeps its head: -> "president of russia").
    """
    return _strip_prefixes(_base_key(text), HONORIFICS, guard=True)


@dataclass(frozen=True)
class Title:
    """A role description ("Russian president") and when its holder held it (``until`` exclusive)."""

    title: str
    since: date | None
    until: date | None

    def valid_on(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day < self.until)


@dataclass(frozen=True)
class ActorEntry:
    """One canonical actor and the surface forms that name it."""

    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...]
    titles: tuple[Title, ...]
    demonyms: tuple[str, ...]


@dataclass(frozen=True)
class _Claim:
    """That a key names ``entry``: rank 0 name or alias, 1 title, 2 generated demonym phrase."""

    rank: int
    layer: int  # later registries (a user's file) win ties
    entry: ActorEntry
    title: Title | None = None


def _better(claim: _Claim, on: date | None) -> tuple:
    title = claim.title
    if title is None:
        return (claim.rank, -claim.layer)
    open_ended = title.until is None
    until = title.until or date.max
    since = title.since or date.min
    if on is None:  # the current holder first, then the most recent one
        return (claim.rank, not open_ended, -until.toordinal(), -since.toordinal(), -claim.layer)
    return (claim.rank, -since.toordinal(), -claim.layer)


class ActorRegistry:
    """Canonical actors, indexed by every normalised surface form that names them."""

    def __init__(self, entries: Iterable[ActorEntry], layers: Mapping[str, int] | None = None) -> None:
        self._entries: tuple[ActorEntry, ...] = tuple(entries)
        self._layers: dict[str, int] = dict(layers or {})
        self._by_name: dict[str, ActorEntry] = {}
        self._index: dict[str, list[_Claim]] = {}
        self._guarded: dict[str, str] = {}  # key -> the alias as written, for COMMON_WORDS keys
        self._demonyms: dict[str, str] = {}
        for entry in self._entries:
            layer = self._layers.get(entry.name, 0)
            self._by_name.setdefault(entry.name, entry)
            self._by_name.setdefault(_base_key(entry.name), entry)
            for form in (entry.name, *entry.aliases):
                self._claim(form, _Claim(0, layer, entry))
            for title in entry.titles:
                self._claim(title.title, _Claim(1, layer, entry, title))
            for form in _group_phrases(entry):
                self._claim(form, _Claim(2, layer, entry))
            if entry.kind == "state":
                for demonym in entry.demonyms:
                    self._demonyms[_base_key(demonym)] = entry.name

    def _claim(self, form: str, claim: _Claim) -> None:
        key = _base_key(form)
        if not key:
            return
        claims = self._index.setdefault(key, [])
        if not any(c.entry is claim.entry and c.rank == claim.rank and c.title == claim.title for c in claims):
            claims.append(claim)
        if key in COMMON_WORDS and claim.rank == 0:
            self._guarded[key] = form

    # ---- construction --------------------------------------------------------------------------
    @classmethod
    def default(cls) -> ActorRegistry:
        """The bundled registry (``lexicons/actors.json``), read once per process."""
        return _default_registry()

    @classmethod
    def from_file(cls, path: str | Path) -> ActorRegistry:
        """A user's actor file, in the bundled file's format (JSON; YAML when PyYAML is installed)."""
        path = Path(path)
        data = read_data_file(path, "actor file", ActorFileError)
        return cls(parse_actors(data, str(path)))

    def extended(self, other: ActorRegistry) -> ActorRegistry:
        """This registry with ``other``'s entries on top.

        An entry of ``other`` with the same name as one here replaces its kind
        and country; aliases, titles and demonyms are merged.  Where the two
        registries give one alias to different actors, ``other`` wins.
        """
        top = max(self._layers.values(), default=0) + 1
        merged: dict[str, ActorEntry] = {e.name: e for e in self._entries}
        layers = dict(self._layers)
        for entry in other._entries:
            old = merged.get(entry.name)
            if old is not None:
                entry = ActorEntry(
                    name=entry.name,
                    kind=entry.kind,
                    country=entry.country if entry.country is not None else old.country,
                    aliases=_unique(old.aliases + entry.aliases),
                    titles=_unique(old.titles + entry.titles),
                    demonyms=_unique(old.demonyms + entry.demonyms),
                )
            merged[entry.name] = entry
            layers[entry.name] = top + other._layers.get(entry.name, 0)
        return ActorRegistry(merged.values(), layers)

    # ---- queries -------------------------------------------------------------------------------
    def by_name(self, name: str) -> ActorEntry | None:
        """The entry with this canonical name (case and accents ignored), or None."""
        return self._by_name.get(name) or self._by_name.get(_base_key(name))

    def lookup(self, mention: str, on: date | None = None) -> ActorEntry | None:
        """The actor a mention names, or None.

        Tries, in order: the mention as it stands; without honorifics ("Mr
        Putin"); without quantifiers ("top Russian officials"); and last, a
        person's name at the end of a longer phrase ("Russian President
        Vladimir Putin").  Titles count only when held on ``on``; with no date
        the current holder is preferred.
        """
        key = _base_key(mention)
        if not key:
            return None
        seen: set[str] = set()
        for candidate in (key, _strip_prefixes(key, HONORIFICS, guard=True)):
            for variant in (candidate, _strip_prefixes(candidate, MODIFIERS, guard=False)):
                if variant in seen:
                    continue
                seen.add(variant)
                found = self._resolve(variant, mention, on)
                if found is not None:
                    return found
        return self._person_at_end(key, mention, on)

    def _resolve(self, key: str, mention: str, on: date | None, persons_only: bool = False) -> ActorEntry | None:
        claims = self._index.get(key)
        if not claims:
            return None
        if key in self._guarded and not _written_as_name(mention, self._guarded[key]):
            claims = [c for c in claims if c.rank != 0]
        if persons_only:
            claims = [c for c in claims if c.rank == 0 and c.entry.kind == "person"]
        if on is not None:
            claims = [c for c in claims if c.title is None or c.title.valid_on(on)]
        if not claims:
            return None
        return min(claims, key=lambda c: _better(c, on)).entry

    def _person_at_end(self, key: str, mention: str, on: date | None) -> ActorEntry | None:
        words = key.split(" ")
        for i in range(1, len(words)):
            found = self._resolve(" ".join(words[i:]), mention, on, persons_only=True)
            if found is not None:
                before = words[i - 1]
                if before in ("of", "by", "with", "and", "or", "to", "for"):
                    return None  # "the wife of Vladimir Putin" names someone else
                return found
        return None

    def surface_forms(self) -> list[tuple[str, str]]:
        """(surface form, canonical name) pairs for a phrase matcher, longest form first.

        Covers names, aliases, titles and demonym phrases, plus accent-free
        and curly-apostrophe spellings.  A title held by several people
        appears once per holder: resolve a match with :meth:`lookup` and the
        article's date.
        """
        pairs: set[tuple[str, str]] = set()
        for entry in self._entries:
            forms = [entry.name, *entry.aliases, *(t.title for t in entry.titles), *_group_phrases(entry)]
            for form in forms:
                for variant in _spellings(form):
                    pairs.add((variant, entry.name))
        return sorted(pairs, key=lambda p: (-len(p[0]), p[0], p[1]))

    def country_of(self, name: str) -> str | None:
        """The state an actor belongs to ("Vladimir Putin" -> "Russia"; "Russia" -> "Russia")."""
        entry = self.by_name(name) or self.lookup(name)
        if entry is None:
            return None
        if entry.country is None and entry.kind == "state":
            return entry.name
        return entry.country

    def info(self, name: str) -> ActorInfo:
        """What the store and the analyses are told about a signal's actor (``records.ActorInfo``): the kind
        and aliases of the entry of that canonical name, and the state it belongs to."""
        entry = self.by_name(name)
        return ActorInfo(name, entry.kind if entry else "", self.country_of(name) or "",
                         tuple(entry.aliases) if entry else ())

    def state_for_demonym(self, word: str) -> str | None:
        """The state a demonym stands for ("Russian" -> "Russia"), plural forms included."""
        key = _base_key(word)
        found = self._demonyms.get(key)
        if found is None and key.endswith("s"):
            found = self._demonyms.get(key[:-1])
        return found

    def conflicts(self) -> list[str]:
        """Problems that make a lookup depend on file order: shared aliases, overlapping titles.

        The bundled file must have none (a test checks); a user's file may
        deliberately override, which :meth:`extended` resolves in its favour.
        """
        problems: list[str] = []
        for key, claims in sorted(self._index.items()):
            names = sorted({c.entry.name for c in claims if c.rank == 0})
            if len(names) > 1:
                problems.append(f"alias {key!r} is claimed by {', '.join(names)}")
            dated = [c for c in claims if c.rank == 1]
            if names and any(c.entry.name not in names for c in dated):
                problems.append(f"{key!r} is an alias of {names[0]} and a title of someone else")
            for i, a in enumerate(dated):
                for b in dated[i + 1:]:
                    if a.entry.name != b.entry.name and _overlap(a.title, b.title):
                        problems.append(
                            f"title {key!r} is held by {a.entry.name} and {b.entry.name} at the same time"
                        )
        return problems

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        return self._entries

    def __iter__(self) -> Iterator[ActorEntry]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<ActorRegistry: {len(self)} actors>"


@lru_cache(maxsize=1)
def _default_registry() -> ActorRegistry:
    source = resources.files("backchannel.nlp").joinpath("lexicons", "actors.json")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:  # a broken bundled file is a bug, but say where
        raise ActorFileError(f"{source}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    return ActorRegistry(parse_actors(data, "backchannel/nlp/lexicons/actors.json"))


# ---- parsing ---------------------------------------------------------------------------------------
_ENTRY_KEYS = frozenset({"name", "kind", "country", "aliases", "titles", "demonyms", "note"})
_TITLE_KEYS = frozenset({"title", "from", "until", "note"})


def parse_actors(data: Any, source: str) -> list[ActorEntry]:
    """Entries from the decoded file (``{"version": 1, "actors": [...]}`` or a bare list).

    Every problem raises :class:`ActorFileError` naming ``source``, the entry
    index and the field, so a user can fix their file without reading code.
    """
    if isinstance(data, Mapping):
        version = data.get("version", 1)
        if version != 1:
            raise ActorFileError(f"{source}: unsupported version {version!r} (expected 1)")
        actors = data.get("actors")
        if not isinstance(actors, list):
            raise ActorFileError(f"{source}: expected an \"actors\" list at the top level")
    elif isinstance(data, list):
        actors = data
    else:
        raise ActorFileError(f"{source}: expected an object with an \"actors\" list")
    entries: list[ActorEntry] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(actors):
        entry = _parse_entry(raw, f"{source}: actors[{i}]")
        first = seen.setdefault(entry.name, i)
        if first != i:
            raise ActorFileError(f"{source}: actors[{i}]: name {entry.name!r} repeats actors[{first}]")
        entries.append(entry)
    return entries


def _parse_entry(raw: Any, where: str) -> ActorEntry:
    if not isinstance(raw, Mapping):
        raise ActorFileError(f"{where}: expected an object, got {type(raw).__name__}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ActorFileError(f"{where}: field 'name' must be a non-empty string")
    where = f"{where} ({name})"
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise ActorFileError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ActorFileError(f"{where}: field 'kind' must be one of {', '.join(sorted(KINDS))}; got {kind!r}")
    country = raw.get("country")
    if country is not None and (not isinstance(country, str) or not country.strip()):
        raise ActorFileError(f"{where}: field 'country' must be a string or null")
    if kind == "state" and country is None:
        country = name.strip()
    titles = []
    raw_titles = raw.get("titles", [])
    if not isinstance(raw_titles, list):
        raise ActorFileError(f"{where}: field 'titles' must be a list")
    for j, t in enumerate(raw_titles):
        titles.append(_parse_title(t, f"{where}: titles[{j}]"))
    return ActorEntry(
        name=name.strip(),
        kind=kind,
        country=country.strip() if isinstance(country, str) else None,
        aliases=_strings(raw.get("aliases", []), f"{where}: field 'aliases'"),
        titles=tuple(titles),
        demonyms=_strings(raw.get("demonyms", []), f"{where}: field 'demonyms'"),
    )


def _parse_title(raw: Any, where: str) -> Title:
    if isinstance(raw, str):  # a title with no known tenure
        raw = {"title": raw}
    if not isinstance(raw, Mapping):
        raise ActorFileError(f"{where}: expected an object with 'title', 'from', 'until'")
    unknown = sorted(set(raw) - _TITLE_KEYS)
    if unknown:
        raise ActorFileError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ActorFileError(f"{where}: field 'title' must be a non-empty string")
    since = _date(raw.get("from"), f"{where}: field 'from'")
    until = _date(raw.get("until"), f"{where}: field 'until'")
    if since and until and until <= since:
        raise ActorFileError(f"{where}: 'until' ({until}) must be after 'from' ({since})")
    return Title(title.strip(), since, until)


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):  # YAML parses dates itself
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ActorFileError(f"{where}: expected an ISO date (YYYY-MM-DD) or null; got {value!r}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ActorFileError(f"{where} must be a list of non-empty strings")
    return _unique(tuple(v.strip() for v in value))


def _unique(items: tuple) -> tuple:
    return tuple(dict.fromkeys(items))


# ---- helpers ---------------------------------------------------------------------------------------
def _group_phrases(entry: ActorEntry) -> list[str]:
    """The authorities behind an actor: "Russian officials", "the Russian side", "Russia's government"."""
    phrases = [f"{d} {noun}" for d in entry.demonyms for noun in GROUP_NOUNS]
    if entry.kind == "state":
        phrases += [f"{entry.name}'s {noun}" for noun in POSSESSIVE_NOUNS]
    return phrases


def _spellings(form: str) -> list[str]:
    """The form, its accent-free spelling and its curly-apostrophe spelling, for a phrase matcher."""
    out = [form]
    plain = "".join(c for c in unicodedata.normalize("NFKD", form.translate(str.maketrans({"ı": "i"})))
                    if not unicodedata.combining(c))
    for variant in (plain, form.replace("'", "’"), plain.replace("'", "’")):
        if variant not in out:
            out.append(variant)
    return out


def _written_as_name(mention: str, alias: str) -> bool:
    """Is a mention of a common-word alias capitalised like the name ("US" not "us", "Trump" not "trump")?"""
    letters = [c for c in mention if c.isalpha()]
    core = "".join(letters)
    alias_letters = "".join(c for c in alias if c.isalpha())
    if alias_letters.isupper():
        return core.endswith(alias_letters) or core.isupper()
    words = [w for w in re.split(r"[\s.]+", mention.strip()) if w]
    last = words[-1] if words else ""
    return bool(last) and last[0].isupper()


def _overlap(a: Title | None, b: Title | None) -> bool:
    if a is None or b is None:
        return False
    a_start, b_start = a.since or date.min, b.since or date.min
    a_end, b_end = a.until or date.max, b.until or date.max
    return a_start < b_end and b_start < a_end
