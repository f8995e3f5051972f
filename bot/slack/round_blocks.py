"""Block Kit for the channel: the day's question post, its reveal, and the admins' alerts.

Pure functions from domain values to Slack's JSON, within Block Kit's limits (long texts are
split at sentence or word boundaries by `blocks.split_text`, at most 50 blocks a message).
The question post never names anyone or shows a score: only how many have answered.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.model import Lang, Question, Topic, format_points
from bot.domain.records import RevealSummary, RoundInfo
from bot.slack import ids
from bot.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Block,
    Texts,
    context,
    escape,
    fit_blocks,
    header,
    mrkdwn_sections,
    truncate,
)
from bot.slack.dispute_blocks import dispute_action

_TEXT: dict[str, dict[Lang, str]] = {
    "title": {"zh": "今日面试题", "en": "Today's interview question"},
    "difficulty": {"zh": "难度", "en": "difficulty"},
    "closes": {"zh": "{time} 截止（{tz}）", "en": "closes at {time} ({tz})"},
    "closed": {"zh": "已截止，参考答案见回复", "en": "closed: the answer is in the thread"},
    "answer": {"zh": "作答", "en": "Answer"},
    "practice": {"zh": "练习", "en": "Practice"},
    "other_language": {"zh": "English", "en": "中文"},
    "how": {
        "zh": "点「作答」私下回答（中文、英文或混合都行）。回复帖不会被读取或计分。",
        "en": "Press Answer to reply privately (Chinese, English or both). "
        "Thread replies are not read or graded.",
    },
    "answered": {"zh": "已有 {n} 人作答", "en": "{n} answered"},
    "answered_one": {"zh": "已有 1 人作答", "en": "1 answered"},
    "practice_now": {
        "zh": "本轮已截止：点「练习」仍可作答，但不计分。",
        "en": "This round has closed: Practice still grades an answer, without scoring it.",
    },
    "reveal_title": {"zh": "揭晓：参考答案", "en": "The reveal: reference answer"},
    "stats": {"zh": "{n} 人作答，平均 {avg}", "en": "{n} answered, average {avg}"},
    "nobody": {"zh": "这一轮没有人作答。", "en": "Nobody answered this round."},
    "top": {"zh": "最高分", "en": "Top scores"},
    "most_missed": {
        "zh": "漏得最多的要点：*{label}*（{n} 人漏掉）",
        "en": "Most missed: *{label}* (missed by {n})",
    },
    "more_in_notes": {
        "zh": "（参考答案太长，未能全部显示。）",
        "en": "(The reference answer is too long to show in full.)",
    },
    "dispute": {"zh": "申诉我的评分", "en": "Dispute my grade"},
}


_t = Texts(_TEXT)


def _stars(difficulty: int) -> str:
    level = max(1, min(3, difficulty))
    return "★" * level + "☆" * (3 - level)


def local_time(at: datetime, timezone: str) -> str:
    """`at` as the workspace's wall clock shows it, e.g. 18:00."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def question_post(
    round_: RoundInfo,
    question: Question,
    topic: Topic | None,
    *,
    lang: Lang,
    timezone: str,
    answered: int,
    revealed: bool = False,
) -> tuple[str, list[Block]]:
    """The day's question in the channel: the notification text and the blocks.

    Before the reveal the button answers the round; after it, it offers practice.
    """
    topic_title = topic.title.get(lang) if topic is not None else question.topic
    closes = local_time(round_.closes_at, timezone)
    facts = " · ".join(
        [
            f"*{escape(topic_title)}*",
            f"{_t('difficulty', lang)} {_stars(question.difficulty)}",
            _t("closed", lang) if revealed else _t("closes", lang, time=closes, tz=timezone),
        ]
    )
    prompt = question.prompt.get(lang)
    buttons: list[Block] = [
        {
            "type": "button",
            "action_id": ids.ANSWER_ACTION_ID,
            "text": {"type": "plain_text", "text": _t("practice" if revealed else "answer", lang)},
            "value": str(round_.id),
            **({} if revealed else {"style": "primary"}),
        },
        {
            "type": "button",
            "action_id": ids.OTHER_LANGUAGE_ACTION_ID,
            "text": {"type": "plain_text", "text": _t("other_language", lang)},
            "value": str(round_.id),
        },
    ]
    count = _t("answered_one", lang) if answered == 1 else _t("answered", lang, n=answered)
    tail: list[Block] = [
        {"type": "actions", "block_id": "k8sq.round", "elements": buttons},
        context(f"{count} · {_t('practice_now' if revealed else 'how', lang)}"),
    ]
    body = [header(_t("title", lang)), context(facts), *mrkdwn_sections(escape(prompt))]
    blocks = fit_blocks(body, MESSAGE_BLOCK_LIMIT - len(tail)) + tail
    text = f"{_t('title', lang)}: {truncate(prompt, 200)}"
    return text, blocks


def reveal_post(
    summary: RevealSummary, *, lang: Lang, most_missed_label: str | None = None
) -> tuple[str, list[Block]]:
    """The reveal in the question's thread: reference, turnout, average, top, most missed."""
    lines: list[str] = []
    if summary.answered == 0 or summary.average_points is None:
        lines.append(_t("nobody", lang))
    else:
        average = format_points(round(summary.average_points, 1), summary.max_points)
        lines.append(_t("stats", lang, n=summary.answered, avg=average))
    if summary.top:
        scorers = ", ".join(
            f"<@{s.user_id}> {format_points(s.points, s.max_points)}" for s in summary.top
        )
        lines.append(f"{_t('top', lang)}: {scorers}")
    if summary.most_missed is not None:
        label = most_missed_label or summary.most_missed.label.get(lang)
        lines.append(_t("most_missed", lang, label=escape(label), n=summary.most_missed.missed_by))
    tail = [context(line) for line in lines]
    if summary.answered:
        # Whoever answered can compare with the reference now and dispute their grade.
        tail.append(dispute_action(summary.round.id, _t("dispute", lang), block_id="k8sq.reveal"))
    reference = mrkdwn_sections(escape(summary.reference.get(lang)))
    body = fit_blocks(
        [header(_t("reveal_title", lang)), *reference],
        MESSAGE_BLOCK_LIMIT - len(tail),
        overflow=context(_t("more_in_notes", lang)),
    )
    text = f"{_t('reveal_title', lang)} · {lines[0]}"
    return text, body + tail


# ----- to the admins, by direct message -----

_ADMIN: dict[str, dict[Lang, str]] = {
    "unknown": {
        "zh": "今天 {date} 的题目可能已经发到 <#{channel}>，也可能没有：{why}。"
        "机器人不会猜，所以没有重发。请先看看频道：如果没有这道题，点「重新发布」，"
        "或运行 `k8sq post-daily --team {team} --force`。",
        "en": "Today's ({date}) question may or may not have reached <#{channel}>: {why}. "
        "The bot does not guess, so it did not post again. Check the channel; if the "
        "question is not there, press Post again or run "
        "`k8sq post-daily --team {team} --force`.",
    },
    "post_again": {"zh": "重新发布", "en": "Post again"},
    "channel": {
        "zh": "没能在 <#{channel}> 发布今天的题目（Slack 回答 `{code}`）："
        "请在该频道输入 `/invite @k8sq` 邀请机器人，然后点「重新发布」。",
        "en": "Could not post today's question in <#{channel}> (Slack answered `{code}`): "
        "invite the bot there with `/invite @k8sq`, then press Post again.",
    },
}


def admin_alert(
    round_: RoundInfo, *, lang: Lang, why: str, channel_error: str | None = None
) -> tuple[str, list[Block]]:
    """The direct message about a round that is not known to be posted, with "Post again"."""
    if channel_error is not None:
        message = _ADMIN["channel"][lang].format(channel=round_.channel_id, code=channel_error)
    else:
        message = _ADMIN["unknown"][lang].format(
            date=round_.local_date.isoformat(),
            channel=round_.channel_id,
            why=why,
            team=round_.team_id,
        )
    blocks: list[Block] = [
        *mrkdwn_sections(message),
        {
            "type": "actions",
            "block_id": "k8sq.admin",
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.POST_AGAIN_ACTION_ID,
                    "text": {"type": "plain_text", "text": _ADMIN["post_again"][lang]},
                    "value": str(round_.id),
                    "style": "primary",
                }
            ],
        },
    ]
    return truncate(message, 300), blocks
