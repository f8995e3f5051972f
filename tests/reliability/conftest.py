"""Print the reliability figures after the run (see tests/reliability/figures.py)."""

from __future__ import annotations

import pytest

from tests.reliability import figures


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = figures.report()
    if not lines:
        return
    size = "full" if figures.FULL else "quick (K8SQ_RELIABILITY=full for the full counts)"
    terminalreporter.section(f"reliability figures, {size}")
    for line in lines:
        terminalreporter.write_line(line)
