"""The only place where SQLite and PostgreSQL differ: connecting, placeholders, types, transactions.

Every other module writes one SQL text with ``?`` placeholders and the
portable subset both servers share (``INSERT ... ON CONFLICT``, window
functions, ``COALESCE``/``NULLIF``, row values).  A dialect turns that text
into what its driver wants and supplies the few column types that differ, so
the store behaves the same on a laptop file and on a team's server.

Why the connections are configured as they are:

* SQLite runs in autocommit mode and the store issues ``BEGIN IMMEDIATE``
  itself: the write lock is taken at the start of a save, so two writers
  queue on ``busy_timeout`` instead of failing half-way with "database is
  locked".  WAL lets readers (a Datasette, an export) run beside the writer;
  ``synchronous=NORMAL`` in WAL mode still makes every commit survive a
  killed process (only a power cut can lose the last commits, never half of one).
* PostgreSQL runs in autocommit mode too and uses ``connection.transaction()``
  blocks; psycopg prepares statements that run repeatedly by itself.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from backchannel.errors import BackchannelError

DEFAULT_DB = "backchannel.db"
#: The environment variable that names the database when a command is given no ``--db``.
DB_ENV = "BACKCHANNEL_DB"
BUSY_TIMEOUT_MS = 30_000
# Characters neither backend can store as text: NUL (PostgreSQL refuses it) and lone surrogates
# (from undecodable bytes; no UTF-8 encoder accepts them).  Replaced one-for-one so spans stay valid.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StoreError(BackchannelError):
    """The store cannot be opened or used (bad URL, missing driver, unreachable server)."""


def clean(value: str) -> str:
    """``value`` with unstorable characters replaced by U+FFFD (same length, so offsets still hold)."""
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


class Dialect:
    """One open connection plus the SQL details of its backend."""

    name: str = ""
    id_column: str = ""  # an auto-numbered integer primary key
    real: str = ""  # a float column
    #: how many rows a streaming read fetches per round trip
    fetch_size = 500

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: Any = self.connect()

    # ---- per backend ------------------------------------------------------------------------------
    def connect(self) -> Any:
        raise NotImplementedError

    def connect_reader(self) -> Any:
        """A second connection for long reads, so a stream never holds the writer's connection."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield  # pragma: no cover

    def sql(self, text: str) -> str:
        """``text`` in the driver's placeholder style."""
        return text

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT and return the new row's id."""
        raise NotImplementedError

    def lock_schema(self) -> None:
        """Serialise schema migrations between processes (inside a transaction)."""

    def table_names(self) -> set[str]:
        raise NotImplementedError

    def describe(self) -> str:
        """The URL without a password, for messages."""
        return self.url

    # ---- shared -------------------------------------------------------------------------------------
    def ddl(self, text: str) -> str:
        """A migration statement with ``{id}`` and ``{real}`` filled in for this backend."""
        return text.format(id=self.id_column, real=self.real)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            self.conn.cursor().executemany(self.sql(sql), rows)

    def rowcount(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.execute(sql, params).rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        cur = self.execute(sql, params)
        row = cur.fetchone()
        return None if row is None else dict(zip(_columns(cur), row, strict=True))

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.execute(sql, params)
        names = _columns(cur)
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts, fetched in batches on a separate connection; memory stays flat."""
        conn = self.connect_reader()
        try:
            cur = self._stream_cursor(conn)
            cur.execute(self.sql(sql), params)
            names = _columns(cur)
            while True:
                rows = cur.fetchmany(self.fetch_size)
                if not rows:
                    break
                for row in rows:
                    yield dict(zip(names, row, strict=True))
            cur.close()
        finally:
            self._close_reader(conn)

    def _stream_cursor(self, conn: Any) -> Any:
        return conn.cursor()

    def _close_reader(self, conn: Any) -> None:
        conn.close()

    def close(self) -> None:
        self.conn.close()


def _columns(cur: Any) -> list[str]:
    return [d[0] for d in cur.description]


class SQLiteDialect(Dialect):
    name = "sqlite"
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"  # AUTOINCREMENT: a deleted signal's id is never reused
    real = "REAL"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)

    def connect(self) -> sqlite3.Connection:
        parent = Path(self.path).expanduser().resolve().parent
        if not parent.is_dir():
            raise StoreError(f"{self.path}: folder {parent} does not exist")
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite database ({exc})") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: SQLite refused WAL mode (journal_mode is {mode})")
        return conn

    def connect_reader(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(sql, params).lastrowid)

    def table_names(self) -> set[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        return {r[0] for r in rows}


class PostgresDialect(Dialect):
    name = "postgresql"
    id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    real = "DOUBLE PRECISION"
    _reader_names = 0

    def connect(self) -> Any:
        psycopg = _psycopg()
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"{self.describe()}: cannot connect to PostgreSQL: {reason}") from exc

    def connect_reader(self) -> Any:
        return _psycopg().connect(self.url, connect_timeout=10)  # not autocommit: a named cursor needs a transaction

    def _stream_cursor(self, conn: Any) -> Any:
        PostgresDialect._reader_names += 1
        cur = conn.cursor(name=f"backchannel_stream_{PostgresDialect._reader_names}")
        cur.itersize = self.fetch_size
        return cur

    def _close_reader(self, conn: Any) -> None:
        conn.rollback()
        conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def sql(self, text: str) -> str:
        return _pg_placeholders(text)

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(sql + " RETURNING id", params).fetchone()[0])

    def lock_schema(self) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(4242424242)")

    def table_names(self) -> set[str]:
        rows = self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        return {r[0] for r in rows}

    def describe(self) -> str:
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.url


@lru_cache(maxsize=512)
def _pg_placeholders(text: str) -> str:
    # The store's SQL never has '?' or '%' inside literals, so a plain substitution is exact.
    return text.replace("%", "%%").replace("?", "%s")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError('PostgreSQL needs psycopg 3: pip install "psycopg[binary]>=3.2"') from exc
    return psycopg


def resolve_db(value: str | None = None) -> str:
    """The database a command works on: its ``--db`` value, else ``$BACKCHANNEL_DB``, else ``backchannel.db``.
    The one place that decides it, so every command (``serve`` included) opens the same database."""
    return value or os.environ.get(DB_ENV) or DEFAULT_DB


def sqlite_file_missing(url: str) -> bool:
    """True when ``url`` names a SQLite file that does not exist yet (query commands refuse it: a typo
    would otherwise silently create an empty database)."""
    path = url[len("sqlite:///"):] if url.lower().startswith("sqlite:///") else url
    return "://" not in path and not Path(unquote(path) if path is not url else path).exists()


def is_database_error(exc: BaseException) -> bool:
    """An error raised by either database driver (the CLI reports it as one line)."""
    if isinstance(exc, sqlite3.Error):
        return True
    try:
        import psycopg
    except ImportError:
        return False
    return isinstance(exc, psycopg.Error)


def dialect_for(url: str | None) -> Dialect:
    """Open the backend a ``--db`` value names.

    ``None`` -> ``backchannel.db`` in the current folder; a path or
    ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` -> SQLite;
    ``postgresql://...`` or ``postgres://...`` -> PostgreSQL.
    """
    if url is None or url == "":
        return SQLiteDialect(DEFAULT_DB)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        return PostgresDialect(url)
    if scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.lower().startswith("sqlite:///") else ""
        if not path:
            raise StoreError(f"{url}: a SQLite URL needs a file path (sqlite:///backchannel.db)")
        return SQLiteDialect(path)
    if scheme:
        raise StoreError(f"{url}: unsupported database (use a file path, sqlite:///PATH or postgresql://...)")
    return SQLiteDialect(url)
