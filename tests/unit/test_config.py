"""Settings: defaults, the environment over .env, and one clear error per bad value."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, missing_settings_line


def load(env: dict[str, str], tmp_path: Path, dotenv: str | None = None) -> Settings:
    env_file = tmp_path / ".env"
    if dotenv is not None:
        env_file.write_text(dotenv, encoding="utf-8")
    return load_settings(env, env_file=env_file)


def test_defaults_follow_the_issue(tmp_path: Path) -> None:
    settings = load({}, tmp_path)
    s = settings.schedule
    assert (s.post_time, s.close_time) == (time(9, 30), time(18, 0))
    assert s.timezone == "Asia/Shanghai"
    assert s.weekdays == frozenset({0, 1, 2, 3, 4})
    assert s.holidays is None
    assert s.language == "zh"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.admins == ()
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "k8sq.db"
    )


def test_a_new_workspace_and_an_empty_environment_have_the_same_defaults(
    tmp_path: Path,
) -> None:
    from bot.bootstrap import workspace_defaults
    from bot.domain.records import WorkspaceSettings

    assert workspace_defaults(load({}, tmp_path)) == WorkspaceSettings(team_id="")
    assert WorkspaceSettings(team_id="").post_time == time(9, 30)
    assert WorkspaceSettings(team_id="").close_time == time(18, 0)


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = load(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "shh",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgresql+psycopg://k8sq@db/k8sq",
            "K8SQ_CHANNEL": "C0123ABCD",
            "K8SQ_POST_TIME": "8:05",
            "K8SQ_CLOSE_TIME": "23:59",
            "K8SQ_TIMEZONE": "America/New_York",
            "K8SQ_WEEKDAYS": "mon,wed-fri",
            "K8SQ_HOLIDAYS": "us",
            "K8SQ_LANGUAGE": "EN",
            "K8SQ_ADMINS": "U01, W02",
            "PORT": "8080",
        },
        tmp_path,
    )
    s = settings.schedule
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://k8sq@db/k8sq"
    assert (s.channel, s.post_time, s.close_time) == ("C0123ABCD", time(8, 5), time(23, 59))
    assert s.timezone == "America/New_York"
    assert s.weekdays == frozenset({0, 2, 3, 4})
    assert (s.holidays, s.language) == ("US", "en")
    assert settings.admins == ("U01", "W02")
    assert settings.port == 8080
    assert settings.default_mode == "socket"


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    settings = load(
        {"K8SQ_LANGUAGE": "en"},
        tmp_path,
        dotenv="K8SQ_LANGUAGE=zh\nK8SQ_CHANNEL=#k8s-practice\n# a comment\n",
    )
    assert settings.schedule.language == "en"
    assert settings.schedule.channel == "#k8s-practice"


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("K8SQ_TIMEZONE", "Mars/Olympus_Mons", "IANA time zone"),
        ("K8SQ_POST_TIME", "25:00", "HH:MM"),
        ("K8SQ_CLOSE_TIME", "18:60", "HH:MM"),
        ("K8SQ_POST_TIME", "9am", "HH:MM"),
        ("K8SQ_WEEKDAYS", "mon-funday", "mon-fri"),
        ("K8SQ_WEEKDAYS", "fri-mon", "runs forward"),
        ("K8SQ_WEEKDAYS", "", None),  # empty means the default
        ("K8SQ_HOLIDAYS", "XX", "country code"),
        ("K8SQ_LANGUAGE", "fr", "zh or en"),
        ("K8SQ_ADMINS", "alice,bob", "user ids"),
        ("K8SQ_CHANNEL", "two words", "channel id"),
        ("SLACK_API_URL", "slack.com/api", "http(s) URL"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
        ("PORT", "70000", "1 to 65535"),
        ("DATABASE_URL", "not a url", "database URL"),
    ],
)
def test_a_bad_value_is_named_with_the_accepted_form(
    tmp_path: Path, name: str, value: str, accepted: str | None
) -> None:
    if accepted is None:
        load({name: value}, tmp_path)
        return
    with pytest.raises(ConfigError) as raised:
        load({name: value}, tmp_path)
    message = str(raised.value)
    assert raised.value.name == name
    assert message.startswith(f"{name}=")
    assert accepted in message
    assert "\n" not in message


def test_close_must_follow_post(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="K8SQ_CLOSE_TIME='09:00'.*later the same day"):
        load({"K8SQ_POST_TIME": "10:00", "K8SQ_CLOSE_TIME": "09:00"}, tmp_path)


def test_a_bad_token_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load({"SLACK_APP_TOKEN": "xoxb-very-secret-value"}, tmp_path)
    assert "very-secret" not in str(raised.value)


def test_missing_slack_settings_depend_on_the_mode(tmp_path: Path) -> None:
    assert load({}, tmp_path).missing_slack_settings() == (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
    )
    only_bot = load({"SLACK_BOT_TOKEN": "xoxb-1"}, tmp_path)
    assert only_bot.missing_slack_settings("http") == ("SLACK_SIGNING_SECRET",)
    assert only_bot.missing_slack_settings("socket") == ("SLACK_APP_TOKEN",)
    line = missing_settings_line(only_bot.missing_slack_settings("socket"))
    assert "SLACK_APP_TOKEN" in line and "api.slack.com/apps" in line and "\n" not in line
