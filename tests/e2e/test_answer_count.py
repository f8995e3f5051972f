"""The "N answered" count: refreshed at once, then at most once per interval."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_bolt import App

from bot.config import Settings
from bot.services import Services
from bot.slack.app import build_app
from tests.e2e.conftest import CHANNEL
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender
from tests.e2e.test_answer import answer, post_round, updates_of, wait_until

# Long enough that a burst of answers surely falls within one interval.
INTERVAL = 3.0


@pytest.fixture(scope="module")
def bolt_app(settings: Settings, services: Services) -> Iterator[App]:
    yield build_app(settings, services, count_interval=INTERVAL)


def test_a_burst_of_answers_updates_the_post_twice(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    round_ = post_round(services, fake_slack, slack.team_id)
    users = [f"U0BURST{i}" for i in range(8)]
    for user in users:
        assert answer(slack, round_, "kube-proxy and iptables", user=user).status == 200

    def shows_all() -> bool:
        message = fake_slack.message(CHANNEL, str(round_.message_ts))
        return message is not None and f"{len(users)} answered" in json.dumps(message["blocks"])

    wait_until(shows_all, timeout=INTERVAL + 5)
    # One update at once (showing however many were stored by then), one at the interval's
    # end showing them all: not one per answer.
    _first, trailing = updates_of(fake_slack, round_)
    assert f"{len(users)} answered" in json.dumps(trailing.args["blocks"])
