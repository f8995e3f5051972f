"""The App Home tab: the person's numbers and mastery, this week's board, today's question.

Published when the tab is opened and, for people who have opened it, again after they answer.
Boards and ranks count revealed rounds only, so the tab never hints at anyone's grade on a
round still open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.domain.model import Lang, Question, Topic
from bot.domain.records import PersonalStats, RoundInfo, WeeklyBoard, WorkspaceSettings
from bot.services import Services
from bot.slack.blocks import MODAL_BLOCK_LIMIT, Block, Texts, View, context, fit_blocks, header
from bot.slack.common import when
from bot.slack.leaderboard_blocks import stats_blocks, weekly_blocks
from bot.slack.round_blocks import question_post

if TYPE_CHECKING:
    from bot.slack.app import Later

_T: dict[str, dict[Lang, str]] = {
    "title": {"zh": "k8sq：Kubernetes 面试练习", "en": "k8sq: Kubernetes interview practice"},
    "no_round": {
        "zh": "今天没有题目。下一道题：{next}。",
        "en": "No question today. Next: {next}.",
    },
    "paused": {
        "zh": "k8sq 暂停中：恢复之前不发题。",
        "en": "k8sq is paused: no daily question until it is resumed.",
    },
    "help": {
        "zh": "`/k8sq <主题>` 练习一道题 · `/k8sq stats` 你的成绩 · `/k8sq help` 全部命令",
        "en": "`/k8sq <topic>` to practise · `/k8sq stats` your numbers · "
        "`/k8sq help` every command",
    },
}


t = Texts(_T)


def home_view(
    *,
    settings: WorkspaceSettings,
    stats: PersonalStats,
    board: WeeklyBoard,
    today: tuple[RoundInfo, Question, int] | None,
    topics: dict[str, Topic],
    next_post: str,
) -> View:
    """The Home tab: today's question (or when the next comes), stats, mastery, the board."""
    lang = settings.language
    blocks: list[Block] = [header(t("title", lang))]
    if today is not None:
        round_, question, answered = today
        _text, post = question_post(
            round_,
            question,
            topics.get(question.topic),
            lang=lang,
            timezone=settings.timezone,
            answered=answered,
            revealed=round_.revealed_at is not None,
        )
        blocks += post
    elif settings.paused:
        blocks.append(context(t("paused", lang)))
    else:
        blocks.append(context(t("no_round", lang, next=next_post)))
    blocks.append({"type": "divider"})
    blocks += stats_blocks(stats, topics, lang)
    blocks.append({"type": "divider"})
    weakest = topics.get(board.weakest_topic.topic) if board.weakest_topic else None
    blocks += weekly_blocks(board, weakest, lang)
    blocks.append(context(t("help", lang)))
    return {"type": "home", "blocks": fit_blocks(blocks, MODAL_BLOCK_LIMIT)}


def build_home(services: Services, team_id: str, user_id: str) -> View:
    """Read what the tab shows for the person, and build it."""
    settings = services.get_settings(team_id)
    topics = {topic.slug: topic for topic in services.bank.topics}
    today = None
    round_ = services.round_today(team_id)
    if round_ is not None:
        today = (
            round_,
            services.question(round_.question_id),
            services.count_answers(round_.id),
        )
    return home_view(
        settings=settings,
        stats=services.personal_stats(team_id, user_id, revealed_only=True),
        board=services.weekly_leaderboard(team_id, revealed_only=True),
        today=today,
        topics=topics,
        next_post=when(services, team_id),
    )


def publish_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    """Publish the person's Home tab (called off the request thread)."""
    client.views_publish(user_id=user_id, view=build_home(services, team_id, user_id))


def opened_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    """The person opened the Home tab: remember it, and publish theirs."""
    services.note_home_opened(team_id, user_id)
    publish_home(services, client, team_id, user_id)


def refresh_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    """After an answer or a score change: publish the tab again if the person has one.

    Building the tab takes a dozen queries; people who never opened it are spared them (and
    the answers' bursts the load). Slack asks for a fresh tab whenever it is opened anyway.
    """
    if services.has_home_tab(team_id, user_id):
        publish_home(services, client, team_id, user_id)


def register(app: App, services: Services, *, later: Later) -> None:
    """The tab when opened (the answer listeners publish it again after each answer)."""

    @app.event("app_home_opened")
    def show_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home" or not event.get("user") or not context.team_id:
            return
        later(opened_home, services, client, context.team_id, str(event["user"]))
