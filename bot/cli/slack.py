"""`k8sq run`, `k8sq post-daily` and `k8sq reveal`: the Slack bot and its operators' commands."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import ConfigError, Mode, Settings, load_settings, missing_settings_line
from bot.domain.model import DomainError

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.bootstrap import Bot
    from bot.jobs import Outcome

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

ROLES = ("web", "scheduler", "all")
# Request threads per gunicorn worker. A request's work is Python under the GIL (Web API calls
# go to threads of their own after the acknowledgement), so more threads only share the GIL:
# measured with `python -m bench slack`, 4 per worker keep the throughput of 8 and cut the
# median answer time by a fifth. Scale with WEB_CONCURRENCY (workers) instead.
WEB_THREADS = 4

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the Slack bot (terminal practice until Slack is set up)",
        description=(
            "Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT "
            "(default 3000) at /slack/events, served by gunicorn. Without the Slack settings, "
            "say which are missing and start terminal practice instead."
        ),
    )
    run.add_argument("--mode", choices=("socket", "http"), help="default: socket if an app token")
    run.add_argument(
        "--role",
        choices=ROLES,
        help="web: answer Slack only; scheduler: the daily jobs only (run exactly one); "
        "all (default): both",
    )
    run.set_defaults(func=run_command)

    post = subparsers.add_parser(
        "post-daily",
        help="post today's question now, in every workspace or one",
        description=(
            "Post today's question now, whatever the clock says. A second call the same day "
            "does nothing and says so; --force posts again a question whose post is unknown."
        ),
    )
    post.add_argument("--team", metavar="T", help="only this workspace (its Slack team id)")
    post.add_argument(
        "--force", action="store_true", help="post again a question not known to be posted"
    )
    post.set_defaults(func=post_daily_command)

    reveal = subparsers.add_parser(
        "reveal",
        help="reveal the latest round now, in every workspace or one",
        description="Reveal the latest round now, whatever the clock says; once.",
    )
    reveal.add_argument("--team", metavar="T", help="only this workspace (its Slack team id)")
    reveal.set_defaults(func=reveal_command)


# ----- shared steps -----


def _settings(err: TextIO) -> Settings | None:
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"k8sq: {exc}", file=err)
        return None


def _configure_logging(settings: Settings) -> None:
    from bot import logs

    logs.configure(settings.log_format)


def _build(settings: Settings, err: TextIO, *, migrate: bool) -> Bot | None:
    from bot.bootstrap import StartError, build

    try:
        bot = build(settings)
        bot.start(migrate=migrate)
    except StartError as exc:
        print(f"k8sq: {exc}", file=err)
        return None
    return bot


# ----- k8sq run -----


def run_command(args: argparse.Namespace) -> int:
    settings = _settings(sys.stderr)
    if settings is None:
        return EXIT_USAGE
    mode: Mode = args.mode or settings.default_mode
    role: str = args.role or "all"
    # Asked for by name (a deployment), the bot never falls back to terminal practice.
    explicit = args.mode is not None or args.role is not None
    missing: tuple[str, ...]
    if role == "scheduler":  # posts through the Web API only
        missing = () if settings.slack_bot_token or settings.oauth else ("SLACK_BOT_TOKEN",)
    else:
        missing = settings.missing_slack_settings(mode)
    if missing and explicit:
        print(f"k8sq: {missing_settings_line(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if settings.oauth and mode == "socket" and role != "scheduler":
        print(
            "k8sq: installs into many workspaces (SLACK_CLIENT_ID) are served over HTTP, not "
            "Socket Mode: unset SLACK_APP_TOKEN, or run with --mode http",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if missing:
        print(f"k8sq: {missing_settings_line(missing)}; starting terminal practice", flush=True)
        from bot.cli import main

        return main(["practice"])
    _configure_logging(settings)
    bot = _build(settings, sys.stderr, migrate=role != "web")
    if bot is None:
        return EXIT_USAGE
    scheduler = None
    if role in ("scheduler", "all"):
        from bot.health import Heartbeat, beating
        from bot.scheduler import build_scheduler

        heartbeat = Heartbeat("scheduler", settings.heartbeat_dir)
        scheduler = build_scheduler(beating(bot.jobs.tick, heartbeat), clock=bot.clock)
    try:
        if role == "scheduler":
            assert scheduler is not None
            return _run_scheduler_only(scheduler)
        if mode == "socket":
            return _run_socket_mode(bot, settings, scheduler)
        return _run_http(bot, settings, scheduler)
    finally:
        bot.close()


def _wait_for_stop() -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stop.wait()


def _run_scheduler_only(scheduler: BackgroundScheduler) -> int:
    scheduler.start()
    log.info("scheduler running: the daily jobs tick every minute")
    try:
        _wait_for_stop()
    finally:
        scheduler.shutdown(wait=False)
    return EXIT_OK


def _run_socket_mode(bot: Bot, settings: Settings, scheduler: BackgroundScheduler | None) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app = bot.slack_app()
    if scheduler is not None:
        scheduler.start()
    log.info("connecting to Slack in Socket Mode")
    from bot.health import Heartbeat, keep_beating

    handler = SocketModeHandler(app, settings.slack_app_token)
    beats = keep_beating(
        Heartbeat("socket", settings.heartbeat_dir), lambda: bool(handler.client.is_connected())
    )
    try:
        handler.start()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        beats.set()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return EXIT_OK


def _run_http(bot: Bot, settings: Settings, scheduler: BackgroundScheduler | None) -> int:
    """Serve /slack/events with gunicorn; each worker builds its own app (and engine)."""
    from gunicorn.app.base import BaseApplication

    from bot.logs import gunicorn_config

    def load_app() -> Callable[..., Any]:
        from bot.bootstrap import build

        return build(settings).wsgi()

    options: dict[str, Any] = {
        "bind": f"0.0.0.0:{settings.port}",
        "workers": int(os.environ.get("WEB_CONCURRENCY") or 2),
        "worker_class": "gthread",
        "threads": WEB_THREADS,
        # Slack waits 3 seconds; a request still running after 30 is stuck.
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "logconfig_dict": gunicorn_config(settings.log_format),
    }
    if scheduler is not None:
        # In the arbiter, once: never in a worker (one scheduler per deployment).
        options["when_ready"] = lambda server: scheduler.start()
        options["on_exit"] = lambda server: scheduler.shutdown(wait=False)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Any]:
            return load_app()

    bot.close()  # the workers have their own connections
    log.info("serving Slack over HTTP on port %s at /slack/events", settings.port)
    Server().run()
    return EXIT_OK


# ----- k8sq post-daily / reveal -----


def post_daily_command(args: argparse.Namespace) -> int:
    return _for_each_workspace(
        args.team, lambda bot, team: bot.jobs.post_daily(team, force=args.force)
    )


def reveal_command(args: argparse.Namespace) -> int:
    return _for_each_workspace(args.team, lambda bot, team: bot.jobs.reveal(team))


def _for_each_workspace(
    team: str | None,
    job: Callable[[Bot, str], Outcome],
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    settings = _settings(err)
    if settings is None:
        return EXIT_USAGE
    if not settings.slack_bot_token and not settings.oauth:
        print(f"k8sq: {missing_settings_line(('SLACK_BOT_TOKEN',))}", file=err)
        return EXIT_USAGE
    _configure_logging(settings)
    bot = _build(settings, err, migrate=True)
    if bot is None:
        return EXIT_USAGE
    try:
        teams = [team] if team else [ws.team_id for ws in bot.services.list_workspaces()]
        code = EXIT_OK
        for team_id in teams:
            try:
                outcome = job(bot, team_id)
            except DomainError as exc:
                print(f"k8sq: {team_id}: {exc}", file=err)
                code = EXIT_USAGE
                continue
            print(f"{team_id}: {outcome.message}", file=out)
            if outcome.failed:
                code = max(code, EXIT_FAILED)
        return code
    finally:
        bot.close()
