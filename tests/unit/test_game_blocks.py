"""The pure parts of running the game: parsing `/k8sq`, the boards, settings and disputes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import Text, Topic
from bot.domain.records import (
    Dispute,
    DisputeDetails,
    Improvement,
    PersonalStats,
    RoundInfo,
    Standing,
    TopicScore,
    WeeklyBoard,
    WorkspaceSettings,
)
from bot.domain.topics import TopicIndex
from bot.question_bank import load_bank
from bot.slack import commands, dispute_blocks, settings_blocks
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, MODAL_BLOCK_LIMIT
from bot.slack.leaderboard_blocks import mention, stats_blocks, weekly_post

BANK = Path(__file__).resolve().parents[2] / "questions"


# ----- parsing /k8sq -----


@pytest.mark.parametrize(
    ("text", "sub", "rest"),
    [
        ("", "help", ""),
        ("  \t ", "help", ""),
        ("help", "help", ""),
        ("ＨＥＬＰ", "help", ""),
        ("today", "today", ""),
        ("Leaderboard ALL", "leaderboard", "ALL"),
        ("排行榜 全部", "leaderboard", "全部"),
        ("stats", "stats", ""),
        ("config", "config", ""),
        ("pause", "pause", ""),
        ("pause container", "topic", "pause container"),
        ("resume", "resume", ""),
        ("svc", "topic", "svc"),
        ("kube  proxy", "topic", "kube proxy"),
        ("\x00svc\x1b", "topic", "svc"),
    ],
)
def test_parse(text: str, sub: str, rest: str) -> None:
    parsed = commands.parse(text)
    assert (parsed.sub, parsed.rest if sub != "topic" else parsed.text) == (sub, rest)


@given(st.text(max_size=300))
def test_parse_takes_any_text(text: str) -> None:
    parsed = commands.parse(text)
    assert parsed.sub in {
        "help",
        "today",
        "leaderboard",
        "stats",
        "config",
        "pause",
        "resume",
        "topic",
    }
    assert all(ch.isprintable() for ch in parsed.text)


def test_no_subcommand_hides_a_topic_but_pause() -> None:
    """`pause` is a topic too (the pause container): `/k8sq pause <more>` still reaches it."""
    index = TopicIndex.build(load_bank(BANK).topics)
    hidden = {word for word in commands._WORDS if any(key == word.casefold() for key in index.keys)}
    assert hidden == {"pause"}


# ----- boards -----


def standing(user: str, rank: int, points: float) -> Standing:
    return Standing(user, rank, points, rounds=2, average_percent=75.4, streak=3)


def test_ties_at_the_edge_of_the_top_ten_all_show() -> None:
    standings = [standing(f"U{i:02d}", i, 20 - i) for i in range(1, 10)]
    standings += [standing("U10", 10, 5), standing("U11", 10, 5), standing("U12", 12, 1)]
    board = WeeklyBoard("T1", date(2026, 11, 23), date(2026, 11, 29), tuple(standings), None, None)
    _text, blocks = weekly_post(board, None, "en")
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "10. <@U10>" in shown and "10. <@U11>" in shown and "<@U12>" not in shown
    assert "1 more on the board" in shown
    assert "*19* pts · 2 rounds · avg 75% · streak 3" in shown


def test_a_weekly_post_in_chinese_with_all_its_parts() -> None:
    board = WeeklyBoard(
        "T1",
        date(2026, 11, 23),
        date(2026, 11, 29),
        (standing("U1", 1, 9.5),),
        Improvement("U1", 40.0, 95.0),
        TopicScore("probes", 31.6, 4),
    )
    topic = Topic("probes", Text("健康探针", "Health probes"), ("probe",))
    text, blocks = weekly_post(board, topic, "zh")
    shown = json.dumps(blocks, ensure_ascii=False)
    assert text == "上周排行榜 2026-11-23 – 2026-11-29"
    assert "进步最大：<@U1>（40% → 95%）" in shown
    assert "团队最弱的主题：*健康探针*（平均 32%）" in shown
    assert '"value": "probes"' in shown and "练习 健康探针" in shown
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT


def test_anything_but_a_user_id_is_escaped_not_mentioned() -> None:
    assert mention("U0ALICE") == "<@U0ALICE>"
    assert mention("<!channel>") == "&lt;!channel&gt;"
    assert mention("regrade") == "regrade"


def test_stats_before_and_after_answers() -> None:
    empty = PersonalStats("T1", "U1", (), 0, 0, 0, None, 0.0, None, 0.0)
    assert "No answers yet" in json.dumps(stats_blocks(empty, {}, "en"))
    some = PersonalStats("T1", "U1", (TopicScore("probes", 81.0, 2),), 3, 2, 3, 1, 19.5, 2, 40.0)
    shown = json.dumps(stats_blocks(some, {}, "en"), ensure_ascii=False)
    assert "rank 1 (19.5 pts)" in shown and "rank 2 (40 pts)" in shown
    assert "▰▰▰▰▱ *probes* 81% (2 answers)" in shown


# ----- the settings modal -----

SETTINGS = WorkspaceSettings(
    team_id="T1",
    channel_id="C1",
    post_time=time(9, 30),
    close_time=time(18, 0),
    timezone="Asia/Shanghai",
    weekdays=(0, 1, 2, 3, 4),
    holiday_country="CN",
    language="en",
    leaderboard_day=0,
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_settings_modal_fits_slacks_limits(lang: str) -> None:
    view = settings_blocks.settings_modal(SETTINGS, lang)  # type: ignore[arg-type]
    assert all(len(view[k]["text"]) <= 24 for k in ("title", "submit", "close"))
    assert len(view["blocks"]) <= MODAL_BLOCK_LIMIT
    for block in view["blocks"]:
        if block["type"] == "input":
            assert block["element"]["action_id"] == block["block_id"]


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"values": None},
        {"values": {"channel": "x", "weekdays": {"weekdays": {"selected_options": "no"}}}},
        {"values": {"language": {"language": {"selected_option": None}}}},
        {"values": {"paused": {"paused": {"selected_options": [{"value": 1}, "x"]}}}},
        {"values": {"weekdays": {"weekdays": {"selected_options": [{"value": "mon"}]}}}},
    ],
)
def test_reading_a_malformed_submission_never_raises(state: dict[str, object]) -> None:
    settings_blocks.read_settings(state)


def test_reading_a_submission() -> None:
    values = {
        "channel": {"channel": {"selected_conversation": "C2"}},
        "post_time": {"post_time": {"selected_time": "10:00"}},
        "weekdays": {"weekdays": {"selected_options": [{"value": "4"}, {"value": "0"}]}},
        "holiday_country": {"holiday_country": {"value": None}},
        "leaderboard_day": {"leaderboard_day": {"selected_option": {"value": "4"}}},
        "paused": {"paused": {"selected_options": []}},
    }
    assert settings_blocks.read_settings({"values": values}) == {
        "channel_id": "C2",
        "post_time": "10:00",
        "weekdays": (0, 4),
        "holiday_country": None,
        "leaderboard_day": "4",
        "paused": False,
    }


def test_the_announcement_lists_what_changed() -> None:
    after = WorkspaceSettings(**{**SETTINGS.__dict__, "post_time": time(10, 0), "paused": True})
    text = settings_blocks.announcement("U1", SETTINGS, after, "en")
    assert text == "<@U1> changed k8sq's settings:\n• Post time: 09:30 → 10:00\n• Paused: no → yes"
    assert settings_blocks.announcement("U1", SETTINGS, SETTINGS, "en") is None


# ----- disputes -----


def test_the_admins_message_escapes_the_answer_and_fits_a_message() -> None:
    from bot.domain.model import Alias, Concept, Question, Rubric

    question = Question(
        id="q1",
        topic="probes",
        difficulty=2,
        section="notes",
        prompt=Text("问题？", "The question?"),
        reference=Text("参考", "Reference"),
        rubric=Rubric(
            concepts=(Concept("c1", Text("甲", "Alpha"), 1.0, (Alias((("a",),)),), Text("", "")),)
        ),
        version="v1",
    )
    opened = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    details = DisputeDetails(
        dispute=Dispute(7, "T1", 3, "U1", 11, "<!channel> look", opened),
        round=RoundInfo(3, "T1", "C1", "q1", date(2026, 11, 25), opened, opened),
        question_id="q1",
        answer_text="<script>" + "x " * 4000,
        points=4.0,
        max_points=10.0,
        missed=("c1",),
    )
    text, blocks = dispute_blocks.admin_message(details, question, "en")
    shown = json.dumps(blocks)
    assert text == "<@U1> disputes their grade for the round of 2026-11-25: 4/10."
    assert "&lt;!channel&gt; look" in shown and "&lt;script&gt;" in shown
    assert "<script>" not in shown and "<!channel>" not in shown
    assert "Alpha" in shown and '"value": "7"' in shown
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


def test_the_dispute_button_keeps_a_full_modal_within_its_limit() -> None:
    view = {"type": "modal", "blocks": [{"type": "divider"}] * MODAL_BLOCK_LIMIT}
    with_button = dispute_blocks.with_dispute_button(view, 5, "en")
    assert len(with_button["blocks"]) == MODAL_BLOCK_LIMIT
    assert with_button["blocks"][-1]["elements"][0]["value"] == "5"
