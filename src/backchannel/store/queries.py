"""Read side: the signal filters as parameterised SQL, and rows turned back into plain dicts.

Every user value is bound as a parameter; only fixed SQL fragments are
concatenated.  Filters whose value cannot match anything (a date that is not
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) make the query return no rows rather
than fail, so hostile input never reaches the SQL text; the CLI validates
dates first (``valid_date``) to tell the user.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date as calendar_date
from typing import Any

from backchannel.records import CHANNELS, STANCES, TOPICS
from backchannel.store.dialect import StoreError, clean

_MAX_WORDS = 12  # words of one free-text search: each is one LIKE over the evidence
_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")

SIGNAL_COLUMNS = (
    "id, article_id, actor, stance, topic, channel, terms, when_, sources, evidence, evidence_start, "
    "evidence_end, confidence, extractor_version, origin, conflict, counterpart, role, time_basis, date, title, outlet, published, url, superseded_by"
)
# Undated signals last in either direction (SQLite and PostgreSQL put NULLs at opposite ends).
_ORDER = {
    False: " ORDER BY CASE WHEN date IS NULL THEN 1 ELSE 0 END, date, id",
    True: " ORDER BY CASE WHEN date IS NULL THEN 1 ELSE 0 END, date DESC, id DESC",
}


def valid_date(value: str) -> bool:
    """True for ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` (what ``when`` and ``published`` hold) that name a real
    period: ``2025-02-30`` is refused, as it names no day."""
    if not _DATE.fullmatch(value):
        return False
    if len(value) == 10:
        try:
            calendar_date.fromisoformat(value)
        except ValueError:
            return False
    return True


def min_confidence(value: str | float) -> float:
    """A confidence floor from user text: a number from 0 to 1, else ``StoreError`` saying so (one line)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0.0 <= number <= 1.0:  # NaN fails this too
        raise StoreError(f"confidence: {str(value)[:40]!r} is not a number from 0 to 1")
    return number


def evidence_words(value: str) -> list[str]:
    """The words a free-text search looks for in the evidence, lower-cased (each must appear)."""
    return [w for w in value.casefold().split() if w][:_MAX_WORDS]


def _like(word: str) -> str:
    """``word`` as a LIKE pattern matching it anywhere, its own ``%``, ``_`` and ``\\`` taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _values(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """A filter's values: one string, or several (a multi-value filter is any of them)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [clean(str(v)).strip() for v in items if v is not None and str(v).strip()]


def _any(expression: str, count: int) -> str:
    return f"{expression} = ?" if count == 1 else f"{expression} IN ({', '.join('?' * count)})"


def _as_corrected(column: str) -> str:
    """``column`` of a stored signal as the analyst left it: the latest correction of that field, else the
    extracted value.  The filters read it, so a signal corrected to ``refuses`` is found by ``--stance
    refuses`` and no longer by its extracted stance, as every reader shows it (``corrections.apply``)."""
    return (f"COALESCE((SELECT c.value FROM corrections c WHERE c.signal_id = signal_view.id AND c.field = "
            f"'{column}' ORDER BY c.id DESC LIMIT 1), {column})")


def conflict_key(name: str) -> str:
    """The form conflicts are matched on: case and spacing ignored, and an en or em dash taken as a hyphen
    ("russia-ukraine war" finds "Russia–Ukraine war"); ``SignalFilter.where`` folds the column the same way."""
    return " ".join(name.replace("\u2013", "-").replace("\u2014", "-").casefold().split())


def actor_key(name: str) -> str:
    """The form actors are matched on: case, accents and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class SignalFilter:
    """The signal filters, defined once: ``backchannel signals`` and ``export`` (``--actor`` ...), the web
    search (``?stance=`` ...) and the analyses all take these names; ``None`` means "any".

    The ``MULTI_FILTERS`` also take several values (a tuple), any of which
    matches: the web API's repeated parameters (``?stance=open&stance=agrees``).
    ``text`` is words that must all appear in the evidence; ``confidence`` the
    lowest confidence kept.
    """

    actor: str | tuple[str, ...] | None = None
    stance: str | tuple[str, ...] | None = None
    topic: str | tuple[str, ...] | None = None
    channel: str | tuple[str, ...] | None = None
    since: str | None = None
    until: str | None = None
    outlet: str | tuple[str, ...] | None = None
    conflict: str | tuple[str, ...] | None = None
    text: str | None = None
    confidence: str | float | None = None
    include_superseded: bool = False

    def values(self) -> dict[str, str | None]:
        """The user's filters (``SIGNAL_FILTERS``) and their values."""
        return {name: value for name, value in asdict(self).items() if name in SIGNAL_FILTERS}

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause and its bound values; raises ``StoreError`` for a confidence that is not a number."""
        clauses: list[str] = []
        params: list[Any] = []
        if not self.include_superseded:
            clauses.append("superseded_by IS NULL")
        actors = [actor_key(v) for v in _values(self.actor)]
        if actors:
            clauses.append(f"{_as_corrected('actor')} IN (SELECT name FROM actors WHERE {_any('key', len(actors))} "
                           f"UNION SELECT actor FROM aliases WHERE {_any('key', len(actors))})")
            params += actors + actors
        for column, value in (("stance", self.stance), ("topic", self.topic), ("channel", self.channel)):
            labels = [v.lower() for v in _values(value)]
            if labels:
                clauses.append(_any(_as_corrected(column), len(labels)))
                params += labels
        outlets = [v.lower() for v in _values(self.outlet)]
        if outlets:
            clauses.append(_any("lower(outlet)", len(outlets)))
            params += outlets
        conflicts = [conflict_key(v) for v in _values(self.conflict)]
        if conflicts:
            clauses.append(_any("lower(replace(replace(conflict, '\u2013', '-'), '\u2014', '-'))", len(conflicts)))
            params += conflicts
        for word in evidence_words(clean(self.text or "")):
            clauses.append("lower(evidence) LIKE ? ESCAPE '\\'")
            params.append(_like(word))
        if self.confidence is not None and str(self.confidence).strip():
            clauses.append("confidence >= ?")
            params.append(min_confidence(self.confidence))
        since = _values(self.since)[:1]
        if since:
            if not valid_date(since[0]):
                clauses.append("1 = 0")
            else:
                # Inclusive, and a coarser date counts when its period contains ``since``:
                # "2025-03" is kept for --since 2025-03-15.
                clauses.append("(date >= ? OR date = ? OR date = ?)")
                params += [since[0], since[0][:4], since[0][:7]]
        until = _values(self.until)[:1]
        if until:
            if not valid_date(until[0]):
                clauses.append("1 = 0")
            else:
                # Inclusive at the precision of ``until``: --until 2025-03 keeps 2025-03-31.
                clauses.append("substr(date, 1, CAST(? AS INTEGER)) <= ?")
                params += [len(until[0]), until[0]]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


#: The filters a user gives (``--actor``, ``?stance=`` ...), in display order.
SIGNAL_FILTERS: tuple[str, ...] = tuple(f.name for f in fields(SignalFilter) if f.name != "include_superseded")
#: The filters that take several values at once (any of them matches).
MULTI_FILTERS: tuple[str, ...] = ("actor", "stance", "topic", "channel", "outlet", "conflict")
#: The filters whose value is one label of a set (docs/SCHEMA.md); ``since``/``until`` are dates; the rest text.
FILTER_CHOICES: dict[str, tuple[str, ...]] = {"stance": STANCES, "topic": TOPICS, "channel": CHANNELS}
DATE_FILTERS: tuple[str, ...] = ("since", "until")
#: What each filter matches: the CLI's ``--help`` and the API description say the same.
FILTER_HELP: dict[str, str] = {
    "actor": "canonical actor name or known alias (case and accents ignored)",
    "stance": "stance label",
    "topic": "topic label",
    "channel": "channel label",
    "since": "YYYY, YYYY-MM or YYYY-MM-DD: inclusive lower bound on the signal's date (its when, else the "
             "article's)",
    "until": "YYYY, YYYY-MM or YYYY-MM-DD: inclusive upper bound, at its own precision (2025-03 keeps 2025-03-31)",
    "outlet": "the article's outlet (case ignored)",
    "conflict": "the conflict's name, as signals carry it (case ignored, a hyphen for a dash)",
    "text": "words that must all appear in the evidence (case ignored)",
    "confidence": "the lowest confidence kept, from 0 to 1",
}


@dataclass(frozen=True)
class Sort:
    """An order of signals with a unique key, so a page can start strictly after a row (keyset paging).

    ``keys``: (SQL expression, descending) pairs, the last one ``id`` so no two rows tie;
    ``kinds``: the Python type of each key's value (a cursor's values are checked against them).
    A page after a key is "every row whose key comes later": rows inserted meanwhile land on
    their own place in the order and never shift a later page (no duplicates, no gaps).
    """

    name: str
    keys: tuple[tuple[str, bool], ...]
    kinds: tuple[type, ...]
    help: str

    def columns(self) -> str:
        return ", ".join(f"{expression} AS sort_{i}" for i, (expression, _) in enumerate(self.keys))

    def order(self) -> str:
        return " ORDER BY " + ", ".join(f"{e}{' DESC' if desc else ''}" for e, desc in self.keys)

    def after(self, key: tuple[Any, ...]) -> tuple[str, list[Any]]:
        """The rows after ``key`` in this order: (k0 > v0) OR (k0 = v0 AND k1 > v1) ..., with < for descending."""
        branches, params = [], []
        for i, (expression, desc) in enumerate(self.keys):
            equal = [f"{e} = ?" for e, _ in self.keys[:i]]
            branches.append("(" + " AND ".join([*equal, f"{expression} {'<' if desc else '>'} ?"]) + ")")
            params += [*key[:i], key[i]]
        return "(" + " OR ".join(branches) + ")", params

    def key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """The sort key of a row read with ``columns()``."""
        return tuple(row[f"sort_{i}"] for i in range(len(self.keys)))


_UNDATED_LAST = "CASE WHEN date IS NULL THEN 1 ELSE 0 END"
SORTS: dict[str, Sort] = {s.name: s for s in (
    Sort("newest", ((_UNDATED_LAST, False), ("COALESCE(date, '')", True), ("id", True)), (int, str, int),
         "newest first by date (its when, else the article's), undated last"),
    Sort("oldest", ((_UNDATED_LAST, False), ("COALESCE(date, '')", False), ("id", False)), (int, str, int),
         "oldest first, undated last"),
    Sort("confidence", (("confidence", True), ("id", True)), (float, int), "most confident first"),
)}
DEFAULT_SORT = "newest"

def signals_sql(flt: SignalFilter, limit: int | None = None, newest_first: bool = False) -> tuple[str, list[Any]]:
    where, params = flt.where()
    sql = f"SELECT {SIGNAL_COLUMNS} FROM signal_view{where}{_ORDER[newest_first]}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    return sql, params


def page_sql(flt: SignalFilter, sort: Sort, limit: int, after: tuple[Any, ...] | None = None) -> tuple[str, list[Any]]:
    """One page of signals in ``sort`` order, starting after the row whose key is ``after``; each row also
    carries its sort key (``Sort.key``)."""
    where, params = flt.where()
    if after is not None:
        clause, more = sort.after(after)
        where = f"{where} AND {clause}" if where else f" WHERE {clause}"
        params += more
    sql = f"SELECT {SIGNAL_COLUMNS}, {sort.columns()} FROM signal_view{where}{sort.order()} LIMIT ?"
    return sql, [*params, max(0, int(limit))]


def count_sql(flt: SignalFilter) -> tuple[str, list[Any]]:
    where, params = flt.where()
    return f"SELECT COUNT(*) AS n FROM signal_view{where}", params


def _span(start: Any, end: Any) -> list[int] | None:
    return None if start is None or end is None else [int(start), int(end)]


def signal_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A ``signal_view`` row as the CLI prints it: docs/SCHEMA.md field names, lists decoded."""
    return {
        "id": int(row["id"]),
        "article_id": row["article_id"],
        "actor": row["actor"],
        "stance": row["stance"],
        "topic": row["topic"],
        "channel": row["channel"],
        "terms": json.loads(row["terms"]),
        "when": row["when_"],
        "sources": json.loads(row["sources"]),
        "evidence": row["evidence"],
        "evidence_span": _span(row["evidence_start"], row["evidence_end"]),
        "confidence": float(row["confidence"]),
        "conflict": row["conflict"],
        "counterpart": row["counterpart"],
        "role": row["role"],
        "time_basis": row["time_basis"],
        "extractor_version": row["extractor_version"],
        "origin": row["origin"],
        "date": row["date"] or "",
        "title": row["title"],
        "outlet": row["outlet"],
        "published": row["published"],
        "url": row["url"],
    }


def attribution_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "speaker": row["speaker"],
        "speaker_kind": row["speaker_kind"],
        "cue": row["cue"],
        "content": row["content"],
        "kind": row["kind"],
        "via": json.loads(row["via"]),
        "speaker_span": _span(row["speaker_start"], row["speaker_end"]),
        "cue_span": _span(row["cue_start"], row["cue_end"]),
        "content_span": _span(row["content_start"], row["content_end"]),
        "confidence": float(row["confidence"]),
    }
