"""Streaks, pure."""

from __future__ import annotations

from bot.domain.streaks import RoundRef, current_streak, longest_streak

ROUNDS = [RoundRef(i) for i in range(1, 7)]


def test_a_streak_counts_back_from_the_latest_round() -> None:
    assert current_streak(ROUNDS, {4, 5, 6}) == 3
    assert current_streak(ROUNDS, {1, 2, 3, 4, 5, 6}) == 6


def test_a_missed_round_breaks_the_streak() -> None:
    assert current_streak(ROUNDS, {1, 2, 3, 4, 6}) == 1
    assert current_streak(ROUNDS, {1, 2, 3, 4, 5}) == 0


def test_todays_open_round_does_not_break_it_until_it_closes() -> None:
    open_today = [*ROUNDS[:-1], RoundRef(6, still_open=True)]
    assert current_streak(open_today, {3, 4, 5}) == 3
    assert current_streak(open_today, {3, 4, 5, 6}) == 4
    # Only the latest round may be skipped: an older open round is a miss.
    odd = [RoundRef(1), RoundRef(2, still_open=True), RoundRef(3)]
    assert current_streak(odd, {1, 3}) == 1


def test_longest_streak() -> None:
    assert longest_streak(ROUNDS, {1, 2, 4, 5, 6}) == 3
    assert longest_streak(ROUNDS, set()) == 0
    assert longest_streak([], {1}) == 0
