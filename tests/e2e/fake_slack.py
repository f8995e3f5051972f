"""A local fake of Slack's Web API: answers the methods k8sq calls and records every call.

It listens on 127.0.0.1 and speaks the way `https://slack.com/api/` does: a POST to
`/api/<method>` with a form or JSON body and a bearer token, answered with `{"ok": ...}` JSON.
Tests point `SLACK_API_URL` (slack_sdk's `base_url`) at `FakeSlack.url`, then read
`calls` to see what the bot said, and call `fail()` to make Slack misbehave: 429 with
Retry-After, 5xx, an error such as `not_in_channel`, a slow answer or a dropped connection.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TEAM_ID = "T0K8SQ"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

# Form fields slack_sdk sends JSON-encoded; decoded so tests read them as Slack would.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


@dataclass(frozen=True)
class Call:
    """One request the fake received, and the HTTP status it answered with (0: dropped)."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class Fault:
    """How to answer the next call(s) to a method instead of succeeding."""

    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    drop: bool = False
    delay: float = 0.0
    times: int = 1


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)


class FakeSlack:
    """The fake Web API server. Start it with `start()`, stop it with `stop()`."""

    def __init__(self, *, team_id: str = TEAM_ID, bot_user_id: str = BOT_USER_ID) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self._state = _State()
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle -----

    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            slack = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """The Web API base URL, as slack_sdk's `base_url` takes it (with the trailing slash)."""
        assert self._server is not None, "FakeSlack not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def reset(self) -> None:
        """Forget calls, faults, messages and users (between tests)."""
        with self._lock:
            self._state = _State()

    def clear_faults(self) -> None:
        """Drop the faults not used up yet; keep the record."""
        with self._lock:
            self._state.faults.clear()

    # ----- what tests ask for -----

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        drop: bool = False,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls to `method` badly.

        `status=429, retry_after=0` is a rate limit; `status=500` a server error;
        `error="not_in_channel"` a 200 with `ok: false`; `drop=True` closes the connection
        without answering (after reading the request, so Slack may have acted on it);
        `delay` seconds of silence first (to trip a client's timeout). Faults queue up.
        """
        if status == 200 and error is None and not drop and not delay:
            raise ValueError("a fault needs a status, an error, drop or delay")
        fault = Fault(status, error, retry_after, drop, delay, times)
        with self._lock:
            self._state.faults.setdefault(method, deque()).append(fault)

    def add_user(self, user_id: str, **fields: Any) -> None:
        """Make `users.info` answer for `user_id` with these fields (name, tz, is_admin...)."""
        with self._lock:
            self._state.users[user_id] = {"id": user_id, **fields}

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `method` was called at least `count` times; return those calls."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._state.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._state.calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s; calls: {seen}"
                    )
                self._lock.wait(left)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message as Slack holds it now (after any chat.update), or None."""
        with self._lock:
            return self._state.messages.get((channel, ts))

    # ----- the server side -----

    def _next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._state.faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)
            self._lock.notify_all()

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token or not token.startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(args)
        return result

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://k8sq-test.slack.com/",
            "team": "k8sq test",
            "user": "k8sq",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _new_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "thread_ts": args.get("thread_ts"),
        }
        channel_id = str(channel) if str(channel)[:1] in "CDG" else "C" + str(channel).lstrip("#")
        with self._lock:
            self._state.messages[(channel_id, ts)] = message
        return {"ok": True, "channel": channel_id, "ts": ts, "message": message}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        with self._lock:
            message = self._state.messages.get(key)
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            if "text" in args:
                message["text"] = args["text"]
            if "blocks" in args:
                message["blocks"] = args["blocks"]
            message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"]}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise _BadArgs("invalid_arguments")
        vid = view_id or f"V{next(self._views):08d}"
        return {"id": vid, "team_id": self.team_id, "hash": f"h{time.monotonic_ns()}", **view}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": self._view(args.get("view"))}

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not (args.get("view_id") or args.get("external_id")):
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._view(args.get("view"), args.get("view_id"))}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(args.get("view"))}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user", ""))
        with self._lock:
            user = self._state.users.get(user_id)
        if user is None and user_id[:1] in ("U", "W"):
            user = {"id": user_id, "name": user_id.lower(), "tz": "Asia/Shanghai"}
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"team_id": self.team_id, "is_admin": False, **user}}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", "")).split(",")
        if not users or not users[0]:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users[0].lstrip("UW")}}


class _BadArgs(Exception):
    pass


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        parsed = json.loads(raw.decode() or "{}")
        return parsed if isinstance(parsed, dict) else {}
    args: dict[str, Any] = dict(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


class _Handler(BaseHTTPRequestHandler):
    slack: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the calls are recorded instead

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length))

    def _handle(self, raw: bytes) -> None:
        parts = urlsplit(self.path)
        method = parts.path.removeprefix("/api/").strip("/")
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        try:
            args.update(_parse_body(self.headers.get("Content-Type", ""), raw))
        except ValueError:
            self._send(HTTPStatus.OK, {"ok": False, "error": "invalid_json"}, method, args, None)
            return
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else args.pop("token", None)

        fault = self.slack._next_fault(method)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self.slack._record(Call(method, args, token, status=0))
                self.close_connection = True
                self.connection.close()
                return
            if fault.status != 200 or fault.error:
                body: dict[str, Any] = {"ok": False, "error": fault.error or "fatal_error"}
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                if fault.status == 429:
                    body["error"] = fault.error or "ratelimited"
                self._send(fault.status, body, method, args, token, headers)
                return
        try:
            answer = self.slack._answer(method, args, token)
        except _BadArgs as exc:
            answer = {"ok": False, "error": str(exc)}
        self._send(HTTPStatus.OK, answer, method, args, token)

    def _send(
        self,
        status: int,
        body: dict[str, Any],
        method: str,
        args: dict[str, Any],
        token: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        error = None if body.get("ok") else str(body.get("error"))
        self.slack._record(Call(method, args, token, status=int(status), error=error))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
