"""Is this process healthy? The database check, the roles' heartbeats, and `/healthz`.

The web role answers `GET /healthz` itself: 200 when the database answers, 503 when not. The
scheduler role and Socket Mode have no port to ask, so they write a heartbeat file (one per
role, in K8SQ_HEARTBEAT_DIR, by default a k8sq folder in the temp directory, so each container
has its own): the scheduler after each tick, Socket Mode while its connection is up.
`k8sq health` reads them (bot.cli.health).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
ROLES = ("scheduler", "socket")
# The scheduler ticks every minute: three missed ticks in a row is not a hiccup.
DEFAULT_MAX_AGE = 180.0
# Socket Mode writes its heartbeat this often while connected.
BEAT_INTERVAL = 30.0
# A health check waits at most this long for the database.
CONNECT_TIMEOUT = 3

T = TypeVar("T")


def default_heartbeat_dir() -> Path:
    return Path(tempfile.gettempdir()) / "k8sq"


def health_engine(url: str) -> Engine:
    """A one-connection engine for health checks that gives up on the database quickly."""
    from bot.store.engine import create_engine_for

    options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0, "pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    if url.startswith("sqlite"):
        options = {}  # SQLite's pool takes neither size nor overflow
    return create_engine_for(url, **options)


def database_problem(engine: Engine) -> str | None:
    """None when the database answers `SELECT 1`; else one line saying why not."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        from bot.store.migrate import describe_failure

        return describe_failure(engine, exc)
    except SQLAlchemyError as exc:
        return f"cannot use the database: {type(exc).__name__}"
    return None


class Heartbeat:
    """A role's heartbeat: a file whose modification time is the last beat."""

    def __init__(self, role: str, directory: Path | None = None) -> None:
        self.role = role
        self.path = (directory or default_heartbeat_dir()) / f"{role}.heartbeat"

    def beat(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{time.time():.0f}\n")

    def age(self) -> float | None:
        """Seconds since the last beat, or None if there was none."""
        try:
            return max(0.0, time.time() - self.path.stat().st_mtime)
        except FileNotFoundError:
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def beating(fn: Callable[[T], object], heartbeat: Heartbeat) -> Callable[[T], None]:
    """`fn`, followed by a beat when it returns (a tick that raises leaves the beat stale)."""

    def run(arg: T) -> None:
        fn(arg)
        heartbeat.beat()

    return run


def keep_beating(
    heartbeat: Heartbeat, alive: Callable[[], bool], *, interval: float = BEAT_INTERVAL
) -> threading.Event:
    """Beat every `interval` seconds while `alive()`, in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                if alive():
                    heartbeat.beat()
            except Exception:  # a heartbeat thread has nobody to report to but the log
                log.exception("the %s heartbeat failed", heartbeat.role)
            stop.wait(interval)

    threading.Thread(target=loop, name=f"k8sq-{heartbeat.role}-heartbeat", daemon=True).start()
    return stop


class HealthCheck:
    """WSGI middleware answering `GET /healthz`: 200 when the database answers, else 503."""

    def __init__(self, app: WSGIApplication, check: Callable[[], str | None]) -> None:
        self.app = app
        self.check = check

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return _reply(start_response, HTTPStatus.METHOD_NOT_ALLOWED, "GET only\n")
        problem = self.check()
        if problem is not None:
            log.warning("health check failed: %s", problem)
            return _reply(start_response, HTTPStatus.SERVICE_UNAVAILABLE, problem + "\n")
        return _reply(start_response, HTTPStatus.OK, "ok\n")


def _reply(start_response: StartResponse, status: HTTPStatus, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        f"{status.value} {status.phrase}",
        [
            ("Content-Type", "text/plain;charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]
