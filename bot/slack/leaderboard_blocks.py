"""Block Kit for the boards and the numbers: the weekly post, `/k8sq leaderboard`, stats.

Pure functions from the services' records to Slack's JSON, in the workspace's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.domain.model import Lang, Topic
from bot.domain.records import AllTimeBoard, PersonalStats, Standing, WeeklyBoard
from bot.slack import ids
from bot.slack.blocks import Block, Texts, context, escape, header, mrkdwn_sections

TOP = 10

_T: dict[str, dict[Lang, str]] = {
    "weekly_title": {"zh": "本周排行榜 {start} – {end}", "en": "Leaderboard {start} – {end}"},
    "last_week_title": {
        "zh": "上周排行榜 {start} – {end}",
        "en": "Last week's leaderboard {start} – {end}",
    },
    "all_time_title": {"zh": "总排行榜", "en": "All-time leaderboard"},
    "line": {
        "zh": "{rank}. {who}  *{points}* 分 · {rounds} 轮 · 平均 {avg}% · 连续 {streak}",
        "en": "{rank}. {who}  *{points}* pts · {rounds} rounds · avg {avg}% · streak {streak}",
    },
    "nobody": {
        "zh": "还没有人答题（揭晓后的回答才计入这里）。",
        "en": "Nobody has answered yet (answers show here once their round is revealed).",
    },
    "more": {"zh": "另有 {n} 人上榜。", "en": "{n} more on the board."},
    "improved": {
        "zh": ":chart_with_upwards_trend: 进步最大：{who}（{before}% → {after}%）",
        "en": ":chart_with_upwards_trend: Most improved: {who} ({before}% → {after}%)",
    },
    "weakest": {
        "zh": ":dart: 团队最弱的主题：*{topic}*（平均 {avg}%）",
        "en": ":dart: The team's weakest topic: *{topic}* (average {avg}%)",
    },
    "practise": {"zh": "练习 {topic}", "en": "Practise {topic}"},
    "stats_title": {"zh": "你的成绩", "en": "Your numbers"},
    "stats_line": {
        "zh": "本周：第 {week_rank} 名（{week_points} 分）· "
        "总榜：第 {all_rank} 名（{all_points} 分）\n"
        "已答 {rounds} 轮 · 当前连续 {streak} 轮 · 最长连续 {longest} 轮",
        "en": "This week: rank {week_rank} ({week_points} pts) · All time: rank {all_rank} "
        "({all_points} pts)\n{rounds} rounds answered · streak {streak} · longest {longest}",
    },
    "unranked": {"zh": "—", "en": "—"},
    "mastery": {"zh": "各主题掌握程度", "en": "Mastery per topic"},
    "no_mastery": {
        "zh": "还没有回答过题目：试试 `/k8sq <主题>`。",
        "en": "No answers yet: try `/k8sq <topic>`.",
    },
    "mastery_line": {
        "zh": "{bar} *{topic}* {avg}%（{n} 次）",
        "en": "{bar} *{topic}* {avg}% ({n} answers)",
    },
    "board_unknown": {
        "zh": "上周（{start} 起）的排行榜可能已经发到 <#{channel}>，也可能没有：{why}。"
        "机器人不会猜，所以没有重发，以免发两次。请先看看频道；大家仍可用 "
        "`/k8sq leaderboard all` 查看总排行榜。",
        "en": "Last week's leaderboard (the week of {start}) may or may not have reached "
        "<#{channel}>: {why}. The bot does not guess, so it did not post it again, which "
        "could post it twice. Check the channel; everyone can still see the standings with "
        "`/k8sq leaderboard all`.",
    },
}


t = Texts(_T)


def board_alert(monday: date, channel: str, why: str, lang: Lang) -> tuple[str, list[Block]]:
    """The admins' direct message about a weekly board not known to be posted."""
    text = t("board_unknown", lang, start=monday.isoformat(), channel=channel, why=why)
    return text, mrkdwn_sections(text)


def mention(user_id: str) -> str:
    """A user mention; anything that is not a Slack user id is shown escaped, as text."""
    if user_id.isalnum() and user_id[:1] in {"U", "W"}:
        return f"<@{user_id}>"
    return escape(user_id)


def _num(x: float) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


def standing_line(s: Standing, lang: Lang) -> str:
    return t(
        "line",
        lang,
        rank=s.rank,
        who=mention(s.user_id),
        points=_num(round(s.points, 2)),
        rounds=s.rounds,
        avg=round(s.average_percent),
        streak=s.streak,
    )


def standings_blocks(standings: Sequence[Standing], lang: Lang, top: int = TOP) -> list[Block]:
    """The top `top` lines (ties share a rank, so a tie at the edge may show more)."""
    if not standings:
        return [context(t("nobody", lang))]
    shown = [s for s in standings if s.rank <= top]
    blocks = mrkdwn_sections("\n".join(standing_line(s, lang) for s in shown))
    if len(standings) > len(shown):
        blocks.append(context(t("more", lang, n=len(standings) - len(shown))))
    return blocks


def weekly_blocks(
    board: WeeklyBoard,
    weakest: Topic | None,
    lang: Lang,
    *,
    title_key: str = "weekly_title",
    practice_button: bool = True,
) -> list[Block]:
    """The week's board: the top 10, the most improved, the weakest topic (and its button)."""
    title = t(title_key, lang, start=board.week_start.isoformat(), end=board.week_end.isoformat())
    blocks: list[Block] = [header(title)]
    blocks += standings_blocks(board.standings, lang)
    if board.most_improved is not None:
        m = board.most_improved
        blocks += mrkdwn_sections(
            t(
                "improved",
                lang,
                who=mention(m.user_id),
                before=round(m.previous_percent),
                after=round(m.percent),
            )
        )
    if board.weakest_topic is not None:
        name = weakest.title.get(lang) if weakest is not None else board.weakest_topic.topic
        line = t(
            "weakest", lang, topic=escape(name), avg=round(board.weakest_topic.average_percent)
        )
        section: Block = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
        if practice_button and weakest is not None:
            section["accessory"] = {
                "type": "button",
                "action_id": ids.PRACTICE_TOPIC_ACTION_ID,
                "value": weakest.slug,
                "text": {"type": "plain_text", "text": t("practise", lang, topic=name)[:75]},
            }
        blocks.append(section)
    return blocks


def weekly_post(
    board: WeeklyBoard, weakest: Topic | None, lang: Lang
) -> tuple[str, list[dict[str, Any]]]:
    """The channel post for the week that just ended: (fallback text, blocks)."""
    blocks = weekly_blocks(board, weakest, lang, title_key="last_week_title")
    title = t(
        "last_week_title", lang, start=board.week_start.isoformat(), end=board.week_end.isoformat()
    )
    return title, blocks


def all_time_blocks(board: AllTimeBoard, lang: Lang) -> list[Block]:
    return [header(t("all_time_title", lang)), *standings_blocks(board.standings, lang)]


def _bar(percent: float) -> str:
    filled = max(0, min(5, round(percent / 20)))
    return "▰" * filled + "▱" * (5 - filled)


def stats_blocks(stats: PersonalStats, topics: Mapping[str, Topic], lang: Lang) -> list[Block]:
    """A person's ranks, streaks, and mastery per topic (weakest first)."""
    unranked = t("unranked", lang)
    blocks: list[Block] = [header(t("stats_title", lang))]
    blocks += mrkdwn_sections(
        t(
            "stats_line",
            lang,
            week_rank=stats.weekly_rank or unranked,
            week_points=_num(round(stats.weekly_points, 2)),
            all_rank=stats.all_time_rank or unranked,
            all_points=_num(round(stats.all_time_points, 2)),
            rounds=stats.rounds_answered,
            streak=stats.current_streak,
            longest=stats.longest_streak,
        )
    )
    blocks.append(header(t("mastery", lang)))
    if not stats.mastery:
        blocks.append(context(t("no_mastery", lang)))
        return blocks
    lines = []
    for m in stats.mastery:
        topic = topics.get(m.topic)
        name = topic.title.get(lang) if topic is not None else m.topic
        lines.append(
            t(
                "mastery_line",
                lang,
                bar=_bar(m.average_percent),
                topic=escape(name),
                avg=round(m.average_percent),
                n=m.answers,
            )
        )
    blocks += mrkdwn_sections("\n".join(lines))
    return blocks
