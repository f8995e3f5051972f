"""A workspace's settings as people give them (Slack's settings, the CLI), parsed and checked.

Each value is parsed by bot.config's parsers, the ones the environment's defaults go through, so
a setting accepts the same text wherever it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import time
from typing import Any

from bot.domain.records import InvalidSetting, WorkspaceSettings


def updated(current: WorkspaceSettings, given: Mapping[str, Any]) -> WorkspaceSettings:
    """`current` with the `given` settings (by field name) parsed and checked.

    InvalidSetting names a bad value, or a close time not later than the post time.
    """
    from bot import config

    parsers: dict[str, Callable[[Any], Any]] = {
        "channel_id": lambda value: config.parse_channel("channel", value or None),
        "post_time": lambda value: _time_value("post time", value),
        "close_time": lambda value: _time_value("close time", value),
        "timezone": lambda value: config.parse_timezone("time zone", str(value).strip()),
        "weekdays": _weekdays_value,
        "holiday_country": lambda value: config.parse_country(
            "holiday country", (value or "").strip() or None
        ),
        "language": lambda value: config.parse_language("language", str(value).strip()),
        "leaderboard_day": _day_value,
        "admins": lambda value: tuple(dict.fromkeys(a for a in value if a)),
        "paused": bool,
    }
    try:
        changes = {name: parsers[name](value) for name, value in given.items()}
    except config.ConfigError as exc:
        raise InvalidSetting(exc.name, exc.value, f"expected {exc.accepted}") from None
    settings = replace(current, **changes)
    if settings.close_time <= settings.post_time:
        raise InvalidSetting(
            "close time",
            settings.close_time.strftime("%H:%M"),
            f"must be later the same day than the post time "
            f"({settings.post_time.strftime('%H:%M')})",
        )
    return settings


def _time_value(name: str, value: str | time) -> time:
    from bot import config

    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    return config.parse_time(name, str(value).strip())


def _day_value(value: int | str) -> int:
    from bot import config

    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= 6:
            return value
        raise config.ConfigError("leaderboard day", str(value), "a day 0 (Monday) to 6 (Sunday)")
    text = str(value).strip()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    days = config.parse_weekdays("leaderboard day", text)
    if len(days) != 1:
        raise config.ConfigError("leaderboard day", text, "one day, like mon")
    return next(iter(days))


def _weekdays_value(value: str | tuple[int, ...]) -> tuple[int, ...]:
    from bot import config

    if isinstance(value, str):
        days = config.parse_weekdays("weekdays", value.strip())
    else:
        days = frozenset(value)
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise config.ConfigError("weekdays", str(value), "days 0 (Monday) to 6 (Sunday)")
    if not days:
        raise config.ConfigError("weekdays", str(value), "at least one day")
    return tuple(sorted(days))
