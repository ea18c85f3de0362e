"""The store: one object that writes extraction results and answers the CLI's queries.

Write rules, and why:

* One article = one transaction.  ``save`` writes the article, its
  attributions, its signals, the actor counts and the ``extractions`` row
  together, so a process killed at any instant leaves the whole article or
  none of it, and a rerun simply saves what is missing.
* Identity is the content hash of ``ids.article_id``.  Saving an id that is
  already stored changes nothing ("duplicate", or "stale" when it was
  extracted by another extractor version: ``reprocess`` handles those).
* A URL whose text changed gets a new row linked to the previous one
  (``version_of``; the old row gets ``superseded_by``).  Queries show the
  current versions only unless asked.
* ``actors.signal_count`` is kept in step inside the same transactions
  (added on save, moved on supersede and reprocess), so ``actors()`` does not
  recount every signal.

The store is the only writer of its database; any number of readers
(Datasette, exports through ``iter_signals``) may run beside it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from backchannel.records import Article, ArticleResult, Attribution, Signal
from backchannel.store import corrections as fixes
from backchannel.store.detail import evidence_bounds, overlaps, paragraph_around, source_chain
from backchannel.store.dialect import Dialect, StoreError, clean, dialect_for
from backchannel.store.ids import article_id
from backchannel.store.queries import (
    SIGNAL_COLUMNS,
    SignalFilter,
    Sort,
    actor_key,
    attribution_dict,
    count_sql,
    page_sql,
    signal_dict,
    signals_sql,
)
from backchannel.store.schema import MIGRATIONS, Migration, applied, migrate, now


class Status(str, Enum):
    """What ``save`` / ``replace_extraction`` did.  A ``str``: ``outcome.status == "duplicate"`` works."""

    NEW = "new"
    NEW_VERSION = "new_version"
    DUPLICATE = "duplicate"
    STALE = "stale"
    REPLACED = "replaced"


@dataclass(frozen=True)
class SaveOutcome:
    status: Status
    article_id: str
    version_of: str | None = None
    signals: int = 0
    attributions: int = 0

    @property
    def written(self) -> bool:
        return self.status in (Status.NEW, Status.NEW_VERSION, Status.REPLACED)


@dataclass(frozen=True)
class StoredArticle:
    """An article read back from the store, with its id and the version that last extracted it."""

    id: str
    article: Article
    extractor_version: str | None
    version_of: str | None
    superseded_by: str | None
    ingested_at: str


_ARTICLE_COLUMNS = "id, url, outlet, title, author, published, text, source, ingested_at, version_of, superseded_by"

_INSERT_ARTICLE = (
    "INSERT INTO articles (id, url, outlet, title, author, published, text, source, ingested_at, run_id, "
    "version_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)
_INSERT_ATTRIBUTION = (
    "INSERT INTO attributions (article_id, position, speaker, speaker_kind, cue, content, kind, via, "
    "speaker_start, speaker_end, cue_start, cue_end, content_start, content_end, confidence, extractor_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SIGNAL = (
    "INSERT INTO signals (article_id, position, actor, stance, topic, channel, terms, when_, sources, evidence, "
    "evidence_start, evidence_end, confidence, extractor_version, origin, conflict, counterpart, role, time_basis) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_EXTRACTION = (
    "INSERT INTO extractions (article_id, extractor_version, run_id, extracted_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (article_id) DO UPDATE SET extractor_version = excluded.extractor_version, "
    "run_id = excluded.run_id, extracted_at = excluded.extracted_at"
)
_UPSERT_ACTOR = (
    "INSERT INTO actors (name, key, kind, country, signal_count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET signal_count = actors.signal_count + excluded.signal_count, "
    "last_seen = excluded.last_seen, "
    "kind = CASE WHEN actors.kind = '' THEN excluded.kind ELSE actors.kind END, "
    "country = CASE WHEN actors.country = '' THEN excluded.country ELSE actors.country END"
)
_INSERT_ALIAS = "INSERT INTO aliases (alias, key, actor) VALUES (?, ?, ?) ON CONFLICT (alias, actor) DO NOTHING"
_LOOKUP = (
    "SELECT a.id, a.superseded_by, e.extractor_version FROM articles a "
    "LEFT JOIN extractions e ON e.article_id = a.id WHERE a.id = ?"
)


def _json(items: Sequence[str]) -> str:
    return clean(json.dumps(list(items), ensure_ascii=False))


def _ends(span: Any) -> tuple[int | None, int | None]:
    return (int(span[0]), int(span[1])) if span else (None, None)


class Store:
    """A SQLite file or a PostgreSQL database holding articles, extractions and runs.

    Open it with ``open_store``.  Not thread-safe: one Store per writer.  Each
    actor's kind, state and aliases come with the results (``ArticleResult.actors``,
    from the extractor's registry): the store knows no NLP.  Every SQL statement of
    the project is here, in ``queries`` and in ``schema``.
    """

    def __init__(self, db: Dialect, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self._db = db
        self._known_actors: set[str] | None = None
        try:
            self.migrations_applied = migrate(db, migrations)
        except BaseException:
            db.close()
            raise

    # ---- housekeeping --------------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.name

    @property
    def url(self) -> str:
        """Where the store is, without a password."""
        return self._db.describe()

    def migrations(self) -> list[str]:
        """Names of the migrations this database has recorded."""
        return applied(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- runs and errors ------------------------------------------------------------------------------
    def begin_run(self, extractor_version: str, owner: str = "") -> int:
        """A new run, ``running`` until ``finish_run``; ``owner`` names the process (``runs.this_process``)."""
        with self._db.transaction():
            return self._db.insert_id(
                "INSERT INTO runs (extractor_version, started_at, owner, status) VALUES (?, ?, ?, 'running')",
                (clean(extractor_version), now(), clean(owner) or None),
            )

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE runs SET finished_at = ?, counts = ?, status = 'finished' WHERE id = ?",
                             (now(), clean(json.dumps(counts, ensure_ascii=False, sort_keys=True)), run_id))

    def running_runs(self) -> list[dict[str, Any]]:
        """The runs marked ``running``: ``id`` and ``owner`` (whose process may have died since)."""
        return self._db.all("SELECT id, owner FROM runs WHERE status = 'running' ORDER BY id")

    def mark_interrupted(self, run_id: int) -> bool:
        """Mark a run whose process died as ``interrupted``, with what it had committed (articles it
        stored or re-extracted, errors it recorded) as its counts.  False if it was no longer running."""
        with self._db.transaction():
            stored = self._db.scalar(
                "SELECT COUNT(*) FROM articles a LEFT JOIN extractions e ON e.article_id = a.id "
                "WHERE a.run_id = ? OR e.run_id = ?", (run_id, run_id))
            errors = self._db.scalar("SELECT COUNT(*) FROM errors WHERE run_id = ?", (run_id,))
            counts = json.dumps({"stored": int(stored), "errors": int(errors)}, sort_keys=True)
            return bool(self._db.rowcount(
                "UPDATE runs SET status = 'interrupted', counts = ? WHERE id = ? AND status = 'running'",
                (counts, run_id)))

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The runs, newest first, with their status and counts."""
        sql, params = f"{_RUN_SELECT} ORDER BY id DESC", []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        return [_run_row(r) for r in self._db.all(sql, params)]

    def record_error(self, source: str, reason: str, run_id: int | None = None) -> int:
        with self._db.transaction():
            return self._db.insert_id(
                "INSERT INTO errors (source, reason, run_id, at) VALUES (?, ?, ?, ?)",
                (clean(str(source)), clean(str(reason)), run_id, now()),
            )

    # ---- writing results ------------------------------------------------------------------------------
    def save(self, result: ArticleResult, run_id: int | None = None, extractor_version: str = "") -> SaveOutcome:
        """Store an article with its attributions and signals, all or nothing.  See ``Status``."""
        article = result.article
        aid = article_id(article)
        found = self._db.one(_LOOKUP, (aid,))  # most reruns stop here, without taking the write lock
        if found is not None:
            return self._existing(aid, found, extractor_version)
        with self._db.transaction():
            previous = self._current_version(article.url, aid)
            stamp = now()
            inserted = self._db.rowcount(_INSERT_ARTICLE, (
                aid, clean(article.url), clean(article.outlet), clean(article.title), clean(article.author),
                clean(article.published), clean(article.text), clean(article.source), stamp, run_id, previous,
            ))
            if not inserted:  # another writer stored it since the lookup above
                return self._existing(aid, self._db.one(_LOOKUP, (aid,)) or {}, extractor_version)
            if previous is not None:
                self._uncount_actors(previous)
                self._db.execute("UPDATE articles SET superseded_by = ? WHERE id = ?", (aid, previous))
            self._insert_extraction(aid, result, run_id, extractor_version, stamp, count_actors=True)
        self._remember_actors(result.signals)
        status = Status.NEW if previous is None else Status.NEW_VERSION
        return SaveOutcome(status, aid, previous, len(result.signals), len(result.attributions))

    def replace_extraction(self, article_id: str, result: ArticleResult, run_id: int | None,
                           extractor_version: str) -> SaveOutcome:
        """Swap an article's attributions and signals for ``result``'s, in one transaction.

        The stored article row is kept as it is (``result.article`` is not
        written); only what the extractor derived from it is replaced.
        """
        with self._db.transaction():
            row = self._db.one("SELECT id, version_of, superseded_by FROM articles WHERE id = ?", (article_id,))
            if row is None:
                raise StoreError(f"{self.url}: no article with id {article_id!r}")
            current = row["superseded_by"] is None
            stamp = now()
            if current:
                self._uncount_actors(article_id)
            self._db.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM signals WHERE article_id = ?", (article_id,))
            self._insert_extraction(article_id, result, run_id, extractor_version, stamp, count_actors=current)
            self._reattach_corrections(article_id)
        self._remember_actors(result.signals)
        return SaveOutcome(Status.REPLACED, article_id, row["version_of"], len(result.signals),
                           len(result.attributions))

    def _existing(self, aid: str, found: dict[str, Any], extractor_version: str) -> SaveOutcome:
        status = Status.DUPLICATE if found.get("extractor_version") == extractor_version else Status.STALE
        return SaveOutcome(status, aid)

    def _current_version(self, url: str, aid: str) -> str | None:
        """The latest stored article at this URL (the one not superseded), if any."""
        if not url.strip():
            return None
        row = self._db.one(
            "SELECT id FROM articles WHERE url = ? AND superseded_by IS NULL AND id <> ? "
            "ORDER BY ingested_at DESC, id LIMIT 1",
            (clean(url), aid),
        )
        return None if row is None else row["id"]

    def _insert_extraction(self, aid: str, result: ArticleResult, run_id: int | None, version: str,
                           stamp: str, count_actors: bool) -> None:
        version = clean(version)
        self._db.executemany(_INSERT_ATTRIBUTION, (
            self._attribution_row(aid, i, a, version) for i, a in enumerate(result.attributions)))
        self._db.executemany(_INSERT_SIGNAL, (
            self._signal_row(aid, i, s, version) for i, s in enumerate(result.signals)))
        if count_actors:
            self._count_actors(result, stamp)
        self._db.execute(_UPSERT_EXTRACTION, (aid, version, run_id, stamp))

    @staticmethod
    def _attribution_row(aid: str, position: int, a: Attribution, version: str) -> tuple:
        return (aid, position, clean(a.speaker), clean(a.speaker_kind), clean(a.cue), clean(a.content),
                clean(a.kind), _json(a.via), *_ends(a.speaker_span), *_ends(a.cue_span), *_ends(a.content_span),
                float(a.confidence), version)

    @staticmethod
    def _signal_row(aid: str, position: int, s: Signal, version: str) -> tuple:
        return (aid, position, clean(s.actor), clean(s.stance), clean(s.topic), clean(s.channel), _json(s.terms),
                clean(s.when), _json(s.sources), clean(s.evidence), *_ends(s.evidence_span), float(s.confidence),
                version, clean(s.origin), clean(s.conflict), clean(s.counterpart), clean(s.role),
                clean(s.time_basis))

    def _uncount_actors(self, aid: str) -> None:
        """An article's signals stop counting for their actors (superseded, or about to be re-extracted)."""
        rows = self._db.all("SELECT actor, COUNT(*) AS n FROM signals WHERE article_id = ? GROUP BY actor", (aid,))
        self._db.executemany("UPDATE actors SET signal_count = signal_count - ? WHERE name = ?",
                             [(int(r["n"]), r["actor"]) for r in sorted(rows, key=lambda r: r["actor"])])

    def _count_actors(self, result: ArticleResult, stamp: str) -> None:
        """Count the result's signals for their actors, recording a new actor's kind, state and aliases."""
        counts = Counter(clean(s.actor) for s in result.signals)
        if not counts:
            return
        info = {clean(a.name): a for a in result.actors}
        known = self._known()  # read before the upsert below adds these names
        self._db.executemany(_UPSERT_ACTOR, [
            (name, actor_key(name), clean(info[name].kind) if name in info else "",
             clean(info[name].country) if name in info else "", n, stamp, stamp)
            for name, n in sorted(counts.items())
        ])
        aliases = [(clean(alias), actor_key(alias), name)
                   for name in sorted(counts) if name not in known and name in info for alias in info[name].aliases]
        self._db.executemany(_INSERT_ALIAS, aliases)

    def _known(self) -> set[str]:
        if self._known_actors is None:
            self._known_actors = {r["name"] for r in self._db.all("SELECT name FROM actors")}
        return self._known_actors

    def _remember_actors(self, signals: Iterable[Signal]) -> None:
        """After a commit: these actors' aliases are stored, skip them next time."""
        self._known().update(clean(s.actor) for s in signals)

    # ---- reprocessing ---------------------------------------------------------------------------------
    def articles_needing(self, extractor_version: str, include_superseded: bool = False,
                         page: int = 200) -> Iterator[StoredArticle]:
        """Articles whose stored extraction comes from another extractor version, in id order.

        Read a page at a time by id (not one long cursor), so the caller can
        ``replace_extraction`` while iterating and memory stays flat.
        """
        after = ""
        condition = "" if include_superseded else " AND a.superseded_by IS NULL"
        while True:
            rows = self._db.all(
                f"SELECT a.{_ARTICLE_COLUMNS.replace(', ', ', a.')}, e.extractor_version FROM articles a "
                "LEFT JOIN extractions e ON e.article_id = a.id "
                f"WHERE (e.extractor_version IS NULL OR e.extractor_version <> ?) AND a.id > ?{condition} "
                "ORDER BY a.id LIMIT ?",
                (extractor_version, after, page),
            )
            for row in rows:
                yield _stored_article(row)
            if len(rows) < page:
                return
            after = rows[-1]["id"]

    # ---- queries ----------------------------------------------------------------------------------------
    def signals(self, limit: int | None = None, newest_first: bool = False, include_superseded: bool = False,
                **filters: str | None) -> list[dict[str, Any]]:
        """Signals matching every given filter (``SignalFilter``: actor, stance, topic, channel, since,
        until, outlet, conflict), oldest first (undated last).

        ``since``/``until`` (inclusive; ``YYYY[-MM[-DD]]``) apply to the
        signal's ``when``, else its article's ``published``.  ``actor``
        matches a canonical name or a known alias, case and accents ignored.
        """
        sql, params = signals_sql(SignalFilter(**filters, include_superseded=include_superseded), limit, newest_first)
        return self._corrected([signal_dict(r) for r in self._db.all(sql, params)])

    def signal_page(self, flt: SignalFilter, sort: Sort, limit: int,
                    after: tuple[Any, ...] | None = None) -> tuple[list[dict[str, Any]], tuple[Any, ...] | None]:
        """Up to ``limit`` signals matching ``flt`` in ``sort`` order, after the row keyed ``after``; and the key
        to ask for the next page with (None on the last page).  Keyset paging: a page costs the same however
        deep it is, and rows stored meanwhile never repeat or hide a row on a later page."""
        sql, params = page_sql(flt, sort, limit + 1, after)
        rows = self._db.all(sql, params)
        following = sort.key(rows[limit - 1]) if len(rows) > limit and limit > 0 else None
        return self._corrected([signal_dict(r) for r in rows[:limit]]), following

    def count_signals(self, flt: SignalFilter) -> int:
        """How many signals match ``flt`` (the search page's total)."""
        sql, params = count_sql(flt)
        row = self._db.one(sql, params)
        return int(row["n"]) if row else 0

    def iter_signals(self, include_superseded: bool = False, **filters: str | None) -> Iterator[dict[str, Any]]:
        """Like ``signals`` but streamed from a separate connection: for exports of any size."""
        sql, params = signals_sql(SignalFilter(**filters, include_superseded=include_superseded))
        batch: list[dict[str, Any]] = []
        for row in self._db.stream(sql, params):
            batch.append(signal_dict(row))
            if len(batch) >= _CORRECTION_BATCH:
                yield from self._corrected(batch)
                batch = []
        yield from self._corrected(batch)

    def article_signals(self, article_id: str) -> list[dict[str, Any]]:
        """The signals of one article, in text order, corrections applied."""
        rows = self._db.all(f"SELECT {SIGNAL_COLUMNS} FROM signal_view WHERE article_id = ? ORDER BY "
                            "evidence_start, id", (str(article_id),))
        return self._corrected([signal_dict(r) for r in rows])

    def signals_by_id(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The signals with these ids (superseded ones included), in the order given; unknown ids are left out.
        What a claim lists as its reports."""
        rows: dict[int, dict[str, Any]] = {}
        wanted = [int(i) for i in ids]
        for start in range(0, len(wanted), _CORRECTION_BATCH):
            chunk = wanted[start:start + _CORRECTION_BATCH]
            marks = ", ".join("?" * len(chunk))
            for r in self._db.all(f"SELECT {SIGNAL_COLUMNS} FROM signal_view WHERE id IN ({marks})", chunk):
                rows[int(r["id"])] = signal_dict(r)
        return self._corrected([rows[i] for i in wanted if i in rows])

    def signal(self, signal_id: int) -> dict[str, Any] | None:
        """One signal with what ``show`` prints: its paragraph, the source chain, the article, related quotes."""
        try:
            signal_id = int(signal_id)
        except (TypeError, ValueError):
            return None
        row = self._db.one(f"SELECT {SIGNAL_COLUMNS} FROM signal_view WHERE id = ?", (signal_id,))
        if row is None:
            return None
        (result,) = self._corrected([signal_dict(row)])
        result["superseded_by"] = row["superseded_by"]
        article = self.article(result["article_id"])
        result["article"] = article
        text = article["text"] if article else ""
        bounds = evidence_bounds(text, result["evidence"], result["evidence_span"])
        result["paragraph"] = paragraph_around(text, *bounds) if bounds else None
        result["chain"] = source_chain(result["sources"], result["outlet"])
        attributions = self._db.all("SELECT * FROM attributions WHERE article_id = ? ORDER BY position",
                                    (result["article_id"],))
        result["attributions"] = [
            attribution_dict(a) for a in attributions
            if bounds and overlaps(bounds, _pair(a["content_start"], a["content_end"]))
        ]
        return result

    def article(self, article_id: str) -> dict[str, Any] | None:
        row = self._db.one(
            f"SELECT a.{_ARTICLE_COLUMNS.replace(', ', ', a.')}, e.extractor_version FROM articles a "
            "LEFT JOIN extractions e ON e.article_id = a.id WHERE a.id = ?", (str(article_id),))
        return row

    def actors(self) -> list[dict[str, Any]]:
        """Actors with current signals, most signals first: name, kind, signals, latest stance/topic/date."""
        rows = self._db.all(
            "SELECT name, kind, signal_count, latest_stance, latest_topic, latest_date, latest_signal_id "
            "FROM actor_view WHERE signal_count > 0 ORDER BY signal_count DESC, name")
        return [{"name": r["name"], "kind": r["kind"], "signals": int(r["signal_count"]),
                 "latest_stance": r["latest_stance"], "latest_topic": r["latest_topic"],
                 "latest_date": r["latest_date"] or "", "latest_signal_id": r["latest_signal_id"]} for r in rows]

    def conflicts(self) -> list[dict[str, Any]]:
        """The conflicts current signals are placed in, most signals first: name and signal count (what
        ``--conflict`` can match, and what its "did you mean" offers)."""
        return [{"name": r["conflict"], "signals": int(r["n"])} for r in self._db.all(
            "SELECT conflict, COUNT(*) AS n FROM signal_view WHERE superseded_by IS NULL AND conflict <> '' "
            "GROUP BY conflict ORDER BY COUNT(*) DESC, conflict")]

    def conflict_parties(self) -> list[dict[str, str]]:
        """Each (actor, conflict, counterpart) of current signals whose actor is a party of the conflict: who
        faces whom, for the analyses that must never count two opposing parties as one side."""
        return [{"actor": r["actor"], "conflict": r["conflict"], "counterpart": r["counterpart"]}
                for r in self._db.all(
                    "SELECT DISTINCT actor, conflict, counterpart FROM signal_view WHERE superseded_by IS NULL "
                    "AND role = 'party' AND conflict <> '' AND counterpart <> '' ORDER BY conflict, actor, counterpart")]

    def actor_conflicts(self) -> list[dict[str, Any]]:
        """Each (actor, conflict, role) of current signals with its signal count, by conflict then most signals
        first; conflict and role are '' for signals placed in no known conflict (the overview's groups)."""
        return [{"actor": r["actor"], "conflict": r["conflict"] or "", "role": r["role"] or "", "signals": int(r["n"])}
                for r in self._db.all(
                    "SELECT actor, conflict, role, COUNT(*) AS n FROM signal_view WHERE superseded_by IS NULL "
                    "GROUP BY actor, conflict, role ORDER BY conflict, COUNT(*) DESC, actor, role")]

    def actor_overview(self) -> list[dict[str, Any]]:
        """Actors with current signals, most first: name, kind and signal count, from the counted ``actors``
        table alone.  Not ``actors()``: that reads ``actor_view``, which ranks every signal to find each
        actor's latest (1.8 s at 100k signals); the web overview finds the latest itself."""
        return [{"name": r["name"], "kind": r["kind"], "signals": int(r["signal_count"])} for r in self._db.all(
            "SELECT name, kind, signal_count FROM actors WHERE signal_count > 0 ORDER BY signal_count DESC, name")]

    def actor_countries(self) -> dict[str, str]:
        """Each stored actor's state, as the extractor's registry gave it ('' when it knew none)."""
        return {r["name"]: r["country"] for r in self._db.all("SELECT name, country FROM actors")}

    def actor_named(self, name: str) -> str | None:
        """The stored canonical actor that ``name`` names (itself or a known alias; case and accents
        ignored), or None."""
        key = actor_key(clean(name))
        row = self._db.one("SELECT name FROM actors WHERE key = ? UNION SELECT actor AS name FROM aliases "
                           "WHERE key = ? ORDER BY name LIMIT 1", (key, key))
        return None if row is None else row["name"]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever signals are added, replaced or removed (ids are never reused): a cache key."""
        row = self._db.one("SELECT MAX(id) AS last, COUNT(*) AS n FROM signals")
        return (row or {}).get("last"), (row or {}).get("n")

    # ---- analysts' corrections (``store.corrections`` says why they are kept apart and how they apply) --------
    def corrections(self, signal_id: int) -> list[dict[str, Any]]:
        """The corrections and notes analysts made on one signal, and the signals they added to its article
        (``missed``: they have no signal of their own), oldest first: what the signal page lists."""
        return self._db.all(
            f"SELECT {fixes.COLUMNS} FROM corrections WHERE signal_id = ? OR (field = ? AND article_id = "
            "(SELECT article_id FROM signals WHERE id = ?)) ORDER BY id", (int(signal_id), fixes.MISSED, int(signal_id)))

    def article_corrections(self, article_id: str) -> list[dict[str, Any]]:
        """Every correction of an article's signals, and the signals added to it (``missed``), oldest first."""
        return self._db.all(f"SELECT {fixes.COLUMNS} FROM corrections WHERE article_id = ? ORDER BY id",
                            (str(article_id),))

    def corrected_articles(self) -> list[str]:
        """Ids of the current articles with at least one correction that changes, rejects or adds a signal
        (not a note): what the annotation export writes."""
        kinds = (*fixes.CHANGES, fixes.NOT_A_SIGNAL, fixes.MISSED)
        return [r["article_id"] for r in self._db.all(
            "SELECT DISTINCT c.article_id FROM corrections c JOIN articles a ON a.id = c.article_id "
            f"WHERE a.superseded_by IS NULL AND c.field IN ({', '.join('?' * len(kinds))}) ORDER BY c.article_id",
            kinds)]

    def add_correction(self, signal_id: int, field: str, value: str, note: str, author: str = "") -> dict[str, Any]:
        """Record a correction of one signal (``field`` and ``value`` checked by ``corrections.check_value``),
        with who made it and when, keyed on the signal's article, evidence span and extracted actor."""
        field = (field or "").strip().lower()
        value = fixes.check_value(field, value)
        author = fixes.check_author(author)
        if field == fixes.MISSED:
            raise fixes.CorrectionError("missed: add a missed signal with add_missed_signal")
        signal = self._db.one("SELECT article_id, evidence_start, evidence_end, actor FROM signals WHERE id = ?",
                              (int(signal_id),))
        if signal is None:
            raise StoreError(f"no signal with id {signal_id}")
        return self._insert_correction(int(signal_id), signal["article_id"], signal["evidence_start"],
                                       signal["evidence_end"], signal["actor"], field, value, note, author)

    def add_missed_signal(self, article_id: str, span: tuple[int, int], fields: dict[str, Any], note: str = "",
                          author: str = "") -> dict[str, Any]:
        """Record a signal the extractor missed: its evidence is ``span`` of the article's text, its fields
        (actor, stance, topic, channel, when) are checked by ``corrections.check_missed``."""
        article = self._db.one("SELECT id, text FROM articles WHERE id = ?", (str(article_id),))
        if article is None:
            raise StoreError(f"no article with id {article_id!r}")
        start, end = int(span[0]), int(span[1])
        if not 0 <= start < end <= len(article["text"]):
            raise fixes.CorrectionError(f"evidence: span [{start}, {end}] is not inside the article's text")
        checked = fixes.check_missed(fields)
        return self._insert_correction(None, article["id"], start, end, checked["actor"], fixes.MISSED,
                                       json.dumps(checked, ensure_ascii=False, sort_keys=True), note,
                                       fixes.check_author(author))

    def _insert_correction(self, signal_id: int | None, article_id: str, start: int | None, end: int | None,
                           actor: str, field: str, value: str, note: str, author: str) -> dict[str, Any]:
        stamp = now()
        row = (signal_id, article_id, start, end, clean(actor), clean(field), clean(value), clean(note or ""),
               clean(author), stamp)
        with self._db.transaction():
            new_id = self._db.insert_id(
                "INSERT INTO corrections (signal_id, article_id, evidence_start, evidence_end, actor, field, value, "
                "note, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return dict(zip(fixes.COLUMNS.split(", "), (new_id, *row), strict=True))

    def correction_counts(self) -> dict[str, int]:
        """Current signals corrected (changed or rejected) and signals added by analysts: the totals the CLI
        and the web print beside the signal counts."""
        kinds = (*fixes.CHANGES, fixes.NOT_A_SIGNAL)
        corrected = self._db.scalar(
            "SELECT COUNT(DISTINCT c.signal_id) FROM corrections c JOIN signal_view v ON v.id = c.signal_id "
            f"WHERE v.superseded_by IS NULL AND c.field IN ({', '.join('?' * len(kinds))})", kinds)
        added = self._db.scalar(
            "SELECT COUNT(*) FROM corrections c JOIN articles a ON a.id = c.article_id "
            "WHERE a.superseded_by IS NULL AND c.field = ?", (fixes.MISSED,))
        return {"corrected": int(corrected or 0), "added": int(added or 0)}

    def _corrected(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` with their corrections applied (``corrections.apply``): one query per batch."""
        by_signal: dict[int, list[dict[str, Any]]] = {}
        ids = [r["id"] for r in rows]
        for start in range(0, len(ids), _CORRECTION_BATCH):
            chunk = ids[start:start + _CORRECTION_BATCH]
            for c in self._db.all(f"SELECT signal_id, field, value FROM corrections WHERE signal_id IN "
                                  f"({', '.join('?' * len(chunk))}) ORDER BY id", chunk):
                by_signal.setdefault(int(c["signal_id"]), []).append(c)
        return [fixes.apply(r, by_signal[r["id"]]) if r["id"] in by_signal else fixes.uncorrected(r) for r in rows]

    def _reattach_corrections(self, article_id: str) -> None:
        """After a re-extraction (same transaction): point each correction of the article at its signal's
        new id (``corrections.reattach``), or at none when the new extraction has no such signal."""
        kept = self._db.all("SELECT id, evidence_start, evidence_end, actor FROM corrections "
                            "WHERE article_id = ? AND field <> ?", (article_id, fixes.MISSED))
        if not kept:
            return
        signals = self._db.all("SELECT id, evidence_start, evidence_end, actor FROM signals WHERE article_id = ?",
                               (article_id,))
        found = fixes.reattach(kept, signals)
        self._db.executemany("UPDATE corrections SET signal_id = ? WHERE id = ?",
                             [(sid, cid) for cid, sid in sorted(found.items())])

    def errors(self, run_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Recorded per-document errors, newest first (of one run when ``run_id`` is given)."""
        sql, params = "SELECT id, source, reason, run_id, at FROM errors", []
        if run_id is not None:
            sql += " WHERE run_id = ?"
            params.append(int(run_id))
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        return self._db.all(sql, params)

    def run(self, run_id: int) -> dict[str, Any] | None:
        row = self._db.one(f"{_RUN_SELECT} WHERE id = ?", (int(run_id),))
        return None if row is None else _run_row(row)

    def counts(self) -> dict[str, int]:
        """Rows per table, plus ``current_articles`` (not superseded by a newer version)."""
        counts = {table: int(self._db.scalar(f"SELECT COUNT(*) FROM {table}"))
                  for table in ("articles", "attributions", "signals", "actors", "errors", "runs")}
        counts["current_articles"] = int(self._db.scalar(
            "SELECT COUNT(*) FROM articles WHERE superseded_by IS NULL"))
        return counts


_CORRECTION_BATCH = 500  # signal ids per corrections lookup (SQLite allows 999 bound parameters before 3.32)
_RUN_SELECT = "SELECT id, extractor_version, started_at, finished_at, status, owner, counts FROM runs"


def _run_row(row: dict[str, Any]) -> dict[str, Any]:
    row["counts"] = json.loads(row["counts"]) if row["counts"] else None
    return row


def _pair(start: Any, end: Any) -> list[int] | None:
    return None if start is None or end is None else [int(start), int(end)]


def _stored_article(row: dict[str, Any]) -> StoredArticle:
    article = Article.from_dict(row, source=row["source"])
    return StoredArticle(row["id"], article, row["extractor_version"], row["version_of"], row["superseded_by"],
                         row["ingested_at"])


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the store a ``--db`` value names.

    ``None`` or a path or ``sqlite:///path`` -> a SQLite file (default
    ``backchannel.db``); ``postgresql://user@host:port/db`` -> PostgreSQL.
    Raises ``StoreError`` with a one-line reason when it cannot.
    """
    return Store(dialect_for(url))
