"""Answers: the first one while the round is open counts; later ones and late ones are practice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.records import InvalidAnswer, UnknownRound
from bot.services import Services
from bot.store import tables as t
from bot.store.engine import create_engine_for
from bot.store.sql_store import SqlStore
from tests.integration.game import TEAM, FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_first_answer_counts_and_records_the_rubric_version(
    services: Services, store: SqlStore
) -> None:
    round_ = services.create_round(TEAM)
    result = services.submit_answer(round_.id, "U1", "a and b")

    assert result.counted and result.practice_reason is None
    assert result.grade.points == 10
    assert services.count_answers(round_.id) == 1
    with store.engine.connect() as conn:
        version = conn.execute(select(t.answers.c.rubric_version)).scalar_one()
    assert version == "v1"


def test_second_answer_is_practice_and_does_not_change_the_score(services: Services) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a only")
    second = services.submit_answer(round_.id, "U1", "a and b, from the hints")

    assert not second.counted
    assert second.practice_reason == "repeat"
    assert second.grade.points == 10  # graded, so the person sees how it went
    assert services.count_answers(round_.id) == 1
    board = services.weekly_leaderboard(TEAM)
    assert [(s.user_id, s.points) for s in board.standings] == [("U1", 5.0)]


def test_answer_after_the_close_is_practice(services: Services, clock: FakeClock) -> None:
    round_ = services.create_round(TEAM)
    clock.set(round_.closes_at)  # the close itself is already too late
    late = services.submit_answer(round_.id, "U1", "a b")

    assert not late.counted and late.practice_reason == "late"
    assert services.count_answers(round_.id) == 0


def test_answer_after_the_reveal_is_practice(services: Services, clock: FakeClock) -> None:
    round_ = services.create_round(TEAM)
    services.reveal_round(round_.id)
    late = services.submit_answer(round_.id, "U1", "a b")

    assert late.practice_reason == "late"


def test_answer_just_before_the_close_counts(services: Services, clock: FakeClock) -> None:
    round_ = services.create_round(TEAM)
    clock.set(round_.closes_at)
    clock.advance(microseconds=-1)
    assert services.submit_answer(round_.id, "U1", "a").counted


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 10_001])
def test_empty_or_huge_answers_are_refused_clearly(services: Services, text: str) -> None:
    round_ = services.create_round(TEAM)
    with pytest.raises(InvalidAnswer, match="empty|characters"):
        services.submit_answer(round_.id, "U1", text)
    assert services.count_answers(round_.id) == 0


def test_the_first_answer_submitted_again_word_for_word_still_counts_once(
    services: Services, store: SqlStore
) -> None:
    """A double click on Submit, or a submission repeated after its reply was lost, is the
    first answer again: counted, with nothing more stored (it was answered as practice)."""
    round_ = services.create_round(TEAM)
    first = services.submit_answer(round_.id, "U1", "a and b")
    again = services.submit_answer(round_.id, "U1", "  a and b  ")

    assert first.counted and again.counted and again.practice_reason is None
    assert again.grade.points == first.grade.points
    assert services.count_answers(round_.id) == 1
    with store.engine.connect() as conn:
        practice = conn.execute(select(func.count()).select_from(t.practice_attempts)).scalar_one()
    assert practice == 0


def test_unknown_round_is_named(services: Services) -> None:
    with pytest.raises(UnknownRound, match="no round 999"):
        services.submit_answer(999, "U1", "a")


def test_an_answer_waits_for_a_write_in_progress_and_is_stored(
    services: Services, store: SqlStore, clock: FakeClock
) -> None:
    """The answer's insert is a transaction of its own, outside the writers' turns: on SQLite
    it waits on the database's own lock (the busy timeout) while another write is open."""
    round_ = services.create_round(TEAM)
    other = create_engine_for(str(store.engine.url))
    holding = threading.Event()

    def hold_a_write() -> None:
        with other.begin() as conn:
            conn.execute(t.slack_events.insert().values(event_id="Ev1", received_at=clock.now()))
            holding.set()
            time.sleep(0.3)

    try:
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(hold_a_write)
            assert holding.wait(10)
            result = services.submit_answer(round_.id, "U1", "a")
            held.result()
    finally:
        other.dispose()

    assert result.counted
    assert services.count_answers(round_.id) == 1


def test_an_answer_says_whether_the_person_has_a_home_tab_to_refresh(
    services: Services, store: SqlStore, clock: FakeClock
) -> None:
    round_ = services.create_round(TEAM)
    store.note_home_tab(TEAM, "U2", clock.now())

    assert not services.submit_answer(round_.id, "U1", "a").home_tab
    assert services.submit_answer(round_.id, "U2", "a").home_tab
    assert services.submit_answer(round_.id, "U2", "b").home_tab  # practice, too
    clock.set(round_.closes_at)
    late = services.submit_answer(round_.id, "U2", "a b")
    assert late.practice_reason == "late" and late.home_tab


def test_a_round_id_that_comes_back_for_another_round_is_read_again(
    services: Services, store: SqlStore
) -> None:
    """The workspace and question of a round are remembered; `k8sq workspace erase` can
    hand a round's id to a new round with another question, and the answer follows it."""
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a")  # remembered now
    other = next(q.id for q in services.bank.questions if q.id != round_.question_id)
    with store.engine.begin() as conn:
        conn.execute(t.answers.delete())
        conn.execute(t.rounds.update().where(t.rounds.c.id == round_.id).values(question_id=other))

    again = services.submit_answer(round_.id, "U1", "a")

    assert again.counted and again.grade.question_id == other
    with store.engine.connect() as conn:
        stored = conn.execute(select(t.answers.c.question_id)).scalars().all()
    assert stored == [other]


CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from bot.store.engine import create_engine_for
    from bot.store.sql_store import SqlStore
    from tests.integration.game import DEFAULT_BANK, FakeClock, build_services

    url, round_id, now, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    services = build_services(
        SqlStore(create_engine_for(url)), FakeClock(datetime.fromisoformat(now)), DEFAULT_BANK
    )
    services.get_round(round_id)  # connect before the start signal
    while not go.exists():
        time.sleep(0.001)
    result = services.submit_answer(round_id, "U1", sys.argv[5])
    print(result.counted, result.practice_reason)
    """
)


def test_two_processes_submitting_at_once_leave_one_scored_answer(
    services: Services, store: SqlStore, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    round_ = services.create_round(TEAM, date(2026, 11, 25))
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                database_url,
                str(round_.id),
                clock.now().isoformat(),
                str(go),
                text,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for text in ("a b", "b a")  # different answers: one counts, one is practice
    ]
    go.touch()
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err

    results = sorted(out.strip() for out, _err in outputs)
    assert results == ["False repeat", "True None"]
    with store.engine.connect() as conn:
        scored = conn.execute(
            select(func.count()).select_from(t.answers).where(t.answers.c.round_id == round_.id)
        ).scalar_one()
        practice = conn.execute(select(func.count()).select_from(t.practice_attempts)).scalar_one()
    assert (scored, practice) == (1, 1)
