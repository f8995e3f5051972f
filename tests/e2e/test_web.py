"""The WSGI layer in front of Bolt, over HTTP: 401 before parsing, 400 for malformed, 200 for
anything no listener wants. Served with a minimal Bolt app, so only the layer is under test."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.web import SlackWeb
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET, serve
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import (
    FORM,
    JSON,
    SlackSender,
    block_actions,
    event_callback,
    sign,
    slash_command,
)


@pytest.fixture(scope="module")
def url(slack_api: FakeSlack) -> Iterator[str]:
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=slack_api.url, timeout=5),
    )

    @app.command("/k8sq")
    def pong(ack: Ack, command: dict[str, Any]) -> None:
        ack(text=f"pong {command['text']}")

    with serve(SlackWeb(app, signing_secret=SIGNING_SECRET)) as served:
        yield served


@pytest.fixture
def sender(url: str) -> SlackSender:
    return SlackSender(url, SIGNING_SECRET, timeout=5)


def command_body(text: str = "svc") -> str:
    from urllib.parse import urlencode

    return urlencode(slash_command("T0K8SQ", "/k8sq", text, "U0ALICE", "C0GENERAL"))


def test_a_signed_command_reaches_its_listener(sender: SlackSender) -> None:
    resp = sender.send(command_body("svc"))
    assert resp.status == 200
    assert resp.text == "pong svc"


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"timestamp": None, "signature": None}, "missing signature"),
        ({"signature": "v0=" + "0" * 64}, "bad signature"),
        ({"signature": "v1=whatever"}, "bad signature"),
        ({"timestamp": "yesterday"}, "not a number"),
        ({"timestamp": "1e9"}, "not a number"),
        # Ages in seconds, made timestamps when the test runs, not when it is collected.
        ({"age": str(6 * 60)}, "stale"),
        ({"age": str(-6 * 60)}, "stale"),
    ],
)
def test_unsigned_or_badly_signed_requests_get_401(
    sender: SlackSender, headers: dict[str, str | None], why: str
) -> None:
    body = command_body().encode()
    headers = dict(headers)
    age = headers.pop("age", None)
    now = int(time.time())
    ts = headers.get("timestamp", str(now - int(age)) if age is not None else str(now))
    signature = headers.get("signature", sign(SIGNING_SECRET, str(ts), body) if ts else None)
    extra = {}
    if ts is not None:
        extra["X-Slack-Request-Timestamp"] = ts
    if signature is not None:
        extra["X-Slack-Signature"] = signature
    resp = sender.send(body, signed=False, headers=extra)
    assert resp.status == 401
    assert why in resp.text


def test_a_signature_over_other_bytes_gets_401(sender: SlackSender) -> None:
    ts = str(int(time.time()))
    signature = sign(SIGNING_SECRET, ts, command_body("svc").encode())
    resp = sender.send(command_body("svc "), timestamp=ts, signature=signature)
    assert resp.status == 401


def test_a_signature_with_another_secret_gets_401(url: str) -> None:
    resp = SlackSender(url, "not-the-secret").send(command_body())
    assert resp.status == 401


def test_nothing_is_parsed_before_the_signature_is_checked(sender: SlackSender) -> None:
    # Garbage that is not signed is a 401, not a 400: the body was never looked at.
    resp = sender.send(b"\xff\xfe{{{", JSON, signed=False)
    assert resp.status == 401


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (b"{not json", JSON, "malformed body"),
        (b"[1, 2, 3]", JSON, "malformed body"),
        (b'{"type": 7}', JSON, "malformed body"),
        (b"\xff\xfe\x00\x01", JSON, "not UTF-8"),
        (b'{"type": "event_callback", "team_id": "T1", "event_id": "Ev1"}', JSON, "event"),
        (
            b'{"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": "x"}',
            JSON,
            "event",
        ),
        (b'{"type": "url_verification"}', JSON, "challenge"),
        (b"payload=%7Bnot+json", FORM, "malformed body"),
        (b"payload=%22a+string%22", FORM, "malformed body"),
        (b"user_id=U1&team_id=T1", FORM, "neither"),
        (b"command=%2Fk8sq&team_id=T1", FORM, "user_id"),
        (b"text=hello", "text/plain", "unsupported content type"),
        (b"%%%=&&", FORM, "malformed body"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, "nested too deep"),
        (b"payload=" + b"%5B" * 100_000, FORM, "malformed body"),
    ],
)
def test_signed_but_malformed_bodies_get_400(
    sender: SlackSender, body: bytes, content_type: str, why: str
) -> None:
    resp = sender.send(body, content_type)
    assert resp.status == 400
    assert why in resp.text


def good_click() -> dict[str, Any]:
    return block_actions("T0K8SQ", "k8sq.answer", "1", "U0ALICE", "C0GENERAL", "1.0001")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda p: p.update(user="U0ALICE"), "user"),
        (lambda p: p.update(actions=[]), "actions"),
        (lambda p: p.update(actions=[{"value": "1"}]), "action_id"),
        (lambda p: p.update(team=["T0K8SQ"]), "team"),
        (lambda p: p.pop("user"), "user"),
        (lambda p: p.update(event=None), "event"),
        (lambda p: p.update(view=None), "view"),
        (lambda p: p.update(channel=7), "channel"),
        (lambda p: p.update(authorizations="T1"), "authorizations"),
        (
            lambda p: p.update(authorizations=[{"team_id": "T1", "user": []}]),
            "authorizations.0.user",
        ),
    ],
)
def test_interactivity_payloads_of_the_wrong_shape_get_400(
    sender: SlackSender, change: Any, where: str
) -> None:
    payload = good_click()
    change(payload)
    resp = sender.send_payload(payload)
    assert resp.status == 400
    assert where in resp.text


def test_a_view_submission_without_its_view_gets_400(sender: SlackSender) -> None:
    payload = {"type": "view_submission", "user": {"id": "U0ALICE"}, "view": {"state": {}}}
    resp = sender.send_payload(payload)
    assert resp.status == 400
    assert "view" in resp.text


def test_an_event_nobody_listens_to_gets_200(sender: SlackSender, fake_slack: FakeSlack) -> None:
    event = {"type": "reaction_added", "user": "U0ALICE", "reaction": "thumbsup"}
    resp = sender.send_json(event_callback("T0K8SQ", event))
    assert resp.status == 200
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []


def test_a_click_nobody_listens_to_gets_200(sender: SlackSender) -> None:
    resp = sender.send_payload(good_click())
    assert resp.status == 200


def test_unknown_payload_types_are_acknowledged(sender: SlackSender) -> None:
    assert sender.send_payload({"type": "shortcut", "callback_id": "x"}).status == 200
    assert sender.send_json({"type": "app_rate_limited", "minute_rate_limited": 1}).status == 200


def test_url_verification_echoes_the_challenge(sender: SlackSender) -> None:
    resp = sender.send_json({"type": "url_verification", "challenge": "abc123", "token": "t"})
    assert resp.status == 200
    assert json.loads(resp.body) == {"challenge": "abc123"}


def test_other_paths_and_methods(url: str, sender: SlackSender) -> None:
    import http.client

    conn = http.client.HTTPConnection(sender.host, sender.port, timeout=5)
    try:
        conn.request("GET", "/slack/events")
        assert conn.getresponse().status == 405
        conn.close()
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"ok")
        conn.close()
        conn.request("POST", "/elsewhere", body=b"{}")
        assert conn.getresponse().status == 404
    finally:
        conn.close()


def test_an_oversized_body_is_refused_before_it_is_read(sender: SlackSender) -> None:
    import http.client

    # The length alone decides: the server answers without reading (or waiting for) a body.
    conn = http.client.HTTPConnection(sender.host, sender.port, timeout=5)
    try:
        conn.putrequest("POST", "/slack/events")
        conn.putheader("Content-Type", FORM)
        conn.putheader("Content-Length", str(1024 * 1024 + 1))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 413
    finally:
        conn.close()
