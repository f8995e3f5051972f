"""`k8sq workspace list` and `set`: an operator sees and changes a workspace's settings."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.cli.workspace import list_command, set_command
from bot.services import Services
from tests.integration.game import TEAM

E2E_QUESTIONS = Path(__file__).resolve().parents[1] / "e2e" / "questions"


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the repository
    monkeypatch.setenv("DATABASE_URL", database_url)
    # A small bank of its own: edits to the real questions never change these tests.
    monkeypatch.setenv("K8SQ_QUESTIONS_DIR", str(E2E_QUESTIONS))


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["workspace", *argv])


def test_set_changes_only_the_named_settings_and_list_shows_them(
    services: Services, cli_env: None
) -> None:
    before = services.get_settings(TEAM)
    out = io.StringIO()
    args = parse("set", TEAM, "--channel", "C0NEW", "--timezone", "America/New_York", "--pause")
    assert set_command(args, out) == 0
    after = services.get_settings(TEAM)
    assert (after.channel_id, after.timezone, after.paused) == ("C0NEW", "America/New_York", True)
    assert (after.post_time, after.admins) == (before.post_time, before.admins)
    assert "C0NEW" in out.getvalue() and "paused" in out.getvalue()

    listed = io.StringIO()
    assert list_command(parse("list"), listed) == 0
    assert listed.getvalue().startswith(f"{TEAM}: channel C0NEW, 09:30-18:00 America/New_York")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--post-time", "25:00"], "post time"),
        (["--timezone", "Mars/Olympus"], "time zone"),
        (["--admins", "bob"], "--admins"),
        ([], "nothing to change"),
    ],
)
def test_bad_values_are_named_and_change_nothing(
    services: Services,
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    says: str,
) -> None:
    before = services.get_settings(TEAM)
    assert set_command(parse("set", TEAM, *argv), io.StringIO()) == 2
    assert says in capsys.readouterr().err
    assert services.get_settings(TEAM) == before


def test_an_unknown_workspace_is_named(
    services: Services, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set_command(parse("set", "T0NONE", "--channel", "C0X"), io.StringIO()) == 2
    assert "T0NONE" in capsys.readouterr().err
