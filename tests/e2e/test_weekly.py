"""The weekly leaderboard: posted by `tick` on the leaderboard day at the post time, for the
week that just ended, once, only for a week with rounds; its practice button works.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App

from bot.config import Settings
from bot.jobs import Jobs
from bot.services import Services
from bot.slack import ids
from bot.slack.app import build_app
from bot.slack.chat import SlackChat
from tests.e2e.conftest import BOT_TOKEN, CHANNEL, FakeClock
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackSender

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def chat(slack_api: FakeSlack) -> SlackChat:
    return SlackChat(base_url=slack_api.url, token_for=lambda _team: BOT_TOKEN, backoff=0.01)


@pytest.fixture(scope="module")
def jobs(services: Services, chat: SlackChat, clock: FakeClock) -> Jobs:
    return Jobs(services=services, chat=chat, clock=clock)


@pytest.fixture(scope="module")
def bolt_app(settings: Settings, services: Services, jobs: Jobs) -> Iterator[App]:
    yield build_app(settings, services, jobs=jobs, count_interval=0.3)


@pytest.fixture
def team(slack: SlackSender, services: Services) -> str:
    """The test's workspace, the only one not paused; every day a round day."""
    for ws in services.list_workspaces():
        if ws.team_id != slack.team_id:
            services.update_settings(ws.team_id, paused=True)
    services.update_settings(slack.team_id, weekdays="mon-sun")
    return slack.team_id


def play(services: Services, clock: FakeClock, team: str, day: str, scores: dict[str, str]) -> None:
    """A round on `day` (10:00 local), each person answering with the question's example
    of that kind ("best", "middle", "worst"), then revealed."""
    clock.set(local(f"{day} 10:00"))
    round_ = services.create_round(team)
    examples = sorted(services.question(round_.question_id).examples, key=lambda e: -e.min_points)
    pick = {"best": examples[0], "middle": examples[len(examples) // 2], "worst": examples[-1]}
    for user, kind in scores.items():
        services.submit_answer(round_.id, user, pick[kind].answer)
    services.reveal_round(round_.id)


def boards(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if "leaderboard" in c.args["text"]]


def board_text(call: Call) -> str:
    return json.dumps(call.args["blocks"], ensure_ascii=False)


def lines_of(call: Call) -> list[str]:
    texts = [b["text"]["text"] for b in call.args["blocks"] if b["type"] == "section"]
    return "\n".join(texts).split("\n")


def test_last_weeks_board_is_posted_once_on_monday_at_the_post_time(
    team: str,
    fake_slack: FakeSlack,
    services: Services,
    jobs: Jobs,
    chat: SlackChat,
    clock: FakeClock,
) -> None:
    play(services, clock, team, "2026-11-18", {ALICE: "worst", CAROL: "middle"})  # the week before
    play(services, clock, team, "2026-11-24", {ALICE: "best", BOB: "best", CAROL: "middle"})
    play(services, clock, team, "2026-11-26", {ALICE: "best", BOB: "best"})

    clock.set(local("2026-11-30 09:29"))
    jobs.tick()
    assert boards(fake_slack) == []
    clock.set(local("2026-11-30 09:30"))
    jobs.tick()
    (post,) = boards(fake_slack)
    assert post.args["channel"] == CHANNEL
    text = board_text(post)
    assert "Last week's leaderboard 2026-11-23 – 2026-11-29" in text
    # Ties share a rank; points, rounds, average and streak for each.
    lines = [ln for ln in lines_of(post) if "pts" in ln]
    assert lines[0].startswith("1. <@U0ALICE>") and lines[1].startswith("1. <@U0BOB>")
    assert lines[2].startswith("3. <@U0CAROL>")
    assert "2 rounds" in lines[0] and "streak 3" in lines[0] and "avg 100%" in lines[0]
    assert "Most improved: <@U0ALICE> (0% → 100%)" in text
    weakest = services.weekly_leaderboard(team, date(2026, 11, 23)).weakest_topic
    assert weakest is not None
    title = services.bank.topic(weakest.topic).title.en
    assert f"weakest topic: *{title}* (average {round(weakest.average_percent)}%)" in text
    button = next(e for b in post.args["blocks"] if "accessory" in b for e in [b["accessory"]])
    assert (button["action_id"], button["value"]) == (ids.PRACTICE_TOPIC_ACTION_ID, weakest.topic)

    # Later that day, and from a second scheduler: nothing more.
    clock.set(local("2026-11-30 15:00"))
    jobs.tick()
    Jobs(services=services, chat=chat, clock=clock).tick()
    assert len(boards(fake_slack)) == 1


def test_no_board_for_a_week_without_rounds(
    team: str, fake_slack: FakeSlack, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    play(services, clock, team, "2026-11-18", {ALICE: "best"})
    services.update_settings(team, weekdays="sat")  # no daily round on the Monday either
    clock.set(local("2026-11-30 10:00"))  # Monday: the week of 11-23 had no rounds
    jobs.tick()
    assert boards(fake_slack) == []
    assert services.round_today(team) is None


def test_the_leaderboard_day_is_a_setting(
    team: str, fake_slack: FakeSlack, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    services.update_settings(team, leaderboard_day="fri", weekdays="mon")
    play(services, clock, team, "2026-12-07", {BOB: "middle"})
    clock.set(local("2026-12-14 10:00"))  # Monday
    jobs.tick()
    assert boards(fake_slack) == []
    clock.set(local("2026-12-18 09:30"))  # Friday: the week of 12-07
    jobs.tick()
    (post,) = boards(fake_slack)
    assert "2026-12-07 – 2026-12-13" in board_text(post)


def test_a_paused_workspace_posts_no_board(
    team: str, fake_slack: FakeSlack, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    play(services, clock, team, "2026-12-22", {BOB: "middle"})
    services.update_settings(team, paused=True)
    clock.set(local("2026-12-28 10:00"))
    jobs.tick()
    assert boards(fake_slack) == []


def test_the_practice_button_opens_a_question_on_the_weakest_topic(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, clock: FakeClock
) -> None:
    clock.set(local("2026-12-02 10:00"))
    slug = services.bank.topics[-1].slug
    assert slack.click(ids.PRACTICE_TOPIC_ACTION_ID, slug, user=CAROL).status == 200
    (opened,) = fake_slack.wait_for("views.open")
    view: dict[str, Any] = opened.args["view"]
    assert view["callback_id"] == ids.PRACTICE_MODAL_CALLBACK_ID
    question = services.question(json.loads(view["private_metadata"])["question"])
    assert question.topic == slug
