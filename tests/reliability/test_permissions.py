"""Permissions: every admin action tried by someone who is not an admin is refused and
changes nothing; before the reveal nobody sees another person's answer or grade through any
command, modal or Home tab."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from bot.slack import dispute_blocks, ids
from bot.store import tables as t
from tests.e2e.conftest import CHANNEL
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender, text_input
from tests.e2e.test_answer import answer
from tests.integration.game import FakeClock
from tests.reliability import figures
from tests.reliability.world import TEAM, open_round, served_app, services_for, settle

ALICE, BOB = "U0ALICE", "U0BOB"  # neither is an admin (Slack's users.info says so too)
SECRET = "ClusterIP 只在集群内部可达 kube-proxy iptables zebra-7781"


def points_of(engine: Engine, user: str) -> list[float]:
    a = t.answers
    with engine.connect() as conn:
        return list(conn.execute(select(a.c.points).where(a.c.user_id == user)).scalars())


def said_to(slack: FakeSlack, user: str) -> list[str]:
    """Everything the Web API showed `user` (Home tabs, ephemeral messages), and every modal."""
    return [
        json.dumps(call.args, ensure_ascii=False)
        for call in slack.calls
        if user in (call.args.get("user_id"), call.args.get("user"))
        or call.method in ("views.open", "views.update", "views.push")
    ]


def test_no_admin_action_works_for_someone_else_and_no_answer_leaks_before_the_reveal(
    database_url: str, engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    services = services_for(engine, clock)
    round_ = open_round(services, slack, clock)
    with served_app(database_url, services, slack) as sender:
        bob = SlackSender(sender_url(sender), sender.secret, team_id=TEAM)
        assert answer(sender, round_, SECRET, user=ALICE).status == 200
        alice_points = points_of(engine, ALICE)
        assert len(alice_points) == 1
        dispute, _ = services.file_dispute(round_.id, ALICE, "please look again")
        settings_before = services.get_settings(TEAM)
        slack.reset()

        # ----- what Bob can see before the reveal -----
        seen: list[str] = []
        for text in ("", "help", "today", "leaderboard", "leaderboard all", "stats", "services"):
            resp = bob.command(text, user=BOB)
            assert resp.status == 200, (text, resp.status)
            seen.append(resp.text)
        bob.event({"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"})
        bob.click(ids.ANSWER_ACTION_ID, str(round_.id), user=BOB, channel=CHANNEL)
        bob.click(ids.OTHER_LANGUAGE_ACTION_ID, str(round_.id), user=BOB, channel=CHANNEL)
        settle(slack)
        assert [c.args["user_id"] for c in slack.calls_to("views.publish")] == [BOB]
        assert len(slack.calls_to("views.open")) == 2  # the answer modal, the other language
        seen += said_to(slack, BOB)
        for shown in seen:
            assert ALICE not in shown and "zebra-7781" not in shown, shown[:500]

        # ----- admin actions, as Bob -----
        slack.reset()
        resp = bob.command("config", user=BOB)
        assert "admins" in resp.text, resp.text
        resp = bob.command("pause", user=BOB)
        assert not services.get_settings(TEAM).paused
        services.update_settings(TEAM, paused=True)
        bob.command("resume", user=BOB)
        assert services.get_settings(TEAM).paused  # still paused
        services.update_settings(TEAM, paused=False)
        resp = bob.submit(
            ids.SETTINGS_MODAL_CALLBACK_ID,
            {
                "channel": {
                    "channel": {"type": "conversations_select", "selected_conversation": "C0EVIL"}
                }
            },
            user=BOB,
        )
        assert resp.status == 200 and resp.json()["response_action"] == "errors"
        bob.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user=BOB, channel="D0BOB")
        bob.click(ids.SETTLE_ACTION_ID, str(dispute.id), user=BOB, channel="D0BOB")
        resp = bob.submit(
            ids.SETTLE_MODAL_CALLBACK_ID,
            {
                **text_input(dispute_blocks.POINTS_BLOCK_ID, dispute_blocks.POINTS_INPUT_ID, "0"),
                **text_input(
                    dispute_blocks.REASON_BLOCK_ID, dispute_blocks.REASON_INPUT_ID, "mine now"
                ),
            },
            user=BOB,
            private_metadata=json.dumps({"dispute": dispute.id, "lang": "en"}),
        )
        assert resp.status == 200 and resp.json()["response_action"] == "errors"
        settle(slack)
        calls: list[Any] = slack.calls
    assert services.get_settings(TEAM) == settings_before  # nothing changed
    assert points_of(engine, ALICE) == alice_points
    assert [c for c in calls if c.method == "views.open"] == []  # no admin modal opened
    posted = [
        c for c in calls if c.method == "chat.postMessage" and c.args.get("channel") == CHANNEL
    ]
    assert posted == []  # "Post again" posted nothing
    refusals = [c for c in calls if c.method == "chat.postEphemeral" and c.args.get("user") == BOB]
    assert len(refusals) >= 2  # Post again and Set points each said no
    figures.record(
        f"permissions ({engine.dialect.name})",
        admin_actions_tried=7,
        refused=7,
        views_checked_for_leaks=len(seen),
        leaks=0,
    )


def sender_url(sender: SlackSender) -> str:
    return f"http://{sender.host}:{sender.port}{sender.path}"
