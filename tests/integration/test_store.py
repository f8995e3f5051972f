"""The SQL store itself: syncing questions, once-only inserts, times, SQLite's settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from bot.store import tables as t
from bot.store.engine import create_engine_for, mask_url
from bot.store.sql_store import SqlStore
from tests.integration.game import TEAM, make_question

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_questions_sync_by_id_and_version(store: SqlStore) -> None:
    a, b = make_question("a", "pods"), make_question("b", "svc")
    assert store.sync_questions([a, b]) == 2
    assert store.sync_questions([a, b]) == 0
    assert store.sync_questions([make_question("a", "pods", version="v2"), b]) == 1
    assert store.sync_questions([b]) == 2  # a left the bank (kept, inactive); b moved up
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.questions.c.id, t.questions.c.version, t.questions.c.active).order_by(
                t.questions.c.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [("a", "v2", False), ("b", "v1", True)]


def _round(store: SqlStore, day: date) -> tuple[int, bool]:
    info, created = store.insert_round(
        team_id=TEAM,
        channel_id="C1",
        question_id="a",
        local_date=day,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=8),
    )
    return info.id, created


def test_one_round_per_workspace_and_date(store: SqlStore) -> None:
    from bot.domain.records import WorkspaceSettings

    store.sync_questions([make_question("a", "pods")])
    store.ensure_workspace(WorkspaceSettings(team_id=TEAM))
    first = _round(store, date(2026, 11, 25))
    assert first[1]
    assert _round(store, date(2026, 11, 25)) == (first[0], False)
    assert _round(store, date(2026, 11, 26))[1]


def test_times_come_back_aware_in_utc_and_naive_ones_are_refused(store: SqlStore) -> None:
    shanghai = timezone(timedelta(hours=8))
    assert store.record_event("Ev1", datetime(2026, 11, 25, 10, 0, tzinfo=shanghai))
    with store.engine.connect() as conn:
        stored = conn.scalar(select(t.slack_events.c.received_at))
    assert stored == NOW and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive datetime"):
        store.record_event("Ev2", datetime(2026, 11, 25, 10, 0))


def test_sqlite_uses_wal_and_a_busy_timeout_and_starts_writes_immediately(
    tmp_path: Path,
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'deep' / 'k8sq.db'}")
    statements: list[str] = []

    from sqlalchemy import event

    # What SQLite itself runs (the BEGIN goes to the driver directly, past SQLAlchemy).
    @event.listens_for(engine, "connect")
    def record(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert "BEGIN IMMEDIATE" in statements


def test_a_password_is_masked() -> None:
    assert mask_url("postgresql+psycopg://k8sq:pw@db:5432/k8sq") == (
        "postgresql+psycopg://k8sq:***@db:5432/k8sq"
    )


def test_a_question_synced_by_another_process_meanwhile_is_updated_not_inserted_twice(
    store: SqlStore,
) -> None:
    """Two processes syncing a new bank at once: the second one's insert must not fail."""
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: BEGIN IMMEDIATE keeps a second writer out of the sync")
    from sqlalchemy import event

    other = SqlStore(store.engine)
    raced: list[bool] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def sync_elsewhere_first(*args: object) -> None:
        # Between this sync's read of the questions and its write, another process
        # (another connection) syncs the same new question and commits.
        if not raced and str(args[2]).lstrip().upper().startswith("INSERT INTO QUESTIONS"):
            raced.append(True)
            other.sync_questions([make_question("a", "pods", version="v2")])

    assert store.sync_questions([make_question("a", "pods")]) == 1
    event.remove(store.engine, "before_cursor_execute", sync_elsewhere_first)
    assert raced
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.questions.c.id, t.questions.c.version)).all()
    assert [tuple(r) for r in rows] == [("a", "v1")]  # the last sync to commit wins
