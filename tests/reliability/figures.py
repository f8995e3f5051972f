"""The figures the reliability suite measures, printed together at the end of the run.

`make reliability` runs the suite at full size (K8SQ_RELIABILITY=full); `make test` runs the
same tests at a small size. `size(quick, full)` picks the count for the run.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict

FULL = os.environ.get("K8SQ_RELIABILITY", "").strip().lower() == "full"

_lock = threading.Lock()
_figures: dict[str, dict[str, object]] = defaultdict(dict)


def size(quick: int, full: int) -> int:
    """The count for this run: `full` under `make reliability`, `quick` otherwise."""
    return full if FULL else quick


def record(section: str, **values: object) -> None:
    """Keep figures under a heading, e.g. record("load (sqlite)", answers=500)."""
    with _lock:
        _figures[section].update(values)


def report() -> list[str]:
    """The figures as lines, one heading each."""
    with _lock:
        sections = {name: dict(values) for name, values in _figures.items()}
    lines = []
    for name in sorted(sections):
        parts = ", ".join(
            f"{key.replace('_', ' ')}: {_show(v)}" for key, v in sections[name].items()
        )
        lines.append(f"{name}: {parts}")
    return lines


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
