"""Choosing the daily and practice questions, pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.selection import (
    Candidate,
    Tried,
    asked_this_cycle,
    choose_daily,
    choose_practice,
)

BANK = [
    Candidate("p1", "pods", 1, 0),
    Candidate("p3", "pods", 3, 1),
    Candidate("s2", "svc", 2, 2),
    Candidate("e3", "etcd", 3, 3),
]
IDS = {c.question_id for c in BANK}
WEDNESDAY = date(2026, 11, 25)  # leans hard (3)
MONDAY = date(2026, 11, 23)  # leans easy (1)


def test_a_cycle_resets_once_every_question_was_asked() -> None:
    assert asked_this_cycle([], IDS) == set()
    assert asked_this_cycle(["p1", "s2"], IDS) == {"p1", "s2"}
    assert asked_this_cycle(["p1", "s2", "p1", "e3", "p3"], IDS) == set()
    assert asked_this_cycle(["p1", "s2", "e3", "p3", "s2"], IDS) == {"s2"}


def test_questions_gone_from_the_bank_are_ignored_and_new_ones_join_unasked() -> None:
    assert asked_this_cycle(["old", "p1"], IDS) == {"p1"}
    # p1, p3, s2 asked; e3 was added later: the cycle is not over until it is asked.
    assert asked_this_cycle(["p1", "p3", "s2"], IDS) == {"p1", "p3", "s2"}


def test_no_repeat_until_the_bank_is_exhausted() -> None:
    history: list[str] = []
    for _ in range(8):
        choice = choose_daily(BANK, history, {}, WEDNESDAY)
        assert choice is not None
        history.append(choice.question_id)
    assert set(history[:4]) == IDS == set(history[4:])
    assert history[4] != history[3]


def test_the_weakest_topic_first_then_the_days_difficulty() -> None:
    recent = {"pods": 30.0, "svc": 80.0, "etcd": 55.0}
    assert choose_daily(BANK, [], recent, WEDNESDAY) == BANK[1]  # pods, hard
    assert choose_daily(BANK, [], recent, MONDAY) == BANK[0]  # pods, easy
    assert choose_daily(BANK, ["p1", "p3"], recent, MONDAY) == BANK[3]  # etcd before svc


def test_a_topic_without_recent_answers_comes_first() -> None:
    chosen = choose_daily(BANK, [], {"pods": 0.0, "etcd": 10.0}, MONDAY)
    assert chosen is not None and chosen.topic == "svc"


def test_nothing_to_choose_from() -> None:
    assert choose_daily([], [], {}, MONDAY) is None
    assert choose_practice([], {}) is None
    assert choose_practice(BANK, {}, excluded=IDS) is None


def at(minute: int) -> datetime:
    return datetime(2026, 11, 25, 10, minute, tzinfo=UTC)


def test_practice_prefers_never_tried_in_bank_order() -> None:
    tried = {"p1": Tried(20.0, at(1))}
    assert choose_practice(BANK, tried) == BANK[1]
    assert choose_practice(BANK, tried, excluded={"p3"}) == BANK[2]


def test_practice_then_the_lowest_score_but_not_the_one_just_tried() -> None:
    tried = {
        "p1": Tried(20.0, at(4)),  # lowest, but tried last
        "p3": Tried(50.0, at(1)),
        "s2": Tried(30.0, at(2)),
        "e3": Tried(30.0, at(3)),
    }
    assert choose_practice(BANK, tried) == BANK[2]  # 30%, the longer ago of the two
    assert choose_practice(BANK[:1], tried) == BANK[0]  # the only one comes back
