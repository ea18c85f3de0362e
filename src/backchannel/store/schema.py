"""The schema as a list of named migrations, applied in order and recorded in ``migrations``.

Opening a database applies the migrations it has not recorded yet, each in
its own transaction together with its ``migrations`` row, so a crash during
an upgrade leaves the database at the previous step, never between two.  New
schema changes are appended to ``MIGRATIONS`` under a new name; a published
migration is never edited.

The tables are plain so that Datasette (or any SQL client) shows them
usefully: dates and timestamps are ISO-8601 text, lists (``via``, ``terms``,
``sources``) and run counts are JSON text, spans are pairs of integer
columns, and there are no blobs.  ``{id}`` and ``{real}`` are filled in by
the dialect (an auto-numbered key, a float).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from backchannel.store.dialect import Dialect


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]


INITIAL = Migration("0001_initial", (
    """CREATE TABLE runs (
        id {id},
        extractor_version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        counts TEXT
    )""",
    """CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        ingested_at TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        version_of TEXT REFERENCES articles(id),
        superseded_by TEXT REFERENCES articles(id)
    )""",
    """CREATE TABLE extractions (
        article_id TEXT PRIMARY KEY REFERENCES articles(id),
        extractor_version TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        extracted_at TEXT NOT NULL
    )""",
    """CREATE TABLE attributions (
        id {id},
        article_id TEXT NOT NULL REFERENCES articles(id),
        position INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        speaker_kind TEXT NOT NULL,
        cue TEXT NOT NULL,
        content TEXT NOT NULL,
        kind TEXT NOT NULL,
        via TEXT NOT NULL DEFAULT '[]',
        speaker_start INTEGER,
        speaker_end INTEGER,
        cue_start INTEGER,
        cue_end INTEGER,
        content_start INTEGER,
        content_end INTEGER,
        confidence {real} NOT NULL,
        extractor_version TEXT NOT NULL
    )""",
    """CREATE TABLE signals (
        id {id},
        article_id TEXT NOT NULL REFERENCES articles(id),
        position INTEGER NOT NULL,
        actor TEXT NOT NULL,
        stance TEXT NOT NULL,
        topic TEXT NOT NULL,
        channel TEXT NOT NULL,
        terms TEXT NOT NULL DEFAULT '[]',
        when_ TEXT NOT NULL DEFAULT '',
        sources TEXT NOT NULL DEFAULT '[]',
        evidence TEXT NOT NULL,
        evidence_start INTEGER,
        evidence_end INTEGER,
        confidence {real} NOT NULL,
        extractor_version TEXT NOT NULL
    )""",
    """CREATE TABLE actors (
        name TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '',
        signal_count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL
    )""",
    """CREATE TABLE aliases (
        alias TEXT NOT NULL,
        key TEXT NOT NULL,
        actor TEXT NOT NULL REFERENCES actors(name),
        PRIMARY KEY (alias, actor)
    )""",
    """CREATE TABLE errors (
        id {id},
        source TEXT NOT NULL,
        reason TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        at TEXT NOT NULL
    )""",
))

INDEXES = Migration("0002_indexes", (
    "CREATE INDEX articles_url ON articles(url)",
    "CREATE INDEX articles_published ON articles(published)",
    "CREATE INDEX articles_version_of ON articles(version_of)",
    "CREATE INDEX extractions_version ON extractions(extractor_version)",
    "CREATE INDEX attributions_article ON attributions(article_id)",
    "CREATE INDEX signals_article ON signals(article_id)",
    "CREATE INDEX signals_actor ON signals(actor)",
    "CREATE INDEX signals_when ON signals(when_)",
    "CREATE INDEX actors_key ON actors(key)",
    "CREATE INDEX aliases_key ON aliases(key)",
    "CREATE INDEX errors_run ON errors(run_id)",
))

# Each actor with its latest current signal (recreated unchanged by ``SIGNAL_ORIGINS`` and ``SIGNAL_CONFLICTS``,
# which rebuild the signal_view it reads).
_ACTOR_VIEW = """CREATE VIEW actor_view AS
    SELECT ac.name, ac.kind, ac.signal_count, l.stance AS latest_stance, l.topic AS latest_topic,
           l.date AS latest_date, l.id AS latest_signal_id, ac.first_seen, ac.last_seen
    FROM actors ac LEFT JOIN (
        SELECT v.actor, v.stance, v.topic, v.date, v.id,
               ROW_NUMBER() OVER (PARTITION BY v.actor
                                  ORDER BY CASE WHEN v.date IS NULL THEN 1 ELSE 0 END, v.date DESC, v.id DESC) AS rn
        FROM signal_view v WHERE v.superseded_by IS NULL
    ) l ON l.actor = ac.name AND l.rn = 1"""

# ``date`` is when the position was expressed, else the article's date: what --since/--until filter on.
VIEWS = Migration("0003_views", (
    """CREATE VIEW signal_view AS
    SELECT s.id, s.article_id, s.actor, s.stance, s.topic, s.channel, s.terms, s.when_, s.sources,
           s.evidence, s.evidence_start, s.evidence_end, s.confidence, s.extractor_version,
           COALESCE(NULLIF(s.when_, ''), NULLIF(a.published, '')) AS date,
           a.title, a.outlet, a.published, a.url, a.superseded_by
    FROM signals s JOIN articles a ON a.id = s.article_id""",
    """CREATE VIEW attribution_view AS
    SELECT t.id, t.article_id, t.speaker, t.speaker_kind, t.cue, t.content, t.kind, t.via,
           t.content_start, t.content_end, t.confidence,
           a.title, a.outlet, a.published, a.url, a.superseded_by
    FROM attributions t JOIN articles a ON a.id = t.article_id""",
    _ACTOR_VIEW,
    """CREATE VIEW article_view AS
    SELECT a.id, a.url, a.outlet, a.title, a.published, a.ingested_at, a.version_of, a.superseded_by,
           e.extractor_version, e.run_id,
           (SELECT COUNT(*) FROM signals s WHERE s.article_id = a.id) AS signal_count,
           (SELECT COUNT(*) FROM attributions t WHERE t.article_id = a.id) AS attribution_count
    FROM articles a LEFT JOIN extractions e ON e.article_id = a.id""",
))

# Who ran each run, so that a run whose process died can be told from one still going (``jobs/runs.py``):
# ``owner`` is "host boot-id pid start-time"; ``status`` is running, finished or interrupted.  Runs from
# before this migration that never finished are "unknown": nobody recorded who ran them.
RUN_OWNERS = Migration("0004_run_owners", (
    "ALTER TABLE runs ADD COLUMN owner TEXT",
    "ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running'",
    "UPDATE runs SET status = CASE WHEN finished_at IS NULL THEN 'unknown' ELSE 'finished' END",
    "CREATE INDEX runs_status ON runs(status)",
))

# Analysts' notes on a signal ("the actor is wrong", "this was said in private"), written through the web
# app.  Databases where the web app created it itself (as ``web_0001_corrections``) are left as they are:
# ``IF NOT EXISTS``.
CORRECTIONS = Migration("0005_corrections", (
    """CREATE TABLE IF NOT EXISTS corrections (
        id {id},
        signal_id INTEGER NOT NULL,
        field TEXT NOT NULL DEFAULT '',
        value TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS corrections_signal ON corrections(signal_id)",
))

# Each actor's state, as the extractor's registry gave it (``ActorInfo.country``): the analyses group a
# leader with their state without reading the registry themselves.
ACTOR_COUNTRIES = Migration("0006_actor_countries", (
    "ALTER TABLE actors ADD COLUMN country TEXT NOT NULL DEFAULT ''",
))

# Each signal's origin (``Signal.origin``: the innermost identifiable link of its chain, decided by the
# extractor), for the corroboration analysis; signal_view shows it, so it and the view reading it are rebuilt.
SIGNAL_ORIGINS = Migration("0007_signal_origins", (
    "ALTER TABLE signals ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
    "DROP VIEW actor_view",
    "DROP VIEW signal_view",
    """CREATE VIEW signal_view AS
    SELECT s.id, s.article_id, s.actor, s.stance, s.topic, s.channel, s.terms, s.when_, s.sources,
           s.evidence, s.evidence_start, s.evidence_end, s.confidence, s.extractor_version, s.origin,
           COALESCE(NULLIF(s.when_, ''), NULLIF(a.published, '')) AS date,
           a.title, a.outlet, a.published, a.url, a.superseded_by
    FROM signals s JOIN articles a ON a.id = s.article_id""",
    _ACTOR_VIEW,
))

# Each signal's conflict, counterpart and role (``Signal.conflict`` ...: where the extractor's conflict data
# placed its actor); rows from before are '' (placed in no conflict) until ``reprocess`` re-extracts them.
# signal_view shows them, so it and the view reading it are rebuilt.
SIGNAL_CONFLICTS = Migration("0008_signal_conflicts", (
    "ALTER TABLE signals ADD COLUMN conflict TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE signals ADD COLUMN counterpart TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE signals ADD COLUMN role TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX signals_conflict ON signals(conflict)",
    "DROP VIEW actor_view",
    "DROP VIEW signal_view",
    """CREATE VIEW signal_view AS
    SELECT s.id, s.article_id, s.actor, s.stance, s.topic, s.channel, s.terms, s.when_, s.sources,
           s.evidence, s.evidence_start, s.evidence_end, s.confidence, s.extractor_version, s.origin,
           s.conflict, s.counterpart, s.role,
           COALESCE(NULLIF(s.when_, ''), NULLIF(a.published, '')) AS date,
           a.title, a.outlet, a.published, a.url, a.superseded_by
    FROM signals s JOIN articles a ON a.id = s.article_id""",
    _ACTOR_VIEW,
))

# Each signal's time basis (``Signal.time_basis``: '' said at ``when``, ``standing`` held over time, ``past``
# recounted); rows from before are '' until ``reprocess`` re-extracts them.  signal_view shows it, and an
# actor's latest stance (actor_view) prefers a position expressed at its date over a standing or recounted one
# of the same or a later date, so "has long rejected" in today's article is never the actor's news of today.
_ACTOR_VIEW_BY_BASIS = _ACTOR_VIEW.replace(
    "ORDER BY CASE WHEN v.date IS NULL THEN 1 ELSE 0 END, v.date DESC",
    "ORDER BY CASE WHEN v.date IS NULL THEN 1 ELSE 0 END, CASE WHEN v.time_basis = '' THEN 0 ELSE 1 END, v.date DESC")
SIGNAL_TIME_BASIS = Migration("0009_signal_time_basis", (
    "ALTER TABLE signals ADD COLUMN time_basis TEXT NOT NULL DEFAULT ''",
    "DROP VIEW actor_view",
    "DROP VIEW signal_view",
    """CREATE VIEW signal_view AS
    SELECT s.id, s.article_id, s.actor, s.stance, s.topic, s.channel, s.terms, s.when_, s.sources,
           s.evidence, s.evidence_start, s.evidence_end, s.confidence, s.extractor_version, s.origin,
           s.conflict, s.counterpart, s.role, s.time_basis,
           COALESCE(NULLIF(s.when_, ''), NULLIF(a.published, '')) AS date,
           a.title, a.outlet, a.published, a.url, a.superseded_by
    FROM signals s JOIN articles a ON a.id = s.article_id""",
    _ACTOR_VIEW_BY_BASIS,
))

# Corrections that outlive the signal they were made on: ``reprocess`` deletes an article's signals and
# inserts new ones with new ids, so each correction also keeps what identifies its signal across
# extractions (the article, the evidence span and the actor as extracted) and is re-attached by them
# (``Store.replace_extraction``).  ``signal_id`` becomes nullable: an added (missed) signal has none, nor
# has a correction whose signal a new extractor no longer finds.  ``author`` is who made it.  The table is
# rebuilt (SQLite cannot drop a NOT NULL), and the keys of existing notes are filled from their signals.
CORRECTION_KEYS = Migration("0010_correction_keys", (
    """CREATE TABLE corrections_keyed (
        id {id},
        signal_id INTEGER,
        article_id TEXT NOT NULL DEFAULT '',
        evidence_start INTEGER,
        evidence_end INTEGER,
        actor TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL DEFAULT '',
        value TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    """INSERT INTO corrections_keyed (signal_id, article_id, evidence_start, evidence_end, actor, field, value,
                                      note, created_at)
    SELECT c.signal_id, COALESCE(s.article_id, ''), s.evidence_start, s.evidence_end, COALESCE(s.actor, ''),
           c.field, c.value, c.note, c.created_at
    FROM corrections c LEFT JOIN signals s ON s.id = c.signal_id ORDER BY c.id""",
    "DROP TABLE corrections",
    "ALTER TABLE corrections_keyed RENAME TO corrections",
    "CREATE INDEX corrections_signal_id ON corrections(signal_id)",
    "CREATE INDEX corrections_article ON corrections(article_id)",
))

MIGRATIONS: tuple[Migration, ...] = (INITIAL, INDEXES, VIEWS, RUN_OWNERS, CORRECTIONS, ACTOR_COUNTRIES,
                                     SIGNAL_ORIGINS, SIGNAL_CONFLICTS, SIGNAL_TIME_BASIS, CORRECTION_KEYS)

_MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"


def now() -> str:
    """UTC now as ISO-8601 text (seconds and microseconds, ``Z``): sorts as text, reads in Datasette."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def applied(db: Dialect) -> list[str]:
    return [r["name"] for r in db.all("SELECT name FROM migrations ORDER BY name")]


def migrate(db: Dialect, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the missing migrations in order; return the names applied now."""
    if "migrations" not in db.table_names():
        with db.transaction():
            db.lock_schema()
            db.execute(_MIGRATIONS_TABLE)
    known = set(applied(db))
    done_now: list[str] = []
    for migration in migrations:
        if migration.name in known:  # the common case, read without taking the write lock
            continue
        with db.transaction():
            db.lock_schema()
            # Checked inside the transaction: another process may have applied it meanwhile.
            if db.one("SELECT name FROM migrations WHERE name = ?", (migration.name,)):
                continue
            for statement in migration.statements:
                db.execute(db.ddl(statement))
            db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (migration.name, now()))
        done_now.append(migration.name)
    return done_now
