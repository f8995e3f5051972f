"""Choosing questions: the daily one for a workspace, and the next practice one for a person.

Both are pure and deterministic: the same history gives the same choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime

# The difficulty each weekday leans to (Monday first): easy, medium, hard, easy, medium,
# so a week mixes all three; weekend rounds, where a workspace has them, are medium.
DIFFICULTY_BY_WEEKDAY = (1, 2, 3, 1, 2, 2, 2)


@dataclass(frozen=True)
class Candidate:
    question_id: str
    topic: str
    difficulty: int
    position: int  # order in the bank


def asked_this_cycle(history: Sequence[str], bank_ids: Set[str]) -> set[str]:
    """Questions asked since the workspace last went through the whole bank.

    `history` is every daily question asked, oldest first; questions no longer in the bank
    are ignored, and questions added to the bank since join the current cycle unasked.
    """
    asked: set[str] = set()
    for question_id in history:
        if question_id not in bank_ids:
            continue
        asked.add(question_id)
        if asked >= bank_ids:
            asked = set()
    return asked


def choose_daily(
    candidates: Sequence[Candidate],
    history: Sequence[str],
    recent_topic_percent: Mapping[str, float],
    day: date,
) -> Candidate | None:
    """The day's question.

    No question is asked twice before the whole bank has been asked. Among the rest, the
    topic the team scored lowest on recently comes first (a topic without recent answers
    before any other: it is the one most due for review; ties go in bank order); within it,
    the difficulty that day leans to; then bank order. A new cycle never opens with the
    question just asked.
    """
    if not candidates:
        return None
    bank_ids = {c.question_id for c in candidates}
    asked = asked_this_cycle(history, bank_ids)
    remaining = [c for c in candidates if c.question_id not in asked]
    if not asked and history and len(remaining) > 1:
        # A new cycle starts (or the bank was exhausted): not the same question twice running.
        remaining = [c for c in remaining if c.question_id != history[-1]]
    target = DIFFICULTY_BY_WEEKDAY[day.weekday()]
    topic_order: dict[str, int] = {}
    for c in sorted(candidates, key=lambda c: c.position):
        topic_order.setdefault(c.topic, len(topic_order))

    def key(c: Candidate) -> tuple[float, int, int, int]:
        percent = recent_topic_percent.get(c.topic, -1.0)
        return (percent, topic_order[c.topic], abs(c.difficulty - target), c.position)

    return min(remaining, key=key)


@dataclass(frozen=True)
class Tried:
    """A person's best percentage on a question and when they last tried it."""

    best_percent: float
    last_at: datetime


def choose_practice(
    candidates: Sequence[Candidate],
    tried: Mapping[str, Tried],
    excluded: Set[str] = frozenset(),
) -> Candidate | None:
    """The person's next practice question.

    Never one in `excluded` (the questions of rounds still open: practice shows the
    reference). Questions never tried first, in bank order; then the lowest best score,
    the longest ago first. The question tried last comes last, so a retry is not back to back.
    """
    allowed = [c for c in candidates if c.question_id not in excluded]
    if not allowed:
        return None
    last_tried = max(tried.items(), key=lambda kv: (kv[1].last_at, kv[0]), default=None)
    last_id = last_tried[0] if last_tried else None

    never = [c for c in allowed if c.question_id not in tried]
    if never:
        return min(never, key=lambda c: c.position)

    def key(c: Candidate) -> tuple[bool, float, datetime, int]:
        seen = tried[c.question_id]
        return (c.question_id == last_id, seen.best_percent, seen.last_at, c.position)

    return min(allowed, key=key)
