"""Workspaces, once-only records, rounds, the daily question, the reveal and practice."""

from __future__ import annotations

import threading
import time as time_module
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

from bot.domain.model import UnknownQuestion, UnknownTopic
from bot.domain.records import (
    InvalidSetting,
    NoQuestionAvailable,
    RoundInfo,
    UnknownWorkspace,
    WorkspaceSettings,
)
from bot.services import Services
from bot.store.engine import create_engine_for
from bot.store.sql_store import SqlStore
from tests.integration.game import (
    CHANNEL,
    DEFAULT_BANK,
    TEAM,
    FakeClock,
    build_services,
    make_question,
)

# ----- workspaces -----


def test_a_workspace_starts_with_the_defaults_and_keeps_its_changes(services: Services) -> None:
    other = services.ensure_workspace("T0002")
    assert other.channel_id is None and other.timezone == "Asia/Shanghai"

    services.update_settings(
        "T0002", timezone="America/New_York", weekdays="mon,wed,fri", holiday_country="us"
    )
    again = services.ensure_workspace("T0002")  # existing settings are not reset
    assert again.timezone == "America/New_York"
    assert again.weekdays == (0, 2, 4)
    assert again.holiday_country == "US"
    assert {w.team_id for w in services.list_workspaces()} == {TEAM, "T0002"}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"post_time": "25:00"}, "post time"),
        ({"close_time": "08:00"}, "close time"),
        ({"weekdays": "funday"}, "weekdays"),
        ({"weekdays": (0, 9)}, "weekdays"),
        ({"holiday_country": "XX"}, "holiday country"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_settings_are_named_and_change_nothing(
    services: Services, change: dict[str, object], named: str
) -> None:
    before = services.get_settings(TEAM)
    with pytest.raises(InvalidSetting, match=f"invalid {named}"):
        services.update_settings(TEAM, **change)  # type: ignore[arg-type]
    assert services.get_settings(TEAM) == before


class _SlowToChangeStore(SqlStore):
    """A store that takes its time between reading the settings and saving them."""

    def change_workspace(
        self, team_id: str, change: Callable[[WorkspaceSettings], WorkspaceSettings]
    ) -> WorkspaceSettings | None:
        def slowly(current: WorkspaceSettings) -> WorkspaceSettings:
            time_module.sleep(0.3)  # the other admin saves meanwhile
            return change(current)

        return super().change_workspace(team_id, slowly)


def test_two_admins_saving_different_settings_at_once_both_keep_their_change(
    services: Services, database_url: str, clock: FakeClock
) -> None:
    engines = [create_engine_for(database_url) for _ in range(2)]
    admins = [build_services(_SlowToChangeStore(engine), clock, DEFAULT_BANK) for engine in engines]
    try:
        with ThreadPoolExecutor(2) as pool:
            saved = [
                pool.submit(admins[0].update_settings, TEAM, language="en"),
                pool.submit(admins[1].update_settings, TEAM, paused=True),
            ]
            for future in saved:
                future.result()
    finally:
        for engine in engines:
            engine.dispose()

    settings = services.get_settings(TEAM)
    assert settings.language == "en" and settings.paused


def test_an_unknown_workspace_is_named(services: Services) -> None:
    with pytest.raises(UnknownWorkspace, match="T9999"):
        services.get_settings("T9999")


def test_round_days_follow_weekdays_holidays_and_pause(services: Services) -> None:
    services.update_settings(TEAM, holiday_country="CN")
    assert services.is_round_day(TEAM, date(2026, 11, 25))  # a Wednesday
    assert not services.is_round_day(TEAM, date(2026, 11, 28))  # a Saturday
    assert not services.is_round_day(TEAM, date(2026, 10, 1))  # National Day
    services.update_settings(TEAM, paused=True)
    assert not services.is_round_day(TEAM, date(2026, 11, 25))


# ----- once-only records -----


def test_a_scheduled_run_is_claimed_once_per_job_period_and_workspace(
    services: Services,
) -> None:
    assert services.claim_run("post_daily", "2026-11-25", TEAM)
    assert not services.claim_run("post_daily", "2026-11-25", TEAM)
    assert services.claim_run("post_daily", "2026-11-26", TEAM)
    assert services.claim_run("reveal", "2026-11-25", TEAM)
    assert services.claim_run("post_daily", "2026-11-25", "T0002")


def test_a_slack_event_is_processed_once(services: Services) -> None:
    assert services.record_event("Ev0001")
    assert not services.record_event("Ev0001")
    assert services.record_event("Ev0002")


# ----- rounds -----


def test_the_days_round_is_created_once(services: Services, clock: FakeClock) -> None:
    first = services.create_round(TEAM)
    clock.advance(minutes=5)
    again = services.create_round(TEAM)

    assert again == first
    assert first.local_date == date(2026, 11, 25)
    assert first.channel_id == CHANNEL
    assert first.opens_at == clock.now() - timedelta(minutes=5)
    # 18:00 in Shanghai
    assert first.closes_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert services.current_round(TEAM) == first


class _RacingStore(SqlStore):
    """A store whose callers all read "no round yet" before any of them creates it."""

    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        super().__init__(engine)
        self.barrier = barrier

    def round_on(self, team_id: str, local_date: date) -> RoundInfo | None:
        found = super().round_on(team_id, local_date)
        self.barrier.wait(timeout=30)
        return found


def test_two_schedulers_creating_the_days_round_at_once_share_one(
    services: Services, database_url: str, clock: FakeClock
) -> None:
    barrier = threading.Barrier(2)
    engines = [create_engine_for(database_url) for _ in range(2)]
    racers = [
        build_services(_RacingStore(engine, barrier), clock, DEFAULT_BANK) for engine in engines
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            created = list(pool.map(lambda s: s.create_round(TEAM, date(2026, 11, 25)), racers))
    finally:
        for engine in engines:
            engine.dispose()

    assert created[0] == created[1]
    assert services.store.round_on(TEAM, date(2026, 11, 25)) == created[0]
    assert len(services.store.round_history(TEAM)) == 1


def test_a_round_needs_a_channel(services: Services) -> None:
    services.ensure_workspace("T0002")
    with pytest.raises(InvalidSetting, match="channel"):
        services.create_round("T0002")


def test_a_round_posted_after_the_close_time_still_gets_a_window(
    services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=UTC))  # 19:00 in Shanghai
    round_ = services.create_round(TEAM)
    assert round_.closes_at > clock.now()
    assert services.submit_answer(round_.id, "U1", "a").counted


def test_the_round_message_is_recorded_or_marked_unknown(services: Services) -> None:
    round_ = services.create_round(TEAM)
    assert round_.message_state == "pending"
    services.record_round_message(round_.id, CHANNEL, "1764036000.000100")
    posted = services.get_round(round_.id)
    assert (posted.message_channel, posted.message_ts, posted.message_state) == (
        CHANNEL,
        "1764036000.000100",
        "posted",
    )
    services.mark_round_message_unknown(round_.id)
    assert services.get_round(round_.id).message_state == "unknown"


def test_rounds_are_due_for_reveal_after_the_close_until_revealed(
    services: Services, clock: FakeClock
) -> None:
    round_ = services.create_round(TEAM)
    assert services.rounds_due_for_reveal() == ()
    clock.set(round_.closes_at)
    assert [r.id for r in services.rounds_due_for_reveal()] == [round_.id]
    assert services.current_round(TEAM) is None
    services.reveal_round(round_.id)
    assert services.rounds_due_for_reveal() == ()


def test_the_reveal_summarises_the_round_once(services: Services, clock: FakeClock) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a b")
    services.submit_answer(round_.id, "U2", "a")
    services.submit_answer(round_.id, "U3", "a")
    services.submit_answer(round_.id, "U4", "nothing")
    clock.set(round_.closes_at)

    summary = services.reveal_round(round_.id)
    assert summary.newly_revealed
    assert summary.reference.en == f"{round_.question_id} reference"
    assert summary.answered == 4
    assert summary.average_points == pytest.approx((10 + 5 + 5 + 0) / 4)
    assert [(s.user_id, s.points) for s in summary.top] == [("U1", 10), ("U2", 5), ("U3", 5)]
    assert summary.most_missed is not None
    assert (summary.most_missed.concept_id, summary.most_missed.missed_by) == ("b", 3)
    assert summary.round.revealed_at == clock.now()

    clock.advance(minutes=1)
    again = services.reveal_round(round_.id)
    assert not again.newly_revealed
    assert again.round.revealed_at == summary.round.revealed_at


def test_nobody_with_zero_points_is_a_top_scorer(services: Services, clock: FakeClock) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "nothing")
    services.submit_answer(round_.id, "U2", "a")
    services.submit_answer(round_.id, "U3", "nothing either")
    clock.set(round_.closes_at)

    summary = services.reveal_round(round_.id)
    assert summary.answered == 3
    assert [(s.user_id, s.points) for s in summary.top] == [("U2", 5)]


def test_a_round_everyone_scored_zero_on_has_no_top_scorers(
    services: Services, clock: FakeClock
) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "nothing")
    clock.set(round_.closes_at)
    summary = services.reveal_round(round_.id)
    assert (summary.answered, summary.average_points, summary.top) == (1, 0.0, ())


def test_a_round_with_no_answers_reveals_cleanly(services: Services) -> None:
    summary = services.reveal_round(services.create_round(TEAM).id)
    assert (summary.answered, summary.average_points, summary.top, summary.most_missed) == (
        0,
        None,
        (),
        None,
    )


# ----- the daily question -----


def _run_days(services: Services, clock: FakeClock, days: int) -> list[str]:
    """Post a round each day from the clock's day on; return the questions asked."""
    asked = []
    for _ in range(days):
        asked.append(services.create_round(TEAM).question_id)
        clock.advance(days=1)
    return asked


def test_no_question_repeats_before_the_bank_is_exhausted_then_it_restarts(
    services: Services, clock: FakeClock
) -> None:
    asked = _run_days(services, clock, 12)
    bank = {q.id for q in DEFAULT_BANK}

    assert set(asked[:5]) == bank
    assert set(asked[5:10]) == bank
    assert asked[5] != asked[4]  # a new cycle does not start with the question just asked


def test_the_daily_question_is_deterministic(services: Services, clock: FakeClock) -> None:
    services.ensure_workspace("T0002")
    services.update_settings("T0002", channel_id=CHANNEL)
    start = clock.now()
    asked = _run_days(services, clock, 7)
    clock.set(start)
    asked_twin = []
    for _ in range(7):
        asked_twin.append(services.create_round("T0002").question_id)
        clock.advance(days=1)
    assert asked_twin == asked


def test_the_topic_the_team_scored_lowest_on_comes_first(
    services: Services, clock: FakeClock
) -> None:
    # Wednesday leans hard; no history, so topics go in bank order: pods.
    day1 = services.create_round(TEAM)
    assert day1.question_id == "pod-pause"
    services.submit_answer(day1.id, "U1", "nothing")  # pods: 0%
    clock.advance(days=1)
    # Thursday leans easy; a topic without recent answers comes before pods.
    day2 = services.create_round(TEAM)
    assert day2.question_id == "svc-nodeport"
    services.submit_answer(day2.id, "U1", "a b")  # services: 100%
    clock.advance(days=1)
    day3 = services.create_round(TEAM)
    assert day3.question_id == "etcd-raft"
    services.submit_answer(day3.id, "U1", "a")  # etcd: 50%
    clock.advance(days=4)
    # Monday: pods (0%) before services (100%), though services comes first among the rest.
    assert services.create_round(TEAM).question_id == "pod-what"


def test_difficulty_follows_the_weekday_within_a_topic(store: SqlStore, clock: FakeClock) -> None:
    questions = [
        make_question("q-easy", "pods", 1),
        make_question("q-medium", "pods", 2),
        make_question("q-hard", "pods", 3),
    ]
    services = build_services(store, clock, questions)
    services.ensure_workspace(TEAM)
    services.update_settings(TEAM, channel_id=CHANNEL)
    # 2026-11-25 is a Wednesday: the hard one.
    assert services.create_round(TEAM, date(2026, 11, 25)).question_id == "q-hard"
    assert services.create_round(TEAM, date(2026, 11, 30)).question_id == "q-easy"  # Monday


def test_an_empty_bank_is_said_clearly(store: SqlStore, clock: FakeClock) -> None:
    services = build_services(store, clock, [])
    services.ensure_workspace(TEAM)
    services.update_settings(TEAM, channel_id=CHANNEL)
    with pytest.raises(NoQuestionAvailable, match="bank is empty"):
        services.create_round(TEAM)


# ----- practice -----


def test_practice_goes_to_unanswered_then_lowest_and_never_to_an_open_round(
    services: Services, clock: FakeClock
) -> None:
    round_ = services.create_round(TEAM)
    assert round_.question_id == "pod-pause"  # open today: practice would show its reference
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-what"
    with pytest.raises(NoQuestionAvailable, match="today's round"):
        services.submit_practice(TEAM, "U1", "pod-pause", "a b")

    services.submit_practice(TEAM, "U1", "pod-what", "a")  # 50%
    # The only question allowed comes back, though it was just tried.
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-what"

    clock.set(round_.closes_at)  # closed: its question may be practised now, never tried first
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-pause"
    services.submit_practice(TEAM, "U1", "pod-pause", "a b")  # 100%
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-what"  # lowest
    clock.advance(minutes=1)
    services.submit_practice(TEAM, "U1", "pod-what", "a b")  # 100% both: not the last tried
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-pause"


def test_practice_counts_the_first_answer_of_a_round_too(
    services: Services, clock: FakeClock
) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a b")
    clock.set(round_.closes_at)
    # pod-pause was answered in the round: the never-tried pod-what comes first.
    assert services.next_practice_question(TEAM, "U1", "pods").id == "pod-what"


def test_practice_with_every_question_open_is_said_clearly(
    store: SqlStore, clock: FakeClock
) -> None:
    services = build_services(store, clock, [make_question("only", "pods")])
    services.ensure_workspace(TEAM)
    services.update_settings(TEAM, channel_id=CHANNEL)
    services.create_round(TEAM)
    with pytest.raises(NoQuestionAvailable, match="round still open"):
        services.next_practice_question(TEAM, "U1")


def test_practice_without_a_topic_starts_with_the_bank(services: Services) -> None:
    assert services.next_practice_question(TEAM, "U1").id == "pod-what"


def test_practice_of_an_unknown_topic_or_question_is_named(services: Services) -> None:
    with pytest.raises(UnknownTopic):
        services.next_practice_question(TEAM, "U1", "zzzzzz")
    with pytest.raises(UnknownQuestion, match="nope"):
        services.submit_practice(TEAM, "U1", "nope", "a")


def test_practice_never_counts(services: Services) -> None:
    services.submit_practice(TEAM, "U1", "svc-types", "a b")
    assert services.weekly_leaderboard(TEAM).standings == ()


def test_settings_times_accept_time_values(services: Services) -> None:
    updated = services.update_settings(TEAM, post_time=time(8, 0), close_time="12:30")
    assert (updated.post_time, updated.close_time) == (time(8, 0), time(12, 30))
