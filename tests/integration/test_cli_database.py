"""`k8sq db upgrade | current` and `k8sq regrade` against a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.store import tables as t
from bot.store.engine import create_engine_for, database_url
from tests.integration.game import FakeClock


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) with K8SQ_DATA_DIR pointing into it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("K8SQ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_database_url_defaults_to_k8sq_db_in_the_data_dir(tmp_path: Path) -> None:
    assert database_url({"K8SQ_DATA_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path}/k8sq.db"
    assert database_url({"DATABASE_URL": "postgresql+psycopg://u@h/db"}).startswith("postgresql")


def test_upgrade_migrates_and_syncs_the_questions_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    first = capsys.readouterr().out
    assert "migrated from empty to" in first
    assert main(["db", "upgrade"]) == 0
    second = capsys.readouterr().out
    assert "nothing to migrate" in second
    assert ", 0 synced" in second
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out

    engine = create_engine_for(f"sqlite:///{workdir / 'data' / 'k8sq.db'}")
    with engine.connect() as conn:
        synced = conn.execute(select(func.count()).select_from(t.questions)).scalar_one()
        versions = set(conn.scalars(select(t.questions.c.version)))
    engine.dispose()
    assert synced > 0
    assert "" not in versions


def test_an_unreachable_database_is_one_line_naming_it_without_the_password(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://k8sq:hunter2@127.0.0.1:9/k8sq?connect_timeout=2"
    )
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "hunter2" not in err
    assert "k8sq:***@127.0.0.1:9/k8sq" in err


def test_a_database_url_that_is_not_one_is_named(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url")
    assert main(["db", "upgrade"]) == 2
    assert "DATABASE_URL is not a database URL" in capsys.readouterr().err


def test_a_database_newer_than_the_code_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    engine = create_engine_for(f"sqlite:///{workdir / 'data' / 'k8sq.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    engine.dispose()
    capsys.readouterr()
    assert main(["db", "upgrade"]) == 2
    assert "revision f00d, newer than this code" in capsys.readouterr().err


def test_regrade_needs_a_migrated_database_and_a_known_question(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["regrade"]) == 2
    assert "k8sq db upgrade" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    assert main(["regrade"]) == 0
    assert "regraded 0 answers, 0 changed" in capsys.readouterr().out
    assert main(["regrade", "--question", "no-such-question"]) == 1
    assert "unknown question id 'no-such-question'" in capsys.readouterr().err


def test_regrade_restores_grades_the_bank_gives_and_records_the_change(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.grading import grader
    from bot.question_bank import load_bank
    from bot.services import Services
    from bot.store.sql_store import SqlStore

    assert main(["db", "upgrade"]) == 0
    engine = create_engine_for(f"sqlite:///{workdir / 'data' / 'k8sq.db'}")
    bank = load_bank()
    clock = FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    services = Services(store=SqlStore(engine), bank=bank, clock=clock, grader=grader())
    services.ensure_workspace("T1")
    services.update_settings("T1", channel_id="C1234567")
    round_ = services.create_round("T1")
    reference = services.question(round_.question_id).reference.en
    graded = services.submit_answer(round_.id, "U1", reference).grade.points
    with engine.begin() as conn:  # as if graded by an older rubric
        conn.execute(text("UPDATE answers SET points = 0.125"))
    capsys.readouterr()

    assert main(["regrade"]) == 0
    out = capsys.readouterr().out
    assert f"(round {round_.id}, U1): 0.125 -> {graded:g}" in out
    assert "regraded 1 answers, 1 changed" in out
    with engine.connect() as conn:
        changes = conn.execute(
            select(t.score_changes.c.old_points, t.score_changes.c.changed_by)
        ).all()
    engine.dispose()
    assert [tuple(c) for c in changes] == [(0.125, "k8sq regrade")]
