"""Read side: the signal filters as parameterised SQL, and rows turned back into plain dicts.

Every user value is bound as a parameter; only fixed SQL fragments are
concatenated.  Filters whose value cannot match anything (a date that is not
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) make the query return no rows rather
than fail, so hostile input never reaches the SQL text; the CLI validates
dates first (``valid_date``) to tell the user.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Any

from backchannel.records import CHANNELS, STANCES, TOPICS
from backchannel.store.dialect import clean

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
    """True for ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` (what ``when`` and ``published`` hold)."""
    return bool(_DATE.fullmatch(value))


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
    search (``?stance=`` ...) and the analyses all take these names; ``None`` means "any"."""

    actor: str | None = None
    stance: str | None = None
    topic: str | None = None
    channel: str | None = None
    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    conflict: str | None = None
    include_superseded: bool = False

    def values(self) -> dict[str, str | None]:
        """The user's filters (``SIGNAL_FILTERS``) and their values."""
        return {name: value for name, value in asdict(self).items() if name in SIGNAL_FILTERS}

    def where(self) -> tuple[str, list[Any]]:
        values = {k: None if v is None else clean(str(v)) for k, v in (
            ("actor", self.actor), ("stance", self.stance), ("topic", self.topic), ("channel", self.channel),
            ("since", self.since), ("until", self.until), ("outlet", self.outlet),
            ("conflict", self.conflict))}
        clauses: list[str] = []
        params: list[Any] = []
        if not self.include_superseded:
            clauses.append("superseded_by IS NULL")
        if values["actor"] is not None:
            key = actor_key(values["actor"])
            clauses.append("actor IN (SELECT name FROM actors WHERE key = ? UNION SELECT actor FROM aliases WHERE key = ?)")
            params += [key, key]
        for column in ("stance", "topic", "channel"):
            value = values[column]
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value.strip().lower())
        if values["outlet"] is not None:
            clauses.append("lower(outlet) = ?")
            params.append(values["outlet"].strip().lower())
        if values["conflict"] is not None:
            clauses.append("lower(replace(replace(conflict, '\u2013', '-'), '\u2014', '-')) = ?")
            params.append(conflict_key(values["conflict"]))
        if values["since"] is not None:
            since = values["since"].strip()
            if not valid_date(since):
                clauses.append("1 = 0")
            else:
                # Inclusive, and a coarser date counts when its period contains ``since``:
                # "2025-03" is kept for --since 2025-03-15.
                clauses.append("(date >= ? OR date = ? OR date = ?)")
                params += [since, since[:4], since[:7]]
        if values["until"] is not None:
            until = values["until"].strip()
            if not valid_date(until):
                clauses.append("1 = 0")
            else:
                # Inclusive at the precision of ``until``: --until 2025-03 keeps 2025-03-31.
                clauses.append("substr(date, 1, CAST(? AS INTEGER)) <= ?")
                params += [len(until), until]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params



#: The filters a user gives (``--actor``, ``?stance=`` ...), in display order.
SIGNAL_FILTERS: tuple[str, ...] = tuple(f.name for f in fields(SignalFilter) if f.name != "include_superseded")
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
}

def signals_sql(flt: SignalFilter, limit: int | None = None, newest_first: bool = False) -> tuple[str, list[Any]]:
    where, params = flt.where()
    sql = f"SELECT {SIGNAL_COLUMNS} FROM signal_view{where}{_ORDER[newest_first]}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    return sql, params


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
