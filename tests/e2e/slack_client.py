"""Send requests to the app the way Slack sends them: signed, with Slack's payload shapes.

Slack signs `v0:{timestamp}:{raw body}` with the app's signing secret (HMAC-SHA256) and sends
it as `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`. Slash commands arrive as
a form; interactivity (`block_actions`, `view_submission`) as a form with one `payload` field
holding JSON; Events API callbacks as JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.e2e.fake_slack import TEAM_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_ids = itertools.count(1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` Slack would send for this body at this timestamp."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def trigger_id() -> str:
    return f"{next(_ids)}.{int(time.time())}.trigger"


class SlackSender:
    """Posts signed requests to the app's `/slack/events` URL."""

    def __init__(
        self, url: str, signing_secret: str, *, team_id: str = TEAM_ID, timeout: float = 10.0
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = parts.path or "/slack/events"
        self.secret = signing_secret
        self.team_id = team_id
        self.timeout = timeout

    # ----- raw -----

    def send(
        self,
        body: bytes | str,
        content_type: str = FORM,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> Response:
        """POST `body`, signed unless `signed=False` or a `signature` is given."""
        raw = body.encode() if isinstance(body, str) else body
        ts = timestamp if timestamp is not None else str(int(time.time()))
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0"}
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = ts
            all_headers["X-Slack-Signature"] = signature or sign(self.secret, ts, raw)
        all_headers.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", self.path, body=raw, headers=all_headers)
            resp = conn.getresponse()
            return Response(resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()})
        finally:
            conn.close()

    def send_form(self, fields: dict[str, str], **kwargs: Any) -> Response:
        return self.send(urlencode(fields), FORM, **kwargs)

    def send_payload(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        return self.send_form({"payload": json.dumps(payload)}, **kwargs)

    def send_json(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        return self.send(json.dumps(payload), JSON, **kwargs)

    # ----- shaped like Slack's documented payloads -----

    def command(
        self, text: str, *, user: str, command: str = "/k8sq", channel: str = "C0GENERAL"
    ) -> Response:
        """A slash command invocation."""
        return self.send_form(slash_command(self.team_id, command, text, user, channel))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str = "C0GENERAL",
        message_ts: str = "1700000000.000001",
        block_id: str = "actions",
    ) -> Response:
        """A button click in a channel message (`block_actions`)."""
        return self.send_payload(
            block_actions(self.team_id, action_id, value, user, channel, message_ts, block_id)
        )

    def submit(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user: str,
        private_metadata: str = "",
        view_id: str = "V00000001",
    ) -> Response:
        """A modal submission (`view_submission`)."""
        return self.send_payload(
            view_submission(self.team_id, callback_id, values, user, private_metadata, view_id)
        )

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> Response:
        """An Events API `event_callback`, or Slack's retry of one."""
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.send_json(event_callback(self.team_id, event, event_id), headers=headers)


def slash_command(team_id: str, command: str, text: str, user: str, channel: str) -> dict[str, str]:
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "k8sq-test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0K8SQ",
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.com/commands/{team_id}/1/abc",
        "trigger_id": trigger_id(),
    }


def _user(team_id: str, user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id}


def block_actions(
    team_id: str,
    action_id: str,
    value: str,
    user: str,
    channel: str,
    message_ts: str,
    block_id: str = "actions",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": _user(team_id, user),
        "api_app_id": "A0K8SQ",
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id(),
        "team": {"id": team_id, "domain": "k8sq-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "response_url": f"https://hooks.slack.com/actions/{team_id}/1/abc",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": "Answer"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(
    team_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    user: str,
    private_metadata: str,
    view_id: str,
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "k8sq-test"},
        "user": _user(team_id, user),
        "api_app_id": "A0K8SQ",
        "token": "deprecated-verification-token",
        "trigger_id": trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": values},
            "hash": "156772938.1827394",
            "title": {"type": "plain_text", "text": "k8sq"},
            "root_view_id": view_id,
            "app_id": "A0K8SQ",
            "bot_id": "B0BOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def text_input(block_id: str, action_id: str, value: str | None) -> dict[str, dict[str, Any]]:
    """`view.state.values` for one plain-text input."""
    return {block_id: {action_id: {"type": "plain_text_input", "value": value}}}


def event_callback(
    team_id: str, event: dict[str, Any], event_id: str | None = None
) -> dict[str, Any]:
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": "A0K8SQ",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
