"""Streaks: consecutive daily rounds a person answered."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass


@dataclass(frozen=True)
class RoundRef:
    """A daily round, for streaks: whether answering it is still possible."""

    round_id: int
    still_open: bool = False


def current_streak(rounds: Sequence[RoundRef], answered: Set[int]) -> int:
    """Rounds answered in a row, counting back from the latest (`rounds` oldest first).

    A round still open that the person has not answered yet does not break the streak.
    """
    streak = 0
    for i, ref in enumerate(reversed(rounds)):
        if ref.round_id in answered:
            streak += 1
        elif i == 0 and ref.still_open:
            continue
        else:
            break
    return streak


def longest_streak(rounds: Sequence[RoundRef], answered: Set[int]) -> int:
    """The longest run of rounds answered in a row (`rounds` oldest first)."""
    best = run = 0
    for ref in rounds:
        run = run + 1 if ref.round_id in answered else 0
        best = max(best, run)
    return best
