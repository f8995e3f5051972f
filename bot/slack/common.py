"""What the Slack listeners share: reading Slack's payloads, the lookups they repeat, replies.

One place for each: the errors meaning the database failed, what a modal carries back, the
round a button names, a topic that may have left the bank, the day's post, when the next
question comes, a note only one person sees, and a direct message.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.model import Lang, Topic, UnknownTopic
from bot.domain.records import RoundInfo, StoreUnavailable, UnknownRound, WorkspaceSettings
from bot.services import Services
from bot.slack.blocks import Block
from bot.slack.round_blocks import question_post

# Errors meaning the database could not be reached or refused the write: what the person
# did was not saved, and trying again later may work. The store names the first; the others
# are any other failure on the way to the database.
STORAGE_ERRORS: tuple[type[Exception], ...] = (StoreUnavailable, SQLAlchemyError, OSError)

# Before the workspace's language is known: both.
UNAVAILABLE = (
    "k8sq 暂时无法读取数据库，请稍后再试。\n"
    "k8sq cannot reach its database right now; please try again in a moment."
)

# A click that names no workspace (Socket Mode hands such payloads on; HTTP answers 400).
NO_WORKSPACE = (
    "k8sq 无法确定这次点击来自哪个工作区，未做任何操作。\n"
    "k8sq cannot tell which workspace this click came from; nothing was done."
)


# ----- reading what Slack sends -----


def caller(context: BoltContext) -> tuple[str, str]:
    """The workspace and the person of a request ("" where Slack sent none)."""
    return str(context.team_id or ""), str(context.user_id or "")


def button_channel(context: BoltContext, body: dict[str, Any]) -> str | None:
    """The channel of the message whose button was clicked, if any."""
    container = body.get("container")
    channel = container.get("channel_id") if isinstance(container, dict) else None
    return context.channel_id or (channel if isinstance(channel, str) else None)


def view_meta(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private_metadata as a dict ({} when it is not one)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def meta_lang(meta: dict[str, Any]) -> Lang | None:
    """The language a modal was shown in, if it carries one."""
    lang = meta.get("lang")
    if lang == "zh":
        return "zh"
    if lang == "en":
        return "en"
    return None


def input_value(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """A modal's text input, stripped ("" when missing or not text)."""
    values = (view.get("state") or {}).get("values") or {}
    block = values.get(block_id) if isinstance(values, dict) else None
    field = block.get(action_id) if isinstance(block, dict) else None
    value = field.get("value") if isinstance(field, dict) else None
    return value.strip() if isinstance(value, str) else ""


# ----- lookups -----


def round_of(services: Services, value: object, team_id: str | None) -> RoundInfo:
    """The round a button or modal names, if it is this workspace's.

    Raises:
        UnknownRound: not a round id, no such round, or another workspace's.
    """
    try:
        round_id = int(str(value))
    except ValueError:
        raise UnknownRound(0) from None
    round_ = services.get_round(round_id)
    if team_id is not None and round_.team_id != team_id:
        raise UnknownRound(round_id)
    return round_


def topic_of(services: Services, slug: str) -> Topic | None:
    """The bank's topic, or None if it has left the bank since."""
    try:
        return services.bank.topic(slug)
    except UnknownTopic:
        return None


def round_post(
    services: Services, round_: RoundInfo, settings: WorkspaceSettings, *, answered: int
) -> tuple[str, list[Block]]:
    """The round's question post as the channel shows it now."""
    question = services.question(round_.question_id)
    return question_post(
        round_,
        question,
        topic_of(services, question.topic),
        lang=settings.language,
        timezone=settings.timezone,
        answered=answered,
        revealed=round_.revealed_at is not None,
    )


def when(services: Services, team_id: str) -> str:
    """When the next daily question comes, in the workspace's time zone; "—" if none."""
    at = services.next_post_at(team_id)
    if at is None:
        return "—"
    settings = services.get_settings(team_id)
    return f"{at.astimezone(settings.zone):%Y-%m-%d %H:%M} ({settings.timezone})"


# ----- replies -----


def ephemeral(client: WebClient, channel: str | None, user_id: str, text: str) -> None:
    """Tell one person something in the channel they clicked in (nowhere without one)."""
    if channel:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text)


def direct_message(
    client: WebClient, user_id: str, text: str, blocks: list[Block] | None = None
) -> None:
    """Message one person in their direct conversation with the app."""
    opened = client.conversations_open(users=user_id)
    channel = (opened.get("channel") or {}).get("id")
    if blocks is None:
        client.chat_postMessage(channel=channel or user_id, text=text)
    else:
        client.chat_postMessage(channel=channel or user_id, text=text, blocks=blocks)
