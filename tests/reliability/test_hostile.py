"""Hostile requests against the HTTP endpoint, generated (hypothesis): each body is sent
signed, unsigned, badly signed, with a stale timestamp and as a stale replay.

Signed ones get 200 or 400 (413 past the size limit), never a 5xx; every other one gets 401;
no listener fails (nothing is logged with a traceback) and the app still answers at the end.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bot.slack import ids
from bot.store.engine import create_engine_for
from tests.e2e.conftest import ADMIN
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import (
    FORM,
    JSON,
    SlackSender,
    block_actions,
    event_callback,
    sign,
    slash_command,
    view_submission,
)
from tests.e2e.test_web_fuzz import action_ids, callback_ids, damage, paths, values
from tests.integration.game import FakeClock
from tests.reliability import figures
from tests.reliability.world import TEAM, open_round, served_app, services_for

# Unicode that has broken parsers before: NUL, BOM, RTL marks, surrogate-free astral
# characters, combining marks, full-width forms, and plain Chinese.
EDGE = st.sampled_from(
    [
        "\x00",
        "\ufeff",
        "\u202e",
        "\u200b",
        "🙂" * 3,
        "e\u0301",
        "ＡＢＣ",
        "答案",
        "\r\n",
        "%00",
        "\\u0000",
    ]
)
text = st.one_of(
    st.text(max_size=40), EDGE, st.builds(lambda s, n: s * n, EDGE, st.integers(1, 2000))
)
huge = st.builds(lambda n: "x" * n, st.integers(10_000, 200_000))
junk = st.one_of(values, text, huge, st.integers(min_value=-(2**70), max_value=2**70))


# Every button and modal the app has, and one it does not.
ALL_ACTIONS = st.one_of(
    action_ids,
    st.sampled_from([ids.DISPUTE_ACTION_ID, ids.SETTLE_ACTION_ID, ids.PRACTICE_TOPIC_ACTION_ID]),
)
ALL_MODALS = st.one_of(
    callback_ids,
    st.sampled_from(
        [
            ids.SETTINGS_MODAL_CALLBACK_ID,
            ids.DISPUTE_MODAL_CALLBACK_ID,
            ids.SETTLE_MODAL_CALLBACK_ID,
            ids.FEEDBACK_MODAL_CALLBACK_ID,
        ]
    ),
)
SUBCOMMANDS = ["", "help", "today", "leaderboard", "leaderboard all", "stats", "config"]
SUBCOMMANDS += ["pause", "resume", "services", "暂停", "配置"]
COMMAND_TEXT = st.one_of(
    st.builds(lambda sub, rest: f"{sub} {rest}".strip(), st.sampled_from(SUBCOMMANDS), text),
    text,
)
# The admin too: the admin's paths read the most input.
USERS = st.sampled_from(["U0HOSTILE", "", "U" * 300, ADMIN])
# A modal's state with the blocks the settings, dispute and answer modals read, and junk.
BLOCKS = ["channel", "post_time", "close_time", "timezone", "weekdays", "language", "admins"]
BLOCKS += ["points", "reason", "comment", ids.ANSWER_BLOCK_ID]
STATE = st.dictionaries(
    st.sampled_from(BLOCKS),
    st.dictionaries(
        st.text(max_size=12), st.dictionaries(st.text(max_size=20), junk, max_size=3), max_size=2
    ),
    max_size=4,
)


@st.composite
def payload(draw: st.DrawFn) -> dict[str, Any]:
    """A Slack payload of some kind, with a field broken, added or dropped."""
    user = draw(USERS)
    kind = draw(st.sampled_from(["click", "submit", "event"]))
    if kind == "click":
        value = draw(st.one_of(text, st.integers(-3, 5).map(str)))
        body = block_actions(TEAM, draw(ALL_ACTIONS), value, user, "C0X", "1.0001")
    elif kind == "submit":
        answer_state = {
            ids.ANSWER_BLOCK_ID: {
                ids.ANSWER_INPUT_ID: {"type": "plain_text_input", "value": draw(text)}
            }
        }
        state = draw(st.one_of(st.just(answer_state), STATE))
        meta_values = st.fixed_dictionaries(
            {"round": st.integers(-5, 10), "dispute": st.integers(-5, 10), "lang": text}
        )
        meta = draw(st.one_of(text, meta_values.map(json.dumps)))
        body = view_submission(TEAM, draw(ALL_MODALS), state, user, meta, "V0X")
    else:
        event = {
            "type": draw(st.sampled_from(["app_home_opened", "message", "app_mention"])),
            "user": user,
        }
        body = event_callback(TEAM, event)
    for _ in range(draw(st.integers(0, 3))):
        body = damage(body, draw(paths), draw(junk))
    if draw(st.booleans()):
        body.pop(draw(st.sampled_from(sorted(body))), None)
    return body


@st.composite
def request(draw: st.DrawFn) -> tuple[bytes, str]:
    """A body and its content type: shaped like Slack's, or not at all."""
    shape = draw(st.sampled_from(["payload", "json", "command", "form", "bytes", "json-junk"]))
    if shape == "payload":
        return urlencode({"payload": json.dumps(draw(payload()))}).encode(), FORM
    if shape == "json":
        return json.dumps(draw(payload())).encode(), JSON
    if shape == "command":
        command = draw(st.sampled_from(["/k8sq", "/other", ""]))
        fields = slash_command(TEAM, command, draw(COMMAND_TEXT), draw(USERS), "C0H")
        for _ in range(draw(st.integers(0, 2))):
            fields[draw(st.sampled_from(sorted(fields)))] = draw(text)
        return urlencode(fields).encode(), FORM
    if shape == "form":
        fields = draw(st.dictionaries(text, text, max_size=5))
        return urlencode(fields).encode(), draw(st.sampled_from([FORM, JSON, "text/plain", ""]))
    if shape == "bytes":
        return draw(st.binary(max_size=2000)), draw(
            st.sampled_from([FORM, JSON, "application/octet-stream"])
        )
    return json.dumps(draw(junk)).encode(), JSON  # valid JSON, any shape: a list, a number...


class Failures(logging.Handler):
    """Records every log record that carries a traceback: a listener that blew up."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.name.startswith("bot"):
            self.records.append(record)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file: the endpoint is the same over either database."""
    path = tmp_path / "k8sq.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_generated_hostile_requests_never_get_a_5xx(
    sqlite_url: str, slack: FakeSlack, clock: FakeClock
) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        run_attack(sqlite_url, engine, slack, clock)
    finally:
        engine.dispose()


def run_attack(database_url: str, engine: Engine, slack: FakeSlack, clock: FakeClock) -> None:
    examples = figures.size(120, 2100)
    services = services_for(engine, clock)
    open_round(services, slack, clock)
    statuses: Counter[tuple[str, int]] = Counter()
    failures = Failures()
    logging.getLogger().addHandler(failures)
    try:
        with served_app(database_url, services, slack) as sender:

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                # make test: the same requests every run; make reliability: new ones each time.
                derandomize=not figures.FULL,
                suppress_health_check=list(HealthCheck),
            )
            @given(request())
            def attack(req: tuple[bytes, str]) -> None:
                body, content_type = req
                for how, resp_status in send_every_way(sender, body, content_type):
                    statuses[(how, resp_status)] += 1
                    assert resp_status < 500, (how, resp_status, body[:300])
                    if how == "signed":
                        assert resp_status in (200, 400, 413), (resp_status, body[:300])
                    else:
                        assert resp_status == 401, (how, resp_status, body[:300])

            attack()
            alive = sender.command("help", user="U0ALIVE")
            assert alive.status == 200
    finally:
        logging.getLogger().removeHandler(failures)
    assert [r.getMessage() for r in failures.records] == []
    total = sum(statuses.values())
    figures.record(
        "hostile requests (generated)",
        requests=total,
        signed_200=statuses[("signed", 200)],
        signed_400=statuses[("signed", 400)],
        signed_413=statuses[("signed", 413)],
        rejected_401=sum(n for (how, s), n in statuses.items() if how != "signed" and s == 401),
        responses_5xx=sum(n for (_, s), n in statuses.items() if s >= 500),
        listener_crashes=len(failures.records),
    )


def send_every_way(sender: SlackSender, body: bytes, content_type: str) -> list[tuple[str, int]]:
    """Send `body` signed, unsigned, with a wrong signature, stale, and as a stale replay."""
    now = str(int(time.time()))
    old = str(int(time.time()) - 6 * 60)
    good = sign(sender.secret, now, body)
    out = [("signed", sender.send(body, content_type, timestamp=now, signature=good).status)]
    out.append(("unsigned", sender.send(body, content_type, signed=False).status))
    forged = sign("not-the-secret", now, body)
    out.append(
        ("bad signature", sender.send(body, content_type, timestamp=now, signature=forged).status)
    )
    out.append(
        ("tampered", sender.send(body + b"x", content_type, timestamp=now, signature=good).status)
    )
    stale = sign(sender.secret, old, body)
    out.append(("stale", sender.send(body, content_type, timestamp=old, signature=stale).status))
    return out


def test_an_interactive_payload_sent_as_json_is_checked_like_a_form_one(
    sqlite_url: str, slack: FakeSlack, clock: FakeClock
) -> None:
    """Found by the generated requests: Bolt reads a block_actions JSON body too, and an
    `actions: null` in it was a 500."""
    engine = create_engine_for(sqlite_url)
    try:
        services = services_for(engine, clock)
        with served_app(sqlite_url, services, slack) as sender:
            click = block_actions(TEAM, ids.ANSWER_ACTION_ID, "1", "U0X", "C0X", "1.0001")
            for actions in (None, [], "x", [{"action_id": 1}]):
                resp = sender.send_json({**click, "actions": actions})
                assert resp.status == 400, (actions, resp.status, resp.text)
            # Found the same way: a click without a trigger_id failed in the listener.
            without = {key: value for key, value in click.items() if key != "trigger_id"}
            for resp in (sender.send_payload(without), sender.send_json(without)):
                assert resp.status == 400, (resp.status, resp.text)
            # And one that names no workspace: every listener works in one.
            nameless = {**click, "team": None, "user": {"id": "U0X"}}
            for resp in (sender.send_payload(nameless), sender.send_json(nameless)):
                assert resp.status == 400, (resp.status, resp.text)
            submission = view_submission(TEAM, ids.ANSWER_MODAL_CALLBACK_ID, {}, "U0X", "", "V0X")
            resp = sender.send_json({**submission, "view": {"type": "modal"}})
            assert resp.status == 400, resp.text
    finally:
        engine.dispose()


def test_a_home_tab_opened_in_a_workspace_not_seen_before_is_published(
    sqlite_url: str, slack: FakeSlack, clock: FakeClock
) -> None:
    """Found by the generated requests: noting the tab of a workspace without a row failed
    on its foreign key, after the acknowledgement, and no tab was published."""
    engine = create_engine_for(sqlite_url)
    failures = Failures()
    logging.getLogger().addHandler(failures)
    try:
        services = services_for(engine, clock)
        with served_app(sqlite_url, services, slack) as sender:
            stranger = SlackSender(
                f"http://{sender.host}:{sender.port}{sender.path}", sender.secret, team_id="T0NEW"
            )
            event = {"type": "app_home_opened", "user": "U0NEW", "channel": "D0NEW", "tab": "home"}
            assert stranger.event(event).status == 200
        assert [c.args["user_id"] for c in slack.calls_to("views.publish")] == ["U0NEW"]
        assert services.has_home_tab("T0NEW", "U0NEW")
    finally:
        logging.getLogger().removeHandler(failures)
        engine.dispose()
    assert [r.getMessage() for r in failures.records] == []
