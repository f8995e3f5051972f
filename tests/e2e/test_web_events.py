"""Events through the real app: Slack's retries never act twice; unasked-for events are ignored."""

from __future__ import annotations

import json

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender

HOME = {"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"}


def test_a_retried_event_is_acknowledged_and_not_handled_again(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    assert slack.event(HOME, event_id="Ev0HOME1").status == 200
    (published,) = fake_slack.wait_for("views.publish")
    assert published.args["user_id"] == "U0ALICE"
    assert "/k8sq" in json.dumps(published.args["view"])

    for retry in (1, 2, 3):
        resp = slack.event(HOME, event_id="Ev0HOME1", retry_num=retry)
        assert resp.status == 200
    # The same delivery without the retry header (a second web worker, say) is dropped too.
    assert slack.event(HOME, event_id="Ev0HOME1").status == 200
    assert slack.event(HOME, event_id="Ev0HOME2").status == 200
    assert len(fake_slack.wait_for("views.publish", 2)) == 2
    assert [c.args["user_id"] for c in fake_slack.calls_to("views.publish")] == ["U0ALICE"] * 2


def test_channel_messages_and_other_events_are_acknowledged_and_ignored(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    events = [
        {
            "type": "message",
            "channel": "C0ROUND",
            "user": "U0BOB",
            "text": "my answer",
            "ts": "1.2",
        },
        {"type": "reaction_added", "user": "U0BOB", "reaction": "eyes"},
        {"type": "member_joined_channel", "user": "U0BOB", "channel": "C0ROUND"},
    ]
    for event in events:
        assert slack.event(event).status == 200
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []


def test_the_messages_tab_of_app_home_is_left_alone(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    assert slack.event({**HOME, "tab": "messages"}).status == 200
    assert fake_slack.calls_to("views.publish") == []
