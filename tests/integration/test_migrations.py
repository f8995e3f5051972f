"""Migrations: from empty to head, down to base and up again; the models agree with them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, make_url, text

from bot.store.engine import create_engine_for
from bot.store.migrate import (
    DatabaseTooNew,
    DatabaseUnreachable,
    check_not_newer,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from bot.store.tables import Base
from tests.conftest import BACKENDS

TABLES = {
    "questions",
    "workspaces",
    "rounds",
    "answers",
    "practice_attempts",
    "run_claims",
    "slack_events",
    "score_changes",
}


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_session_url")
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = create_engine_for(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine_for(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _models_differ(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "target_metadata": Base.metadata}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None

    before, after = upgrade(empty_engine)
    assert (before, after) == (None, head_revision(str(empty_engine.url)))
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    assert _models_differ(empty_engine) == []

    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert not TABLES & set(inspect(empty_engine).get_table_names())

    upgrade(empty_engine)
    assert _models_differ(empty_engine) == []


def test_upgrade_twice_changes_nothing(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    before, after = upgrade(empty_engine)
    assert before == after == head_revision(str(empty_engine.url))


def test_a_database_newer_than_the_code_is_refused(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))

    with pytest.raises(DatabaseTooNew, match="ffff_from_the_future, newer than this code"):
        check_not_newer(empty_engine)
    with pytest.raises(DatabaseTooNew):
        upgrade(empty_engine)


def test_an_unreachable_database_is_one_line_without_its_password() -> None:
    engine = create_engine_for(
        "postgresql+psycopg://k8sq:s3cret-pw@127.0.0.1:9/k8sq?connect_timeout=2"
    )
    with pytest.raises(DatabaseUnreachable) as raised:
        current_revision(engine)
    message = str(raised.value)
    assert "s3cret-pw" not in message
    assert "k8sq:***@127.0.0.1:9/k8sq" in message
    assert "\n" not in message


def test_answers_an_admin_changed_before_0005_keep_their_points_through_a_regrade(
    empty_engine: Engine,
) -> None:
    from datetime import UTC, datetime, time

    from bot.store import tables as t

    upgrade(empty_engine, "0004")
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    with empty_engine.begin() as conn:  # only the columns revision 0004 has
        conn.execute(
            t.workspaces.insert().values(
                team_id="T1",
                post_time=time(9, 30),
                close_time=time(18, 0),
                timezone="Asia/Shanghai",
                weekdays="0,1,2,3,4",
                language="zh",
                admins=[],
                paused=False,
                created_at=now,
                leaderboard_day=0,
            )
        )
        conn.execute(
            t.questions.insert().values(
                id="q", topic="pods", difficulty=1, version="v1", position=0, synced_at=now
            )
        )
        conn.execute(
            t.rounds.insert().values(
                id=1,
                team_id="T1",
                channel_id="C1",
                question_id="q",
                local_date=now.date(),
                opens_at=now,
                closes_at=now,
                message_state="posted",
                created_at=now,
            )
        )
        for answer_id, user in ((1, "U1"), (2, "U2")):
            conn.execute(
                t.answers.insert().values(
                    id=answer_id,
                    round_id=1,
                    team_id="T1",
                    user_id=user,
                    question_id="q",
                    text="a",
                    points=5,
                    max_points=10,
                    found=[],
                    missed=[],
                    rubric_version="v1",
                    answered_at=now,
                )
            )
        changes = [  # U1: regraded, then set by an admin; U2: regraded only
            (1, "v1", "v1", "k8sq regrade", "regraded with the current bank"),
            (1, "v1", "v1", "UADMIN", "said it in other words"),
            (2, "v0", "v1", "k8sq regrade", "regraded with the current bank"),
        ]
        for answer_id, old, new, by, reason in changes:
            conn.execute(
                t.score_changes.insert().values(
                    answer_id=answer_id,
                    old_points=4,
                    new_points=5,
                    old_version=old,
                    new_version=new,
                    changed_by=by,
                    reason=reason,
                    changed_at=now,
                )
            )

    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        set_by = dict(conn.execute(text("SELECT user_id, points_set_by FROM answers")).all())
    assert set_by == {"U1": "UADMIN", "U2": None}
