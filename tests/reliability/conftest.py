"""Print the reliability figures after the run (see tests/reliability/figures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.e2e.fake_slack import FakeSlack
from tests.integration.game import FakeClock
from tests.reliability import figures


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A Slack fake of the test's own: its record is the test's alone."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 1, tzinfo=UTC))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = figures.report()
    if not lines:
        return
    size = "full" if figures.FULL else "quick (K8SQ_RELIABILITY=full for the full counts)"
    terminalreporter.section(f"reliability figures, {size}")
    for line in lines:
        terminalreporter.write_line(line)
