"""The web app's access to the database: one Store per worker thread.

Why one Store per thread: Starlette runs the (synchronous) handlers in a
thread pool, and a ``Store`` wraps one DB-API connection that must not serve
two threads at once.  Each thread opens its own on first use; SQLite's WAL
mode lets them all read while an ingest writes, PostgreSQL gives each its own
session.  All of them are closed when the app shuts down.

Everything the app reads or writes goes through the store's public methods
(the actor overview, corrections, the fingerprint of its signals); the
``corrections`` table is one of the store's own migrations.
"""

from __future__ import annotations

import threading

from backchannel.store import Store, open_store


class Backend:
    """Per-thread stores over one database URL."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._local = threading.local()
        self._opened: list[Store] = []
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

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for store in opened:
            try:
                store.close()
            except Exception:  # closing at shutdown must not mask the reason for shutting down
                pass
