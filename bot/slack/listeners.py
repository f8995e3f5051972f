"""Answering: the daily round's buttons and modal, practice answers, the admins' "Post again".

Thin Bolt listeners, registered in groups with the services bound by closure; `/k8sq` is
bot.slack.commands', the Home tab bot.slack.home's, settings and disputes bot.slack.admin's.

Each listener acknowledges, parses, calls a service, formats with `blocks`, and replies.
Domain errors become a message to the person; anything else goes to the app's error handler.
An answer is graded and stored before its submission is acknowledged, and the modal is
updated in that acknowledgement.
"""

from __future__ import annotations

import json
import logging
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.model import (
    DomainError,
    Lang,
    UnknownQuestion,
)
from bot.domain.records import RoundInfo, StoreUnavailable, UnknownRound
from bot.services import Services
from bot.slack import blocks, dispute_blocks, home, ids
from bot.slack.blocks import Outcome, ui

if TYPE_CHECKING:
    from bot.slack.app import AnswerCount, Later, RoundJobs

# Errors meaning the database could not be reached or refused the write: the person's
# answer was not saved, and submitting again later may work. The store names the first;
# the others are any other failure on the way to the database.
STORAGE_ERRORS: tuple[type[Exception], ...] = (StoreUnavailable, SQLAlchemyError, OSError)

_ROUND_GONE: dict[Lang, str] = {
    "zh": "这道题已经不存在了。",
    "en": "This question is no longer available.",
}
_ADMINS_ONLY: dict[Lang, str] = {
    "zh": "只有管理员可以重新发帖。",
    "en": "Only the workspace's admins can post the round again.",
}
_POST_AGAIN_CLI: dict[Lang, str] = {
    "zh": "请运行 `k8sq post-daily --team {team} --force` 重新发帖。",
    "en": "Run `k8sq post-daily --team {team} --force` to post it again.",
}
# Before the workspace's language is known: both.
UNAVAILABLE = (
    "k8sq 暂时无法读取数据库，请稍后再试。\n"
    "k8sq cannot reach its database right now; please try again in a moment."
)


def register(
    app: App,
    services: Services,
    *,
    later: Later,
    counts: AnswerCount,
    jobs: RoundJobs | None,
    writes: AbstractContextManager[object] | None = None,
) -> None:
    """Register every group of listeners.

    Listeners run before the response goes back to Slack (Bolt's `process_before_response`),
    so they ack, do the quick work, and hand Web API calls to `later`. `writes` is held
    around storing an answer (a lock where the database takes one writer at a time).
    """
    writes = writes or nullcontext()
    register_round(app, services, later=later, counts=counts, writes=writes)
    register_practice(app, services, later=later, writes=writes)
    register_admin(app, services, later=later, jobs=jobs)


# ----- helpers shared by the groups -----


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _meta_lang(meta: dict[str, Any], services: Services, team_id: str | None) -> Lang:
    """The language the modal was shown in, else the workspace's."""
    lang = meta.get("lang")
    if lang == "zh":
        return "zh"
    if lang == "en":
        return "en"
    return _workspace_lang(services, team_id)


def _answer_text(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    value = (values.get(ids.ANSWER_BLOCK_ID) or {}).get(ids.ANSWER_INPUT_ID, {}).get("value")
    return value.strip() if isinstance(value, str) else ""


def _text_problem(text: str, lang: Lang) -> str | None:
    """Why an answer cannot be graded, in the person's language, or None."""
    if not text:
        return ui("empty", lang)
    if len(text) > blocks.ANSWER_MAX_CHARS:
        return ui("too_long", lang, n=len(text))
    return None


def _input_error(ack: Ack, message: str) -> None:
    ack(response_action="errors", errors={ids.ANSWER_BLOCK_ID: message})


def _info_modal(later: Later, client: WebClient, trigger_id: str, lang: Lang, text: str) -> None:
    view = {
        "type": "modal",
        "callback_id": ids.FEEDBACK_MODAL_CALLBACK_ID,
        "title": blocks.plain("k8sq", blocks.TITLE_LIMIT),
        "close": blocks.plain(ui("done", lang), blocks.TITLE_LIMIT),
        "blocks": blocks.mrkdwn_sections(blocks.escape(text)),
    }
    later(client.views_open, trigger_id=trigger_id, view=view)


def _workspace_lang(services: Services, team_id: str | None) -> Lang:
    if not team_id:
        return "zh"
    return services.ensure_workspace(team_id).language


def _round_of(services: Services, value: str, team_id: str | None) -> RoundInfo:
    """The round a button names, if it is this workspace's."""
    try:
        round_id = int(value)
    except ValueError:
        raise UnknownRound(0) from None
    round_ = services.get_round(round_id)
    if team_id is not None and round_.team_id != team_id:
        raise UnknownRound(round_id)
    return round_


# ----- the daily round: Answer, the other language, the submission -----


def register_round(
    app: App,
    services: Services,
    *,
    later: Later,
    counts: AnswerCount,
    writes: AbstractContextManager[object],
) -> None:
    @app.action(ids.ANSWER_ACTION_ID)
    def open_answer(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        ack()
        try:
            lang = _workspace_lang(services, context.team_id)
            round_ = _round_of(services, str(action.get("value", "")), context.team_id)
            question = services.question(round_.question_id)
            settings = services.get_settings(round_.team_id)
        except (UnknownRound, UnknownQuestion):
            _info_modal(later, client, body["trigger_id"], lang, _ROUND_GONE[lang])
            return
        except STORAGE_ERRORS:
            logger.exception("could not read round %s", action.get("value"))
            _info_modal(later, client, body["trigger_id"], "en", UNAVAILABLE)
            return
        is_open = round_.is_open(services.clock.now())
        view = blocks.answer_modal(
            question,
            lang=lang,
            callback_id=ids.ANSWER_MODAL_CALLBACK_ID,
            private_metadata=json.dumps({"round": round_.id, "lang": lang}),
            closes=round_.closes_at.astimezone(settings.zone).strftime("%H:%M"),
            note=None if is_open else ui("closed_note", lang),
            practice=not is_open,
        )
        later(client.views_open, trigger_id=body["trigger_id"], view=view)

    @app.action(ids.OTHER_LANGUAGE_ACTION_ID)
    def open_other_language(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        lang = _workspace_lang(services, context.team_id)
        other: Lang = "en" if lang == "zh" else "zh"
        try:
            round_ = _round_of(services, str(action.get("value", "")), context.team_id)
            question = services.question(round_.question_id)
        except (UnknownRound, UnknownQuestion):
            _info_modal(later, client, body["trigger_id"], lang, _ROUND_GONE[lang])
            return
        view = blocks.prompt_modal(question, lang=other)
        later(client.views_open, trigger_id=body["trigger_id"], view=view)

    @app.view(ids.ANSWER_MODAL_CALLBACK_ID)
    def submit_answer(
        ack: Ack,
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        meta = _meta(view)
        lang = _meta_lang(meta, services, context.team_id)
        text = _answer_text(view)
        problem = _text_problem(text, lang)
        if problem is not None:
            _input_error(ack, problem)
            return
        round_id = meta.get("round")
        if not isinstance(round_id, int) or context.user_id is None:
            _input_error(ack, _ROUND_GONE[lang])
            return
        try:
            with writes:
                submission = services.submit_answer(round_id, context.user_id, text)
            question = services.question(submission.grade.question_id)
        except DomainError as exc:
            _input_error(ack, str(exc))
            return
        except STORAGE_ERRORS:
            logger.exception("could not store an answer to round %s", round_id)
            _input_error(ack, ui("not_saved", lang))
            return
        outcome: Outcome = (
            "counted" if submission.counted else submission.practice_reason or "practice"
        )
        view = blocks.feedback_modal(submission.grade, question, lang=lang, outcome=outcome)
        if submission.counted:  # a scored grade can be disputed
            view = dispute_blocks.with_dispute_button(view, round_id, lang)
        ack(response_action="update", view=view)
        if context.team_id:  # the person's Home tab shows the answer in their stats
            later(home.refresh_home, services, client, context.team_id, context.user_id)
        if submission.counted:
            counts.answered(round_id, client)  # refreshes "N answered" later, throttled


# ----- practice: the Answer button of a practice question, and its modal -----


def register_practice(
    app: App, services: Services, *, later: Later, writes: AbstractContextManager[object]
) -> None:
    @app.action(ids.PRACTICE_ANSWER_ACTION_ID)
    def open_practice(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        lang = _workspace_lang(services, context.team_id)
        try:
            question = services.question(str(action.get("value", "")))
        except UnknownQuestion:
            _info_modal(later, client, body["trigger_id"], lang, _ROUND_GONE[lang])
            return
        view = blocks.practice_modal(question, lang)
        later(client.views_open, trigger_id=body["trigger_id"], view=view)

    @app.view(ids.PRACTICE_MODAL_CALLBACK_ID)
    def submit_practice(
        ack: Ack,
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        meta = _meta(view)
        lang = _meta_lang(meta, services, context.team_id)
        text = _answer_text(view)
        problem = _text_problem(text, lang)
        if problem is not None:
            _input_error(ack, problem)
            return
        question_id = meta.get("question")
        if not isinstance(question_id, str) or not context.team_id or not context.user_id:
            _input_error(ack, _ROUND_GONE[lang])
            return
        try:
            question = services.question(question_id)
            with writes:
                grade = services.submit_practice(
                    context.team_id, context.user_id, question_id, text
                )
        except DomainError as exc:
            _input_error(ack, str(exc))
            return
        except STORAGE_ERRORS:
            logger.exception("could not store a practice answer to %s", question_id)
            _input_error(ack, ui("not_saved", lang))
            return
        ack(
            response_action="update",
            view=blocks.feedback_modal(grade, question, lang=lang, outcome="practice"),
        )
        later(home.refresh_home, services, client, context.team_id, context.user_id)


# ----- the admins: "Post again" -----


def register_admin(app: App, services: Services, *, later: Later, jobs: RoundJobs | None) -> None:
    @app.action(ids.POST_AGAIN_ACTION_ID)
    def post_round_again(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user_id = str(context.team_id), str(context.user_id)
        channel = context.channel_id or body.get("container", {}).get("channel_id")
        # Posting takes a Web API call or more: after the acknowledgement.
        later(_post_again, team_id, user_id, str(action.get("value", "")), channel, client)

    def _post_again(
        team_id: str, user_id: str, value: str, channel: str | None, client: WebClient
    ) -> None:
        settings = services.ensure_workspace(team_id)
        lang = settings.language
        if user_id not in settings.admins:
            text = _ADMINS_ONLY[lang]
        elif jobs is None:
            text = _POST_AGAIN_CLI[lang].format(team=team_id)
        else:
            try:
                round_ = _round_of(services, value, team_id)
                text = jobs.post_again(team_id, round_.id, user_id).message
            except DomainError as exc:
                text = str(exc)
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
