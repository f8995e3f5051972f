"""The commands the containers run, as processes, against PostgreSQL: the migration, the web
role behind /healthz, the scheduler with its heartbeat, and `k8sq health` for each."""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store.migrate import head_revision
from tests.deploy.conftest import clean_env, free_port, k8sq, output, start_k8sq
from tests.e2e.fake_slack import FakeSlack

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/k8sq"


@pytest.fixture(scope="module")
def slack_api() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], cwd: Path, what: str
) -> None:
    """Poll `ready()` until true; fail with the process's output if it exits or never is."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            pytest.fail(f"{what}: the process exited with {proc.returncode}:\n{output(cwd)}")
        time.sleep(0.2)
    stop(proc)
    pytest.fail(f"{what} did not happen within 30s:\n{output(cwd)}")


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def status_of(port: int, method: str, path: str) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=b"" if method == "POST" else None)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@pytest.mark.postgres
def test_migrate_then_web_role_answers_healthz_and_k8sq_health(
    pg_database: str, slack_api: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=pg_database,
        SLACK_BOT_TOKEN="xoxb-deploy-test",
        SLACK_SIGNING_SECRET="deploy-secret",
        SLACK_API_URL=slack_api.url,
        PORT=str(port),
        WEB_CONCURRENCY="1",
        K8SQ_LOG_FORMAT="json",
    )
    # The web role refuses a database that was not migrated.
    refused = k8sq("run", "--mode", "http", "--role", "web", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert "k8sq db upgrade" in refused.stderr

    migrated = k8sq("db", "upgrade", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"to {head_revision(pg_database)}" in migrated.stdout

    web = start_k8sq("run", "--mode", "http", "--role", "web", env=env, cwd=tmp_path)
    try:
        wait_until(lambda: status_of(port, "GET", "/healthz") == 200, web, tmp_path, "/healthz")
        health = k8sq("health", "--role", "web", env=env, cwd=tmp_path)
        assert health.returncode == 0, health.stdout
        assert "database: ok" in health.stdout
        # It is the bot that answers: an unsigned Slack request is refused.
        assert status_of(port, "POST", "/slack/events") == 401
    finally:
        assert stop(web) == 0
    logged = output(tmp_path)
    assert "xoxb-deploy-test" not in logged and "deploy-secret" not in logged
    assert '"level": "INFO"' in logged, "json log lines"
    assert '"logger": "gunicorn.access", "message": "127.0.0.1 - - ' in logged

    # The web role gone, its health check fails.
    down = k8sq("health", "--role", "web", env=env, cwd=tmp_path)
    assert down.returncode == 1
    assert "does not answer" in down.stdout


@pytest.mark.postgres
def test_scheduler_role_writes_a_heartbeat_that_k8sq_health_reads(
    pg_database: str, slack_api: FakeSlack, tmp_path: Path
) -> None:
    beats = tmp_path / "beats"
    env = clean_env(
        DATABASE_URL=pg_database,
        SLACK_BOT_TOKEN="xoxb-deploy-test",
        SLACK_API_URL=slack_api.url,
        K8SQ_HEARTBEAT_DIR=str(beats),
    )
    none_yet = k8sq("health", "--role", "scheduler", env=env, cwd=tmp_path)
    assert none_yet.returncode == 1
    assert "no heartbeat yet" in none_yet.stdout

    # The scheduler migrates by itself, then ticks at once.
    scheduler = start_k8sq("run", "--role", "scheduler", env=env, cwd=tmp_path)
    try:
        beat = beats / "scheduler.heartbeat"
        wait_until(beat.exists, scheduler, tmp_path, "the first heartbeat")
        healthy = k8sq("health", env=env, cwd=tmp_path)
        assert healthy.returncode == 0, healthy.stdout
        assert "scheduler: heartbeat" in healthy.stdout
    finally:
        assert stop(scheduler) == 0

    stale = k8sq("health", "--role", "scheduler", "--max-age", "-1", env=env, cwd=tmp_path)
    assert stale.returncode == 1
    assert "last heartbeat" in stale.stdout


def test_health_fails_in_one_line_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=UNREACHABLE.replace("postgres@", "postgres:hunter2@"))
    result = k8sq("health", "--role", "scheduler", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("database: cannot use the database")
    assert len(result.stdout.strip().splitlines()) == 1
    assert "hunter2" not in result.stdout


def test_oauth_mode_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    env = clean_env(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s", SLACK_SIGNING_SECRET="x")
    result = k8sq("run", "--role", "web", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "K8SQ_TOKEN_KEY" in lines[0]


def test_oauth_installs_refuse_socket_mode(tmp_path: Path) -> None:
    env = clean_env(
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="s",
        SLACK_SIGNING_SECRET="x",
        SLACK_APP_TOKEN="xapp-1-A-1-x",
        K8SQ_TOKEN_KEY="d4e7cYh4ZLQsGw2m3XmPzpiFPyxcu2dkKvQ5VfQUE4Q=",
    )
    result = k8sq("run", "--role", "web", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "over HTTP, not Socket Mode" in result.stderr
