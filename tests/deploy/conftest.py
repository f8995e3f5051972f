"""Fixtures for running the commands the containers run, against the local PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_database(postgres_server_url: str) -> Iterator[str]:
    """An empty database of this test's own on the PostgreSQL server, dropped afterwards."""
    from bot.store.engine import create_engine_for

    name = f"k8sq_deploy_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def clean_env(**settings: str) -> dict[str, str]:
    """The process environment without any k8sq or Slack setting, plus `settings`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("K8SQ_", "SLACK_")) and k not in ("DATABASE_URL", "PORT")
    }
    env["PYTHONPATH"] = str(REPO)
    env.update(settings)
    return env


def k8sq(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `k8sq ARGS` as a container would (in `cwd`, so no .env of the repository is read)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_k8sq(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """Start `k8sq ARGS` in `cwd`, its output going to `cwd/k8sq.log` (read with `output()`)."""
    with open(cwd / "k8sq.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, stdout=log, stderr=log
        )


def output(cwd: Path) -> str:
    path = cwd / "k8sq.log"
    return path.read_text() if path.exists() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
