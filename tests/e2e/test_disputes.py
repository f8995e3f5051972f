"""A dispute from the grade to the changed leaderboard, over HTTP and through the real jobs.

The round is posted and revealed by `tick`; the admins hear of a dispute only after the
reveal; an admin sets the points with a reason; the person is told; the boards follow.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import select

from bot.config import Settings
from bot.jobs import Jobs
from bot.services import Services
from bot.slack import dispute_blocks, ids
from bot.slack.app import build_app
from bot.slack.chat import SlackChat
from bot.store import tables as t
from tests.e2e.conftest import ADMIN, BOT_TOKEN, FakeClock
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackSender, block_actions, text_input

ALICE, BOB = "U0ALICE", "U0BOB"
OPEN = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
AFTER_CLOSE = datetime(2026, 11, 25, 10, 1, tzinfo=UTC)  # 18:01


@pytest.fixture(scope="module")
def jobs(services: Services, slack_api: FakeSlack, clock: FakeClock) -> Jobs:
    chat = SlackChat(base_url=slack_api.url, token_for=lambda _team: BOT_TOKEN, backoff=0.01)
    return Jobs(services=services, chat=chat, clock=clock)


@pytest.fixture(scope="module")
def bolt_app(settings: Settings, services: Services, jobs: Jobs) -> Iterator[App]:
    yield build_app(settings, services, jobs=jobs, count_interval=0.3)


@pytest.fixture
def round_id(slack: SlackSender, services: Services, jobs: Jobs, clock: FakeClock) -> int:
    """Today's round of the test's workspace, posted by tick (the others are paused)."""
    clock.set(OPEN)
    for ws in services.list_workspaces():
        if ws.team_id != slack.team_id:
            services.update_settings(ws.team_id, paused=True)
    jobs.tick()
    round_ = services.round_today(slack.team_id)
    assert round_ is not None and round_.message_state == "posted"
    return round_.id


def answer(slack: SlackSender, round_id: int, user: str, text: str) -> dict[str, Any]:
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, text),
        user=user,
        private_metadata=json.dumps({"round": round_id, "lang": "en"}),
    )
    view: dict[str, Any] = resp.json()["view"]
    return view


def click_in_modal(slack: SlackSender, action_id: str, value: str, user: str) -> None:
    """A button click inside a modal (the container is the view, not a message)."""
    payload = block_actions(slack.team_id, action_id, value, user, "", "", "k8sq.dispute")
    payload["container"] = {"type": "view", "view_id": "V0FEEDBACK"}
    payload["view"] = {"id": "V0FEEDBACK", "type": "modal", "callback_id": "x"}
    del payload["channel"], payload["message"]
    assert slack.send_payload(payload).status == 200


def dispute(slack: SlackSender, fake: FakeSlack, round_id: int, user: str, comment: str) -> str:
    """Press Dispute under the grade, write the comment, send; return what the modal says."""
    before = len(fake.calls_to("views.update"))
    click_in_modal(slack, ids.DISPUTE_ACTION_ID, str(round_id), user)
    updated = wait(fake, "views.update", before + 1)[-1]
    assert updated.args["view_id"] == "V0FEEDBACK"
    form = updated.args["view"]
    assert form["callback_id"] == ids.DISPUTE_MODAL_CALLBACK_ID
    resp = slack.submit(
        ids.DISPUTE_MODAL_CALLBACK_ID,
        text_input(dispute_blocks.COMMENT_BLOCK_ID, dispute_blocks.COMMENT_INPUT_ID, comment),
        user=user,
        private_metadata=form["private_metadata"],
    )
    body = resp.json()
    assert body["response_action"] == "update"
    return json.dumps(body["view"], ensure_ascii=False)


def wait(fake: FakeSlack, method: str, count: int = 1) -> list[Call]:
    return fake.wait_for(method, count)


def dms_to(fake: FakeSlack, user: str) -> list[Call]:
    channel = "D" + user.lstrip("UW")
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


def eventually(check: Any) -> Any:
    deadline = time.monotonic() + 5
    while not (found := check()):
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)
    return found


def points_of(services: Services, team: str, user: str) -> float:
    standings = services.weekly_leaderboard(team).standings
    return next(s.points for s in standings if s.user_id == user)


def test_a_dispute_from_the_grade_to_the_changed_leaderboard(
    slack: SlackSender,
    fake_slack: FakeSlack,
    services: Services,
    jobs: Jobs,
    clock: FakeClock,
    round_id: int,
) -> None:
    team = slack.team_id
    home = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
    assert slack.event(home).status == 200  # her tab follows her score
    feedback = answer(slack, round_id, ALICE, "ClusterIP is reachable only inside the cluster")
    (button,) = [e for b in feedback["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (ids.DISPUTE_ACTION_ID, str(round_id))
    answer(slack, round_id, ADMIN, "no idea")  # admins play too

    said = dispute(slack, fake_slack, round_id, ALICE, "I said <b>it</b> & more")
    assert "when the round is revealed" in said
    assert "already disputed" in dispute(slack, fake_slack, round_id, ALICE, "again")
    assert "when the round is revealed" in dispute(slack, fake_slack, round_id, ADMIN, "")
    time.sleep(0.2)
    assert dms_to(fake_slack, ADMIN) == []  # nothing before the reveal

    clock.set(AFTER_CLOSE)
    jobs.tick()  # reveals, then tells the admins
    told = dms_to(fake_slack, ADMIN)
    assert len(told) == 2
    jobs.tick()
    assert len(dms_to(fake_slack, ADMIN)) == 2  # once each

    alice_dm = next(c for c in told if "<@U0ALICE>" in c.args["text"])
    shown = json.dumps(alice_dm.args["blocks"], ensure_ascii=False)
    assert "I said &lt;b&gt;it&lt;/b&gt; &amp; more" in shown
    assert "ClusterIP is reachable only inside the cluster" in shown
    before = points_of(services, team, ALICE)
    assert f"{before:g}/10" in alice_dm.args["text"]
    (settle,) = [
        e for b in alice_dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert settle["action_id"] == ids.SETTLE_ACTION_ID

    # Someone else cannot set points, by the button or by a forged submission.
    slack.click(ids.SETTLE_ACTION_ID, settle["value"], user=BOB, channel="D0BOB")
    (refused,) = wait(fake_slack, "chat.postEphemeral")
    assert refused.args["user"] == BOB and "only the workspace's admins" in refused.args["text"]
    meta = json.dumps({"dispute": int(settle["value"]), "lang": "en"})
    forged = settle_points(slack, BOB, meta, "10", "I deserve it")
    assert "not an admin" in forged["errors"][dispute_blocks.POINTS_BLOCK_ID]

    slack.click(ids.SETTLE_ACTION_ID, settle["value"], user=ADMIN, channel="D0ADMIN")
    (opened,) = wait(fake_slack, "views.open")
    form = opened.args["view"]
    assert form["callback_id"] == ids.SETTLE_MODAL_CALLBACK_ID
    for bad, why in (("abc", "Write a number"), ("11", "between 0 and 10"), ("nan", "number")):
        body = settle_points(slack, ADMIN, form["private_metadata"], bad, "fair")
        assert why in body["errors"][dispute_blocks.POINTS_BLOCK_ID]
    body = settle_points(slack, ADMIN, form["private_metadata"], "9.5", "")
    assert "reason" in body["errors"][dispute_blocks.REASON_BLOCK_ID]

    body = settle_points(slack, ADMIN, form["private_metadata"], "9.5", "said in other words")
    assert body["response_action"] == "update"
    assert "to 9.5/10" in json.dumps(body["view"])

    # The person is told, their Home tab follows, and so do the boards.
    (told_alice,) = eventually(lambda: dms_to(fake_slack, ALICE))
    assert "9.5/10" in told_alice.args["text"] and "said in other words" in told_alice.args["text"]
    assert "<@U0ADMIN>" in told_alice.args["text"]
    eventually(
        lambda: [c for c in fake_slack.calls_to("views.publish") if c.args["user_id"] == ALICE]
    )
    assert points_of(services, team, ALICE) == 9.5
    board = slack.command("leaderboard", user=BOB).json()
    assert "<@U0ALICE>  *9.5* pts" in json.dumps(board["blocks"])
    with services.store.engine.connect() as conn:  # type: ignore[attr-defined]
        change = conn.execute(
            select(
                t.score_changes.c.old_points,
                t.score_changes.c.new_points,
                t.score_changes.c.changed_by,
                t.score_changes.c.reason,
            ).order_by(t.score_changes.c.id.desc())
        ).first()
    assert change is not None and tuple(change) == (before, 9.5, ADMIN, "said in other words")


def settle_points(
    slack: SlackSender, user: str, meta: str, points: str, reason: str
) -> dict[str, Any]:
    values = {
        **text_input(dispute_blocks.POINTS_BLOCK_ID, dispute_blocks.POINTS_INPUT_ID, points),
        **text_input(dispute_blocks.REASON_BLOCK_ID, dispute_blocks.REASON_INPUT_ID, reason),
    }
    resp = slack.submit(ids.SETTLE_MODAL_CALLBACK_ID, values, user=user, private_metadata=meta)
    assert resp.status == 200
    body: dict[str, Any] = resp.json()
    return body


def test_a_dispute_after_the_reveal_goes_to_the_admins_at_once(
    slack: SlackSender,
    fake_slack: FakeSlack,
    services: Services,
    jobs: Jobs,
    clock: FakeClock,
    round_id: int,
) -> None:
    answer(slack, round_id, BOB, "NodePort opens a port on every node")
    clock.set(AFTER_CLOSE)
    jobs.tick()
    assert "went to the admins" in dispute(slack, fake_slack, round_id, BOB, "")
    (dm,) = eventually(lambda: dms_to(fake_slack, ADMIN))
    assert "<@U0BOB>" in dm.args["text"]
    jobs.tick()
    assert len(dms_to(fake_slack, ADMIN)) == 1


def test_only_a_scored_answer_can_be_disputed(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, round_id: int
) -> None:
    # A second try is practice: its grade has no Dispute button.
    answer(slack, round_id, BOB, "first")
    second = answer(slack, round_id, BOB, "second try")
    assert ids.DISPUTE_ACTION_ID not in json.dumps(second)
    # Someone with no scored answer is told so when they press the button.
    click_in_modal(slack, ids.DISPUTE_ACTION_ID, str(round_id), ALICE)
    told = wait(fake_slack, "views.update")[-1].args["view"]
    assert "no scored answer" in json.dumps(told)
    assert "no scored answer" not in dispute(slack, fake_slack, round_id, BOB, "")


def test_the_reveal_offers_a_dispute_to_whoever_answered(
    slack: SlackSender,
    fake_slack: FakeSlack,
    services: Services,
    jobs: Jobs,
    clock: FakeClock,
    round_id: int,
) -> None:
    """After the reveal, the grade modal is long closed: the reveal in the thread has the
    Dispute button, and the form opens only for someone with a scored answer."""
    answer(slack, round_id, BOB, "NodePort opens a port on every node")
    clock.set(AFTER_CLOSE)
    jobs.tick()
    round_ = services.get_round(round_id)
    reveal = next(
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == round_.message_ts
    )
    [button] = [
        e
        for b in reveal.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.DISPUTE_ACTION_ID
    ]
    assert button["value"] == str(round_id)

    for user in (ALICE, BOB):
        payload = block_actions(
            slack.team_id, ids.DISPUTE_ACTION_ID, button["value"], user, "C0", "1.2", "k8sq.reveal"
        )
        assert slack.send_payload(payload).status == 200
    opened = wait(fake_slack, "views.open", 2)
    views = {json.dumps(c.args["view"], ensure_ascii=False) for c in opened[-2:]}
    assert any("no scored answer" in v for v in views)
    form = next(
        c.args["view"]
        for c in opened[-2:]
        if "callback_id" in c.args["view"]
        and c.args["view"]["callback_id"] == ids.DISPUTE_MODAL_CALLBACK_ID
    )
    resp = slack.submit(
        ids.DISPUTE_MODAL_CALLBACK_ID,
        text_input(dispute_blocks.COMMENT_BLOCK_ID, dispute_blocks.COMMENT_INPUT_ID, "why?"),
        user=BOB,
        private_metadata=form["private_metadata"],
    )
    assert "went to the admins" in json.dumps(resp.json()["view"])
    (dm,) = eventually(lambda: dms_to(fake_slack, ADMIN))
    assert "<@U0BOB>" in dm.args["text"]
