"""Installs into many workspaces: Bolt's OAuth flow, tokens encrypted at rest, the welcome.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set, the web role serves `/slack/install` and
`/slack/oauth_redirect`. Installations live in our database (bot.store.slack_tables, migrated
by Alembic) through slack_sdk's SQLAlchemy stores; every token is Fernet-encrypted with
K8SQ_TOKEN_KEY before it is written and decrypted when read, so a copy of the database alone
gives no one the bot's tokens.

A new workspace starts idle (no channel) with the person who installed the app as its first
admin, who is told so in a direct message. `app_uninstalled` and `tokens_revoked` delete the
tokens and pause the workspace; its rounds and scores stay until `k8sq workspace erase`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.logs import log_context
from bot.ports import ChatError
from bot.services import Services
from bot.slack.common import direct_message

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.config import Settings

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The fewest scopes that work: the slash command, posting, opening a direct message, and
# users.info (whether someone is a workspace admin or owner). Nothing that reads messages.
BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read")
# How long an install link stays valid.
STATE_EXPIRATION_SECONDS = 600

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")

WELCOME = (
    "k8sq 已安装到这个工作区，你是它的第一位管理员。在选定频道之前它不会发题："
    "请把 @k8sq 邀请到练习频道，然后在该频道运行 `/k8sq config` 选定频道、时间和时区。\n"
    "k8sq is installed in this workspace, and you are its first admin. It stays quiet until "
    "a channel is picked: invite @k8sq to your practice channel, then run `/k8sq config` there "
    "to choose it, with the time and the time zone."
)

Item = TypeVar("Item", Installation, Bot)


class TokenKeyError(RuntimeError):
    """A stored token that none of the keys decrypts."""


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store over our tables, tokens Fernet-encrypted.

    `keys`: the first encrypts; all of them decrypt (put a new key first to rotate, and keep
    the old one after it until every workspace has reinstalled or been re-saved).
    """

    def __init__(self, *, client_id: str, engine: Engine, keys: Sequence[str]) -> None:
        from bot.store import tables

        if not keys:
            raise ValueError("at least one Fernet key is needed to store Slack tokens")
        super().__init__(client_id=client_id, engine=engine)
        # Our tables (widened, migrated), not the ones slack_sdk built on a metadata of its own.
        self.metadata = tables.Base.metadata
        self.installations = tables.slack_installations
        self.bots = tables.slack_bots
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    # ----- writing: encrypt each token once -----

    def save(self, installation: Installation) -> None:
        # The parent saves the bot too, through save_bot(), with the tokens as given here.
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def _sealed(self, item: Item) -> Item:
        sealed = copy.copy(item)
        for name in TOKEN_FIELDS:
            value = getattr(sealed, name, None)
            if value and not self._is_ciphertext(value):
                setattr(sealed, name, self._fernet.encrypt(value.encode()).decode())
        return sealed

    def _is_ciphertext(self, value: str) -> bool:
        try:
            self._fernet.decrypt(value.encode())
        except InvalidToken:
            return False
        return True

    # ----- reading: decrypt -----

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = super().find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if found is None else self._opened(found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = super().find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if found is None else self._opened(found)

    def _opened(self, item: Item) -> Item:
        opened = copy.copy(item)
        for name in TOKEN_FIELDS:
            value = getattr(opened, name, None)
            if value:
                setattr(opened, name, self._decrypt(value, item.team_id))
        return opened

    def _decrypt(self, value: str, team_id: str | None) -> str:
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            if value.startswith("xox"):
                return value  # decrypted already (find_installation reads the bot through us)
            raise TokenKeyError(
                f"cannot decrypt the Slack tokens of workspace {team_id}: K8SQ_TOKEN_KEY is not "
                "the key they were saved with (to change keys, list the new key first and keep "
                "the old one after it, comma-separated)"
            ) from None

    def bot_token(self, team_id: str) -> str | None:
        """The workspace's bot token, or None if k8sq is not installed there."""
        bot = self.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """slack_sdk's OAuth state store over our `slack_oauth_states` table."""
    from bot.store import tables

    store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine)
    store.metadata = tables.Base.metadata
    store.oauth_states = tables.slack_oauth_states
    return store


class Installs:
    """Everything OAuth mode adds: the stores, the flow's settings, the listeners, the routes."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        keys: Sequence[str],
        engine: Engine,
        services: Services,
        api_url: str,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.services = services
        self.api_url = api_url
        self.store = EncryptedInstallationStore(client_id=client_id, engine=engine, keys=keys)
        self.states = state_store(engine)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, services: Services) -> Installs:
        assert settings.slack_client_id and settings.slack_client_secret
        return cls(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            keys=settings.token_keys,
            engine=engine,
            services=services,
            api_url=settings.slack_api_url,
        )

    # ----- the Bolt app -----

    def app_options(self) -> dict[str, Any]:
        """The options that make a Bolt App install by OAuth (for bot.slack.app.build_app)."""
        return {
            "oauth_settings": OAuthSettings(
                client_id=self.client_id,
                client_secret=self.client_secret,
                scopes=list(BOT_SCOPES),
                user_scopes=[],
                installation_store=self.store,
                state_store=self.states,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                callback_options=CallbackOptions(success=self._installed, failure=self._failed),
                # The bot token is enough: no user tokens are asked for.
                installation_store_bot_only=True,
            ),
        }

    def register(self, app: App) -> None:
        """Listen for the app's removal: the tokens go, the workspace pauses, history stays."""

        @app.event("app_uninstalled")
        def on_uninstalled(context: BoltContext) -> None:
            self.forget(context.team_id, why="the app was uninstalled")

        @app.event("tokens_revoked")
        def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
            tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
            assert isinstance(tokens, dict)
            if tokens.get("bot"):
                self.forget(context.team_id, why="its bot token was revoked")
            for user_id in tokens.get("oauth") or []:
                self.store.delete_installation(
                    enterprise_id=context.enterprise_id,
                    team_id=context.team_id,
                    user_id=str(user_id),
                )

    # ----- what happens on install and removal -----

    def _installed(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        team_id, user_id = installation.team_id, installation.user_id
        if team_id:
            with log_context(team_id=team_id, user_id=user_id):
                self.welcome(team_id, user_id, installation.bot_token)
        response: BoltResponse = args.default.success(args)
        return response

    def _failed(self, args: FailureArgs) -> BoltResponse:
        log.warning("a Slack install failed: %s", args.reason)
        response: BoltResponse = args.default.failure(args)
        return response

    def welcome(self, team_id: str, user_id: str, bot_token: str | None) -> None:
        """Set the workspace up (idle, the installer an admin) and tell the installer."""
        store = self.services.store
        existing = store.get_workspace(team_id)
        if existing is None:
            fresh = self.services.ensure_workspace(team_id)
            # The K8SQ_* channel and admins belong to SLACK_BOT_TOKEN's workspace, not this one.
            store.save_workspace(replace(fresh, channel_id=None, admins=(user_id,), paused=False))
            log.info("installed in a new workspace; idle until a channel is picked")
        else:
            admins = existing.admins if user_id in existing.admins else (*existing.admins, user_id)
            store.save_workspace(replace(existing, admins=admins, paused=False))
            log.info("installed again; the workspace keeps its settings and history")
        if bot_token:
            self._send_welcome(user_id, bot_token)

    def _send_welcome(self, user_id: str, bot_token: str) -> None:
        client = WebClient(token=bot_token, base_url=self.api_url, timeout=10)
        try:
            direct_message(client, user_id, WELCOME)
        except (SlackApiError, OSError) as exc:
            log.warning("could not send the welcome message: %s", type(exc).__name__)

    def forget(self, team_id: str | None, *, why: str) -> None:
        """Delete the workspace's tokens and pause it; its rounds and scores stay."""
        if not team_id:
            return
        with log_context(team_id=team_id):
            self.store.delete_all(enterprise_id=None, team_id=team_id)
            settings = self.services.store.get_workspace(team_id)
            if settings is not None and not settings.paused:
                self.services.store.save_workspace(replace(settings, paused=True))
            log.info("tokens deleted and the workspace paused: %s", why)

    # ----- the scheduler's tokens -----

    def token_for(self, team_id: str) -> str:
        """The workspace's bot token, for the chat port; ChatError if not installed."""
        token = self.store.bot_token(team_id)
        if not token:
            raise ChatError("not_authed", f"k8sq is not installed in workspace {team_id}")
        return token

    # ----- HTTP -----

    def routes(self, app: App, inner: WSGIApplication) -> WSGIApplication:
        """WSGI: the install and redirect pages by Bolt's handler, everything else by `inner`."""
        bolt = SlackRequestHandler(app)

        def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path in (INSTALL_PATH, REDIRECT_PATH):
                if environ.get("REQUEST_METHOD", "GET") != "GET":
                    start_response("405 Method Not Allowed", [("Content-Type", "text/plain")])
                    return [b"GET only"]
                result: Iterable[bytes] = bolt(environ, start_response)
                return result
            return inner(environ, start_response)

        return serve
