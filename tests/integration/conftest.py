"""The store and the services over a real database, with a small bank and a keyword grader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from bot.services import Services
from bot.store.sql_store import SqlStore
from tests.integration.game import ADMIN, CHANNEL, DEFAULT_BANK, TEAM, FakeClock, build_services


@pytest.fixture
def clock() -> FakeClock:
    """Wednesday 2026-11-25, 10:00 in Shanghai."""
    return FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


@pytest.fixture
def store(engine: Engine) -> SqlStore:
    return SqlStore(engine)


@pytest.fixture
def services(store: SqlStore, clock: FakeClock) -> Services:
    """The services over a fresh database, with one workspace (Shanghai, weekdays)."""
    services = build_services(store, clock, DEFAULT_BANK)
    services.ensure_workspace(TEAM)
    services.update_settings(
        TEAM,
        channel_id=CHANNEL,
        timezone="Asia/Shanghai",
        post_time="09:30",
        close_time="18:00",
        admins=(ADMIN,),
    )
    return services
