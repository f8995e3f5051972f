"""Answering the daily round over HTTP: the button, the modal, the grade, the count.

The app is served on 127.0.0.1 with the real services on SQLite; Slack's Web API is the
local fake; every request is signed as Slack signs it.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.config import Settings
from bot.domain.model import Question
from bot.domain.records import RoundInfo
from bot.services import Services
from bot.slack import ids
from bot.slack.round_blocks import question_post
from tests.e2e.conftest import ADMIN, BOT_TOKEN, CHANNEL, FakeClock
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import Response, SlackSender, text_input

ALICE, BOB = "U0ALICE", "U0BOB"


def post_round(services: Services, fake: FakeSlack, team_id: str) -> RoundInfo:
    """Create today's round and post it to the fake Slack, as the daily job does."""
    round_ = services.create_round(team_id)
    question = services.question(round_.question_id)
    text, blocks = question_post(
        round_, question, None, lang="en", timezone="Asia/Shanghai", answered=0
    )
    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    posted = client.chat_postMessage(channel=CHANNEL, text=text, blocks=blocks)
    services.record_round_message(round_.id, str(posted["channel"]), str(posted["ts"]))
    return services.get_round(round_.id)


def updates_of(fake: FakeSlack, round_: RoundInfo) -> list[Call]:
    """The chat.update calls for this round's post (other tests' trailing updates aside)."""
    return [c for c in fake.calls_to("chat.update") if c.args.get("ts") == round_.message_ts]


def full_answer(question: Question) -> str:
    examples = sorted(question.examples, key=lambda e: -e.min_points)
    return examples[0].answer


def answer(slack: SlackSender, round_: RoundInfo, text: str | None, user: str = ALICE) -> Response:
    return slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, text),
        user=user,
        private_metadata=json.dumps({"round": round_.id, "lang": "en"}),
    )


def view_text(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def wait_until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def morning(clock: FakeClock) -> None:
    """10:00 on Wednesday 2026-11-25 in Shanghai: today's round is open."""
    clock.set(clock.now().replace(hour=2, minute=0))


@pytest.fixture
def round_(services: Services, fake_slack: FakeSlack, team_id: str) -> RoundInfo:
    return post_round(services, fake_slack, team_id)


def test_answer_opens_a_modal_with_the_question(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, round_: RoundInfo
) -> None:
    resp = slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE)
    assert resp.status == 200
    (call,) = fake_slack.wait_for("views.open")
    view = call.args["view"]
    assert call.args["trigger_id"]
    assert view["callback_id"] == ids.ANSWER_MODAL_CALLBACK_ID
    assert json.loads(view["private_metadata"])["round"] == round_.id
    question = services.question(round_.question_id)
    assert question.prompt.en[:50] in view_text(view)
    assert "18:00" in view_text(view)


def test_a_submitted_answer_is_graded_and_stored_before_the_acknowledgement(
    slack: SlackSender, services: Services, round_: RoundInfo
) -> None:
    question = services.question(round_.question_id)
    resp = answer(slack, round_, full_answer(question))
    assert resp.status == 200
    body = resp.json()
    assert body["response_action"] == "update"
    view = body["view"]
    assert view["callback_id"] == ids.FEEDBACK_MODAL_CALLBACK_ID
    # Stored by the time Slack got the acknowledgement.
    assert services.count_answers(round_.id) == 1
    text = view_text(view)
    example = max(question.examples, key=lambda e: e.min_points)
    points = [p for p in text.split("*Points: ")[1].split("*")[0].split("/")]
    assert example.min_points <= float(points[0]) <= example.max_points
    assert "Counted" in text
    assert question.rubric.concepts[0].label.en in text
    assert question.reference.en.split()[0] in text


def test_the_post_counts_answers_without_names_or_scores(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, round_: RoundInfo
) -> None:
    secret = full_answer(services.question(round_.question_id))
    answer(slack, round_, secret, user=ALICE)
    answer(slack, round_, "Pods and nodes, I think.", user=BOB)

    def shows_two() -> bool:
        message = fake_slack.message(CHANNEL, str(round_.message_ts))
        return message is not None and "2 answered" in json.dumps(message["blocks"])

    wait_until(shows_two)
    for call in updates_of(fake_slack, round_):
        dumped = json.dumps(call.args, ensure_ascii=False)
        assert ALICE not in dumped and BOB not in dumped
        assert secret[:40] not in dumped and "Points" not in dumped


def test_the_count_ends_up_right_after_a_burst_of_answers(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, round_: RoundInfo
) -> None:
    users = [f"U0P{i}" for i in range(6)]
    for user in users:
        assert answer(slack, round_, "kube-proxy and iptables", user=user).status == 200

    def shows_all() -> bool:
        message = fake_slack.message(CHANNEL, str(round_.message_ts))
        return message is not None and f"{len(users)} answered" in json.dumps(message["blocks"])

    wait_until(shows_all)


def test_a_second_answer_is_graded_as_practice(
    slack: SlackSender, services: Services, round_: RoundInfo
) -> None:
    assert answer(slack, round_, "ClusterIP is internal").status == 200
    resp = answer(slack, round_, full_answer(services.question(round_.question_id)))
    assert resp.status == 200
    text = view_text(resp.json()["view"])
    assert "Points" in text and "first answer to this round already counts" in text
    assert services.count_answers(round_.id) == 1


def test_after_the_close_the_modal_and_the_grade_say_practice(
    slack: SlackSender,
    fake_slack: FakeSlack,
    services: Services,
    round_: RoundInfo,
    clock: FakeClock,
) -> None:
    clock.set(round_.closes_at + timedelta(minutes=5))
    slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE)
    (call,) = fake_slack.wait_for("views.open")
    assert "answers now are practice" in view_text(call.args["view"])

    resp = answer(slack, round_, full_answer(services.question(round_.question_id)))
    text = view_text(resp.json()["view"])
    assert "this round has closed" in text
    assert services.count_answers(round_.id) == 0
    assert updates_of(fake_slack, round_) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Write an answer first"),
        ("   \n ", "Write an answer first"),
        ("x" * 3001, "at most 3,000 characters; this one has 3001"),
    ],
)
def test_an_empty_or_overlong_answer_is_refused_and_nothing_is_stored(
    slack: SlackSender, services: Services, round_: RoundInfo, text: str | None, message: str
) -> None:
    resp = answer(slack, round_, text)
    assert resp.status == 200
    body = resp.json()
    assert body["response_action"] == "errors"
    assert message in body["errors"][ids.ANSWER_BLOCK_ID]
    assert services.count_answers(round_.id) == 0


def test_the_other_language_is_one_click_away(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, round_: RoundInfo
) -> None:
    slack.click(ids.OTHER_LANGUAGE_ACTION_ID, str(round_.id), user=ALICE)
    (call,) = fake_slack.wait_for("views.open")
    question = services.question(round_.question_id)
    text = view_text(call.args["view"])
    assert question.prompt.zh[:20] in text


@pytest.mark.parametrize("value", ["999999", "not-a-round"])
def test_a_button_for_a_round_that_is_gone_says_so(
    slack: SlackSender, fake_slack: FakeSlack, value: str
) -> None:
    assert slack.click(ids.ANSWER_ACTION_ID, value, user=ALICE).status == 200
    (call,) = fake_slack.wait_for("views.open")
    assert "no longer available" in view_text(call.args["view"])


def test_a_round_of_another_workspace_cannot_be_opened(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, settings: Settings
) -> None:
    other = "T9OTHER"
    services.ensure_workspace(other)
    services.update_settings(other, channel_id=CHANNEL)
    theirs = services.create_round(other)
    slack.click(ids.ANSWER_ACTION_ID, str(theirs.id), user=ALICE)
    (call,) = fake_slack.wait_for("views.open")
    assert "no longer available" in view_text(call.args["view"])


def test_a_rate_limited_views_open_is_retried_after_retry_after(
    slack: SlackSender, fake_slack: FakeSlack, round_: RoundInfo
) -> None:
    fake_slack.fail("views.open", status=429, retry_after=0)
    slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE)
    first, second = fake_slack.wait_for("views.open", 2)
    assert (first.status, second.status) == (429, 200)
    assert second.args["view"]["callback_id"] == ids.ANSWER_MODAL_CALLBACK_ID


def test_a_failing_chat_update_is_retried(
    slack: SlackSender, fake_slack: FakeSlack, round_: RoundInfo
) -> None:
    fake_slack.fail("chat.update", status=500)
    answer(slack, round_, "ClusterIP, NodePort")
    failed, retried = fake_slack.wait_for("chat.update", 2)
    assert (failed.status, retried.status) == (500, 200)
    message = fake_slack.message(CHANNEL, str(round_.message_ts))
    assert message is not None and "1 answered" in json.dumps(message["blocks"])


# ----- practice with /k8sq -----


def test_k8sq_topic_opens_a_practice_question_and_grades_it(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    resp = slack.command("svc", user=ALICE)
    assert resp.status == 200
    # The question comes back privately, with an Answer button that opens the modal.
    (button,) = [e for b in resp.json()["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ids.PRACTICE_ANSWER_ACTION_ID
    assert fake_slack.calls_to("views.open") == []
    assert slack.click(ids.PRACTICE_ANSWER_ACTION_ID, button["value"], user=ALICE).status == 200
    (call,) = fake_slack.wait_for("views.open")
    view = call.args["view"]
    assert view["callback_id"] == ids.PRACTICE_MODAL_CALLBACK_ID
    question_id = json.loads(view["private_metadata"])["question"]
    question = services.question(question_id)
    assert question.topic == "services"

    resp = slack.submit(
        ids.PRACTICE_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, full_answer(question)),
        user=ALICE,
        private_metadata=view["private_metadata"],
    )
    body = resp.json()
    assert body["response_action"] == "update"
    assert "does not count for the leaderboard" in view_text(body["view"])
    scores = services.store.question_scores(slack.team_id, ALICE)
    assert [s.question_id for s in scores] == [question_id]


def test_k8sq_with_an_unknown_topic_names_the_topics(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    resp = slack.command("kubernetes-cooking", user=ALICE)
    assert resp.status == 200
    assert "kubernetes-cooking" in resp.text
    assert "`services`" in resp.text
    assert fake_slack.calls_to("views.open") == []


def test_k8sq_help(slack: SlackSender) -> None:
    resp = slack.command("help", user=ALICE)
    assert resp.status == 200
    assert "/k8sq <topic>" in resp.text


# ----- the admins' "Post again" -----


def test_post_again_is_for_admins_and_points_to_the_command(
    slack: SlackSender, fake_slack: FakeSlack, round_: RoundInfo
) -> None:
    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user=BOB, channel="D0ADMIN")
    (refused,) = fake_slack.wait_for("chat.postEphemeral")
    assert refused.args["user"] == BOB and "only the workspace's admins" in refused.args["text"]

    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user=ADMIN, channel="D0ADMIN")
    _, told = fake_slack.wait_for("chat.postEphemeral", 2)
    assert told.args["user"] == ADMIN
    assert f"k8sq post-daily --team {slack.team_id} --force" in told.args["text"]


@pytest.mark.parametrize("values", [{}, {"other": {"x": {"type": "plain_text_input"}}}])
def test_a_submission_without_the_answer_input_is_refused(
    slack: SlackSender, services: Services, round_: RoundInfo, values: dict[str, Any]
) -> None:
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        values,
        user=ALICE,
        private_metadata=json.dumps({"round": round_.id, "lang": "en"}),
    )
    assert resp.json()["response_action"] == "errors"
    assert services.count_answers(round_.id) == 0


@pytest.mark.parametrize("metadata", ["", "not json", '{"round": "1"}', "[1]"])
def test_a_submission_with_foreign_metadata_is_refused(slack: SlackSender, metadata: str) -> None:
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, "an answer"),
        user=ALICE,
        private_metadata=metadata,
    )
    assert resp.status == 200
    assert "no longer available" in resp.json()["errors"][ids.ANSWER_BLOCK_ID]


def test_a_dropped_chat_update_is_retried(
    slack: SlackSender, fake_slack: FakeSlack, round_: RoundInfo
) -> None:
    fake_slack.fail("chat.update", drop=True)
    answer(slack, round_, "ClusterIP, NodePort")
    dropped, retried = fake_slack.wait_for("chat.update", 2)
    assert (dropped.status, retried.status) == (0, 200)


def test_views_open_is_not_repeated_after_a_server_error(
    slack: SlackSender, fake_slack: FakeSlack, round_: RoundInfo
) -> None:
    # A modal that may have opened is not opened twice; the person can press Answer again.
    fake_slack.fail("views.open", status=500)
    assert slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE).status == 200
    (failed,) = fake_slack.wait_for("views.open")
    assert failed.status == 500
    assert slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE).status == 200
    _, opened = fake_slack.wait_for("views.open", 2)
    assert opened.status == 200
    # The second call is the second click (a new trigger), not a retry of the first.
    assert opened.args["trigger_id"] != failed.args["trigger_id"]
