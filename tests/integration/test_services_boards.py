"""Leaderboards, streaks, stats, regrading and an admin's changes, over a real database."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.domain.model import UnknownQuestion
from bot.domain.records import InvalidPoints, NotAdmin, NotAnswered, RoundInfo
from bot.services import Services
from bot.store import tables as t
from bot.store.sql_store import SqlStore
from tests.integration.game import ADMIN, CHANNEL, DEFAULT_BANK, TEAM, FakeClock, build_services
from tests.integration.game import make_question as q

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def at_local(
    clock: FakeClock, zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int
) -> None:
    clock.set(datetime(year, month, day, hour, minute, tzinfo=zone))


def today_round(services: Services, team: str = TEAM) -> RoundInfo:
    return services.create_round(team)


def board(services: Services, day: date, team: str = TEAM) -> list[tuple[str, int, float]]:
    return [(s.user_id, s.rank, s.points) for s in services.weekly_leaderboard(team, day).standings]


@pytest.fixture
def all_day(services: Services) -> Services:
    """Rounds open from 00:00 to 23:59, every day of the week."""
    services.update_settings(TEAM, post_time="00:00", close_time="23:59", weekdays="mon-sun")
    return services


# ----- weeks in the workspace's time zone -----


def test_the_week_is_monday_to_sunday_in_shanghai(all_day: Services, clock: FakeClock) -> None:
    at_local(clock, SHANGHAI, 2026, 11, 29, 23, 58)  # Sunday, last minutes of the week
    all_day.submit_answer(today_round(all_day).id, "U1", "a b")
    at_local(clock, SHANGHAI, 2026, 11, 30, 7, 0)  # Monday 07:00 = Sunday 23:00 UTC
    all_day.submit_answer(today_round(all_day).id, "U2", "a b")

    assert board(all_day, date(2026, 11, 29)) == [("U1", 1, 10.0)]
    assert board(all_day, date(2026, 11, 23)) == [("U1", 1, 10.0)]  # any day of that week
    assert board(all_day, date(2026, 11, 30)) == [("U2", 1, 10.0)]
    week = all_day.weekly_leaderboard(TEAM, date(2026, 12, 2))
    assert (week.week_start, week.week_end) == (date(2026, 11, 30), date(2026, 12, 6))


def test_the_week_in_new_york_follows_the_daylight_saving_change(
    all_day: Services, clock: FakeClock
) -> None:
    all_day.update_settings(TEAM, timezone="America/New_York")
    # 2026-11-01 is a Sunday: clocks go back at 02:00, so the week ends at 05:00 UTC, not 04:00.
    at_local(clock, NEW_YORK, 2026, 10, 26, 0, 0)  # Monday 00:00 EDT, the week's first moment
    all_day.submit_answer(today_round(all_day).id, "U1", "a")
    at_local(clock, NEW_YORK, 2026, 11, 1, 23, 30)  # Sunday 23:30 EST = Monday 04:30 UTC
    all_day.submit_answer(today_round(all_day).id, "U2", "a b")
    at_local(clock, NEW_YORK, 2026, 11, 2, 0, 0)  # Monday 00:00 EST: the next week
    all_day.submit_answer(today_round(all_day).id, "U3", "a b")

    assert board(all_day, date(2026, 10, 28)) == [("U2", 1, 10.0), ("U1", 2, 5.0)]
    assert board(all_day, date(2026, 11, 2)) == [("U3", 1, 10.0)]
    # Today (the clock's) is the default week, in New York's own calendar.
    assert [s.user_id for s in all_day.weekly_leaderboard(TEAM).standings] == ["U3"]


# ----- ranks, streaks and the week's highlights -----


def test_ties_share_a_rank(services: Services) -> None:
    round_ = today_round(services)
    for user, text in [("U1", "a b"), ("U2", "a"), ("U3", "b"), ("U4", "none")]:
        services.submit_answer(round_.id, user, text)
    assert board(services, date(2026, 11, 25)) == [
        ("U1", 1, 10.0),
        ("U2", 2, 5.0),
        ("U3", 2, 5.0),
        ("U4", 4, 0.0),
    ]


def test_streaks_count_consecutive_rounds_and_an_open_round_does_not_break_them(
    services: Services, clock: FakeClock
) -> None:
    answers = {  # Monday to Thursday of one week
        23: ["U1", "U2", "U3"],
        24: ["U1", "U2", "U3"],
        25: ["U1", "U3"],  # U2 misses Wednesday
        26: ["U1", "U2"],  # U3 has not answered Thursday's open round yet
    }
    for day, users in answers.items():
        at_local(clock, SHANGHAI, 2026, 11, day, 10, 0)
        round_ = today_round(services)
        for user in users:
            services.submit_answer(round_.id, user, "a")

    def streaks() -> dict[str, int]:
        return {s.user_id: s.streak for s in services.weekly_leaderboard(TEAM).standings}

    assert streaks() == {"U1": 4, "U2": 1, "U3": 3}
    at_local(clock, SHANGHAI, 2026, 11, 26, 18, 0)  # Thursday's round has closed
    assert streaks() == {"U1": 4, "U2": 1, "U3": 0}
    stats = services.personal_stats(TEAM, "U2")
    assert (stats.current_streak, stats.longest_streak, stats.rounds_answered) == (1, 2, 3)


def test_a_round_nobody_saw_does_not_break_a_streak(services: Services, clock: FakeClock) -> None:
    """Tuesday's post failed (Slack's answer was lost, the admins did not post it again) and
    nobody answered: a round the team may never have seen breaks nobody's streak."""
    for day in (23, 24, 25):
        at_local(clock, SHANGHAI, 2026, 11, day, 10, 0)
        round_ = today_round(services)
        if day == 24:
            services.mark_round_message_unknown(round_.id)
            continue
        services.record_round_message(round_.id, CHANNEL, f"17000000{day}.000100")
        services.submit_answer(round_.id, "U1", "a")
        if day == 23:
            services.submit_answer(round_.id, "U2", "a")
    at_local(clock, SHANGHAI, 2026, 11, 25, 19, 0)  # Wednesday's round has closed

    assert {s.user_id: s.streak for s in services.weekly_leaderboard(TEAM).standings} == {
        "U1": 2,
        "U2": 0,
    }
    stats = services.personal_stats(TEAM, "U1")
    assert (stats.current_streak, stats.longest_streak) == (2, 2)


def test_a_round_with_an_unknown_post_that_people_answered_counts(
    services: Services, clock: FakeClock
) -> None:
    for day in (23, 24):
        at_local(clock, SHANGHAI, 2026, 11, day, 10, 0)
        round_ = today_round(services)
        services.mark_round_message_unknown(round_.id)  # it reached Slack after all
        services.submit_answer(round_.id, "U1" if day == 23 else "U2", "a")
    at_local(clock, SHANGHAI, 2026, 11, 24, 19, 0)

    assert {s.user_id: s.streak for s in services.weekly_leaderboard(TEAM).standings} == {
        "U1": 0,
        "U2": 1,
    }


def test_most_improved_and_weakest_topic_of_the_week(services: Services, clock: FakeClock) -> None:
    at_local(clock, SHANGHAI, 2026, 11, 18, 10, 0)  # last week
    last = today_round(services)
    services.submit_answer(last.id, "U1", "none")  # 0%
    services.submit_answer(last.id, "U2", "a")  # 50%
    services.submit_answer(last.id, "U3", "a b")  # 100%
    at_local(clock, SHANGHAI, 2026, 11, 23, 10, 0)  # this week
    monday = today_round(services)
    services.submit_answer(monday.id, "U1", "a")  # 50%: +50
    services.submit_answer(monday.id, "U2", "a b")  # 100%: +50, ties go to the user id
    services.submit_answer(monday.id, "U3", "a")  # 50%: worse
    services.submit_answer(monday.id, "U4", "a b")  # new this week: not "improved"
    at_local(clock, SHANGHAI, 2026, 11, 24, 10, 0)
    tuesday = today_round(services)
    services.submit_answer(tuesday.id, "U1", "a b")  # U1 now 75% on average: +75

    week = services.weekly_leaderboard(TEAM)
    assert week.most_improved is not None
    assert (week.most_improved.user_id, week.most_improved.gain) == ("U1", 75.0)
    assert week.weakest_topic is not None
    topics = {r.topic for r in services.store.round_history(TEAM)}
    assert week.weakest_topic.topic in topics
    # Monday's topic averaged 75%, Tuesday's 100%: Monday's is the weakest.
    monday_topic = services.question(monday.question_id).topic
    assert (week.weakest_topic.topic, week.weakest_topic.average_percent) == (monday_topic, 75.0)
    assert (week.weakest_topic.answers, {s.user_id for s in week.standings}) == (
        4,
        {"U1", "U2", "U3", "U4"},
    )


def test_an_empty_week_has_no_highlights(services: Services) -> None:
    week = services.weekly_leaderboard(TEAM)
    assert (week.standings, week.most_improved, week.weakest_topic) == ((), None, None)


def test_all_time_board_and_personal_stats(services: Services, clock: FakeClock) -> None:
    at_local(clock, SHANGHAI, 2026, 11, 18, 10, 0)
    first = today_round(services)
    services.submit_answer(first.id, "U1", "a b")
    services.submit_answer(first.id, "U2", "a")
    at_local(clock, SHANGHAI, 2026, 11, 25, 10, 0)
    second = today_round(services)
    services.submit_answer(second.id, "U2", "a b")
    services.submit_answer(second.id, "U2", "a b again")  # a repeat: practice, not mastery
    services.submit_practice(TEAM, "U2", first.question_id, "none")  # honest practice: 0%

    all_time = services.all_time_leaderboard(TEAM)
    assert [(s.user_id, s.rank, s.points, s.rounds) for s in all_time.standings] == [
        ("U2", 1, 15.0, 2),
        ("U1", 2, 10.0, 1),
    ]
    # U1 has not answered today's round, still open: the streak holds until it closes.
    assert [s.streak for s in all_time.standings] == [2, 1]
    assert all_time.standings[0].average_percent == 75.0

    stats = services.personal_stats(TEAM, "U2")
    assert (stats.weekly_rank, stats.weekly_points) == (1, 10.0)
    assert (stats.all_time_rank, stats.all_time_points) == (1, 15.0)
    assert (stats.current_streak, stats.longest_streak, stats.rounds_answered) == (2, 2, 2)
    mastery = {m.topic: (m.average_percent, m.answers) for m in stats.mastery}
    first_topic = services.question(first.question_id).topic
    second_topic = services.question(second.question_id).topic
    assert mastery[first_topic] == (25.0, 2)  # 50% in the round, 0% in practice
    assert mastery[second_topic] == (100.0, 1)
    assert stats.mastery[0].topic == first_topic  # weakest first

    nobody = services.personal_stats(TEAM, "U9")
    assert (nobody.weekly_rank, nobody.all_time_rank, nobody.mastery) == (None, None, ())


# ----- regrading and an admin's changes -----


def test_regrade_records_every_change_and_the_boards_follow(
    services: Services, store: SqlStore, clock: FakeClock
) -> None:
    round_ = today_round(services)
    services.submit_answer(round_.id, "U1", "a c")
    services.submit_answer(round_.id, "U2", "a b")
    assert board(services, date(2026, 11, 25)) == [("U2", 1, 10.0), ("U1", 2, 5.0)]

    # The rubric changes: concept b is dropped and c added.
    changed = [
        q(x.id, x.topic, x.difficulty, ("a", "c"), version="v2")
        if x.id == round_.question_id
        else x
        for x in DEFAULT_BANK
    ]
    regraded = build_services(store, clock, changed)
    report = regraded.regrade(by="regrade")

    assert report.examined == 2
    assert sorted((c.user_id, c.old_points, c.new_points) for c in report.changes) == [
        ("U1", 5.0, 10.0),
        ("U2", 10.0, 5.0),
    ]
    assert board(regraded, date(2026, 11, 25)) == [("U1", 1, 10.0), ("U2", 2, 5.0)]
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                t.score_changes.c.old_version,
                t.score_changes.c.new_version,
                t.score_changes.c.changed_by,
            )
        ).all()
        versions = set(conn.scalars(select(t.answers.c.rubric_version)))
    assert [tuple(r) for r in rows] == [("v1", "v2", "regrade")] * 2
    assert versions == {"v2"}

    again = regraded.regrade()
    assert (again.examined, again.changes) == (2, ())


def test_regrade_keeps_the_points_an_admin_set(
    services: Services, store: SqlStore, clock: FakeClock
) -> None:
    """A settled dispute stays settled: the admin's points are a person's decision, told
    to the person, and a later regrade does not undo them."""
    round_ = today_round(services)
    services.submit_answer(round_.id, "U1", "a")
    services.submit_answer(round_.id, "U2", "a")
    services.adjust_score(round_.id, "U1", 8, by=ADMIN, reason="said b in other words")
    changed = [
        q(x.id, x.topic, x.difficulty, ("a",), version="v2") if x.id == round_.question_id else x
        for x in DEFAULT_BANK
    ]
    report = build_services(store, clock, changed).regrade(by="regrade")

    assert (report.examined, report.kept) == (1, 1)
    assert [(c.user_id, c.old_points, c.new_points) for c in report.changes] == [("U2", 5.0, 10.0)]
    assert board(services, date(2026, 11, 25)) == [("U2", 1, 10.0), ("U1", 2, 8.0)]


def test_regrade_in_worker_processes_gives_the_same_grades(
    services: Services, store: SqlStore, clock: FakeClock
) -> None:
    round_ = today_round(services)
    for n in range(7):
        services.submit_answer(round_.id, f"U{n}", "a c" if n % 2 else "a b")
    changed = [
        q(x.id, x.topic, x.difficulty, ("a", "c"), version="v2")
        if x.id == round_.question_id
        else x
        for x in DEFAULT_BANK
    ]
    report = build_services(store, clock, changed).regrade(workers=2)

    assert report.examined == 7
    assert sorted((c.user_id, c.new_points) for c in report.changes) == [
        (f"U{n}", 10.0 if n % 2 else 5.0) for n in range(7)
    ]


def test_regrade_of_one_question(services: Services, clock: FakeClock) -> None:
    first = today_round(services)
    services.submit_answer(first.id, "U1", "a")
    clock.advance(days=1)
    second = today_round(services)
    services.submit_answer(second.id, "U1", "a")

    assert services.regrade(question_id=second.question_id).examined == 1
    with pytest.raises(UnknownQuestion):
        services.regrade(question_id="no-such-question")


def test_an_admin_changes_points_with_a_reason(services: Services, store: SqlStore) -> None:
    round_ = today_round(services)
    services.submit_answer(round_.id, "U1", "a")

    change = services.adjust_score(round_.id, "U1", 8, by=ADMIN, reason="said it in a thread")
    assert (change.old_points, change.new_points, change.changed_by) == (5.0, 8, ADMIN)
    assert board(services, date(2026, 11, 25)) == [("U1", 1, 8.0)]
    with store.engine.connect() as conn:
        reason = conn.scalar(select(t.score_changes.c.reason))
    assert reason == "said it in a thread"

    with pytest.raises(NotAdmin):
        services.adjust_score(round_.id, "U1", 10, by="U1", reason="I deserve it")
    with pytest.raises(InvalidPoints, match="between 0 and 10"):
        services.adjust_score(round_.id, "U1", 11, by=ADMIN, reason="bonus")
    with pytest.raises(NotAnswered):
        services.adjust_score(round_.id, "U2", 5, by=ADMIN, reason="x")
    assert board(services, date(2026, 11, 25)) == [("U1", 1, 8.0)]


def test_an_admins_change_during_a_regrade_is_neither_lost_nor_misrecorded(
    services: Services, store: SqlStore, clock: FakeClock, database_url: str
) -> None:
    """The admin sets the points after the regrade read them and before it wrote them."""
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: BEGIN IMMEDIATE keeps the admin's write out of the regrade")
    import threading

    from sqlalchemy import event

    from bot.store.engine import create_engine_for

    round_ = today_round(services)
    services.submit_answer(round_.id, "U1", "a")  # 5 of 10
    answer = store.find_answer(round_.id, "U1")
    assert answer is not None
    old = services.question(round_.question_id)
    bank = [
        q(old.id, old.topic, old.difficulty, ("a",), "v2") if x.id == old.id else x
        for x in DEFAULT_BANK
    ]
    regrader = build_services(store, clock, bank)  # "a" alone is now the whole answer: 10
    admin_engine = create_engine_for(database_url)
    admin = SqlStore(admin_engine)
    admin_done = threading.Event()

    def admin_sets_seven() -> None:
        admin.set_points(answer.answer_id, 7, changed_by=ADMIN, reason="fair", at=clock.now())
        admin_done.set()

    threads: list[threading.Thread] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def admin_meanwhile(*args: object) -> None:
        if not threads and str(args[2]).lstrip().upper().startswith("UPDATE ANSWERS"):
            threads.append(threading.Thread(target=admin_sets_seven))
            threads[0].start()
            admin_done.wait(timeout=1)  # it cannot finish while the regrade holds the row

    try:
        regrader.regrade()
    finally:
        event.remove(store.engine, "before_cursor_execute", admin_meanwhile)
        for thread in threads:
            thread.join(timeout=30)
        admin_engine.dispose()

    assert threads and admin_done.is_set()
    with store.engine.connect() as conn:
        points = conn.scalar(select(t.answers.c.points).where(t.answers.c.id == answer.answer_id))
        changes = conn.execute(
            select(t.score_changes.c.old_points, t.score_changes.c.new_points).order_by(
                t.score_changes.c.id
            )
        ).all()
    assert points == 7  # the admin, who came last, has the last word
    assert [tuple(c) for c in changes] == [(5.0, 10.0), (10.0, 7.0)]


def test_boards_are_per_workspace(services: Services, clock: FakeClock) -> None:
    services.ensure_workspace("T0002")
    services.update_settings("T0002", channel_id=CHANNEL)
    services.submit_answer(today_round(services).id, "U1", "a b")
    services.submit_answer(today_round(services, "T0002").id, "U2", "a")
    assert board(services, date(2026, 11, 25)) == [("U1", 1, 10.0)]
    assert board(services, date(2026, 11, 25), "T0002") == [("U2", 1, 5.0)]
