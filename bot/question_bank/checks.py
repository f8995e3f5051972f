"""Rules of a question that span fields: example count and kinds, ids used twice, odd ranges.

The schema checks a field at a time. These run on the raw YAML rather than on the validated models,
so they are reported beside any other problem of the same question, not once the rest is fixed.
"""

from __future__ import annotations

import math
from typing import Any

from bot.question_bank.locations import Loc
from bot.question_bank.reader import FileLoader

# Every question calibrates its rubric on at least a full, a partial and a wrong or empty answer.
REQUIRED_KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a full answer (kind: full)", ("full",)),
    ("a partial answer (kind: partial or weak)", ("partial", "weak")),
    ("a wrong or empty answer (kind: wrong, empty or offtopic)", ("wrong", "empty", "offtopic")),
)
MIN_EXAMPLES = 3


def question_id(raw: Any) -> str | None:
    """The id a question was written with, to name it in its problems even when it is broken."""
    if isinstance(raw, dict):
        qid = raw.get("id")
        if isinstance(qid, str) and qid.strip():
            return qid.strip()
    return None


def _items(raw: Any, *keys: str) -> list[Any]:
    """`raw[k1][k2]...` when it is a list, else an empty list: for checks on broken YAML."""
    for key in keys:
        raw = raw.get(key) if isinstance(raw, dict) else None
    return raw if isinstance(raw, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def check_question(raw: Any, loader: FileLoader, at: Loc) -> None:
    """The rules that span fields, run on the raw YAML so they show beside any other problem."""
    qid = question_id(raw)
    raw_examples = _items(raw, "examples")
    has_list = isinstance(raw, dict) and isinstance(raw.get("examples"), list)
    if has_list and len(raw_examples) < MIN_EXAMPLES:
        loader.add(
            (*at, "examples"),
            f"needs at least {MIN_EXAMPLES} examples (a full, a partial and a wrong or empty"
            f" answer), has {len(raw_examples)}",
            question_id=qid,
        )
    for group in ("concepts", "misconceptions"):
        seen: dict[str, int] = {}
        for i, item in enumerate(_items(raw, "rubric", group)):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                loader.add(
                    (*at, "rubric", group, i, "id"),
                    f"id '{item_id}' already used by {group}[{seen[item_id]}]",
                    question_id=qid,
                )
            seen.setdefault(item_id, i)
    declared = raw.get("max_points", 10) if isinstance(raw, dict) else 10
    max_points = _number(declared)
    for i, example in enumerate(raw_examples):
        points = example.get("points") if isinstance(example, dict) else None
        if not isinstance(points, list) or len(points) != 2:
            continue
        low, high = _number(points[0]), _number(points[1])
        if low is None or high is None or low < 0 or high < 0:
            continue  # reported by the schema
        if low > high:
            loader.add(
                (*at, "examples", i, "points"),
                f"impossible range [{low:g}, {high:g}]: min is more than max",
                question_id=qid,
            )
        elif max_points is not None and max_points > 0 and high > max_points:
            loader.add(
                (*at, "examples", i, "points"),
                f"impossible range [{low:g}, {high:g}]: the question is worth {max_points:g}",
                question_id=qid,
            )
    kinds = {
        e["kind"] for e in raw_examples if isinstance(e, dict) and isinstance(e.get("kind"), str)
    }
    if len(raw_examples) >= MIN_EXAMPLES:
        for description, group_kinds in REQUIRED_KIND_GROUPS:
            if not kinds.intersection(group_kinds):
                loader.add((*at, "examples"), f"needs {description}", question_id=qid)
