"""The e2e Slack fake, taught the OAuth exchange: `oauth.v2.access` and a token per workspace."""

from __future__ import annotations

import base64
import threading
from typing import Any

from tests.e2e.fake_slack import FakeSlack

CLIENT_ID = "111.222"
CLIENT_SECRET = "oauth-client-secret"
APP_ID = "A0K8SQ"


class OAuthSlack(FakeSlack):
    """FakeSlack plus installs: `grant(code, team, user)`, then the app exchanges the code."""

    def __init__(self) -> None:
        super().__init__()
        self._codes: dict[str, tuple[str, str]] = {}
        self._teams: dict[str, str] = {}  # bot token -> team id
        self._grant_lock = threading.Lock()

    def grant(self, code: str, *, team_id: str, user_id: str) -> str:
        """Let `code` install the app into `team_id` for `user_id`; return the bot token."""
        token = f"xoxb-{team_id.lower()}-bot-token"
        with self._grant_lock:
            self._codes[code] = (team_id, user_id)
            self._teams[token] = team_id
        return token

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "oauth.v2.access":
            return self._exchange(args, token)
        with self._grant_lock:
            team_id = self._teams.get(token or "")
        if method == "auth.test" and team_id is not None:
            answer = super()._answer(method, args, token)
            return {**answer, "team_id": team_id}
        return super()._answer(method, args, token)

    def _exchange(self, args: dict[str, Any], auth: str | None) -> dict[str, Any]:
        # slack_sdk sends the app's credentials as HTTP Basic auth.
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {expected}":
            return {"ok": False, "error": "invalid_client_id"}
        with self._grant_lock:
            grant = self._codes.pop(str(args.get("code")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, user_id = grant
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": user_id},
            "scope": "commands,chat:write,im:write,users:read",
            "token_type": "bot",
            "access_token": f"xoxb-{team_id.lower()}-bot-token",
            "bot_user_id": "U0BOT",
            "team": {"id": team_id, "name": f"team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
