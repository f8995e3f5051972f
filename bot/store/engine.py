"""Which database, and an engine for it: a SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError

DEFAULT_SQLITE_NAME = "k8sq.db"
# How long a SQLite writer waits for another one before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# An execution option: this connection only reads, so a deferred BEGIN is enough.
READ_ONLY = "k8sq_read_only"
# Connections kept open in a process: one for each of a gunicorn worker's request threads
# (bot.cli.slack.WEB_THREADS), and some for the calls made after the acknowledgement and the
# scheduler. With SQLAlchemy's default of 5, the connections past it were opened and closed
# again for each request under load (a new SQLite handle, or a new PostgreSQL session).
POOL_SIZE = 12


class DatabaseUrlError(ValueError):
    """A DATABASE_URL that cannot be parsed."""


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL if set, else the SQLite file k8sq.db in K8SQ_DATA_DIR (default: here)."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip()
    if url:
        try:
            make_url(url)
        except ArgumentError as exc:
            raise DatabaseUrlError(f"DATABASE_URL is not a database URL: {exc}") from None
        return url
    data_dir = Path(env.get("K8SQ_DATA_DIR", "").strip() or ".")
    return f"sqlite:///{(data_dir / DEFAULT_SQLITE_NAME).resolve()}"


def mask_url(url: str) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def create_engine_for(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writes."""
    parsed = make_url(url)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", POOL_SIZE)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, so that the "begin"
        # hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # A deferred BEGIN that reads and then writes fails at once with "database is
        # locked" when another writer got in between, whatever the busy timeout; IMMEDIATE
        # takes the write lock up front, so concurrent writers queue instead.
        sql = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        # Straight to the driver: SQLAlchemy's execution path costs more than the BEGIN
        # itself, twice per answer. Its errors are wrapped as SQLAlchemy would wrap them.
        dbapi_connection = conn.connection.dbapi_connection
        assert dbapi_connection is not None
        try:
            dbapi_connection.execute(sql)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc


class SqliteWriters:
    """Let one write transaction at a time into a SQLite file, from any process, in turn.

    (An answer, the busiest write, is one statement that SQLite runs as a transaction of its
    own, inside one call, and takes no turn here: see AnswerRows.add_answer.)

    SQLite takes one writer; the others sleep 1, 2, 5 ... 100 ms between tries, which put
    the slowest of 50 concurrent submissions at half a second or more. Here writers queue
    instead: on a lock between this process's threads, then on an exclusive `flock` of a
    file next to the database between processes (gunicorn's workers), woken at once.
    The store holds it around each write transaction only (BEGIN IMMEDIATE to COMMIT), so
    grading and reads never keep the next writer waiting.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = lock_path
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._lock_path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None and self._lock_path is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def sqlite_writers(database_url: str | URL) -> SqliteWriters | None:
    """A writer queue for a SQLite database URL (None for other databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return SqliteWriters(None)  # one process: the thread lock is enough
    return SqliteWriters(Path(f"{database}.writers.lock"))
