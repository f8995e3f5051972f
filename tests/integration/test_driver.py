"""Statements run straight on the driver send what SQLAlchemy would send, and fail as it fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.store import tables as t
from bot.store.driver import DriverStatement
from bot.store.engine import create_engine_for
from bot.store.sql_store import SqlStore

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
VALUES = {
    "round_id": 7,
    # Not UTC, with microseconds: the column type turns it into SQLite's UTC text.
    "answered_at": datetime(2026, 11, 25, 18, 0, 1, 250, tzinfo=timezone(timedelta(hours=8))),
    "team_id": "T1",
    "user_id": "U1",
    "question_id": "svc-types",
    "text": "ClusterIP 只在集群内可达",
    "points": 7.5,
    "max_points": 10.0,
    "found": ["cluster-ip", "ç"],
    "missed": [],
    "rubric_version": "v1",
}


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[SqlStore]:
    """The driver's path is SQLite's (on PostgreSQL the answer's insert keeps RETURNING)."""
    path = tmp_path / "k8sq.db"
    shutil.copy(sqlite_template, path)
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        yield SqlStore(engine)
    finally:
        engine.dispose()


def sent_by_sqlalchemy(engine: Engine, statement: Any, values: dict[str, Any]) -> tuple[str, Any]:
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        seen.append((sql, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            conn.execute(statement, values)
            conn.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    [sent] = seen
    return sent


def test_the_answers_insert_sends_what_sqlalchemy_sends(sqlite_store: SqlStore) -> None:
    statement = sqlite_store._add_answer
    driver = DriverStatement(statement, sqlite_store.engine.dialect)
    sql, parameters = sent_by_sqlalchemy(sqlite_store.engine, statement, VALUES)

    assert driver.sql == sql
    assert driver.parameters(VALUES) == parameters
    assert "2026-11-25 10:00:01.000250" in parameters  # UTC, as the column stores it
    assert '["cluster-ip", "\\u00e7"]' in parameters  # JSON, as the column stores it


def test_driver_errors_are_sqlalchemys(sqlite_store: SqlStore) -> None:
    dialect = sqlite_store.engine.dialect
    events = t.slack_events
    insert = DriverStatement(events.insert().values(event_id="Ev1", received_at=NOW), dialect)
    read = DriverStatement(select(events).where(events.c.event_id == "Ev1"), dialect)
    with sqlite_store._driver() as driver:
        insert.run(driver, {})
        assert read.run(driver, {}).fetchone() is not None
        with pytest.raises(IntegrityError, match="UNIQUE"):
            insert.run(driver, {})
        driver.execute("DROP TABLE slack_events")
        with pytest.raises(OperationalError, match="no such table"):
            read.run(driver, {})
