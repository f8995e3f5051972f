"""`/k8sq` and its subcommands: help, today, leaderboard, stats, config, pause, resume, a topic.

Every reply is visible only to the caller (the command's acknowledgement). Whatever the text
(emoji, markup, mentions, SQL, control characters, 2,000 characters), the caller gets a clear
answer: what is echoed back is escaped, domain errors become a sentence.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.model import DomainError, Lang, Question, Topic, UnknownTopic
from bot.domain.topics import echo
from bot.services import Services
from bot.slack import admin, ids
from bot.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Block,
    Texts,
    context,
    done_modal,
    escape,
    fit_blocks,
    mrkdwn_sections,
    practice_modal,
    truncate,
)
from bot.slack.common import STORAGE_ERRORS, UNAVAILABLE, caller, round_post, topic_of, when
from bot.slack.leaderboard_blocks import all_time_blocks, stats_blocks, weekly_blocks

if TYPE_CHECKING:
    from bot.slack.app import Later

log = logging.getLogger(__name__)

Reply = tuple[str, list[Block]]

_T: dict[str, dict[Lang, str]] = {
    "help_title": {
        "zh": "*k8sq：Kubernetes 面试练习*",
        "en": "*k8sq: Kubernetes interview practice*",
    },
    "help_commands": {
        "zh": "• `/k8sq <主题>` 练习该主题的一道题（只有你看得到，不计入排行榜），例如 "
        "`/k8sq svc`、`/k8sq 探针`\n"
        "• `/k8sq today` 今天的题目\n"
        "• `/k8sq leaderboard` 本周排行榜 · `/k8sq leaderboard all` 总排行榜\n"
        "• `/k8sq stats` 你的各主题掌握程度、连续天数和排名\n"
        "• 管理员：`/k8sq config` 设置 · `/k8sq pause` 暂停 · `/k8sq resume` 恢复",
        "en": "• `/k8sq <topic>` a practice question on that topic (only you see it; it never "
        "counts), e.g. `/k8sq svc`, `/k8sq probe`\n"
        "• `/k8sq today` today's question\n"
        "• `/k8sq leaderboard` this week · `/k8sq leaderboard all` all time\n"
        "• `/k8sq stats` your mastery per topic, streak and rank\n"
        "• Admins: `/k8sq config` settings · `/k8sq pause` · `/k8sq resume`",
    },
    "topics": {"zh": "*主题*（题目数）", "en": "*Topics* (questions)"},
    "topic_line": {"zh": "• `{slug}` {title}：{n} 道", "en": "• `{slug}` {title}: {n}"},
    "practice_facts": {
        "zh": "*{topic}* · 难度 {stars} · 练习题，不计入排行榜",
        "en": "*{topic}* · difficulty {stars} · practice, never on a leaderboard",
    },
    "answer": {"zh": "作答", "en": "Answer"},
    "no_round": {
        "zh": "今天没有题目。下一道题：{next}。",
        "en": "No question today. The next one comes {next}.",
    },
    "paused": {
        "zh": "k8sq 暂停中：恢复之前不发题（管理员用 `/k8sq resume`）。",
        "en": "k8sq is paused: no daily question until an admin runs `/k8sq resume`.",
    },
    "board_option": {
        "zh": "没有 '{x}' 这个选项：用 `/k8sq leaderboard` 或 `/k8sq leaderboard all`。",
        "en": "No option '{x}': use `/k8sq leaderboard` or `/k8sq leaderboard all`.",
    },
    "see_help": {"zh": "`/k8sq help` 查看全部命令。", "en": "`/k8sq help` lists every command."},
    "topics_are": {"zh": "可选主题", "en": "Topics"},
}


t = Texts(_T)


# ----- parsing -----

_WORDS: dict[str, str] = {
    **dict.fromkeys(("help", "-h", "--help", "?", "帮助"), "help"),
    **dict.fromkeys(("today", "今天", "今日"), "today"),
    **dict.fromkeys(("leaderboard", "board", "rank", "排行榜", "排行"), "leaderboard"),
    **dict.fromkeys(("stats", "me", "mystats", "成绩", "统计"), "stats"),
    **dict.fromkeys(("config", "settings", "setup", "设置", "配置"), "config"),
    **dict.fromkeys(("pause", "暂停"), "pause"),
    **dict.fromkeys(("resume", "unpause", "恢复"), "resume"),
}
# The subcommands by their English names (the manifest's usage hint lists them).
SUBCOMMANDS = frozenset(_WORDS.values())
# Subcommands that take no words after them: with words, the whole text is a topic
# (`/k8sq pause container` practises the pause container).
_ALONE = frozenset({"help", "today", "stats", "config", "pause", "resume"})
_ALL = frozenset({"all", "alltime", "all-time", "ever", "全部", "总", "总榜"})


@dataclass(frozen=True)
class Parsed:
    """A command's text: the subcommand (or "topic"), and the rest."""

    sub: str
    rest: str
    text: str


def clean(text: object) -> str:
    """The text with control characters as spaces and runs of spaces as one."""
    raw = text if isinstance(text, str) else ""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def parse(text: object) -> Parsed:
    """`help` for nothing at all; a subcommand by its first word; else a topic."""
    cleaned = clean(text)
    if not cleaned:
        return Parsed("help", "", "")
    first, _, rest = cleaned.partition(" ")
    sub = _WORDS.get(_word(first))
    if sub is None or (sub in _ALONE and rest.strip() and sub != "help"):
        return Parsed("topic", cleaned, cleaned)
    return Parsed(sub, rest.strip(), cleaned)


# ----- replies (pure) -----


def _stars(difficulty: int) -> str:
    level = max(1, min(3, difficulty))
    return "★" * level + "☆" * (3 - level)


def help_reply(topics: list[tuple[Topic, int]], lang: Lang) -> Reply:
    lines = [t("help_title", lang), t("help_commands", lang), "", t("topics", lang)]
    lines += [
        t("topic_line", lang, slug=escape(topic.slug), title=escape(topic.title.get(lang)), n=n)
        for topic, n in topics
    ]
    text = "\n".join(lines)
    return truncate(text, 3000), mrkdwn_sections(text)


def practice_reply(question: Question, topic: Topic | None, lang: Lang) -> Reply:
    """A practice question with its Answer button; the other language underneath."""
    title = topic.title.get(lang) if topic is not None else question.topic
    facts = t("practice_facts", lang, topic=escape(title), stars=_stars(question.difficulty))
    button: Block = {
        "type": "actions",
        "block_id": "k8sq.practice",
        "elements": [
            {
                "type": "button",
                "style": "primary",
                "action_id": ids.PRACTICE_ANSWER_ACTION_ID,
                "value": question.id,
                "text": {"type": "plain_text", "text": t("answer", lang)},
            }
        ],
    }
    body = [context(facts), *mrkdwn_sections(escape(question.prompt.get(lang)))]
    other = question.prompt.other(lang)
    if other:
        body.append(context(escape(other)))
    blocks = fit_blocks(body, MESSAGE_BLOCK_LIMIT - 1) + [button]
    return truncate(question.prompt.get(lang), 200), blocks


def unknown_topic_reply(error: UnknownTopic, topics: list[Topic], lang: Lang) -> Reply:
    listed = ", ".join(f"`{escape(x.slug)}` ({escape(x.title.get(lang))})" for x in topics)
    text = f"{escape(str(error))}\n{t('topics_are', lang)}: {listed}\n{t('see_help', lang)}"
    return truncate(text, 3000), mrkdwn_sections(text)


def text_reply(text: str) -> Reply:
    """A reply of one already-escaped text."""
    return truncate(text, 3000), mrkdwn_sections(text)


# ----- the listener -----


@dataclass(frozen=True)
class Call:
    """One `/k8sq` invocation, as the subcommands need it."""

    team_id: str
    user_id: str
    trigger_id: str
    lang: Lang
    parsed: Parsed


def register(app: App, services: Services, *, later: Later) -> None:
    """`/k8sq` and the weekly board's "Practise <topic>" button."""

    def help_(call: Call, client: WebClient) -> Reply | None:
        counts = [
            (topic, len(services.bank.by_topic(topic.slug))) for topic in services.bank.topics
        ]
        return help_reply(counts, call.lang)

    def practice(call: Call, client: WebClient) -> Reply | None:
        try:
            question = services.next_practice_question(call.team_id, call.user_id, call.parsed.text)
        except UnknownTopic as exc:
            return unknown_topic_reply(exc, list(services.bank.topics), call.lang)
        return practice_reply(question, topic_of(services, question.topic), call.lang)

    def today(call: Call, client: WebClient) -> Reply | None:
        settings = services.get_settings(call.team_id)
        round_ = services.round_today(call.team_id)
        if round_ is None:
            if settings.paused:
                return text_reply(t("paused", call.lang))
            if not settings.channel_id:
                return text_reply(admin.t("no_channel", call.lang))
            return text_reply(t("no_round", call.lang, next=when(services, call.team_id)))
        # In the caller's language, which is the workspace's.
        return round_post(services, round_, settings, answered=services.count_answers(round_.id))

    def leaderboard(call: Call, client: WebClient) -> Reply | None:
        option = _word(call.parsed.rest)
        if option in _ALL:
            board = services.all_time_leaderboard(call.team_id, revealed_only=True)
            blocks = all_time_blocks(board, call.lang)
        elif option:
            return text_reply(t("board_option", call.lang, x=escape(echo(call.parsed.rest))))
        else:
            week = services.weekly_leaderboard(call.team_id, revealed_only=True)
            weakest = week.weakest_topic
            topic = topic_of(services, weakest.topic) if weakest is not None else None
            blocks = weekly_blocks(week, topic, call.lang)
        return _blocks_reply(blocks)

    def stats(call: Call, client: WebClient) -> Reply | None:
        mine = services.personal_stats(call.team_id, call.user_id, revealed_only=True)
        topics = {topic.slug: topic for topic in services.bank.topics}
        return _blocks_reply(stats_blocks(mine, topics, call.lang))

    def config(call: Call, client: WebClient) -> Reply | None:
        refusal = admin.open_settings(
            services,
            client,
            later,
            team_id=call.team_id,
            user_id=call.user_id,
            trigger_id=call.trigger_id,
            lang=call.lang,
        )
        return None if refusal is None else text_reply(refusal)

    def pause_or_resume(paused: bool) -> Callable[[Call, WebClient], Reply | None]:
        def run(call: Call, client: WebClient) -> Reply | None:
            settings = admin.admin_settings(services, client, call.team_id, call.user_id)
            if settings is None and paused:
                # "pause" is also a topic (the pause container): that is what they meant.
                text, blocks = practice(call, client) or ("", [])
                note = context(admin.t("pause_is_a_topic", call.lang))
                return text, [note, *blocks][:MESSAGE_BLOCK_LIMIT]
            said = admin.set_paused(
                services,
                client,
                later,
                settings,
                user_id=call.user_id,
                paused=paused,
                lang=call.lang,
            )
            return text_reply(said)

        return run

    handlers: dict[str, Callable[[Call, WebClient], Reply | None]] = {
        "help": help_,
        "topic": practice,
        "today": today,
        "leaderboard": leaderboard,
        "stats": stats,
        "config": config,
        "pause": pause_or_resume(True),
        "resume": pause_or_resume(False),
    }

    @app.action(ids.PRACTICE_TOPIC_ACTION_ID)
    def practise_topic(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user_id = caller(context)
        lang: Lang = "en"
        try:
            lang = services.ensure_workspace(team_id).language
            question = services.next_practice_question(
                team_id, user_id, str(action.get("value", ""))
            )
            view = practice_modal(question, lang)
        except DomainError as exc:
            view = done_modal(str(exc), lang)
        except STORAGE_ERRORS:
            log.exception("the practice button failed on the database")
            view = done_modal(UNAVAILABLE, lang)
        later(client.views_open, trigger_id=body["trigger_id"], view=view)

    @app.command(ids.SLASH_COMMAND)
    def k8sq_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        parsed = parse(command.get("text"))
        team_id, user_id = caller(context)
        lang: Lang = "en"
        try:
            lang = services.ensure_workspace(team_id).language
            call = Call(team_id, user_id, str(command.get("trigger_id", "")), lang, parsed)
            reply = handlers[parsed.sub](call, client)
        except STORAGE_ERRORS:
            log.exception("/k8sq %s failed on the database", parsed.sub)
            reply = text_reply(UNAVAILABLE)
        except DomainError as exc:
            reply = text_reply(f"{escape(str(exc))}\n{t('see_help', lang)}")
        if reply is None:
            ack()
            return
        text, blocks = reply
        ack(text=text, blocks=blocks)


def _blocks_reply(blocks: list[Block]) -> Reply:
    fitted = fit_blocks(blocks, MESSAGE_BLOCK_LIMIT)
    first = next((b["text"]["text"] for b in fitted if isinstance(b.get("text"), dict)), "k8sq")
    return truncate(str(first), 200), fitted
