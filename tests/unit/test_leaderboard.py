"""Ranking and weeks, pure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.leaderboard import Tally, most_improved, rank, tally, weakest_topic, week_of
from bot.domain.records import TopicScore

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    tallies = tally(
        [("u1", 10, 10), ("u2", 7.5, 10), ("u3", 7.5, 10), ("u4", 3, 10), ("u5", 3, 10)]
    )
    standings = rank(tallies.values(), {"u2": 3})
    assert [(s.user_id, s.rank) for s in standings] == [
        ("u1", 1),
        ("u2", 2),
        ("u3", 2),
        ("u4", 4),
        ("u5", 4),
    ]
    assert standings[1].streak == 3 and standings[2].streak == 0


def test_sums_that_differ_only_by_float_noise_tie() -> None:
    a = Tally("a")
    for points in (0.1, 0.2):
        a.add(points, 10)
    b = Tally("b")
    b.add(0.3, 10)
    assert a.points != b.points  # 0.30000000000000004
    assert [s.rank for s in rank([a, b])] == [1, 1]


def test_average_percent_and_rounds() -> None:
    entry = tally([("u", 5, 10), ("u", 20, 20)])["u"]
    assert (entry.points, entry.rounds, entry.average_percent) == (25, 2, 75.0)


def test_nobody_ranks_on_an_empty_board() -> None:
    assert rank([]) == ()


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),  # Monday itself
        (date(2026, 11, 29), date(2026, 11, 23)),  # Sunday
        (date(2027, 1, 1), date(2026, 12, 28)),  # an ISO week across the new year
    ],
)
def test_a_week_runs_monday_to_sunday(day: date, monday: date) -> None:
    week = week_of(day, SHANGHAI)
    assert week.monday == monday
    assert (week.sunday - week.monday).days == 6


def test_shanghai_weeks_start_at_local_midnight() -> None:
    week = week_of(date(2026, 11, 25), SHANGHAI)
    assert week.start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 4), 167),  # clocks go forward on Sunday 2026-03-08
        (date(2026, 3, 10), 168),  # the week after is an ordinary one
        (date(2026, 10, 28), 169),  # clocks go back on Sunday 2026-11-01
        (date(2026, 11, 18), 168),
    ],
)
def test_new_york_weeks_with_a_daylight_saving_change_are_shorter_or_longer(
    day: date, hours: int
) -> None:
    week = week_of(day, NEW_YORK)
    assert (week.end - week.start).total_seconds() == hours * 3600
    assert week.start.astimezone(NEW_YORK).hour == 0


def test_most_improved_needs_both_weeks_and_a_gain() -> None:
    last = tally([("a", 2, 10), ("b", 5, 10), ("c", 9, 10)])
    this = tally([("a", 6, 10), ("b", 6, 10), ("c", 5, 10), ("d", 10, 10)])
    best = most_improved(this, last)
    assert best is not None and (best.user_id, best.gain) == ("a", pytest.approx(40.0))
    assert most_improved(tally([("c", 1, 10)]), last) is None


def test_most_improved_ties_go_to_the_first_user_id() -> None:
    last = tally([("b", 0, 10), ("a", 0, 10)])
    this = tally([("b", 5, 10), ("a", 5, 10)])
    best = most_improved(this, last)
    assert best is not None and best.user_id == "a"


def test_weakest_topic_is_the_lowest_average() -> None:
    scores = [TopicScore("etcd", 40, 3), TopicScore("pods", 20, 9), TopicScore("dns", 20, 1)]
    assert weakest_topic(scores) == TopicScore("dns", 20, 1)
    assert weakest_topic([]) is None
