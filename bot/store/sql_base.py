"""The SQL store's plumbing: connections, transactions, and a database that cannot be reached.

Each area of the store (bot.store.sql_answers, sql_rounds, sql_workspaces, sql_stats,
sql_scores) is a class on SqlBase; bot.store.sql_store.SqlStore is all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.domain.records import MessageState, RoundInfo, StoreUnavailable
from bot.store.engine import READ_ONLY, sqlite_writers


@contextmanager
def _available() -> Iterator[None]:
    """Raise StoreUnavailable for a database that is unreachable or drops the connection."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        lines = str(exc.orig or exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        raise StoreUnavailable(f"the database is unavailable: {reason}") from exc


class SqlBase:
    """A store's engine and its transactions: one per call, a write one taking SQLite's turns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        # SQLite's writers queue, held from BEGIN IMMEDIATE to COMMIT and no longer.
        self._writers: AbstractContextManager[object] = sqlite_writers(engine.url) or nullcontext()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _available(), self.engine.connect() as conn, self._writers, conn.begin():
            yield conn

    @contextmanager
    def _driver(self) -> Iterator[Any]:
        """A pooled connection of the driver itself, for bot.store.driver's statements. On
        SQLite (in autocommit: see bot.store.engine) each statement is its own transaction."""
        with _available():
            driver = self.engine.raw_connection()
            try:
                yield driver
            finally:
                driver.close()  # back to the pool

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _available(), self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    def _insert(self, table: Any) -> Any:
        """An INSERT that can take ON CONFLICT on either database."""
        if self._postgres:
            return postgresql.insert(table)
        return sqlite.insert(table)

    # Here rather than in RoundRows: the answer's path reads rounds too (AnswerRows.get_round).
    @staticmethod
    def _round(row: Any) -> RoundInfo:
        return RoundInfo(
            id=row.id,
            team_id=row.team_id,
            channel_id=row.channel_id,
            question_id=row.question_id,
            local_date=row.local_date,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            revealed_at=row.revealed_at,
            message_channel=row.message_channel,
            message_ts=row.message_ts,
            message_state=cast(MessageState, row.message_state),
        )
