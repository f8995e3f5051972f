"""The composition root: everything the bot needs, built from the settings in one place.

Nothing here runs at import time. `build()` creates the database engine (lazily connecting),
loads the question bank, and wires the services, the chat port and the jobs; the Bolt app is
built on demand (`Bot.slack_app()`), since the scheduler role and the operators' commands do
not need one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.config import Schedule, Settings
from bot.domain.records import WorkspaceSettings
from bot.jobs import Jobs
from bot.ports import Chat, ChatError, Clock, Store, SystemClock
from bot.services import Services

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from slack_bolt import App
    from sqlalchemy import Engine

    from bot.slack.oauth import Installs

log = logging.getLogger(__name__)


class StartError(Exception):
    """Something the bot cannot start without; the message is one line that says what."""


def workspace_defaults(settings: Settings) -> WorkspaceSettings:
    """The settings a new workspace starts with: the K8SQ_* values (team id filled in later)."""
    s: Schedule = settings.schedule
    return WorkspaceSettings(
        team_id="",
        channel_id=s.channel,
        post_time=s.post_time,
        close_time=s.close_time,
        timezone=s.timezone,
        weekdays=tuple(sorted(s.weekdays)),
        holiday_country=s.holidays,
        language=s.language,
        admins=settings.admins,
    )


def single_token(settings: Settings) -> Callable[[str], str]:
    """The bot token of every workspace, for now SLACK_BOT_TOKEN's (one workspace)."""

    def token_for(team_id: str) -> str:
        if not settings.slack_bot_token:
            raise ChatError("not_authed", "SLACK_BOT_TOKEN is not set")
        return settings.slack_bot_token

    return token_for


@dataclass
class Bot:
    """The wired application."""

    settings: Settings
    store: Store
    services: Services
    chat: Chat
    clock: Clock
    jobs: Jobs
    engine: Engine | None = None
    # OAuth installs into many workspaces (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set).
    installs: Installs | None = None

    def slack_app(self, **options: Any) -> App:
        """The Bolt app over these services (options go to `bot.slack.app.build_app`)."""
        from bot.slack import request_log
        from bot.slack.app import build_app

        if self.installs is not None:
            options.setdefault("app_options", self.installs.app_options())
        app = build_app(self.settings, self.services, jobs=self.jobs, **options)
        request_log.register(app)
        if self.installs is not None:
            self.installs.register(app)
        return app

    def wsgi(self) -> WSGIApplication:
        """The web role's WSGI app: /slack/events, the OAuth pages if installing, /healthz."""
        from bot.health import HealthCheck, database_problem, health_engine
        from bot.slack.web import SlackWeb

        assert self.settings.slack_signing_secret
        app = self.slack_app()
        web: WSGIApplication = SlackWeb(app, signing_secret=self.settings.slack_signing_secret)
        if self.installs is not None:
            web = self.installs.routes(app, web)
        engine = health_engine(self.settings.database_url)
        return HealthCheck(web, lambda: database_problem(engine))

    def start(self, *, migrate: bool) -> str | None:
        """Get the database, the bank's questions and the token's workspace ready.

        `migrate` (the scheduler role and the operators' commands) also migrates the
        database and copies the bank's questions into it; the web role, of which several may
        start at once, only checks that this was done. Returns the workspace's team id.
        """
        self.prepare_database(migrate=migrate)
        if migrate:
            changed = self.services.sync_bank()
            if changed:
                log.info("%d question(s) of the bank are new or changed", changed)
        return self.seed_workspace()

    def prepare_database(self, *, migrate: bool) -> None:
        """Migrate the database to the code's revision (`migrate`), or check that it is there.

        Raises:
            StartError: the database is unreachable, newer than the code, or (not migrating)
                behind it.
        """
        if self.engine is None:
            return  # a store handed in by the caller is its business
        from bot.store import migrate as migrations

        url = self.engine.url.render_as_string(hide_password=False)
        try:
            if migrate:
                before, after = migrations.upgrade(self.engine)
                if before != after:
                    log.info("database migrated from %s to %s", before, after)
            else:
                current = migrations.check_not_newer(self.engine)
                head = migrations.head_revision(url)
                if current != head:
                    raise StartError(
                        f"the database is at revision {current}, the code at {head}: run "
                        "`k8sq db upgrade` (or start the scheduler role, which migrates) first"
                    )
        except migrations.DatabaseError as exc:
            raise StartError(str(exc)) from None

    def seed_workspace(self) -> str | None:
        """Set up the SLACK_BOT_TOKEN workspace from the environment; return its team id.

        A new workspace gets the K8SQ_* settings. One that exists keeps what is saved (settings
        changed in Slack take precedence), but the environment fills what is still unset
        (the channel, the holiday country) and K8SQ_ADMINS are always among its admins.

        Raises:
            StartError: Slack refused the token, or could not be reached.
        """
        if not self.settings.slack_bot_token:
            return None
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        client = WebClient(
            token=self.settings.slack_bot_token, base_url=self.settings.slack_api_url, timeout=10
        )
        try:
            team_id = client.auth_test().get("team_id")
        except SlackApiError as exc:
            code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise StartError(
                f"Slack refused SLACK_BOT_TOKEN ({code or exc.response.status_code}): copy the "
                "Bot User OAuth Token from https://api.slack.com/apps > your app > "
                "OAuth & Permissions"
            ) from None
        except OSError as exc:
            raise StartError(
                f"cannot reach Slack at {self.settings.slack_api_url} ({exc}): check the "
                "network, or SLACK_API_URL"
            ) from None
        if not isinstance(team_id, str) or not team_id:
            raise StartError("Slack's auth.test gave no team id for SLACK_BOT_TOKEN")
        saved = self.services.ensure_workspace(team_id)
        wanted = self._with_env_gaps_filled(saved)
        if wanted != saved:
            self.store.save_workspace(wanted)
        self._log_overridden(wanted)
        return team_id

    def _with_env_gaps_filled(self, saved: WorkspaceSettings) -> WorkspaceSettings:
        env = workspace_defaults(self.settings)
        return replace(
            saved,
            channel_id=saved.channel_id or env.channel_id,
            holiday_country=saved.holiday_country or env.holiday_country,
            admins=tuple(dict.fromkeys((*saved.admins, *env.admins))),
        )

    def _log_overridden(self, saved: WorkspaceSettings) -> None:
        env = workspace_defaults(self.settings)
        for name, variable in (
            ("channel_id", "K8SQ_CHANNEL"),
            ("post_time", "K8SQ_POST_TIME"),
            ("close_time", "K8SQ_CLOSE_TIME"),
            ("timezone", "K8SQ_TIMEZONE"),
            ("weekdays", "K8SQ_WEEKDAYS"),
            ("holiday_country", "K8SQ_HOLIDAYS"),
            ("language", "K8SQ_LANGUAGE"),
        ):
            mine, theirs = getattr(saved, name), getattr(env, name)
            if theirs is not None and mine != theirs:
                log.info(
                    "%s: the workspace %s keeps its saved %s (%s), not %s from the environment",
                    variable,
                    saved.team_id,
                    name.replace("_", " "),
                    mine,
                    theirs,
                )

    def close(self) -> None:
        """Release the database connections."""
        if self.engine is not None:
            self.engine.dispose()


def build(
    settings: Settings,
    *,
    store: Store | None = None,
    chat: Chat | None = None,
    clock: Clock | None = None,
) -> Bot:
    """Wire the bot from `settings`; tests hand in their own store, chat or clock.

    Raises:
        StartError: the question bank does not load.
    """
    from bot.domain.grading import grade
    from bot.question_bank import BankError, load_bank

    clock = clock or SystemClock()
    engine = None
    if store is None:
        from bot.store.engine import create_engine_for
        from bot.store.sql_store import SqlStore

        engine = create_engine_for(settings.database_url)
        store = SqlStore(engine)
    try:
        bank = load_bank(settings.questions_dir)
    except BankError as exc:
        raise StartError(f"the question bank does not load: {exc}") from None
    services = Services(
        store=store,
        bank=bank,
        clock=clock,
        grader=grade,
        workspace_defaults=workspace_defaults(settings),
    )
    installs = None
    if settings.oauth and engine is not None:
        from bot.slack.oauth import Installs

        installs = Installs.from_settings(settings, engine, services)
    if chat is None:
        from bot.slack.chat import SlackChat

        token_for = installs.token_for if installs is not None else single_token(settings)
        chat = SlackChat(base_url=settings.slack_api_url, token_for=token_for)
    jobs = Jobs(services=services, chat=chat, clock=clock)
    return Bot(
        settings=settings,
        store=store,
        services=services,
        chat=chat,
        clock=clock,
        jobs=jobs,
        engine=engine,
        installs=installs,
    )
