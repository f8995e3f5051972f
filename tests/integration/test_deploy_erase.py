"""`k8sq workspace erase TEAM_ID`: one workspace's rows go, every other workspace's stay."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.cli.workspace import erase, erase_command
from bot.services import Services
from bot.store import tables as t
from tests.integration.game import ADMIN, TEAM

OTHER = "T0OTHER"


def play(services: Services, team: str) -> None:
    """A round with a scored answer, a score change, a dispute, a Home tab, practice, a claim."""
    round_ = services.create_round(team)
    services.submit_answer(round_.id, "U1", "a and b")
    services.adjust_score(round_.id, "U1", 1.0, by=ADMIN, reason="typo in the rubric")
    services.file_dispute(round_.id, "U1", "b was there")
    services.note_home_opened(team, "U1")
    practice = services.next_practice_question(team, "U1", None)
    services.submit_practice(team, "U1", practice.id, "a")
    services.claim_run("post_daily", "2026-11-25", team)


def rows(engine: Engine, team: str) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(
                select(func.count()).select_from(table).where(table.c.team_id == team)
            ).scalar_one()
            for table in (
                t.workspaces,
                t.rounds,
                t.answers,
                t.practice_attempts,
                t.run_claims,
                t.disputes,
                t.home_tabs,
            )
        }
        counts["score_changes"] = conn.execute(
            select(func.count())
            .select_from(t.score_changes.join(t.answers))
            .where(t.answers.c.team_id == team)
        ).scalar_one()
    return counts


@pytest.fixture
def two_workspaces(services: Services) -> Services:
    services.ensure_workspace(OTHER)
    services.update_settings(OTHER, channel_id="C0OTHER", admins=(ADMIN,))
    play(services, TEAM)
    play(services, OTHER)
    return services


def test_erase_deletes_one_workspace_and_leaves_the_other(
    two_workspaces: Services, engine: Engine
) -> None:
    before = rows(engine, OTHER)
    assert all(n >= 1 for n in before.values())

    with engine.begin() as conn:
        counted = erase(conn, TEAM, dry_run=True)
    assert counted["answers"] == 1 and counted["score changes"] == 1
    assert rows(engine, TEAM)["answers"] == 1, "a dry run deletes nothing"

    with engine.begin() as conn:
        deleted = erase(conn, TEAM)
    assert deleted == counted
    assert set(rows(engine, TEAM).values()) == {0}
    assert rows(engine, OTHER) == before
    assert [s.user_id for s in two_workspaces.weekly_leaderboard(OTHER).standings] == ["U1"]


def test_the_command_counts_first_and_erases_with_yes(
    two_workspaces: Services,
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = io.StringIO()
    assert erase_command(argparse.Namespace(team_id=TEAM, yes=False), out) == 0
    assert "would delete" in out.getvalue() and "nothing deleted" in out.getvalue()
    assert rows(engine, TEAM)["rounds"] == 1

    out = io.StringIO()
    assert erase_command(argparse.Namespace(team_id=TEAM, yes=True), out) == 0
    assert out.getvalue().startswith(f"{TEAM}: deleted ")
    assert set(rows(engine, TEAM).values()) == {0}
    assert rows(engine, OTHER)["rounds"] == 1

    # Nothing left to erase, or not a team id: a clear line and status 2.
    assert erase_command(argparse.Namespace(team_id=TEAM, yes=True), io.StringIO()) == 2
    assert erase_command(argparse.Namespace(team_id="#general", yes=True), io.StringIO()) == 2
