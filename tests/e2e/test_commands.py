"""`/k8sq` and its subcommands over HTTP, with the real question bank and the real services.

Every reply is the command's acknowledgement (visible to the caller only); hostile texts each
get a clear reply and a 200.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from bot.slack import ids
from tests.e2e.conftest import ADMIN, FakeClock
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import Response, SlackSender, slash_command, text_input

ALICE, BOB = "U0ALICE", "U0BOB"
BANK = Path(__file__).resolve().parents[2] / "questions"


@pytest.fixture(scope="module")
def slack_env(slack_env: dict[str, str]) -> dict[str, str]:
    """The module's environment, with the real question bank instead of the e2e one.

    What people type after `/k8sq` is read against the shipped topics and their aliases
    (`探针`, `ingres`, `pause container`), and help lists every one with its count: the small
    e2e bank has one topic. Nothing here depends on a question's rubric or grade.
    """
    return {**slack_env, "K8SQ_QUESTIONS_DIR": str(BANK)}


@pytest.fixture(autouse=True)
def morning(clock: FakeClock) -> None:
    """10:00 on Wednesday 2026-11-25 in Shanghai."""
    clock.set(clock.now().replace(day=25, hour=2, minute=0))


def reply(resp: Response) -> tuple[str, str]:
    """The reply's fallback text and its blocks as one string."""
    assert resp.status == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert body["text"].strip()
    return body["text"], json.dumps(body.get("blocks", []), ensure_ascii=False)


def buttons(resp: Response) -> list[dict[str, Any]]:
    return [
        e for b in resp.json().get("blocks", []) if b["type"] == "actions" for e in b["elements"]
    ]


# ----- help -----


@pytest.mark.parametrize("text", ["", "help", "  HELP ", "帮助", "?"])
def test_help_lists_the_topics_with_their_counts_and_the_subcommands(
    slack: SlackSender, services: Services, text: str
) -> None:
    _text, blocks = reply(slack.command(text, user=ALICE))
    for sub in ("/k8sq today", "/k8sq leaderboard", "/k8sq stats", "/k8sq config", "pause"):
        assert sub in blocks
    n = len(services.bank.by_topic("probes"))
    assert f"`probes` Health probes: {n}" in blocks


# ----- practice -----


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("svc", "services"),
        ("Service", "services"),
        ("服务", "services"),
        ("ＳＶＣ", "services"),
        ("probe", "probes"),
        ("探针", "probes"),
        ("kube proxy", "kube-proxy"),
        ("ingres", "ingress"),
        ("pause container", "pause"),
    ],
)
def test_a_topic_gives_a_private_practice_question_with_its_answer_button(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, text: str, topic: str
) -> None:
    resp = slack.command(text, user=ALICE)
    _text, blocks = reply(resp)
    (button,) = buttons(resp)
    assert button["action_id"] == ids.PRACTICE_ANSWER_ACTION_ID
    question = services.question(button["value"])
    assert question.topic == topic
    assert "never on a leaderboard" in blocks
    # The question can be read in the other language too.
    assert json.dumps(question.prompt.zh, ensure_ascii=False)[1:30] in blocks
    assert fake_slack.calls_to("chat.postMessage") == []  # nothing in the channel


def test_the_answer_button_opens_the_practice_modal_which_never_counts(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    (button,) = buttons(slack.command("probe", user=ALICE))
    assert slack.click(button["action_id"], button["value"], user=ALICE).status == 200
    (opened,) = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == ids.PRACTICE_MODAL_CALLBACK_ID
    resp = slack.submit(
        ids.PRACTICE_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, "liveness restarts the container"),
        user=ALICE,
        private_metadata=view["private_metadata"],
    )
    assert resp.json()["response_action"] == "update"
    assert services.weekly_leaderboard(slack.team_id).standings == ()


def test_practice_never_offers_the_question_of_the_open_round(
    slack: SlackSender, services: Services
) -> None:
    round_ = services.create_round(slack.team_id)
    topic = services.question(round_.question_id).topic
    for _ in range(4):
        resp = slack.command(topic, user=ALICE)
        offered = [b["value"] for b in buttons(resp)]
        assert round_.question_id not in offered
        assert round_.question_id not in resp.text


def test_an_unknown_topic_names_the_closest_and_lists_them_all(slack: SlackSender) -> None:
    text, blocks = reply(slack.command("probez-and-more", user=ALICE))
    assert "no topic 'probez-and-more'" in text
    assert "closest: probes" in text
    assert "`workflow`" in text and "`services`" in text


def test_a_command_that_says_payload_anywhere_is_still_a_command(slack: SlackSender) -> None:
    """A form with the word "payload" in it is no interactive payload: Bolt alone reads any
    such form as one, so the command reached no listener and got an empty reply."""
    text, _ = reply(slack.command("payload", user=ALICE))
    assert "no topic 'payload'" in text
    fields = slash_command(slack.team_id, "/k8sq", "help", ALICE, "C0PAYLOAD")
    text, _ = reply(slack.send_form({**fields, "channel_name": "payload-team"}))
    assert "/k8sq" in text


# ----- today -----


def test_today_without_a_round_says_when_the_next_comes(slack: SlackSender) -> None:
    text, _ = reply(slack.command("today", user=ALICE))
    assert "No question today" in text
    assert "2026-11-26 09:30 (Asia/Shanghai)" in text


def test_today_shows_the_round_with_its_buttons(slack: SlackSender, services: Services) -> None:
    round_ = services.create_round(slack.team_id)
    resp = slack.command("today", user=BOB)
    _text, blocks = reply(resp)
    actions = {b["action_id"]: b["value"] for b in buttons(resp)}
    assert actions[ids.ANSWER_ACTION_ID] == str(round_.id)
    assert actions[ids.OTHER_LANGUAGE_ACTION_ID] == str(round_.id)
    question = services.question(round_.question_id)
    assert json.dumps(question.prompt.en, ensure_ascii=False)[1:30] in blocks


def test_today_without_a_channel(slack: SlackSender, services: Services) -> None:
    services.update_settings(slack.team_id, channel_id=None)
    text, _ = reply(slack.command("today", user=ALICE))
    assert "No channel is set yet: pick one with `/k8sq config`" in text


def test_today_when_paused(slack: SlackSender, services: Services) -> None:
    services.update_settings(slack.team_id, paused=True)
    text, _ = reply(slack.command("today", user=ALICE))
    assert "paused" in text


# ----- leaderboards and stats -----


def answer_round(slack: SlackSender, services: Services, user: str, text: str) -> None:
    round_ = services.create_round(slack.team_id)
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, text),
        user=user,
        private_metadata=json.dumps({"round": round_.id, "lang": "en"}),
    )
    assert resp.status == 200 and resp.json()["response_action"] == "update"


def test_leaderboards_show_revealed_rounds_only(slack: SlackSender, services: Services) -> None:
    answer_round(slack, services, ALICE, "a long answer about the services and the pods")
    answer_round(slack, services, BOB, "no idea")

    # While the round is open nobody's points show, not even as a rank.
    for text in ("leaderboard", "leaderboard all", "stats"):
        _, blocks = reply(slack.command(text, user=BOB))
        assert "<@U0ALICE>" not in blocks
    _, mine = reply(slack.command("stats", user=BOB))
    assert "rank —" in mine

    services.reveal_round(services.round_today(slack.team_id).id)  # type: ignore[union-attr]
    _, week = reply(slack.command("leaderboard", user=BOB))
    _, ever = reply(slack.command("leaderboard all", user=BOB))
    for board in (week, ever):
        assert "<@U0ALICE>" in board and "<@U0BOB>" in board
        assert "rounds" in board and "streak" in board
    _, stats = reply(slack.command("stats", user=BOB))
    assert "This week: rank " in stats and "Mastery per topic" in stats


def test_a_leaderboard_option_it_does_not_know(slack: SlackSender) -> None:
    text, _ = reply(slack.command("leaderboard <!channel> 🚀", user=ALICE))
    assert "No option '&lt;!channel&gt; 🚀'" in text


def test_stats_before_any_answer(slack: SlackSender) -> None:
    _, blocks = reply(slack.command("stats", user=ALICE))
    assert "No answers yet" in blocks


# ----- whatever the command receives -----

HOSTILE = [
    "🚀🔥🙂",
    "x" * 2000,
    "服" * 2000,
    "'\"''\"",
    "svc'; DROP TABLE answers; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "*bold* _it_ ~s~ `code`",
    "<@U123>",
    "<@U123|alice>",
    "<#C123|general>",
    "<!channel>",
    "<!here> today",
    "",
    "   \t  \n ",
    "\x00\x07svc\x1b[31m",
    "\u202eecivres",
    "ｓｖｃ　服务",
    "ＬＥＡＤＥＲＢＯＡＲＤ　ａｌｌ",
    "stats '; --",
    "today <script>",
    "help me please",
    "config <!everyone>",
    "resume now",
    "&amp; &lt; &gt;",
    "%s %d {0} {}",
    "../../etc/passwd",
    "null",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_any_text_gets_a_clear_reply(slack: SlackSender, services: Services, text: str) -> None:
    resp = slack.command(text, user=ALICE)
    reply_text, blocks = reply(resp)
    for raw in ("<script", "<!channel>", "<!here>", "<!everyone>", "<@U123", "<#C123"):
        assert raw not in reply_text and raw not in blocks
    assert "Traceback" not in resp.text and "error" not in reply_text.lower()[:10]
    assert services.count_answers(0) == 0  # the database is still there


def test_config_resume_and_pause_refuse_politely(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for text in ("config", "resume"):
        reply_text, _ = reply(slack.command(text, user=BOB))
        assert reply_text.startswith("Sorry: only the workspace's admins")
    # "pause" is also a topic: someone who cannot pause k8sq gets a question on it.
    resp = slack.command("pause", user=BOB)
    _, blocks = reply(resp)
    assert "Only admins can pause k8sq" in blocks
    (button,) = buttons(resp)
    assert button["value"].startswith("pause")
    assert fake_slack.calls_to("views.open") == []


def test_a_command_from_an_admin_opens_no_error(slack: SlackSender, fake_slack: FakeSlack) -> None:
    resp = slack.command("config", user=ADMIN)
    assert resp.status == 200 and resp.body == b""
    (opened,) = fake_slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == ids.SETTINGS_MODAL_CALLBACK_ID
