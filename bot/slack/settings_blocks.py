"""Block Kit for `/k8sq config`: the settings modal, reading its submission, the announcement.

Pure functions. The modal shows the workspace's current settings; `read_settings` turns a
submission's `state.values` into the keyword arguments of `Services.update_settings`, never
raising: a missing or malformed field is left for the services to name.
"""

from __future__ import annotations

import json
from datetime import time
from typing import Any

from bot.domain.model import Lang
from bot.domain.records import WorkspaceSettings
from bot.slack import ids
from bot.slack.blocks import Block, Texts, View, context, escape, plain
from bot.slack.leaderboard_blocks import mention

DAYS: dict[Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}

# block_id = action_id for each field; the services' setting names, for errors.
FIELDS: dict[str, str] = {
    "channel": "channel",
    "post_time": "post time",
    "close_time": "close time",
    "timezone": "time zone",
    "weekdays": "weekdays",
    "holiday_country": "holiday country",
    "language": "language",
    "leaderboard_day": "leaderboard day",
    "paused": "paused",
}
BLOCK_OF_SETTING = {name: block for block, name in FIELDS.items()}

_T: dict[str, dict[Lang, str]] = {
    "title": {"zh": "k8sq 设置", "en": "k8sq settings"},
    "save": {"zh": "保存", "en": "Save"},
    "cancel": {"zh": "取消", "en": "Cancel"},
    "intro": {
        "zh": "修改会立即生效，并在频道里公告。",
        "en": "Changes take effect at once and are announced in the channel.",
    },
    "channel": {"zh": "频道", "en": "Channel"},
    "post_time": {"zh": "发题时间", "en": "Post time"},
    "close_time": {"zh": "截止时间", "en": "Close time"},
    "timezone": {"zh": "时区（IANA 名称）", "en": "Time zone (IANA name)"},
    "timezone_hint": {
        "zh": "例如 Asia/Shanghai、Europe/Berlin、America/New_York",
        "en": "e.g. Asia/Shanghai, Europe/Berlin, America/New_York",
    },
    "weekdays": {"zh": "发题的日子", "en": "Weekdays"},
    "holiday_country": {"zh": "节假日所在国家（可选）", "en": "Holiday country (optional)"},
    "holiday_hint": {
        "zh": "ISO 代码，例如 CN、US；留空表示不跳过节假日",
        "en": "An ISO code such as CN or US; empty for no holidays",
    },
    "language": {"zh": "语言", "en": "Language"},
    "leaderboard_day": {"zh": "周排行榜发布日", "en": "Leaderboard day"},
    "paused": {"zh": "暂停", "en": "Paused"},
    "paused_option": {
        "zh": "暂停发题（例如假期那一周）",
        "en": "Pause the daily question (e.g. for a holiday week)",
    },
    "announce": {
        "zh": "{who} 修改了 k8sq 的设置：\n{changes}",
        "en": "{who} changed k8sq's settings:\n{changes}",
    },
    "paused_now": {
        "zh": "{who} 暂停了 k8sq：暂停期间不发题。",
        "en": "{who} paused k8sq: no daily question until it is resumed.",
    },
    "resumed_now": {
        "zh": "{who} 恢复了 k8sq：下一道题 {next}。",
        "en": "{who} resumed k8sq: the next question comes {next}.",
    },
    "none": {"zh": "无", "en": "none"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
}


t = Texts(_T)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {"action_id": block_id, **element},
        **extra,
    }


def settings_modal(settings: WorkspaceSettings, lang: Lang) -> View:
    """The settings modal, filled in with the workspace's current settings."""
    days = DAYS[lang]
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if settings.channel_id:
        channel["initial_conversation"] = settings.channel_id
    weekday_options = [_option(days[d], str(d)) for d in range(7)]
    weekdays: dict[str, Any] = {"type": "checkboxes", "options": weekday_options}
    chosen = [weekday_options[d] for d in settings.weekdays if 0 <= d <= 6]
    if chosen:
        weekdays["initial_options"] = chosen
    language_options = [_option(name, code) for code, name in LANGUAGES.items()]
    day_options = [_option(days[d], str(d)) for d in range(7)]
    paused_option = _option(t("paused_option", lang), "paused")
    paused: dict[str, Any] = {"type": "checkboxes", "options": [paused_option]}
    if settings.paused:
        paused["initial_options"] = [paused_option]
    blocks: list[Block] = [
        context(t("intro", lang)),
        _input("channel", t("channel", lang), channel),
        _input(
            "post_time",
            t("post_time", lang),
            {"type": "timepicker", "initial_time": settings.post_time.strftime("%H:%M")},
        ),
        _input(
            "close_time",
            t("close_time", lang),
            {"type": "timepicker", "initial_time": settings.close_time.strftime("%H:%M")},
        ),
        _input(
            "timezone",
            t("timezone", lang),
            {"type": "plain_text_input", "initial_value": settings.timezone, "max_length": 64},
            hint=plain(t("timezone_hint", lang), 2000),
        ),
        _input("weekdays", t("weekdays", lang), weekdays),
        _input(
            "holiday_country",
            t("holiday_country", lang),
            {"type": "plain_text_input", "max_length": 8}
            | ({"initial_value": settings.holiday_country} if settings.holiday_country else {}),
            optional=True,
            hint=plain(t("holiday_hint", lang), 2000),
        ),
        _input(
            "language",
            t("language", lang),
            {
                "type": "static_select",
                "options": language_options,
                "initial_option": _option(LANGUAGES[settings.language], settings.language),
            },
        ),
        _input(
            "leaderboard_day",
            t("leaderboard_day", lang),
            {
                "type": "static_select",
                "options": day_options,
                "initial_option": day_options[settings.leaderboard_day % 7],
            },
        ),
        _input("paused", t("paused", lang), paused, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_MODAL_CALLBACK_ID,
        "title": plain(t("title", lang), 24),
        "submit": plain(t("save", lang), 24),
        "close": plain(t("cancel", lang), 24),
        "private_metadata": json.dumps({"lang": lang}),
        "blocks": blocks,
    }


def _field(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = values.get(block_id)
    if not isinstance(block, dict):
        return {}
    field = block.get(block_id)
    return field if isinstance(field, dict) else {}


def _selected(field: dict[str, Any]) -> list[str]:
    options = field.get("selected_options")
    if not isinstance(options, list):
        return []
    return [str(o.get("value")) for o in options if isinstance(o, dict) and "value" in o]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def read_settings(state: dict[str, Any]) -> dict[str, Any]:
    """`update_settings` keyword arguments from a submission's `view.state`.

    A field that is missing altogether is left out (kept as it is); a malformed one is
    passed on as text for the services to refuse with its name.
    """
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return {}
    changes: dict[str, Any] = {}
    if "channel" in values:
        changes["channel_id"] = _text(_field(values, "channel").get("selected_conversation"))
    for name in ("post_time", "close_time"):
        if name in values:
            changes[name] = _text(_field(values, name).get("selected_time"))
    if "timezone" in values:
        changes["timezone"] = _text(_field(values, "timezone").get("value"))
    if "weekdays" in values:
        picked = _selected(_field(values, "weekdays"))
        days = tuple(sorted({int(d) for d in picked if d.isdigit() and int(d) <= 6}))
        # An empty or foreign choice goes on as text, which the services refuse by name.
        changes["weekdays"] = days if days and len(days) == len(set(picked)) else ",".join(picked)
    if "holiday_country" in values:
        changes["holiday_country"] = _text(_field(values, "holiday_country").get("value")) or None
    for name in ("language", "leaderboard_day"):
        if name in values:
            option = _field(values, name).get("selected_option")
            changes[name] = _text(option.get("value")) if isinstance(option, dict) else ""
    if "paused" in values:
        changes["paused"] = "paused" in _selected(_field(values, "paused"))
    return changes


def _show(name: str, value: Any, lang: Lang) -> str:
    if value is None or value == "" or value == ():
        return t("none", lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if name == "channel_id":
        return f"<#{value}>"
    if name == "weekdays":
        return ", ".join(DAYS[lang][d] for d in value)
    if name == "leaderboard_day":
        return DAYS[lang][int(value)]
    if name == "language":
        return LANGUAGES.get(str(value), str(value))
    return escape(str(value))


_LABELS = {
    "channel_id": "channel",
    "post_time": "post_time",
    "close_time": "close_time",
    "timezone": "timezone",
    "weekdays": "weekdays",
    "holiday_country": "holiday_country",
    "language": "language",
    "leaderboard_day": "leaderboard_day",
    "paused": "paused",
}


def changes_text(before: WorkspaceSettings, after: WorkspaceSettings, lang: Lang) -> list[str]:
    """One line per changed setting: `• Post time: 09:30 → 10:00`."""
    lines = []
    for name, label in _LABELS.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            lines.append(f"• {t(label, lang)}: {_show(name, old, lang)} → {_show(name, new, lang)}")
    return lines


def announcement(
    user_id: str, before: WorkspaceSettings, after: WorkspaceSettings, lang: Lang
) -> str | None:
    """The channel's notice of a settings change, or None when nothing changed."""
    lines = changes_text(before, after, lang)
    if not lines:
        return None
    return t("announce", lang, who=mention(user_id), changes="\n".join(lines))
