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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.model import DomainError, Grade, Lang, Question, UnknownQuestion
from bot.domain.records import Submission, UnknownRound
from bot.services import Services
from bot.slack import admin, blocks, dispute_blocks, home, ids
from bot.slack.blocks import Outcome, View, ui
from bot.slack.common import (
    NO_WORKSPACE,
    STORAGE_ERRORS,
    UNAVAILABLE,
    button_channel,
    caller,
    ephemeral,
    input_value,
    meta_lang,
    round_of,
    view_meta,
)

if TYPE_CHECKING:
    from bot.slack.app import AnswerCount, Later, RoundJobs

T = TypeVar("T")

_ROUND_GONE: dict[Lang, str] = {
    "zh": "这道题已经不存在了。",
    "en": "This question is no longer available.",
}
_POST_AGAIN_CLI: dict[Lang, str] = {
    "zh": "请运行 `k8sq post-daily --team {team} --force` 重新发帖。",
    "en": "Run `k8sq post-daily --team {team} --force` to post it again.",
}


def register(
    app: App,
    services: Services,
    *,
    later: Later,
    counts: AnswerCount,
    jobs: RoundJobs | None,
) -> None:
    """Register every group of listeners.

    Listeners run before the response goes back to Slack (Bolt's `process_before_response`),
    so they ack, do the quick work, and hand Web API calls to `later`.
    """
    register_round(app, services, later=later, counts=counts)
    register_practice(app, services, later=later)
    register_admin(app, services, later=later, jobs=jobs)


# ----- helpers shared by the groups -----


def _workspace_lang(services: Services, team_id: str | None) -> Lang:
    if not team_id:
        return "zh"
    return services.ensure_workspace(team_id).language


def _open_modal(
    services: Services,
    later: Later,
    client: WebClient,
    body: dict[str, Any],
    context: BoltContext,
    logger: logging.Logger,
    build: Callable[[Lang], View],
) -> None:
    """Open the modal `build` makes in the workspace's language, or say why there is none.

    A round or question that is gone, or a database that cannot be read, opens a modal
    that says so rather than nothing at all.
    """
    trigger_id = body["trigger_id"]
    try:
        lang = _workspace_lang(services, context.team_id)
    except STORAGE_ERRORS:
        logger.exception("could not read the workspace %s", context.team_id)
        later(client.views_open, trigger_id=trigger_id, view=blocks.done_modal(UNAVAILABLE, "en"))
        return
    try:
        view = build(lang)
    except (UnknownRound, UnknownQuestion):
        view = blocks.done_modal(_ROUND_GONE[lang], lang)
    except STORAGE_ERRORS:
        logger.exception("could not read what a button names")
        view = blocks.done_modal(UNAVAILABLE, lang)
    later(client.views_open, trigger_id=trigger_id, view=view)


def _read_answer(
    view: dict[str, Any], services: Services, team_id: str | None
) -> tuple[dict[str, Any], Lang, str, str | None]:
    """A submitted answer modal: what it carries, its language, the answer, its problem."""
    meta = view_meta(view)
    lang = meta_lang(meta) or _workspace_lang(services, team_id)
    text = input_value(view, ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID)
    return meta, lang, text, _text_problem(text, lang)


def _text_problem(text: str, lang: Lang) -> str | None:
    """Why an answer cannot be graded, in the person's language, or None."""
    if not text:
        return ui("empty", lang)
    if len(text) > blocks.ANSWER_MAX_CHARS:
        return ui("too_long", lang, n=len(text))
    return None


def _input_error(ack: Ack, message: str) -> None:
    ack(response_action="errors", errors={ids.ANSWER_BLOCK_ID: message})


def _store(
    ack: Ack, lang: Lang, logger: logging.Logger, what: str, run: Callable[[], T]
) -> T | None:
    """Grade and store an answer; a domain or database error is told under the input (None)."""
    try:
        return run()
    except DomainError as exc:
        _input_error(ack, str(exc))
    except STORAGE_ERRORS:
        logger.exception("could not store %s", what)
        _input_error(ack, ui("not_saved", lang))
    return None


# ----- the daily round: Answer, the submission, the other language -----


def register_round(
    app: App,
    services: Services,
    *,
    later: Later,
    counts: AnswerCount,
) -> None:
    # Bolt tries listeners in this order, each match costing it an argument inspection: the
    # Answer clicks and the submissions of the 9:30 burst first, the other language after.
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

        def answer_modal(lang: Lang) -> View:
            round_ = round_of(services, action.get("value"), context.team_id)
            question = services.question(round_.question_id)
            settings = services.get_settings(round_.team_id)
            is_open = round_.is_open(services.clock.now())
            return blocks.answer_modal(
                question,
                lang=lang,
                callback_id=ids.ANSWER_MODAL_CALLBACK_ID,
                private_metadata=json.dumps({"round": round_.id, "lang": lang}),
                closes=round_.closes_at.astimezone(settings.zone).strftime("%H:%M"),
                note=None if is_open else ui("closed_note", lang),
                practice=not is_open,
            )

        _open_modal(services, later, client, body, context, logger, answer_modal)

    @app.view(ids.ANSWER_MODAL_CALLBACK_ID)
    def submit_answer(
        ack: Ack,
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        meta, lang, text, problem = _read_answer(view, services, context.team_id)
        if problem is not None:
            _input_error(ack, problem)
            return
        round_id, user_id = meta.get("round"), context.user_id
        if not isinstance(round_id, int) or user_id is None:
            _input_error(ack, _ROUND_GONE[lang])
            return

        def grade_and_store() -> tuple[Submission, Question]:
            submission = services.submit_answer(round_id, user_id, text)
            return submission, services.question(submission.grade.question_id)

        stored = _store(ack, lang, logger, f"an answer to round {round_id}", grade_and_store)
        if stored is None:
            return
        submission, question = stored
        outcome: Outcome = (
            "counted" if submission.counted else submission.practice_reason or "practice"
        )
        view = blocks.feedback_modal(submission.grade, question, lang=lang, outcome=outcome)
        if submission.counted:  # a scored grade can be disputed
            view = dispute_blocks.with_dispute_button(view, round_id, lang)
        ack(response_action="update", view=view)
        if submission.home_tab and context.team_id:  # it shows the answer in their stats
            later(home.publish_home, services, client, context.team_id, user_id)
        if submission.counted:
            counts.answered(round_id, client)  # refreshes "N answered" later, throttled

    @app.action(ids.OTHER_LANGUAGE_ACTION_ID)
    def open_other_language(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        ack()

        def prompt_modal(lang: Lang) -> View:
            round_ = round_of(services, action.get("value"), context.team_id)
            question = services.question(round_.question_id)
            return blocks.prompt_modal(question, lang="en" if lang == "zh" else "zh")

        _open_modal(services, later, client, body, context, logger, prompt_modal)


# ----- practice: the Answer button of a practice question, and its modal -----


def register_practice(app: App, services: Services, *, later: Later) -> None:
    @app.action(ids.PRACTICE_ANSWER_ACTION_ID)
    def open_practice(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        ack()

        def practice_modal(lang: Lang) -> View:
            return blocks.practice_modal(services.question(str(action.get("value", ""))), lang)

        _open_modal(services, later, client, body, context, logger, practice_modal)

    @app.view(ids.PRACTICE_MODAL_CALLBACK_ID)
    def submit_practice(
        ack: Ack,
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        meta, lang, text, problem = _read_answer(view, services, context.team_id)
        if problem is not None:
            _input_error(ack, problem)
            return
        question_id = meta.get("question")
        team_id, user_id = caller(context)
        if not isinstance(question_id, str) or not team_id or not user_id:
            _input_error(ack, _ROUND_GONE[lang])
            return

        def grade_and_store() -> tuple[Grade, Question]:
            question = services.question(question_id)
            grade = services.submit_practice(team_id, user_id, question_id, text)
            return grade, question

        stored = _store(ack, lang, logger, f"a practice answer to {question_id}", grade_and_store)
        if stored is None:
            return
        grade, question = stored
        ack(
            response_action="update",
            view=blocks.feedback_modal(grade, question, lang=lang, outcome="practice"),
        )
        later(home.refresh_home, services, client, team_id, user_id)


# ----- the admins: "Post again" -----


def register_admin(app: App, services: Services, *, later: Later, jobs: RoundJobs | None) -> None:
    @app.action(ids.POST_AGAIN_ACTION_ID)
    def post_round_again(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        ack()
        team_id, user_id = caller(context)
        channel = button_channel(context, body)
        if not team_id:
            logger.warning("a Post again click by %s names no workspace; ignored", user_id)
            later(ephemeral, client, channel, user_id, NO_WORKSPACE)
            return
        # Posting takes a Web API call or more: after the acknowledgement.
        later(_post_again, team_id, user_id, str(action.get("value", "")), channel, client)

    def _post_again(
        team_id: str, user_id: str, value: str, channel: str | None, client: WebClient
    ) -> None:
        settings = admin.admin_settings(services, client, team_id, user_id)
        if settings is None:
            lang = services.ensure_workspace(team_id).language
            text = admin.t("refused", lang, what=admin.t("what_post_again", lang))
        elif jobs is None:
            text = _POST_AGAIN_CLI[settings.language].format(team=team_id)
        else:
            try:
                round_ = round_of(services, value, team_id)
                text = jobs.post_again(team_id, round_.id, user_id).message
            except DomainError as exc:
                text = str(exc)
        ephemeral(client, channel, user_id, text)
