"""The web app's access to the database: one Store per worker thread, and the ``corrections`` table.

Why one Store per thread: Starlette runs the (synchronous) handlers in a
thread pool, and a ``Store`` wraps one DB-API connection that must not serve
two threads at once.  Each thread opens its own on first use; SQLite's WAL
mode lets them all read while an ingest writes, PostgreSQL gives each its own
session.  All of them are closed when the app shuts down.

The ``corrections`` table belongs to the web app, not to the extraction
store: analysts' notes on a signal ("the actor is wrong", "this was said in
private").  It is created by a named migration, ``web_0001_corrections``,
through the store's own migration runner (``store.schema.migrate``, recorded
in the ``migrations`` table like the store's), and only when the app is
started with a write token: a read-only server never writes to the database.
Reads treat a missing table as "no corrections".
"""

from __future__ import annotations

import threading
from typing import Any

from backchannel.store import Store, open_store
from backchannel.store.dialect import Dialect, clean, dialect_for
from backchannel.store.schema import Migration, migrate, now

CORRECTIONS = Migration("web_0001_corrections", (
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


class Backend:
    """Per-thread stores and correction tables over one database URL."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.store_url)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    @property
    def db(self) -> Dialect:
        """A plain connection for the web app's own table (the Store keeps its connection private)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = dialect_for(self.store_url)
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    def enable_writes(self) -> None:
        """Create the corrections table if needed (called once at start-up when a token is set)."""
        self.store  # noqa: B018 - opening the store first applies the store's own migrations
        migrate(self.db, (CORRECTIONS,))

    def actor_list(self) -> list[dict[str, Any]]:
        """Actors with current signals, most first: the plain ``actors`` table, which the store keeps counted.

        Not ``Store.actors()``: that reads ``actor_view``, which ranks every
        signal to find each actor's latest (1.8 s at 100k signals); the
        overview finds the latest itself from each actor's newest rows.
        """
        return [{"name": r["name"], "kind": r["kind"], "signals": int(r["signal_count"])} for r in self.db.all(
            "SELECT name, kind, signal_count FROM actors WHERE signal_count > 0 ORDER BY signal_count DESC, name")]

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever signals are added, replaced or removed (ids are never reused): a cache key."""
        row = self.db.one("SELECT MAX(id) AS last, COUNT(*) AS n FROM signals")
        return (row or {}).get("last"), (row or {}).get("n")

    def corrections(self, signal_id: int) -> list[dict[str, Any]]:
        if "corrections" not in self.db.table_names():
            return []
        return self.db.all("SELECT id, signal_id, field, value, note, created_at FROM corrections "
                           "WHERE signal_id = ? ORDER BY id", (int(signal_id),))

    def add_correction(self, signal_id: int, field: str, value: str, note: str) -> dict[str, Any]:
        stamp = now()
        params = (int(signal_id), clean(field), clean(value), clean(note), stamp)
        with self.db.transaction():
            new_id = self.db.insert_id(
                "INSERT INTO corrections (signal_id, field, value, note, created_at) VALUES (?, ?, ?, ?, ?)",
                params)
        return {"id": new_id, "signal_id": int(signal_id), "field": field, "value": value, "note": note,
                "created_at": stamp}

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for item in opened:
            try:
                item.close()
            except Exception:  # closing at shutdown must not mask the reason for shutting down
                pass
