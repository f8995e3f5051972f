"""Settings, read once from the environment and an optional `.env`, and checked up front.

A bad value stops the start with one line that names the setting and the form it accepts
(`ConfigError`); the command line prints it and exits with status 2. The K8SQ_* schedule
values are only the defaults of the workspace that SLACK_BOT_TOKEN belongs to: settings saved
in Slack later live in the database and take precedence.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.domain.model import Lang
from bot.domain.records import WorkspaceSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///k8sq.db"
DEFAULT_QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Mode = Literal["socket", "http"]

# Where each Slack setting comes from, for the line that names a missing one.
SLACK_SETTING_SOURCES = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions > Bot User OAuth Token",
    "SLACK_SIGNING_SECRET": "Basic Information > Signing Secret",
    "SLACK_APP_TOKEN": "Basic Information > App-Level Tokens, scope connections:write",
}


class ConfigError(ValueError):
    """A setting with a value the bot cannot use."""

    def __init__(self, name: str, value: str, accepted: str) -> None:
        self.name = name
        self.value = value
        self.accepted = accepted
        super().__init__(f"{name}={value!r} is not valid: expected {accepted}")


# The defaults (09:30 to 18:00, Asia/Shanghai, mon-fri, zh) are a new workspace's: one place.
_NEW_WORKSPACE = WorkspaceSettings(team_id="")


@dataclass(frozen=True)
class Schedule:
    """When and where a workspace's daily round happens; the defaults a workspace starts with."""

    channel: str | None = _NEW_WORKSPACE.channel_id
    post_time: time = _NEW_WORKSPACE.post_time
    close_time: time = _NEW_WORKSPACE.close_time
    timezone: str = _NEW_WORKSPACE.timezone
    weekdays: frozenset[int] = frozenset(_NEW_WORKSPACE.weekdays)
    holidays: str | None = _NEW_WORKSPACE.holiday_country
    language: Lang = _NEW_WORKSPACE.language


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    questions_dir: Path = DEFAULT_QUESTIONS_DIR
    port: int = 3000
    admins: tuple[str, ...] = ()
    schedule: Schedule = field(default_factory=Schedule)
    # Installs into many workspaces (OAuth): the app's credentials and the keys that encrypt
    # the bot tokens at rest (the first encrypts; all decrypt, for rotation).
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    token_keys: tuple[str, ...] = ()
    log_format: Literal["text", "json"] = "text"
    heartbeat_dir: Path | None = None

    @property
    def oauth(self) -> bool:
        """Installs into many workspaces, with tokens from the database, not SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def missing_slack_settings(self, mode: Mode | None = None) -> tuple[str, ...]:
        """Name the Slack settings that `k8sq run` in `mode` still needs."""
        mode = mode or self.default_mode
        needed = [] if self.oauth else ["SLACK_BOT_TOKEN"]
        needed.append("SLACK_APP_TOKEN" if mode == "socket" else "SLACK_SIGNING_SECRET")
        values = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "SLACK_APP_TOKEN": self.slack_app_token,
        }
        return tuple(name for name in needed if not values[name])

    @property
    def default_mode(self) -> Mode:
        """Socket Mode when an app-level token is set, else HTTP."""
        return "socket" if self.slack_app_token else "http"


def missing_settings_line(missing: tuple[str, ...]) -> str:
    """One line naming the missing Slack settings and where a Slack app shows them."""
    named = ", ".join(f"{name} ({SLACK_SETTING_SOURCES[name]})" for name in missing)
    return (
        f"Slack is not set up: {named} missing; copy them from your app at "
        "https://api.slack.com/apps into the environment or .env"
    )


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read the settings from `environ` (default: the process environment) over `env_file`.

    Raises:
        ConfigError: naming the first setting whose value is not valid.
    """
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    default = Schedule()
    post, close = get("K8SQ_POST_TIME"), get("K8SQ_CLOSE_TIME")
    zone, days, lang = get("K8SQ_TIMEZONE"), get("K8SQ_WEEKDAYS"), get("K8SQ_LANGUAGE")
    schedule = Schedule(
        channel=parse_channel("K8SQ_CHANNEL", get("K8SQ_CHANNEL")),
        post_time=parse_time("K8SQ_POST_TIME", post) if post else default.post_time,
        close_time=parse_time("K8SQ_CLOSE_TIME", close) if close else default.close_time,
        timezone=parse_timezone("K8SQ_TIMEZONE", zone) if zone else default.timezone,
        weekdays=parse_weekdays("K8SQ_WEEKDAYS", days) if days else default.weekdays,
        holidays=parse_country("K8SQ_HOLIDAYS", get("K8SQ_HOLIDAYS")),
        language=parse_language("K8SQ_LANGUAGE", lang) if lang else default.language,
    )
    if schedule.close_time <= schedule.post_time:
        raise ConfigError(
            "K8SQ_CLOSE_TIME",
            schedule.close_time.strftime("%H:%M"),
            f"a time later the same day than K8SQ_POST_TIME "
            f"({schedule.post_time.strftime('%H:%M')})",
        )
    return Settings(
        slack_bot_token=parse_token("SLACK_BOT_TOKEN", get("SLACK_BOT_TOKEN"), "xoxb-"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=parse_token("SLACK_APP_TOKEN", get("SLACK_APP_TOKEN"), "xapp-"),
        slack_api_url=parse_url("SLACK_API_URL", get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        database_url=parse_database_url("DATABASE_URL", values),
        questions_dir=Path(get("K8SQ_QUESTIONS_DIR") or DEFAULT_QUESTIONS_DIR),
        port=parse_port("PORT", get("PORT") or "3000"),
        admins=parse_admins("K8SQ_ADMINS", get("K8SQ_ADMINS")),
        schedule=schedule,
        slack_client_id=get("SLACK_CLIENT_ID"),
        slack_client_secret=get("SLACK_CLIENT_SECRET"),
        token_keys=parse_token_keys(
            "K8SQ_TOKEN_KEY",
            get("K8SQ_TOKEN_KEY"),
            required=bool(get("SLACK_CLIENT_ID") and get("SLACK_CLIENT_SECRET")),
        ),
        log_format=parse_log_format("K8SQ_LOG_FORMAT", get("K8SQ_LOG_FORMAT") or "text"),
        heartbeat_dir=Path(hb) if (hb := get("K8SQ_HEARTBEAT_DIR")) else None,
    )


# ----- one parser per kind of value; each names the setting and the accepted form -----

_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def parse_time(name: str, value: str) -> time:
    """`HH:MM` on a 24-hour clock."""
    match = _TIME.fullmatch(value)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ConfigError(name, value, "a 24-hour time HH:MM, e.g. 09:30")


def parse_timezone(name: str, value: str) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            name, value, "an IANA time zone name, e.g. Asia/Shanghai or America/New_York"
        ) from None
    return value


def parse_weekdays(name: str, value: str) -> frozenset[int]:
    """A range like `mon-fri` or a list like `mon,wed,fri` (Monday is 0)."""
    accepted = "weekdays as a range like mon-fri or a list like mon,wed,fri"
    days: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if first not in WEEKDAY_NAMES or (sep and last not in WEEKDAY_NAMES):
            raise ConfigError(name, value, accepted)
        start = WEEKDAY_NAMES.index(first)
        end = WEEKDAY_NAMES.index(last) if sep else start
        if end < start:
            raise ConfigError(name, value, accepted + " (a range runs forward, mon to sun)")
        days.update(range(start, end + 1))
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(days))


def parse_country(name: str, value: str | None) -> str | None:
    """A country code the `holidays` package knows, e.g. CN or US."""
    if value is None:
        return None
    import holidays

    code = value.upper()
    if code not in holidays.list_supported_countries():
        raise ConfigError(name, value, "a country code the holidays package knows, e.g. CN or US")
    return code


def parse_language(name: str, value: str) -> Lang:
    lowered = value.lower()
    if lowered == "zh":
        return "zh"
    if lowered == "en":
        return "en"
    raise ConfigError(name, value, "zh or en")


_CHANNEL = re.compile(r"[CG][A-Z0-9]{6,}|#?[^\s#,@]{1,80}")


def parse_channel(name: str, value: str | None) -> str | None:
    """A channel id like C0123ABCD, or a channel name like #k8s-practice."""
    if value is None:
        return None
    if not _CHANNEL.fullmatch(value):
        raise ConfigError(name, value, "a channel id like C0123ABCD or a name like #k8s-practice")
    return value


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def parse_admins(name: str, value: str | None) -> tuple[str, ...]:
    """Comma-separated Slack user ids such as U012AB3CD."""
    if value is None:
        return ()
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    if not all(_USER_ID.fullmatch(i) for i in ids):
        raise ConfigError(name, value, "comma-separated Slack user ids, e.g. U012AB3CD,U045EF6GH")
    return ids


def parse_token(name: str, value: str | None, prefix: str) -> str | None:
    if value is None:
        return None
    if not value.startswith(prefix):
        raise ConfigError(name, _redact(value), f"a token starting with {prefix}")
    return value


def parse_token_keys(name: str, value: str | None, *, required: bool) -> tuple[str, ...]:
    """Comma-separated Fernet keys; required when the app installs by OAuth."""
    make_key = (
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )
    if value is None:
        if required:
            raise ConfigError(
                name,
                "",
                "a Fernet key to encrypt the bot tokens of OAuth installs "
                f"(SLACK_CLIENT_ID is set); make one with {make_key}",
            )
        return ()
    from cryptography.fernet import Fernet

    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                name,
                _redact(key),
                f"Fernet keys (32 url-safe base64 bytes); make one with {make_key}",
            ) from None
    return keys


def parse_log_format(name: str, value: str) -> Literal["text", "json"]:
    lowered = value.lower()
    if lowered == "json":
        return "json"
    if lowered == "text":
        return "text"
    raise ConfigError(name, value, "text or json")


def _redact(secret: str) -> str:
    return secret[:5] + "..." if len(secret) > 5 else "..."


def parse_url(name: str, value: str) -> str:
    """An http(s) URL; a trailing slash is added, as the Web API client joins method names."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, value, "an http(s) URL such as https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def parse_database_url(name: str, values: Mapping[str, str]) -> str:
    """DATABASE_URL, else the SQLite file k8sq.db in K8SQ_DATA_DIR (default: here)."""
    from bot.store.engine import DatabaseUrlError, database_url

    try:
        return database_url(values)
    except DatabaseUrlError:
        raise ConfigError(
            name,
            values.get(name, ""),
            "a database URL such as sqlite:///k8sq.db or postgresql+psycopg://user@host/k8sq",
        ) from None


def parse_port(name: str, value: str) -> int:
    if value.isdigit() and 0 < int(value) < 65536:
        return int(value)
    raise ConfigError(name, value, "a TCP port number from 1 to 65535")
