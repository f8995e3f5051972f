"""The App Home tab over HTTP: published when opened and after each answer; it shows the
person's numbers, this week's board and today's question, and nobody's grade before the reveal.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.services import Services
from bot.slack import ids
from tests.e2e.conftest import FakeClock
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackSender, text_input

ALICE, BOB = "U0ALICE", "U0BOB"


@pytest.fixture(autouse=True)
def morning(clock: FakeClock) -> None:
    """08:00 on Wednesday 2026-11-25 in Shanghai, before the post time."""
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))


def open_home(slack: SlackSender, user: str) -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
    assert slack.event(event).status == 200


def published(fake: FakeSlack, user: str, count: int = 1) -> list[Call]:
    deadline = time.monotonic() + 5
    while True:
        found = [c for c in fake.calls_to("views.publish") if c.args["user_id"] == user]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{len(found)} views.publish for {user}"
            return found
        time.sleep(0.02)


def shown(call: Call) -> str:
    return json.dumps(call.args["view"], ensure_ascii=False)


def answer(slack: SlackSender, round_id: int, user: str, text: str) -> None:
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, text),
        user=user,
        private_metadata=json.dumps({"round": round_id, "lang": "en"}),
    )
    assert resp.json()["response_action"] == "update"


def best_answer(services: Services, question_id: str) -> str:
    examples = services.question(question_id).examples
    return max(examples, key=lambda e: e.min_points).answer


def test_the_tab_before_the_days_question(slack: SlackSender, fake_slack: FakeSlack) -> None:
    open_home(slack, ALICE)
    (call,) = published(fake_slack, ALICE)
    view: dict[str, Any] = call.args["view"]
    assert view["type"] == "home"
    text = shown(call)
    assert "No question today. Next: 2026-11-25 09:30 (Asia/Shanghai)" in text
    assert "Your numbers" in text and "Mastery per topic" in text and "Leaderboard" in text


def test_the_tab_shows_todays_question_and_follows_the_answers(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00
    round_ = services.create_round(slack.team_id)
    open_home(slack, BOB)
    (home,) = published(fake_slack, BOB)
    buttons = {
        e["action_id"]: e["value"]
        for b in home.args["view"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert buttons[ids.ANSWER_ACTION_ID] == str(round_.id)

    open_home(slack, ALICE)
    published(fake_slack, ALICE)
    answer(slack, round_.id, ALICE, best_answer(services, round_.question_id))
    _, after = published(fake_slack, ALICE, 2)  # refreshed after answering
    assert "1 answered" in shown(after)
    assert "No answers yet" not in shown(after)  # her own mastery shows at once

    # Before the reveal nobody else sees her points, on the board or anywhere.
    open_home(slack, BOB)
    _, bob_again = published(fake_slack, BOB, 2)
    assert "<@U0ALICE>" not in shown(bob_again)

    services.reveal_round(round_.id)
    open_home(slack, BOB)
    *_, bob_later = published(fake_slack, BOB, 3)
    assert "1. <@U0ALICE>" in shown(bob_later)


def test_a_practice_answer_refreshes_the_tab(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    open_home(slack, ALICE)
    published(fake_slack, ALICE)
    question = services.bank.questions[0]
    resp = slack.submit(
        ids.PRACTICE_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, best_answer(services, question.id)),
        user=ALICE,
        private_metadata=json.dumps({"question": question.id, "lang": "en"}),
    )
    assert resp.json()["response_action"] == "update"
    _, call = published(fake_slack, ALICE, 2)
    title = services.bank.topic(question.topic).title.en
    assert f"*{title}*" in shown(call)


def test_the_tab_speaks_the_workspaces_language(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    services.update_settings(slack.team_id, language="zh")
    open_home(slack, ALICE)
    (call,) = published(fake_slack, ALICE)
    assert "今天没有题目" in shown(call) and "你的成绩" in shown(call)


def test_an_answer_with_input_errors_publishes_nothing(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    round_ = services.create_round(slack.team_id)
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, "   "),
        user=ALICE,
        private_metadata=json.dumps({"round": round_.id, "lang": "en"}),
    )
    assert resp.json()["response_action"] == "errors"
    time.sleep(0.2)
    assert fake_slack.calls_to("views.publish") == []


def test_no_tab_is_built_for_someone_who_never_opened_it(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    round_ = services.create_round(slack.team_id)
    answer(slack, round_.id, BOB, best_answer(services, round_.question_id))
    open_home(slack, ALICE)  # someone else's tab, to know the refreshes have run
    published(fake_slack, ALICE)
    assert [c.args["user_id"] for c in fake_slack.calls_to("views.publish")] == [ALICE]
