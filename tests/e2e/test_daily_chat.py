"""The chat adapter against the local Slack fake: what is retried and what is not."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bot.ports import ChannelUnavailable, ChatError, PostNotTaken, PostUnknown
from bot.slack.chat import SlackChat
from tests.e2e.fake_slack import TEAM_ID, FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack(server: FakeSlack) -> FakeSlack:
    server.reset()
    return server


class Sleeps:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_chat(url: str, sleeps: Sleeps, timeout: float = 2.0) -> SlackChat:
    return SlackChat(
        base_url=url,
        token_for=lambda team: TOKEN,
        max_retries=2,
        backoff=0.01,
        timeout=timeout,
        sleep=sleeps,
    )


def post(chat: SlackChat) -> object:
    return chat.post_message(team_id=TEAM_ID, channel="C0DAILY", text="hello", blocks=[])


def test_a_post_goes_to_the_channel_with_the_workspace_token(slack: FakeSlack) -> None:
    chat = make_chat(slack.url, Sleeps())
    posted = chat.post_message(
        team_id=TEAM_ID,
        channel="C0DAILY",
        text="hello",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    )
    [call] = slack.calls_to("chat.postMessage")
    assert call.token == TOKEN
    assert call.args["channel"] == "C0DAILY"
    assert call.args["blocks"][0]["text"]["text"] == "hi"
    assert posted.channel_id == "C0DAILY"
    assert slack.message("C0DAILY", posted.ts) is not None


def test_a_rate_limited_post_waits_for_retry_after_then_posts(slack: FakeSlack) -> None:
    sleeps = Sleeps()
    slack.fail("chat.postMessage", status=429, retry_after=7)
    posted = post(make_chat(slack.url, sleeps))
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert sleeps.waits == [7.0]
    assert posted is not None


def test_a_post_rate_limited_past_every_retry_was_surely_not_taken(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=0, times=5)
    with pytest.raises(PostNotTaken) as raised:
        post(make_chat(slack.url, Sleeps()))
    assert not isinstance(raised.value, PostUnknown)
    assert len(slack.calls_to("chat.postMessage")) == 3  # the first try and two retries


def test_a_post_answered_with_a_5xx_is_unknown_and_never_repeated(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", status=500)
    with pytest.raises(PostUnknown):
        post(make_chat(slack.url, Sleeps()))
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_dropped_post_is_unknown_and_never_repeated(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", drop=True)
    with pytest.raises(PostUnknown):
        post(make_chat(slack.url, Sleeps()))
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_timed_out_post_is_unknown_and_never_repeated(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", delay=1.5)
    with pytest.raises(PostUnknown):
        post(make_chat(slack.url, Sleeps(), timeout=1))
    assert len(slack.wait_for("chat.postMessage", 1, timeout=3)) == 1


def test_a_refused_connection_is_retried_and_then_surely_not_taken() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(PostNotTaken) as raised:
        post(make_chat(f"http://127.0.0.1:{port}/api/", sleeps))
    assert raised.value.code == "connection_refused"
    assert len(sleeps.waits) == 2  # two retries, with backoff


@pytest.mark.parametrize("code", ["not_in_channel", "channel_not_found"])
def test_a_channel_the_bot_cannot_use_is_named(slack: FakeSlack, code: str) -> None:
    slack.fail("chat.postMessage", error=code)
    with pytest.raises(ChannelUnavailable) as raised:
        post(make_chat(slack.url, Sleeps()))
    assert raised.value.code == code
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_updates_are_retried_on_5xx_and_dropped_connections(slack: FakeSlack) -> None:
    chat = make_chat(slack.url, Sleeps())
    posted = chat.post_message(team_id=TEAM_ID, channel="C0DAILY", text="0 answered")
    slack.fail("chat.update", status=503)
    slack.fail("chat.update", drop=True)
    chat.update_message(team_id=TEAM_ID, channel="C0DAILY", ts=posted.ts, text="2 answered")
    assert [c.status for c in slack.calls_to("chat.update")] == [503, 0, 200]
    message = slack.message("C0DAILY", posted.ts)
    assert message is not None and message["text"] == "2 answered"


def test_an_update_that_keeps_failing_raises_a_chat_error(slack: FakeSlack) -> None:
    slack.fail("chat.update", status=500, times=3)
    with pytest.raises(ChatError):
        make_chat(slack.url, Sleeps()).update_message(
            team_id=TEAM_ID, channel="C0DAILY", ts="1.2", text="x"
        )
    assert len(slack.calls_to("chat.update")) == 3


def test_a_direct_message_opens_the_conversation_first(slack: FakeSlack) -> None:
    make_chat(slack.url, Sleeps()).send_dm(team_id=TEAM_ID, user_id="U0ADMIN", text="hi")
    assert [c.method for c in slack.calls] == ["conversations.open", "chat.postMessage"]
    assert slack.calls_to("chat.postMessage")[0].args["channel"] == "D0ADMIN"
