"""The store names an unreachable database (StoreUnavailable) and works again once it is back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.domain.records import StoreUnavailable
from bot.store.engine import create_engine_for
from bot.store.sql_store import SqlStore
from tests.reliability.proxy import TcpProxy


@pytest.mark.postgres
def test_a_refused_or_cut_postgresql_is_named_and_the_store_recovers(
    postgres_session_url: str,
) -> None:
    url = make_url(postgres_session_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine_for(through, connect_args={"connect_timeout": 3})
    store = SqlStore(engine)
    try:
        assert store.get_workspace("T0NONE") is None  # reachable
        proxy.refuse()
        proxy.cut()
        with pytest.raises(StoreUnavailable, match="the database is unavailable"):
            store.get_workspace("T0NONE")
        with pytest.raises(StoreUnavailable):
            store.record_event("Ev0UNAVAILABLE", _now())
        proxy.allow()
        assert store.get_workspace("T0NONE") is None  # back, without a restart
        assert store.record_event("Ev0UNAVAILABLE", _now())  # the refused write never happened
    finally:
        proxy.stop()
        engine.dispose()


def test_a_sqlite_file_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "k8sq.db"
    folder.mkdir()  # a directory where the database file should be
    engine = create_engine_for(f"sqlite:///{folder}")
    try:
        with pytest.raises(StoreUnavailable, match="unable to open database file"):
            SqlStore(engine).get_workspace("T0NONE")
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
