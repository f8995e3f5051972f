"""The channel's Block Kit: the question post, the reveal, the admins' alert."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

from bot.domain.model import Question, Rubric, Text, Topic
from bot.domain.records import MissedConcept, RevealSummary, RoundInfo, Scorer
from bot.slack import ids
from bot.slack.round_blocks import admin_alert, question_post, reveal_post

ROUND = RoundInfo(
    id=42,
    team_id="T1",
    channel_id="C1",
    question_id="q",
    local_date=date(2026, 11, 25),
    opens_at=datetime(2026, 11, 25, 1, 30, tzinfo=UTC),
    closes_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
)


TOPIC = Topic(slug="services", title=Text(zh="服务类型", en="Service types"), aliases=())
QUESTION = Question(
    id="q",
    topic="services",
    difficulty=2,
    section="Kubernetes 中的服务类型",
    prompt=Text(
        zh="ClusterIP 类型的 Service 能从集群外访问吗？",
        en="Can a ClusterIP Service be reached from outside the cluster?",
    ),
    reference=Text(zh="不能。", en="No."),
    rubric=Rubric(concepts=()),
)


def first_question() -> tuple[Question, Topic]:
    return QUESTION, TOPIC


def buttons(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for block in blocks:
        if block["type"] == "actions":
            found.extend(block["elements"])  # type: ignore[arg-type]
    return found


def test_the_question_post_has_what_the_issue_lists() -> None:
    question, topic = first_question()
    text, blocks = question_post(
        ROUND, question, topic, lang="zh", timezone="Asia/Shanghai", answered=3
    )
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert topic.title.zh in rendered
    assert "难度" in rendered
    assert "18:00" in rendered  # 10:00 UTC in Shanghai
    assert "ClusterIP 类型的 Service 能从集群外访问吗？" in rendered
    assert "★★☆" in rendered
    assert "已有 3 人作答" in rendered
    answer, other = buttons(blocks)
    assert (answer["action_id"], answer["value"]) == (ids.ANSWER_ACTION_ID, "42")
    assert (other["action_id"], other["value"]) == (ids.OTHER_LANGUAGE_ACTION_ID, "42")
    assert text.startswith("今日面试题")


def test_the_post_in_english_and_after_the_reveal_offers_practice() -> None:
    question, topic = first_question()
    _, blocks = question_post(
        ROUND, question, topic, lang="en", timezone="America/New_York", answered=1, revealed=True
    )
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert "1 answered" in rendered
    answer, other = buttons(blocks)
    assert answer["text"] == {"type": "plain_text", "text": "Practice"}
    assert other["text"] == {"type": "plain_text", "text": "中文"}


def test_a_long_prompt_is_split_into_sections_within_the_limits() -> None:
    question, topic = first_question()
    long = Text(zh="很长的题目。" * 1200, en="A long prompt. " * 600)
    question = dataclasses.replace(question, prompt=long)
    _, blocks = question_post(ROUND, question, topic, lang="en", timezone="UTC", answered=0)
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) >= 3
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert all(b["text"]["text"].endswith(".") for b in sections)
    assert len(blocks) <= 50


def test_the_reveal_shows_reference_turnout_average_top_and_most_missed() -> None:
    summary = RevealSummary(
        round=ROUND,
        reference=Text(zh="参考答案。", en="The reference."),
        answered=4,
        average_points=6.25,
        max_points=10,
        top=(Scorer("U1", 9, 10), Scorer("U2", 8.5, 10)),
        most_missed=MissedConcept("c", Text(zh="虚拟 IP", en="a virtual IP"), missed_by=3),
        newly_revealed=True,
    )
    _, blocks = reveal_post(summary, lang="en")
    rendered = json.dumps(blocks, ensure_ascii=False)
    for expected in ("The reference.", "4 answered", "6.2/10", "<@U1> 9/10", "<@U2> 8.5/10"):
        assert expected in rendered
    assert "a virtual IP" in rendered and "missed by 3" in rendered


def test_a_reveal_nobody_answered_says_so() -> None:
    summary = RevealSummary(
        round=ROUND,
        reference=Text(zh="参考答案。", en="The reference."),
        answered=0,
        average_points=None,
        max_points=10,
        top=(),
        most_missed=None,
        newly_revealed=True,
    )
    text, _ = reveal_post(summary, lang="zh")
    assert "没有人作答" in text


def test_the_admin_alert_has_a_post_again_button() -> None:
    text, blocks = admin_alert(ROUND, lang="en", why="Slack's answer was lost")
    assert "may or may not" in text
    [button] = buttons(blocks)
    assert (button["action_id"], button["value"]) == (ids.POST_AGAIN_ACTION_ID, "42")
    _, blocks = admin_alert(ROUND, lang="zh", why="", channel_error="not_in_channel")
    assert "/invite" in json.dumps(blocks, ensure_ascii=False)
