"""The WSGI layer in front of Bolt: verify first, reject malformed bodies, never 404 Slack.

Order matters. The signature is checked on the raw bytes before anything parses them (a bad
or missing signature, or a timestamp that is not a number or more than five minutes off: 401).
Then the body must be UTF-8 and shaped like one of Slack's payloads (otherwise 400, where Bolt
alone would fail with a 500). Bolt handles the rest; a request no listener wants (Bolt's 404)
is acknowledged with 200 so Slack neither retries it nor shows an error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.request.internals import build_context, extract_team_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack rejects older requests the same way: a replayed request is at most this old.
MAX_CLOCK_SKEW = 5 * 60
# Slack's payloads are a few kilobytes; a modal submission with a 3,000-character answer
# stays far below this.
MAX_BODY_BYTES = 1024 * 1024

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class SlackRequestError(Exception):
    """A request the layer answers itself, with `status` and a short reason."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(f"{status.value} {reason}")


# ----- the shapes Bolt relies on: what must be there, with the right type -----


class _Shape(BaseModel):
    # Only what Bolt relies on is checked; the rest of the payload is not copied.
    model_config = ConfigDict(extra="ignore")


class _Id(_Shape):
    id: str


class _Action(_Shape):
    action_id: str
    block_id: str | None = None


class _BlockActions(_Shape):
    type: Literal["block_actions"]
    user: _Id
    team: _Id | None = None
    actions: Annotated[list[_Action], Field(min_length=1)]
    # Slack sends one with every click; the listeners open their modals with it.
    trigger_id: str


class _State(_Shape):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Shape):
    id: str
    callback_id: str = ""
    private_metadata: str = ""
    state: _State | None = None


class _ViewSubmission(_Shape):
    type: Literal["view_submission", "view_closed"]
    user: _Id
    team: _Id | None = None
    view: _View


class _Interactive(_Shape):
    """Any other interactivity payload (shortcuts, menus): only its type is needed."""

    type: str


class _SlashCommand(_Shape):
    command: str
    text: str = ""
    user_id: str
    team_id: str
    channel_id: str
    trigger_id: str


class _Event(_Shape):
    type: str


class _EventCallback(_Shape):
    type: Literal["event_callback"]
    team_id: str
    event_id: str
    event: _Event


class _UrlVerification(_Shape):
    type: Literal["url_verification"]
    challenge: str


_INTERACTIVE: dict[str, type[_Shape]] = {
    "block_actions": _BlockActions,
    "view_submission": _ViewSubmission,
    "view_closed": _ViewSubmission,
}
_EVENTS: dict[str, type[_Shape]] = {
    "event_callback": _EventCallback,
    "url_verification": _UrlVerification,
}


# ----- the checks, in order -----


def sign_body(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's signature of `body` sent at `timestamp`: `v0=` + HMAC-SHA256 of `v0:ts:body`."""
    base = b"v0:" + timestamp.encode("ascii", "replace") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_signature(
    *, secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float
) -> None:
    """Raise SlackRequestError(401) unless Slack signed exactly these bytes, recently."""
    if not timestamp or not signature:
        raise SlackRequestError(HTTPStatus.UNAUTHORIZED, "missing signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SlackRequestError(HTTPStatus.UNAUTHORIZED, "timestamp is not a number") from None
    if abs(now - sent_at) > MAX_CLOCK_SKEW:
        raise SlackRequestError(HTTPStatus.UNAUTHORIZED, "stale timestamp")
    expected = sign_body(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise SlackRequestError(HTTPStatus.UNAUTHORIZED, "bad signature")


def read_payload(content_type: str, text: str) -> dict[str, Any]:
    """The body parsed as Bolt reads it; SlackRequestError(400) unless it is shaped like one
    of Slack's payloads."""
    try:
        if content_type == JSON:
            body = json.loads(text)
            _check_json(body)
            return cast(dict[str, Any], body)
        if content_type == FORM:
            return _read_form(text)
        reason = f"unsupported content type {content_type!r}"
        raise SlackRequestError(HTTPStatus.BAD_REQUEST, reason)
    except ValueError as exc:  # bad JSON, a bad form, or a ValidationError
        reason = _first_error(exc)
        raise SlackRequestError(HTTPStatus.BAD_REQUEST, reason) from None
    except RecursionError:  # JSON nested deeper than Python's parser goes
        raise SlackRequestError(HTTPStatus.BAD_REQUEST, "malformed body: nested too deep") from None


def _check_json(body: Any) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise ValueError("expected a JSON object with a type")
    # Bolt reads an interactive payload sent as JSON just as one sent in a form.
    model = _EVENTS.get(body["type"]) or _INTERACTIVE.get(body["type"])
    if model is not None:
        model.model_validate(body)
    check_common_keys(body)
    if body["type"] in _INTERACTIVE:
        _check_team(body)


def _read_form(text: str) -> dict[str, Any]:
    """A form: an interactive payload (its JSON object), a slash command or an ssl_check."""
    fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    if "payload" in fields:
        payload = json.loads(fields["payload"])
        if not isinstance(payload, dict):
            raise ValueError("payload is not a JSON object")
        _INTERACTIVE.get(str(payload.get("type")), _Interactive).model_validate(payload)
        check_common_keys(payload)
        if payload.get("type") in _INTERACTIVE:
            _check_team(payload)
        return payload
    if "command" in fields:
        _SlashCommand.model_validate(fields)
    elif "ssl_check" not in fields:
        raise ValueError("neither a payload, a command nor an ssl_check")
    return fields


class CheckedRequest(BoltRequest):
    """A request this layer has verified and parsed, handed to Bolt with its parsed body.

    Bolt would parse the body a second time, and its form parsing takes any form with the
    word "payload" anywhere in it for an interactive payload: a slash command typed in a
    channel named #payload-team, or whose text says "payload", would reach no listener.
    The raw body stays as it came, so Bolt's own signature check still holds.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: str,
        headers: dict[str, str | Sequence[str]],
    ) -> None:
        super().__init__(body="", query=query, headers=headers)
        self.raw_body = raw_body
        self.body = body
        self.context = build_context(BoltContext(), body)


def _check_team(payload: dict[str, Any]) -> None:
    """The workspace must be named where Bolt looks for it: every listener works in one."""
    try:
        team = extract_team_id(payload)
    except (TypeError, KeyError, AttributeError, IndexError):
        team = None
    if not isinstance(team, str) or not team:
        raise ValueError("the payload names no workspace (team)")


# Keys Bolt reads from any payload, whatever its type, to find the workspace, the user, the
# channel and the event: a string or an object with a string id, or an object.
_ID_KEYS = ("team", "user", "channel", "enterprise")
_OBJECT_KEYS = ("message", "previous_message", "item", "container", "state")
# Read without a check for None when present.
_STRICT_OBJECT_KEYS = ("event", "view")
_NESTED = ("event", "message", "previous_message", "item")


def check_common_keys(payload: dict[str, Any], where: str = "", depth: int = 0) -> None:
    """Raise ValueError where a key Bolt reads from every payload has the wrong shape."""
    for key in _ID_KEYS:
        value = payload.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict) or not isinstance(value.get("id", ""), str | None):
            raise ValueError(f"{where}{key}: expected a string or an object with a string id")
    for key in _OBJECT_KEYS:
        if not isinstance(payload.get(key, {}), dict | None):
            raise ValueError(f"{where}{key}: expected an object")
    for key in _STRICT_OBJECT_KEYS:
        if key in payload and not isinstance(payload[key], dict):
            raise ValueError(f"{where}{key}: expected an object")
    authorizations = payload.get("authorizations")
    if authorizations is not None:
        if not isinstance(authorizations, list) or not all(
            isinstance(a, dict) for a in authorizations
        ):
            raise ValueError(f"{where}authorizations: expected a list of objects")
        if authorizations:
            check_common_keys(authorizations[0], f"{where}authorizations.0.", depth + 1)
    if depth < 3:
        for key in _NESTED:
            if isinstance(payload.get(key), dict):
                check_common_keys(payload[key], f"{where}{key}.", depth + 1)


def _first_error(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "body"
        return f"malformed payload: {where}: {err['msg']}"
    return f"malformed body: {exc}"


# ----- the WSGI application -----


class SlackWeb:
    """A WSGI application serving a Bolt app at `/slack/events` (and `/healthz`)."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        path: str = EVENTS_PATH,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not signing_secret:
            raise ValueError("a signing secret is required to serve Slack over HTTP")
        self.app = app
        self.signing_secret = signing_secret
        self.path = path
        self.clock = clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _reply(start_response, HTTPStatus.OK, "ok")
        if path != self.path:
            return _reply(start_response, HTTPStatus.NOT_FOUND, "not found")
        if method != "POST":
            return _reply(start_response, HTTPStatus.METHOD_NOT_ALLOWED, "POST only")
        try:
            status, headers, body = self.handle(environ)
        except SlackRequestError as exc:
            log.warning("rejected a request to %s: %s", path, exc)
            return _reply(start_response, exc.status, exc.reason)
        start_response(_status_line(status), headers)
        return [body]

    def handle(self, environ: WSGIEnvironment) -> tuple[int, list[tuple[str, str]], bytes]:
        """Check the request and pass it to Bolt; return Bolt's answer, a 404 made a 200."""
        raw = _read_body(environ)
        headers = _headers(environ)
        verify_signature(
            secret=self.signing_secret,
            body=raw,
            timestamp=_one(headers, "x-slack-request-timestamp"),
            signature=_one(headers, "x-slack-signature"),
            now=self.clock(),
        )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SlackRequestError(HTTPStatus.BAD_REQUEST, "body is not UTF-8") from None
        content_type = (_one(headers, "content-type") or "").split(";")[0].strip().lower()
        body = read_payload(content_type, text)

        response = self.app.dispatch(
            CheckedRequest(
                raw_body=text, body=body, query=environ.get("QUERY_STRING", ""), headers=headers
            )
        )
        if response.status == HTTPStatus.NOT_FOUND:
            # No listener wants it: acknowledge, so Slack does not retry or show an error.
            return HTTPStatus.OK, [("Content-Type", "text/plain;charset=utf-8")], b""
        out = [(k, v) for k, v in response.first_headers_without_set_cookie().items()]
        return response.status, out, response.body.encode("utf-8")


def _read_body(environ: WSGIEnvironment) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise SlackRequestError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise SlackRequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    stream = environ["wsgi.input"]
    raw: bytes = stream.read(length) if length > 0 else b""
    return raw


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _one(headers: dict[str, str | Sequence[str]], name: str) -> str | None:
    value = headers.get(name)
    return value if isinstance(value, str) or value is None else ",".join(value)


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _reply(start_response: StartResponse, status: HTTPStatus, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        _status_line(status),
        [("Content-Type", "text/plain;charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
