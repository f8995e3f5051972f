"""The end-to-end harness: the app served over HTTP on 127.0.0.1, a fake Slack Web API, and a
sender that signs requests as Slack does.

Small to large, one of each per module (servers are not cheap to start):
`slack_api` (the fake Web API) -> `slack_env` / `settings` -> `clock` -> `services` ->
`bolt_app` -> `app_url` (served) -> `slack` (the signing sender). `fake_slack` is the
fake Web API with its record and faults cleared for each test.

Tests share a module's database; each test keeps to its own workspace (`team_id`, a fresh
team id per test), so no test sees another's rounds or answers.
"""

from __future__ import annotations

import itertools
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.config import Settings
    from bot.services import Services

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-test-token"
ADMIN = "U0ADMIN"
CHANNEL = "C0ROUND"
E2E_QUESTIONS = Path(__file__).resolve().parent / "questions"


# ----- serving a WSGI app in a thread -----


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # The bench opens 50 connections at once; the default backlog of 5 would refuse some.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(wsgi_app: Callable[..., Any], path: str = "/slack/events") -> Iterator[str]:
    """Serve `wsgi_app` on 127.0.0.1 (a free port) in a thread; yield the URL of `path`."""
    server = make_server(
        "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()


# ----- the fake Web API -----


@pytest.fixture(scope="module")
def slack_api() -> Iterator[FakeSlack]:
    """One fake Web API server for the module."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(slack_api: FakeSlack) -> FakeSlack:
    """The module's fake Web API, its calls and faults cleared for this test."""
    slack_api.reset()
    return slack_api


# ----- settings, clock, services -----


class FakeClock:
    """A clock tests set; timezone-aware, thread-safe."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware time")
        self._now = now
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware time")
        with self._lock:
            self._now = now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@pytest.fixture(scope="module")
def slack_env(slack_api: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment `k8sq run` would see: Slack at the fake, SQLite in a temp dir."""
    db = tmp_path_factory.mktemp("e2e") / "k8sq.db"
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{db}",
        "K8SQ_CHANNEL": CHANNEL,
        "K8SQ_ADMINS": ADMIN,
        "K8SQ_TIMEZONE": "Asia/Shanghai",
        "K8SQ_POST_TIME": "09:30",
        "K8SQ_CLOSE_TIME": "18:00",
        "K8SQ_LANGUAGE": "en",
        # A small bank of its own, so edits to the real questions never change these tests.
        "K8SQ_QUESTIONS_DIR": str(E2E_QUESTIONS),
    }


@pytest.fixture(scope="module")
def settings(slack_env: dict[str, str]) -> Settings:
    from bot.config import load_settings

    return load_settings(slack_env, env_file=None)


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    """Wednesday 2026-11-25, 10:00 in Shanghai: a working day, the round open."""
    return FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


def build_services(settings: Settings, clock: FakeClock) -> Services:
    """The real services over a fresh SQLite database at settings.database_url."""
    from bot.domain.grading import grade
    from bot.question_bank import load_bank
    from bot.services import Services
    from bot.store.engine import create_engine_for
    from bot.store.sql_store import SqlStore
    from bot.store.tables import Base

    engine = create_engine_for(settings.database_url)
    Base.metadata.create_all(engine)
    bank = load_bank(settings.questions_dir)
    services = Services(store=SqlStore(engine), bank=bank, clock=clock, grader=grade)
    services.sync_bank()
    return services


@pytest.fixture(scope="module")
def services(settings: Settings, clock: FakeClock) -> Services:
    return build_services(settings, clock)


_teams = itertools.count(1)


@pytest.fixture
def team_id(services: Services, settings: Settings) -> str:
    """A fresh workspace for this test, set up with the environment's defaults."""
    team = f"T{next(_teams):04d}E2E"
    services.ensure_workspace(team)
    services.update_settings(
        team, channel_id=CHANNEL, admins=(ADMIN,), language=settings.schedule.language
    )
    return team


# ----- the app over HTTP -----


@pytest.fixture(scope="module")
def bolt_app(settings: Settings, services: Services) -> Iterator[App]:
    from bot.slack.app import build_app, web_client

    # Short retry delays and count interval keep the tests quick; the rules are the same.
    client = web_client(settings, backoff=0.01, max_wait=1.0)
    app = build_app(settings, services, client=client, count_interval=0.3)
    yield app


@pytest.fixture(scope="module")
def app_url(bolt_app: App, settings: Settings) -> Iterator[str]:
    from bot.slack.web import SlackWeb

    assert settings.slack_signing_secret
    with serve(SlackWeb(bolt_app, signing_secret=settings.slack_signing_secret)) as url:
        yield url


@pytest.fixture
def slack(app_url: str, fake_slack: FakeSlack, team_id: str) -> SlackSender:
    """Signs and sends requests to the served app as the test's workspace (`team_id`)."""
    return SlackSender(app_url, SIGNING_SECRET, team_id=team_id, timeout=10.0)
