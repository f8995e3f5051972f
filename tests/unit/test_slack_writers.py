"""Writes queue for SQLite's single writer: between threads, and between processes."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.domain.records import StoreUnavailable
from bot.store.engine import SqliteWriters, create_engine_for, sqlite_writers
from bot.store.migrate import upgrade
from bot.store.sql_store import SqlStore


def test_other_databases_need_no_queue() -> None:
    assert sqlite_writers("postgresql+psycopg://k8sq@db/k8sq") is None


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_queues_threads_only(url: str) -> None:
    writers = sqlite_writers(url)
    assert isinstance(writers, SqliteWriters)
    with writers:
        pass


def test_a_file_database_is_locked_for_other_processes_while_writing(tmp_path: Path) -> None:
    writers = sqlite_writers(f"sqlite:///{tmp_path / 'k8sq.db'}")
    assert writers is not None
    lock_file = tmp_path / "k8sq.db.writers.lock"

    def other_process_may_write() -> bool:
        # flock conflicts between open files, so a second open stands in for a process.
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    with writers:
        assert not other_process_may_write()
    assert other_process_may_write()


def test_threads_take_turns(tmp_path: Path) -> None:
    writers = sqlite_writers(f"sqlite:///{tmp_path / 'k8sq.db'}")
    assert writers is not None
    inside = 0
    most = 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        for _ in range(50):
            with writers:
                with guard:
                    inside += 1
                    most = max(most, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1


def test_a_failed_lock_releases_the_threads(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    writers = SqliteWriters(folder / "k8sq.db.writers.lock")
    with pytest.raises(FileNotFoundError), writers:
        pass
    # The thread lock was given back: once the file can be made, the next writer goes in.
    folder.mkdir()
    with writers:
        pass


def _hold_lock(lock_file: Path) -> int:
    # Another process's writer, in the middle of its transaction.
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_the_store_queues_its_writes_and_not_its_reads(tmp_path: Path) -> None:
    path = tmp_path / "k8sq.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    store = SqlStore(engine)
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    fd = _hold_lock(tmp_path / "k8sq.db.writers.lock")
    recorded = threading.Event()
    results: list[bool] = []

    def write() -> None:
        results.append(store.record_event("Ev1", at))
        recorded.set()

    writer = threading.Thread(target=write)
    try:
        writer.start()
        # Reads do not queue: the writers' lock is taken around write transactions only.
        assert store.get_workspace("T1") is None
        assert not recorded.wait(0.2), "the write went in while another writer held the lock"
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    writer.join()
    assert results == [True]
    assert store.record_event("Ev1", at) is False  # stored once, and the lock was released
    engine.dispose()


def test_a_write_that_cannot_begin_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "k8sq.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)

    @event.listens_for(engine, "connect")
    def give_up_at_once(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")

    engine.dispose()
    store = SqlStore(engine)
    # A writer that does not queue (another program) holds SQLite's write lock: the store's
    # BEGIN IMMEDIATE is refused.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert store.get_workspace("T1") is None  # reads still work
        with pytest.raises(StoreUnavailable, match="locked"):
            store.record_event("Ev1", datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.record_event("Ev1", datetime(2026, 11, 25, 2, 0, tzinfo=UTC)) is True
    engine.dispose()
