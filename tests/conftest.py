"""Shared database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL runs carry the `postgres` marker and use the server named by
K8SQ_TEST_POSTGRES_URL: each test session creates its own database there and drops it at
the end, so sessions sharing the server never see each other's rows. Without the variable
those runs are skipped, saying why; in CI (CI=true) an unreachable server fails them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text

POSTGRES_ENV = "K8SQ_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _server_unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server to test against, checked once per session."""
    from sqlalchemy.exc import DBAPIError

    from bot.store.engine import create_engine_for, mask_url

    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        _server_unavailable(f"{POSTGRES_ENV} is not set")
    engine = create_engine_for(url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        why = (str(exc.orig).strip().splitlines() or ["no reason given"])[0]
        _server_unavailable(f"cannot reach {mask_url(url)}: {why}")
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_session_url(postgres_server_url: str) -> Iterator[str]:
    """A database of this test session's own on the server, migrated, dropped at the end."""
    from bot.store.engine import create_engine_for
    from bot.store.migrate import upgrade

    name = f"k8sq_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine_for(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    from bot.store.engine import create_engine_for
    from bot.store.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "k8sq.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(engine: Engine) -> None:
    from bot.store.tables import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or this session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "k8sq.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_session_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from bot.store.engine import create_engine_for

    engine = create_engine_for(database_url)
    try:
        yield engine
    finally:
        if engine.dialect.name == "postgresql":
            _truncate_all(engine)
        engine.dispose()
