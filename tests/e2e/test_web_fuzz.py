"""Whatever a signed request holds, the app answers 200 or 400: never a 500, never a hang."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack import ids
from tests.e2e.conftest import SIGNING_SECRET
from tests.e2e.slack_client import (
    SlackSender,
    block_actions,
    event_callback,
    slash_command,
    view_submission,
)

TEAM = "T0FUZZ"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
action_ids = st.sampled_from(
    [
        ids.ANSWER_ACTION_ID,
        ids.OTHER_LANGUAGE_ACTION_ID,
        ids.POST_AGAIN_ACTION_ID,
        ids.PRACTICE_ANSWER_ACTION_ID,
        "something.else",
    ]
)
callback_ids = st.sampled_from(
    [ids.ANSWER_MODAL_CALLBACK_ID, ids.PRACTICE_MODAL_CALLBACK_ID, "other"]
)


def damage(payload: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """Replace (or add) the field at `path` with `value`."""
    node: Any = payload
    for key in path[:-1]:
        if not isinstance(node, dict):
            return payload
        node = node.setdefault(key, {})
    if isinstance(node, dict):
        node[path[-1]] = value
    return payload


paths = st.sampled_from(
    [
        ["user"],
        ["user", "id"],
        ["event", "message"],
        ["event", "item"],
        ["event", "channel"],
        ["authorizations"],
        ["message"],
        ["channel"],
        ["enterprise"],
        ["view", "type"],
        ["team"],
        ["actions"],
        ["trigger_id"],
        ["view"],
        ["view", "private_metadata"],
        ["view", "state"],
        ["view", "state", "values"],
        ["view", "callback_id"],
        ["container"],
        ["type"],
        ["event"],
        ["event", "user"],
        ["event", "tab"],
        ["event_id"],
    ]
)


def check(url: str, send: Any) -> None:
    resp = send(SlackSender(url, SIGNING_SECRET, team_id=TEAM, timeout=10))
    assert resp.status in (200, 400), (resp.status, resp.text[:200])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action_ids, st.text(max_size=30), paths, values)
def test_clicks(app_url: str, action_id: str, value: str, path: list[str], junk: Any) -> None:
    payload = block_actions(TEAM, action_id, value, "U0FUZZ", "C0FUZZ", "1.0001")
    check(app_url, lambda s: s.send_payload(damage(payload, path, junk)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(callback_ids, st.text(max_size=30), st.text(max_size=50), paths, values)
def test_submissions(
    app_url: str, callback_id: str, meta: str, text: str, path: list[str], junk: Any
) -> None:
    state = {
        ids.ANSWER_BLOCK_ID: {ids.ANSWER_INPUT_ID: {"type": "plain_text_input", "value": text}}
    }
    payload = view_submission(TEAM, callback_id, state, "U0FUZZ", meta, "V0FUZZ")
    check(app_url, lambda s: s.send_payload(damage(payload, path, junk)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_commands(app_url: str, text: str) -> None:
    form = slash_command(TEAM, "/k8sq", text, "U0FUZZ", "C0FUZZ")
    check(app_url, lambda s: s.send_form(form))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["app_home_opened", "message", "app_mention"]), paths, values)
def test_events(app_url: str, kind: str, path: list[str], junk: Any) -> None:
    event = {"type": kind, "user": "U0FUZZ", "channel": "D0FUZZ", "tab": "home"}
    payload = event_callback(TEAM, event)
    check(app_url, lambda s: s.send(json.dumps(damage(payload, path, junk)), "application/json"))
