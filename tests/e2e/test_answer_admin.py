"""The admins' "Post again" button, through the real jobs, posting to the fake Slack."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App, BoltRequest

from bot.config import Settings
from bot.jobs import Jobs
from bot.services import Services
from bot.slack import ids
from bot.slack.app import build_app
from bot.slack.chat import SlackChat
from tests.e2e.conftest import ADMIN, BOT_TOKEN, CHANNEL, FakeClock
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender, block_actions


@pytest.fixture(scope="module")
def bolt_app(
    settings: Settings, services: Services, slack_api: FakeSlack, clock: FakeClock
) -> Iterator[App]:
    chat = SlackChat(base_url=slack_api.url, token_for=lambda _team: BOT_TOKEN, backoff=0.01)
    jobs = Jobs(services=services, chat=chat, clock=clock)
    yield build_app(settings, services, jobs=jobs, count_interval=0.3)


def test_an_admin_posts_an_unknown_round_again(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    round_ = services.create_round(slack.team_id)
    services.mark_round_message_unknown(round_.id)

    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user=ADMIN, channel="D0ADMIN")
    (told,) = fake_slack.wait_for("chat.postEphemeral")
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    assert told.args["user"] == ADMIN
    after = services.get_round(round_.id)
    assert after.message_state == "posted" and after.message_ts is not None

    # A second click posts nothing more.
    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user=ADMIN, channel="D0ADMIN")
    _, again = fake_slack.wait_for("chat.postEphemeral", 2)
    assert "already posted" in again.args["text"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_someone_else_cannot_post_again(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    round_ = services.create_round(slack.team_id)
    services.mark_round_message_unknown(round_.id)
    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user="U0MALLORY", channel="D0M")
    (refused,) = fake_slack.wait_for("chat.postEphemeral")
    assert "only the workspace's admins" in refused.args["text"]
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_slack_workspace_owner_may_post_again_and_becomes_a_k8sq_admin(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    round_ = services.create_round(slack.team_id)
    services.mark_round_message_unknown(round_.id)
    fake_slack.add_user("U0OWNER", is_owner=True)
    slack.click(ids.POST_AGAIN_ACTION_ID, str(round_.id), user="U0OWNER", channel="D0O")
    (told,) = fake_slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == "U0OWNER" and "only" not in told.args["text"]
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    assert "U0OWNER" in services.get_settings(slack.team_id).admins


class Tracebacks(logging.Handler):
    """Records the app's log records that carry a traceback: a listener that blew up."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.name.startswith("bot"):
            self.records.append(record)


@pytest.mark.parametrize("action_id", [ids.POST_AGAIN_ACTION_ID, ids.SETTLE_ACTION_ID])
def test_a_socket_mode_click_naming_no_workspace_is_answered_not_raised(
    bolt_app: App, slack: SlackSender, fake_slack: FakeSlack, services: Services, action_id: str
) -> None:
    # Over HTTP such a payload gets a 400 before any listener; Socket Mode hands it on.
    round_ = services.create_round(slack.team_id)
    services.mark_round_message_unknown(round_.id)
    payload = block_actions("", action_id, str(round_.id), ADMIN, "D0ADMIN", "1.2")
    payload["team"] = None
    payload["user"].pop("team_id", None)
    failures = Tracebacks()
    logging.getLogger().addHandler(failures)
    try:
        response = bolt_app.dispatch(BoltRequest(body=payload, mode="socket_mode"))
        (told,) = fake_slack.wait_for("chat.postEphemeral")
    finally:
        logging.getLogger().removeHandler(failures)
    assert response.status == 200
    assert told.args["user"] == ADMIN and "workspace" in told.args["text"]
    assert failures.records == []
    assert fake_slack.calls_to("chat.postMessage") == []
    assert services.get_round(round_.id).message_state == "unknown"
