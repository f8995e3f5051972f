"""Running the game from Slack over HTTP: the settings modal, pause and resume, permissions,
the scheduler following the changes at once, and two workspaces that never mix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import App

from bot.config import Settings
from bot.jobs import Jobs
from bot.services import Services
from bot.slack import ids
from bot.slack.app import build_app
from bot.slack.chat import SlackChat
from tests.e2e.conftest import ADMIN, BOT_TOKEN, CHANNEL, SIGNING_SECRET, FakeClock
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender

ALICE, BOSS = "U0ALICE", "U0BOSS"


@pytest.fixture(scope="module")
def jobs(services: Services, slack_api: FakeSlack, clock: FakeClock) -> Jobs:
    chat = SlackChat(base_url=slack_api.url, token_for=lambda _team: BOT_TOKEN, backoff=0.01)
    return Jobs(services=services, chat=chat, clock=clock)


@pytest.fixture(scope="module")
def bolt_app(settings: Settings, services: Services, jobs: Jobs) -> Iterator[App]:
    yield build_app(settings, services, jobs=jobs, count_interval=0.3)


@pytest.fixture(autouse=True)
def morning(clock: FakeClock) -> None:
    """09:00 on Wednesday 2026-11-25 in Shanghai, before the post time."""
    clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))


def only(services: Services, team: str) -> None:
    """Pause every other workspace of the module's database, so only `team` posts."""
    for ws in services.list_workspaces():
        if ws.team_id != team and not ws.paused:
            services.update_settings(ws.team_id, paused=True)


def posts_saying(fake: FakeSlack, words: str) -> list[Any]:
    """The posts whose text has `words`, once there is one (or after 5 s)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [c for c in fake.calls_to("chat.postMessage") if words in c.args.get("text", "")]
        if found:
            return found
        time.sleep(0.02)
    return []


def open_settings(slack: SlackSender, fake: FakeSlack, user: str = ADMIN) -> dict[str, Any]:
    resp = slack.command("config", user=user)
    assert resp.status == 200 and resp.body == b""
    (opened,) = fake.wait_for("views.open")
    view: dict[str, Any] = opened.args["view"]
    assert view["callback_id"] == ids.SETTINGS_MODAL_CALLBACK_ID
    return view


def state_of(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`view.state.values` as Slack sends it for the modal as shown, with `changes` made."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind = element["type"]
        if kind == "conversations_select":
            value = {"selected_conversation": element.get("initial_conversation")}
        elif kind == "timepicker":
            value = {"selected_time": element.get("initial_time")}
        elif kind == "plain_text_input":
            value = {"value": element.get("initial_value")}
        elif kind == "checkboxes":
            value = {"selected_options": element.get("initial_options", [])}
        else:
            value = {"selected_option": element.get("initial_option")}
        if block_id in changes:
            new = changes[block_id]
            if kind == "checkboxes":
                value = {"selected_options": [{"value": str(v)} for v in new]}
            elif kind == "static_select":
                value = {"selected_option": {"value": str(new)}}
            else:
                value = {next(iter(value)): new}
        values[block_id] = {block_id: {"type": kind, **value}}
    return values


def save(slack: SlackSender, view: dict[str, Any], user: str = ADMIN, **changes: Any) -> Any:
    resp = slack.submit(
        ids.SETTINGS_MODAL_CALLBACK_ID,
        state_of(view, **changes),
        user=user,
        private_metadata=view["private_metadata"],
    )
    assert resp.status == 200
    return resp.json()


# ----- the settings modal -----


def test_the_modal_shows_the_current_settings(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_settings(slack, fake_slack)
    shown = json.dumps(view)
    for expected in (CHANNEL, '"09:30"', '"18:00"', "Asia/Shanghai", "Leaderboard day"):
        assert expected in shown
    blocks = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert blocks == {
        "channel",
        "post_time",
        "close_time",
        "timezone",
        "weekdays",
        "holiday_country",
        "language",
        "leaderboard_day",
        "paused",
    }


@pytest.mark.parametrize("flag", ["is_admin", "is_owner", "is_primary_owner"])
def test_slack_admins_and_owners_may_configure(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, flag: str
) -> None:
    fake_slack.add_user(BOSS, **{flag: True})
    open_settings(slack, fake_slack, user=BOSS)
    assert BOSS in services.get_settings(slack.team_id).admins
    assert [c.args["user"] for c in fake_slack.calls_to("users.info")] == [BOSS]


def test_an_app_installed_without_users_read_refuses_and_says_why_in_the_log(
    slack: SlackSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.add_user(BOSS, is_owner=True)
    fake_slack.fail("users.info", error="missing_scope")
    reply = slack.command("config", user=BOSS).json()["text"]
    assert reply.startswith("Sorry: only the workspace's admins")
    assert any("users:read" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_others_are_refused_even_when_they_submit_the_modal(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    view = open_settings(slack, fake_slack)
    fake_slack.add_user(ALICE, is_admin=False)
    body = save(slack, view, user=ALICE, timezone="Europe/Berlin")
    assert body["response_action"] == "errors"
    assert "only the workspace's admins" in body["errors"]["channel"]
    assert services.get_settings(slack.team_id).timezone == "Asia/Shanghai"


def test_saving_changes_every_setting_and_announces_it(
    slack: SlackSender, fake_slack: FakeSlack, services: Services
) -> None:
    fake_slack.add_user(BOSS, is_owner=True)
    view = open_settings(slack, fake_slack, user=BOSS)
    body = save(
        slack,
        view,
        user=BOSS,
        channel="C0NEW",
        post_time="10:15",
        close_time="19:00",
        timezone=" Europe/Berlin ",
        weekdays=[0, 2, 4],
        holiday_country="de",
        language="zh",
        leaderboard_day=4,
        paused=["paused"],
    )
    assert body is None  # closes the modal
    after = services.get_settings(slack.team_id)
    assert after.channel_id == "C0NEW"
    assert (after.post_time.isoformat(), after.close_time.isoformat()) == ("10:15:00", "19:00:00")
    assert (after.timezone, after.weekdays, after.holiday_country) == (
        "Europe/Berlin",
        (0, 2, 4),
        "DE",
    )
    assert (after.language, after.leaderboard_day, after.paused) == ("zh", 4, True)
    assert BOSS in after.admins and ADMIN in after.admins

    posts = fake_slack.wait_for("chat.postMessage", 2)
    assert {p.args["channel"] for p in posts} == {"C0NEW", CHANNEL}
    notice = posts[0].args["text"]
    assert "<@U0BOSS>" in notice and "09:30 → 10:15" in notice and "Europe/Berlin" in notice


def test_saving_nothing_new_announces_nothing(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_settings(slack, fake_slack)
    assert save(slack, view) is None
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "time zone"),
        ({"timezone": ""}, "timezone", "time zone"),
        ({"close_time": "09:00"}, "close_time", "later the same day"),
        ({"post_time": "25:99"}, "post_time", "post time"),
        ({"holiday_country": "ZZ"}, "holiday_country", "holiday country"),
        ({"weekdays": []}, "weekdays", "weekdays"),
        ({"weekdays": [9]}, "weekdays", "weekdays"),
        ({"language": "fr"}, "language", "language"),
        ({"leaderboard_day": "8"}, "leaderboard_day", "leaderboard day"),
        ({"channel": "not a channel"}, "channel", "channel"),
    ],
)
def test_a_bad_value_is_named_in_its_field_and_nothing_is_saved(
    slack: SlackSender,
    fake_slack: FakeSlack,
    services: Services,
    changes: dict[str, Any],
    field: str,
    why: str,
) -> None:
    before = services.get_settings(slack.team_id)
    view = open_settings(slack, fake_slack)
    body = save(slack, view, **changes)
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [field]
    assert why in body["errors"][field]
    assert services.get_settings(slack.team_id) == before
    assert fake_slack.calls_to("chat.postMessage") == []


def test_the_scheduler_follows_a_change_at_once(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    team = slack.team_id
    only(services, team)
    view = open_settings(slack, fake_slack)
    save(slack, view, post_time="09:00", close_time="09:45")
    clock.set(datetime(2026, 11, 25, 1, 10, tzinfo=UTC))  # 09:10 in Shanghai
    outcomes = jobs.tick()
    assert [o.team_id for o in outcomes if o.done] == [team]
    round_ = services.round_today(team)
    assert round_ is not None
    assert round_.closes_at == datetime(2026, 11, 25, 1, 45, tzinfo=UTC)


# ----- pause and resume -----


def test_pause_and_resume(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    team = slack.team_id
    only(services, team)
    resp = slack.command("pause", user=ADMIN)
    assert "k8sq is paused" in resp.json()["text"]
    (notice,) = fake_slack.wait_for("chat.postMessage")
    assert notice.args["channel"] == CHANNEL and "<@U0ADMIN> paused k8sq" in notice.args["text"]
    assert services.get_settings(team).paused
    assert "already paused" in slack.command("pause", user=ADMIN).json()["text"]

    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00, after the post time
    assert team not in [o.team_id for o in jobs.tick()]
    assert services.round_today(team) is None

    resp = slack.command("resume", user=ADMIN)
    text = resp.json()["text"]
    assert "running again" in text and "2026-11-25 10:01" not in text
    (resumed,) = posts_saying(fake_slack, "resumed k8sq")
    assert resumed.args["channel"] == CHANNEL
    assert not services.get_settings(team).paused
    assert team in [o.team_id for o in jobs.tick() if o.done]


# ----- two workspaces -----


def test_two_workspaces_never_mix(
    slack: SlackSender, app_url: str, fake_slack: FakeSlack, services: Services
) -> None:
    other_team = slack.team_id + "B"
    services.ensure_workspace(other_team)
    services.update_settings(
        other_team, channel_id="C0OTHER", admins=("U0OTHERADMIN",), language="zh"
    )
    other = SlackSender(app_url, SIGNING_SECRET, team_id=other_team)

    # This workspace's admin is nobody there, and each speaks its own language.
    refused = other.command("config", user=ADMIN).json()["text"]
    assert refused.startswith("抱歉，只有工作区管理员")
    view = open_settings(slack, fake_slack)
    save(slack, view, timezone="Europe/Berlin", leaderboard_day=2)
    assert services.get_settings(other_team).timezone == "Asia/Shanghai"
    assert services.get_settings(other_team).leaderboard_day == 0

    # Scores stay in their workspace.
    round_ = services.create_round(slack.team_id)
    services.submit_answer(round_.id, ALICE, "ClusterIP NodePort LoadBalancer")
    services.reveal_round(round_.id)
    mine = slack.command("leaderboard", user=ALICE).json()
    theirs = other.command("leaderboard", user=ALICE).json()
    assert "<@U0ALICE>" in json.dumps(mine["blocks"])
    assert "<@U0ALICE>" not in json.dumps(theirs["blocks"])
    stats = json.dumps(other.command("stats", user=ALICE).json()["blocks"], ensure_ascii=False)
    assert "还没有回答过题目" in stats

    # A round of one workspace cannot be disputed from the other.
    resp = other.click(ids.DISPUTE_ACTION_ID, str(round_.id), user=ALICE)
    assert resp.status == 200
    _settings, opened = fake_slack.wait_for("views.open", 2)
    assert opened.args["view"]["callback_id"] != ids.DISPUTE_MODAL_CALLBACK_ID
    assert "没有记分的回答" in json.dumps(opened.args["view"], ensure_ascii=False)
