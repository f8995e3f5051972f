"""The daily round through the composition root and the local Slack fake, over real HTTP.

`build(settings)` wires the real chat adapter (SLACK_API_URL at the fake), the real services
and a SQLite file; the tests drive `tick(now)` with a fake clock and read what Slack got.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import Bot, StartError, build
from bot.cli import main
from bot.config import Settings, load_settings
from bot.slack import ids
from tests.e2e.fake_slack import TEAM_ID, FakeSlack
from tests.integration.game import FakeClock

TOKEN = "xoxb-daily-test"
CHANNEL = "C0ROUND"
ADMIN = "U0ADMIN"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def env(slack_api: FakeSlack, tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    db = tmp_path / "k8sq.db"
    shutil.copy(sqlite_template, db)
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "daily-secret",
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{db}",
        "K8SQ_CHANNEL": CHANNEL,
        "K8SQ_ADMINS": ADMIN,
        "K8SQ_LANGUAGE": "en",
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env, env_file=None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(shanghai("2026-11-25 09:00").astimezone(UTC))


@pytest.fixture
def bot(settings: Settings, clock: FakeClock, fake_slack: FakeSlack) -> Iterator[Bot]:
    bot = build(settings, clock=clock)
    assert bot.start(migrate=True) == TEAM_ID
    fake_slack.reset()  # forget auth.test
    yield bot
    bot.close()


def tick(bot: Bot, clock: FakeClock, when: datetime) -> None:
    clock.set(when.astimezone(UTC))
    bot.jobs.tick(when)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_token_workspace_is_seeded_from_the_environment(bot: Bot) -> None:
    ws = bot.services.get_settings(TEAM_ID)
    assert (ws.channel_id, ws.admins, ws.language) == (CHANNEL, (ADMIN,), "en")
    assert (ws.post_time.isoformat(), ws.close_time.isoformat()) == ("09:30:00", "18:00:00")


def test_saved_settings_win_but_the_environment_fills_gaps_and_adds_its_admins(
    bot: Bot, settings: Settings, clock: FakeClock
) -> None:
    bot.services.update_settings(TEAM_ID, channel_id=None, post_time="08:00", admins=("U0SAVED",))
    again = build(settings, clock=clock)
    try:
        again.start(migrate=True)
        ws = again.services.get_settings(TEAM_ID)
    finally:
        again.close()
    assert ws.post_time.isoformat() == "08:00:00"
    assert ws.channel_id == CHANNEL
    assert ws.admins == ("U0SAVED", ADMIN)


def test_a_refused_token_stops_the_start_with_one_line(
    settings: Settings, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("auth.test", error="invalid_auth")
    bot = build(settings, clock=clock)
    try:
        with pytest.raises(StartError) as raised:
            bot.start(migrate=True)
    finally:
        bot.close()
    message = str(raised.value)
    assert "SLACK_BOT_TOKEN" in message and "invalid_auth" in message and "\n" not in message


def test_the_question_is_posted_at_0930_in_the_channel(
    bot: Bot, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    tick(bot, clock, shanghai("2026-11-25 09:29"))
    assert fake_slack.calls_to("chat.postMessage") == []
    tick(bot, clock, shanghai("2026-11-25 09:30"))
    tick(bot, clock, shanghai("2026-11-25 09:31"))
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.token == TOKEN and call.args["channel"] == CHANNEL
    assert ids.ANSWER_ACTION_ID in action_ids(call.args["blocks"])
    round_ = bot.services.store.round_on(TEAM_ID, shanghai("2026-11-25 09:30").date())
    assert round_ is not None and round_.message_state == "posted"
    assert fake_slack.message(CHANNEL, str(round_.message_ts)) is not None


def test_a_rate_limited_post_is_retried_after_retry_after(
    bot: Bot, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    tick(bot, clock, shanghai("2026-11-25 09:30"))
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]
    round_ = bot.services.store.round_on(TEAM_ID, shanghai("2026-11-25 09:30").date())
    assert round_ is not None and round_.message_state == "posted"


def test_a_5xx_post_is_never_repeated_and_the_admins_get_post_again(
    bot: Bot, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", status=500)
    tick(bot, clock, shanghai("2026-11-25 09:30"))
    tick(bot, clock, shanghai("2026-11-25 09:45"))
    posts = fake_slack.calls_to("chat.postMessage")
    assert [p.args["channel"] for p in posts] == [CHANNEL, "D0ADMIN"]
    alert = posts[1]
    assert ids.POST_AGAIN_ACTION_ID in action_ids(alert.args["blocks"])
    assert "may or may not" in alert.args["text"]
    round_ = bot.services.store.round_on(TEAM_ID, shanghai("2026-11-25 09:30").date())
    assert round_ is not None and round_.message_state == "unknown"

    outcome = bot.jobs.post_again(TEAM_ID, round_.id, ADMIN)
    assert outcome.done
    assert fake_slack.calls_to("chat.postMessage")[-1].args["channel"] == CHANNEL


def test_not_in_channel_is_logged_with_the_fix_and_sent_to_the_admins(
    bot: Bot, clock: FakeClock, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    tick(bot, clock, shanghai("2026-11-25 09:30"))
    line = next(r.getMessage() for r in caplog.records if "not_in_channel" in r.getMessage())
    assert "/invite @k8sq" in line and CHANNEL in line
    [dm] = [c for c in fake_slack.calls_to("chat.postMessage") if c.ok]
    assert dm.args["channel"] == "D0ADMIN" and "/invite" in str(dm.args["blocks"])


def test_the_reveal_goes_in_the_thread_at_the_close(
    bot: Bot, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    tick(bot, clock, shanghai("2026-11-25 09:30"))
    [post] = fake_slack.calls_to("chat.postMessage")
    tick(bot, clock, shanghai("2026-11-25 18:00"))
    tick(bot, clock, shanghai("2026-11-25 18:01"))
    reveals = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(reveals) == 1
    round_ = bot.services.store.round_on(TEAM_ID, shanghai("2026-11-25 09:30").date())
    assert round_ is not None
    assert reveals[0].args["thread_ts"] == round_.message_ts
    assert "Nobody answered" in reveals[0].args["text"]
    message = fake_slack.message(CHANNEL, str(round_.message_ts))
    assert message is not None and "Practice" in str(message["blocks"])
    assert post.args["channel"] == CHANNEL


# ----- the command line -----


@pytest.fixture
def cli_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_post_daily_and_reveal_once_a_day(
    cli_env: dict[str, str], fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post-daily"]) == 0
    assert "posted the question" in capsys.readouterr().out
    assert main(["post-daily", "--team", TEAM_ID]) == 0
    assert "already posted; nothing to do" in capsys.readouterr().out
    assert main(["reveal"]) == 0
    assert "revealed the round" in capsys.readouterr().out
    assert main(["reveal"]) == 0
    assert "already revealed" in capsys.readouterr().out
    questions = [c for c in fake_slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(questions) == 1


def test_an_unknown_team_is_named(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post-daily", "--team", "T0NOPE"]) == 2
    assert "T0NOPE" in capsys.readouterr().err


def test_a_bad_setting_stops_with_one_line_and_exit_2(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("K8SQ_WEEKDAYS", "mon-funday")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("k8sq: K8SQ_WEEKDAYS='mon-funday' is not valid")
    assert "mon-fri" in err and "\n" not in err


def test_run_without_slack_settings_names_them_and_starts_practice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "SLACK_BOT_TOKEN" in first and "SLACK_SIGNING_SECRET" in first
    assert "api.slack.com/apps" in first and "terminal practice" in first
    assert "k8sq practice" in out


def test_a_named_mode_or_role_without_slack_settings_fails_instead(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", "--role", "scheduler"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["run", "--mode", "socket"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "SLACK_SIGNING_SECRET" not in err
