"""One log line per Slack request, tagged with its workspace, user and (when named) round.

A Bolt middleware: the ids are set for the listener's run too (listeners run on the request's
thread), so whatever a listener logs carries them. The line names what arrived (a command, a
button, a modal, an event) and never its text: an answer is not for the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.logs import log_context
from bot.slack import ids

log = logging.getLogger("bot.slack.requests")

# Buttons whose value is a round id.
_ROUND_ACTIONS = frozenset(
    {ids.ANSWER_ACTION_ID, ids.OTHER_LANGUAGE_ACTION_ID, ids.POST_AGAIN_ACTION_ID}
)


def describe(body: dict[str, Any]) -> tuple[str, int | None]:
    """What the request is, in a few words without its text, and the round it names."""
    kind = str(body.get("type") or "")
    if "command" in body:
        return f"command {body['command']}", None
    if kind == "event_callback":
        event = _dict(body.get("event"))
        return f"event {event.get('type')}", None
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        action = actions[0] if isinstance(actions[0], dict) else {}
        action_id = str(action.get("action_id"))
        round_id = _int(action.get("value")) if action_id in _ROUND_ACTIONS else None
        return f"action {action_id}", round_id
    if kind in ("view_submission", "view_closed"):
        view = _dict(body.get("view"))
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        round_id = _int(meta.get("round")) if isinstance(meta, dict) else None
        return f"{kind} {view.get('callback_id')}", round_id
    return kind or "request", None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class RequestLog(Middleware):
    """Bolt middleware: tag the request's lines with its ids and log what arrived.

    A `Middleware` rather than a function, so Bolt calls it directly instead of building its
    arguments by inspection on every request.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        what, round_id = describe(req.body)
        context = req.context
        with log_context(team_id=context.team_id, user_id=context.user_id, round_id=round_id):
            log.info("slack %s", what)
            return next()


def register(app: App) -> None:
    app.middleware(RequestLog())
