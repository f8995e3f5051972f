"""/healthz and the heartbeats, in process: 200 or 503 by the database, fresh or stale beats."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest

from bot.config import load_settings
from bot.health import (
    HealthCheck,
    Heartbeat,
    beating,
    database_problem,
    health_engine,
    keep_beating,
)

UNREACHABLE = "postgresql+psycopg://k8sq:hunter2@127.0.0.1:1/k8sq"


def call(app: object, path: str, method: str = "GET") -> tuple[str, bytes]:
    environ: dict[str, object] = {"PATH_INFO": path, "REQUEST_METHOD": method}
    setup_testing_defaults(environ)
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen.append(status)

    assert callable(app)
    body = b"".join(app(environ, start_response))
    return seen[0], body


def inner(environ: object, start_response: object) -> list[bytes]:
    assert callable(start_response)
    start_response("204 No Content", [])
    return [b"inner"]


def test_healthz_is_200_when_the_database_answers(tmp_path: Path) -> None:
    engine = health_engine(f"sqlite:///{tmp_path / 'k.db'}")
    app = HealthCheck(inner, lambda: database_problem(engine))
    assert call(app, "/healthz") == ("200 OK", b"ok\n")
    assert call(app, "/slack/events", "POST") == ("204 No Content", b"inner")
    engine.dispose()


def test_healthz_is_503_naming_the_database_when_it_does_not_answer() -> None:
    engine = health_engine(UNREACHABLE)
    app = HealthCheck(inner, lambda: database_problem(engine))
    status, body = call(app, "/healthz")
    assert status == "503 Service Unavailable"
    assert body.startswith(b"cannot use the database postgresql+psycopg://k8sq:***@127.0.0.1:1/")
    assert b"hunter2" not in body
    assert call(app, "/healthz", "POST")[0] == "405 Method Not Allowed"
    engine.dispose()


def test_a_tick_beats_only_when_it_returns(tmp_path: Path) -> None:
    beat = Heartbeat("scheduler", tmp_path)
    assert beat.age() is None
    ticks: list[int] = []
    beating(ticks.append, beat)(1)
    assert ticks == [1] and beat.age() is not None

    beat.clear()

    def failing(_: int) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        beating(failing, beat)(2)
    assert beat.age() is None


def test_socket_mode_beats_while_connected(tmp_path: Path) -> None:
    beat = Heartbeat("socket", tmp_path)
    connected = [False]
    stop = keep_beating(beat, lambda: connected[0], interval=0.02)
    try:
        time.sleep(0.1)
        assert beat.age() is None, "no beat while disconnected"
        connected[0] = True
        deadline = time.monotonic() + 5
        while beat.age() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.age() is not None
    finally:
        stop.set()


def test_k8sq_health_checks_every_heartbeat_found(tmp_path: Path) -> None:
    from bot.cli.health import check

    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "K8SQ_HEARTBEAT_DIR": str(tmp_path)},
        env_file=None,
    )
    out = io.StringIO()
    assert check(settings, role=None, out=out) == 1
    assert "no heartbeat yet" in out.getvalue()

    Heartbeat("scheduler", tmp_path).beat()
    socket = Heartbeat("socket", tmp_path)
    socket.beat()
    assert check(settings, role=None, out=io.StringIO()) == 0

    an_hour_ago = time.time() - 3600
    os.utime(socket.path, (an_hour_ago, an_hour_ago))
    out = io.StringIO()
    assert check(settings, role=None, out=out) == 1
    assert "socket: last heartbeat 3600s ago (more than 180s)" in out.getvalue()
    assert check(settings, role="scheduler", out=io.StringIO()) == 0
