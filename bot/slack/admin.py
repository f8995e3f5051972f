"""Running the game from Slack: who is an admin, the settings modal, pause and resume, disputes.

Admins are the workspace's admins and owners (Slack's `users.info`), the people in
K8SQ_ADMINS, and whoever saved the settings; a Slack admin who acts is recorded among the
workspace's admins, so that disputes reach them too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.model import DomainError, Lang
from bot.domain.records import (
    InvalidPoints,
    InvalidSetting,
    NotAdmin,
    NotAnswered,
    RoundInfo,
    UnknownDispute,
    UnknownRound,
    WorkspaceSettings,
)
from bot.services import Services
from bot.slack import blocks, dispute_blocks, ids, settings_blocks
from bot.slack.blocks import Texts
from bot.slack.common import (
    NO_WORKSPACE,
    STORAGE_ERRORS,
    UNAVAILABLE,
    button_channel,
    caller,
    direct_message,
    ephemeral,
    input_value,
    meta_lang,
    round_of,
    view_meta,
    when,
)
from bot.slack.home import refresh_home
from bot.slack.leaderboard_blocks import mention

if TYPE_CHECKING:
    from bot.slack.app import Later

log = logging.getLogger(__name__)

_T: dict[str, dict[Lang, str]] = {
    "refused": {
        "zh": "抱歉，只有工作区管理员和 k8sq 管理员可以{what}。",
        "en": "Sorry: only the workspace's admins and k8sq's admins can {what}.",
    },
    "what_config": {"zh": "修改设置", "en": "change the settings"},
    "what_pause": {"zh": "暂停或恢复 k8sq", "en": "pause or resume k8sq"},
    "pause_is_a_topic": {
        "zh": "只有管理员可以暂停 k8sq。下面是一道关于 pause 容器的练习题。",
        "en": "Only admins can pause k8sq. Here is a practice question on the pause container.",
    },
    "what_settle": {"zh": "修改得分", "en": "set points"},
    "what_post_again": {"zh": "重新发帖", "en": "post the round again"},
    "opening": {"zh": "正在打开设置……", "en": "Opening the settings…"},
    "paused": {
        "zh": "k8sq 已暂停：不再发每日一题，直到 `/k8sq resume`。",
        "en": "k8sq is paused: no daily question until `/k8sq resume`.",
    },
    "already_paused": {"zh": "k8sq 已经是暂停状态。", "en": "k8sq is already paused."},
    "resumed": {
        "zh": "k8sq 已恢复：下一道题 {next}。",
        "en": "k8sq is running again: the next question comes {next}.",
    },
    "already_running": {"zh": "k8sq 没有暂停。", "en": "k8sq is not paused."},
    "no_channel": {
        "zh": "还没有设置频道：用 `/k8sq config` 选一个。",
        "en": "No channel is set yet: pick one with `/k8sq config`.",
    },
    "not_a_number": {
        "zh": "请填写一个数字，例如 7 或 7.5。",
        "en": "Write a number, such as 7 or 7.5.",
    },
    "gone": {"zh": "这条申诉已经不存在了。", "en": "This dispute no longer exists."},
    "no_answer": {
        "zh": "你在这一轮没有记分的回答，无法申诉。",
        "en": "You have no scored answer in this round to dispute.",
    },
}


t = Texts(_T)


# ----- who is an admin -----


def slack_admin(client: WebClient, user_id: str) -> bool:
    """Whether Slack says the person is an admin or owner of the workspace."""
    try:
        user = client.users_info(user=user_id).get("user")
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "missing_scope":
            # An app installed before users:read was in the manifest: it needs installing again.
            log.error(
                "users.info needs the users:read scope: add it to the Slack app (see "
                "slack-app-manifest.yml) and install the app again; until then only "
                "K8SQ_ADMINS and the admins saved in /k8sq config count as admins"
            )
        else:
            log.warning("users.info for %s failed: %s", user_id, error)
        return False
    except OSError as exc:
        log.warning("users.info for %s failed: %s", user_id, exc)
        return False
    if not isinstance(user, dict):
        return False
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


def admin_settings(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> WorkspaceSettings | None:
    """The workspace's settings if the person is an admin (recorded as one), else None."""
    settings = services.ensure_workspace(team_id)
    if user_id in settings.admins:
        return settings
    if not slack_admin(client, user_id):
        return None
    return services.update_settings(team_id, admins=(*settings.admins, user_id))


def announce(client: WebClient, channel: str | None, text: str) -> None:
    """Post a notice in the game's channel (failures are logged by `later`)."""
    if channel:
        client.chat_postMessage(channel=channel, text=text)


# ----- /k8sq config, pause, resume (called by the command router) -----


def open_settings(
    services: Services,
    client: WebClient,
    later: Later,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    lang: Lang,
) -> str | None:
    """Open the settings modal for an admin; the refusal to show otherwise."""
    settings = admin_settings(services, client, team_id, user_id)
    if settings is None:
        return t("refused", lang, what=t("what_config", lang))
    later(
        client.views_open,
        trigger_id=trigger_id,
        view=settings_blocks.settings_modal(settings, lang),
    )
    return None


def set_paused(
    services: Services,
    client: WebClient,
    later: Later,
    settings: WorkspaceSettings | None,
    *,
    user_id: str,
    paused: bool,
    lang: Lang,
) -> str:
    """Pause or resume the daily question; `settings` are None unless the person is an admin.

    The change is announced in the channel.
    """
    if settings is None:
        return t("refused", lang, what=t("what_pause", lang))
    team_id, lang = settings.team_id, settings.language
    if settings.paused == paused:
        return t("already_paused" if paused else "already_running", lang)
    updated = services.update_settings(team_id, paused=paused)
    lang = updated.language
    if paused:
        notice = settings_blocks.t("paused_now", lang, who=mention(user_id))
        reply = t("paused", lang)
    else:
        next_at = when(services, team_id)
        notice = settings_blocks.t("resumed_now", lang, who=mention(user_id), next=next_at)
        reply = t("resumed", lang, next=next_at)
    later(announce, client, updated.channel_id, notice)
    if not updated.channel_id:
        reply += "\n" + t("no_channel", lang)
    return reply


# ----- listeners -----


def register(app: App, services: Services, *, later: Later) -> None:
    """The settings modal's submission and the dispute buttons and modals."""
    register_settings(app, services, later=later)
    register_disputes(app, services, later=later)


def register_settings(app: App, services: Services, *, later: Later) -> None:
    @app.view(ids.SETTINGS_MODAL_CALLBACK_ID)
    def save_settings(
        ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id, user_id = caller(context)
        lang = meta_lang(view_meta(view)) or "en"
        try:
            before = admin_settings(services, client, team_id, user_id) if team_id else None
            if before is None:
                refusal = t("refused", lang, what=t("what_config", lang))
                ack(response_action="errors", errors={"channel": refusal})
                return
            changes = settings_blocks.read_settings(view.get("state") or {})
            changes["admins"] = tuple(dict.fromkeys((*before.admins, user_id)))
            after = services.update_settings(team_id, **changes)
        except InvalidSetting as exc:
            block = settings_blocks.BLOCK_OF_SETTING.get(exc.name, "channel")
            ack(response_action="errors", errors={block: str(exc)[:150]})
            return
        except STORAGE_ERRORS:
            log.exception("could not save the settings of %s", team_id)
            ack(response_action="errors", errors={"channel": UNAVAILABLE[:150]})
            return
        ack()
        notice = settings_blocks.announcement(user_id, before, after, after.language)
        if notice is not None:
            later(announce, client, after.channel_id, notice)
            if before.channel_id and before.channel_id != after.channel_id:
                later(announce, client, before.channel_id, notice)


def deliver_dispute(services: Services, client: WebClient, dispute_id: int) -> bool:
    """Send a dispute of a revealed round to the admins by direct message, once."""
    details = services.dispute_details(dispute_id)
    if details.round.revealed_at is None or not services.claim_dispute_delivery(dispute_id):
        return False
    settings = services.get_settings(details.dispute.team_id)
    question = services.question(details.question_id)
    text, message = dispute_blocks.admin_message(details, question, settings.language)
    if not settings.admins:
        log.warning("dispute %s: no admins to tell (set K8SQ_ADMINS)", dispute_id)
    for admin in settings.admins:
        try:
            direct_message(client, admin, text, message)
        except SlackApiError as exc:
            log.error("could not tell admin %s of dispute %s: %s", admin, dispute_id, exc)
    return True


def register_disputes(app: App, services: Services, *, later: Later) -> None:
    @app.action(ids.DISPUTE_ACTION_ID)
    def open_dispute(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user_id = caller(context)
        lang = services.ensure_workspace(team_id).language if team_id else "en"
        try:
            round_: RoundInfo | None = round_of(services, action.get("value"), team_id)
        except UnknownRound:
            round_ = None
        # The reveal's button is everyone's: the form is for those with a scored answer.
        if round_ is None or not user_id or not services.has_scored_answer(round_.id, user_id):
            view = blocks.done_modal(t("no_answer", lang), lang)
        else:
            view = dispute_blocks.dispute_modal(round_.id, lang)
        container = body.get("view")
        if isinstance(container, dict) and container.get("id"):
            # The button sits in the feedback modal: the form takes its place.
            later(client.views_update, view_id=container["id"], view=view)
        else:
            later(client.views_open, trigger_id=body["trigger_id"], view=view)

    @app.view(ids.DISPUTE_MODAL_CALLBACK_ID)
    def submit_dispute(
        ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        meta = view_meta(view)
        lang = meta_lang(meta) or "en"
        comment = input_value(
            view, dispute_blocks.COMMENT_BLOCK_ID, dispute_blocks.COMMENT_INPUT_ID
        )
        team_id, user_id = caller(context)
        try:
            round_ = round_of(services, meta.get("round"), team_id)
            dispute, new = services.file_dispute(round_.id, user_id, comment)
        except (UnknownRound, NotAnswered):
            ack(response_action="update", view=blocks.done_modal(t("no_answer", lang), lang))
            return
        except DomainError as exc:
            ack(
                response_action="errors",
                errors={dispute_blocks.COMMENT_BLOCK_ID: str(exc)[:150]},
            )
            return
        if not new:
            said = dispute_blocks.t("filed_before", lang)
        elif round_.revealed_at is not None:
            said = dispute_blocks.t("filed_now", lang)
            later(deliver_dispute, services, client, dispute.id)
        else:
            said = dispute_blocks.t("filed_later", lang)
        ack(response_action="update", view=blocks.done_modal(said, lang))

    @app.action(ids.SETTLE_ACTION_ID)
    def open_settle(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user_id = caller(context)
        channel = button_channel(context, body)
        if not team_id:
            log.warning("a Set points click by %s names no workspace; ignored", user_id)
            later(ephemeral, client, channel, user_id, NO_WORKSPACE)
            return
        later(_open_settle, team_id, user_id, str(action.get("value", "")), body, channel, client)

    def _open_settle(
        team_id: str,
        user_id: str,
        value: str,
        body: dict[str, Any],
        channel: str | None,
        client: WebClient,
    ) -> None:
        settings = admin_settings(services, client, team_id, user_id)
        lang = settings.language if settings else services.ensure_workspace(team_id).language
        try:
            details = services.dispute_details(int(value))
            if details.dispute.team_id != team_id:
                raise UnknownDispute(details.dispute.id)
        except (ValueError, UnknownDispute, UnknownRound, NotAnswered):
            ephemeral(client, channel, user_id, t("gone", lang))
            return
        if settings is None:
            ephemeral(client, channel, user_id, t("refused", lang, what=t("what_settle", lang)))
            return
        client.views_open(
            trigger_id=body["trigger_id"], view=dispute_blocks.settle_modal(details, lang)
        )

    @app.view(ids.SETTLE_MODAL_CALLBACK_ID)
    def submit_settle(
        ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        meta = view_meta(view)
        lang = meta_lang(meta) or "en"
        team_id, user_id = caller(context)
        raw = input_value(view, dispute_blocks.POINTS_BLOCK_ID, dispute_blocks.POINTS_INPUT_ID)
        reason = input_value(view, dispute_blocks.REASON_BLOCK_ID, dispute_blocks.REASON_INPUT_ID)
        points_error = {dispute_blocks.POINTS_BLOCK_ID: t("not_a_number", lang)}
        try:
            points = float(raw.replace(",", "."))
        except ValueError:
            ack(response_action="errors", errors=points_error)
            return
        if points != points or points in (float("inf"), float("-inf")):
            ack(response_action="errors", errors=points_error)
            return
        dispute_id = meta.get("dispute")
        try:
            if not isinstance(dispute_id, int):
                raise UnknownDispute(0)
            details = services.dispute_details(dispute_id)
            if details.dispute.team_id != team_id:
                raise UnknownDispute(dispute_id)
            if admin_settings(services, client, team_id, user_id) is None:
                raise NotAdmin(user_id)
            change = services.settle_dispute(dispute_id, points, by=user_id, reason=reason)
        except (InvalidPoints, NotAdmin) as exc:
            ack(response_action="errors", errors={dispute_blocks.POINTS_BLOCK_ID: str(exc)[:150]})
            return
        except InvalidSetting as exc:
            ack(response_action="errors", errors={dispute_blocks.REASON_BLOCK_ID: str(exc)[:150]})
            return
        except DomainError:
            ack(response_action="update", view=blocks.done_modal(t("gone", lang), lang))
            return
        done = dispute_blocks.settled_for_admin(change, details, lang)
        ack(response_action="update", view=blocks.done_modal(done, lang))
        person_lang = services.get_settings(team_id).language
        told = dispute_blocks.settled_for_person(change, details, person_lang)
        later(direct_message, client, change.user_id, told)
        later(refresh_home, services, client, team_id, change.user_id)
