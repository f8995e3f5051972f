"""Exactly once: two schedulers at once, and schedulers killed (SIGKILL) in the middle of a post.

The schedulers are real processes (tests/reliability/scheduler_child.py) wired as
`k8sq run --role scheduler` is, ticking at simulated times over one database, posting to the
Slack fake. Slack's record says what was posted; the database, what the bot believes.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, make_url

from bot.calendar import is_working_day
from tests.e2e.fake_slack import FakeSlack
from tests.integration.game import FakeClock
from tests.reliability import figures
from tests.reliability.processes import SchedulerProcess
from tests.reliability.proxy import TcpProxy
from tests.reliability.world import TEAM, at, child_env, posts, services_for

START = date(2026, 1, 5)  # a Monday
# Ticks each calendar day, local time: before the post, the post, catching up, the reveal.
TICKS = ("09:29", "09:30", "09:45", "18:00", "18:15")


def working(day: date) -> bool:
    return is_working_day(day, weekdays=(0, 1, 2, 3, 4), country="CN")


def simulated_days(working_days: int) -> list[date]:
    """From START to the day that makes `working_days` working days."""
    out: list[date] = []
    day = START
    while sum(map(working, out)) < working_days:
        out.append(day)
        day += timedelta(days=1)
    return out


def test_two_schedulers_post_each_working_day_once(
    database_url: str, engine: Engine, slack: FakeSlack
) -> None:
    working_days = figures.size(8, 60)
    calendar = simulated_days(working_days)
    services = services_for(engine, FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    env = child_env(database_url, slack)
    schedulers = [SchedulerProcess(env), SchedulerProcess(env)]
    try:
        for day in calendar:
            for clock_time in TICKS:
                now = at(day, clock_time)
                for scheduler in schedulers:  # both at the same simulated minute
                    scheduler.send_tick(now)
                for scheduler in schedulers:
                    scheduler.finish_tick()
    finally:
        for scheduler in schedulers:
            scheduler.close()

    rounds = [d for d in calendar if working(d)]
    # A week's leaderboard is posted the Monday after; the last week's is still to come.
    weeks = {d - timedelta(days=d.weekday()) for d in rounds}
    boards = [w for w in weeks if w + timedelta(days=7) in calendar]
    sent = posts(slack)
    assert len(rounds) == working_days
    assert len(sent.of("question")) == working_days
    assert sent.duplicates() == 0
    assert all(services.store.round_on(TEAM, d) is not None for d in rounds)
    assert len(sent.of("reveal")) == working_days
    assert len(sent.of("board")) == len(boards)
    assert sent.of("dm") == []  # nothing went wrong, so no admin was bothered
    figures.record(
        f"two schedulers ({_backend(database_url)})",
        simulated_days=len(calendar),
        working_days=working_days,
        questions_posted=len(sent.of("question")),
        reveals=len(sent.of("reveal")),
        leaderboards=len(sent.of("board")),
        duplicates=sent.duplicates(),
    )


def _backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def test_a_killed_scheduler_never_posts_twice_and_loses_no_round(
    database_url: str, engine: Engine, slack: FakeSlack
) -> None:
    """Each working day a scheduler is killed at a random point of the 09:30 post, then a new
    one starts at 09:45: a post killed before its claim is made late, one killed after its
    claim and before recording is reported to the admins as unknown."""
    kills = figures.size(2, 20)
    rng = random.Random(7)
    services = services_for(engine, FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    env = child_env(database_url, slack)
    # Slack takes its time over each post, so a kill can land while it is in flight.
    late = unknown = after_post = 0
    day = START
    scheduler = SchedulerProcess(env)
    try:
        for _ in range(kills):
            while not working(day):
                day += timedelta(days=1)
            slack.fail("chat.postMessage", delay=0.3)
            posted_before = len(posts(slack).of("question"))
            scheduler.send_tick(at(day, "09:30"))
            # Early (before the claim), while Slack holds the post, or after it.
            window = rng.choice([(0.0, 0.02), (0.05, 0.3), (0.35, 0.6)])
            time.sleep(rng.uniform(*window))
            scheduler.kill()
            round_ = services.store.round_on(TEAM, day)
            recorded = round_ is not None and round_.message_state == "posted"
            scheduler = SchedulerProcess(env)
            # What the new scheduler did about the question (a Monday also has a leaderboard).
            outcomes = [o for o in scheduler.tick(at(day, "09:45")) if "leaderboard" not in o]
            after = services.store.round_on(TEAM, day)
            assert after is not None, f"{day}: the round was lost"
            slack_has = len(posts(slack).of("question")) - posted_before
            if recorded:
                after_post += 1
                assert after.message_state == "posted"
                assert outcomes == []
            elif after.message_state == "posted":
                late += 1  # killed before the claim: made up by the new scheduler
                assert any("posted the question" in o for o in outcomes), outcomes
            else:
                unknown += 1  # killed between the claim and the record
                assert after.message_state == "unknown"
                assert any("admins were told" in o for o in outcomes), outcomes
            assert slack_has <= 1, f"{day}: posted {slack_has} times"
            scheduler.tick(at(day, "18:00"))
            day += timedelta(days=1)
    finally:
        scheduler.close()

    sent = posts(slack)
    alerts = [c for c in sent.of("dm") if c.ok]
    assert sent.duplicates() == 0
    assert len(alerts) == unknown  # one admin, told once per unknown round
    assert late + unknown + after_post == kills
    figures.record(
        f"scheduler killed (SIGKILL) mid-post ({_backend(database_url)})",
        kills=kills,
        killed_after_the_post=after_post,
        posts_made_late=late,
        rounds_reported_unknown=unknown,
        duplicates=sent.duplicates(),
    )


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_scheduler_whose_database_goes_away_mid_post_never_posts_twice(
    database_url: str, engine: Engine, slack: FakeSlack
) -> None:
    """PostgreSQL is refused and its connections cut (through a proxy) while the 09:30 post
    is in flight; the database is back for the 09:45 tick. Each round is posted once, on time
    or late, or reported to the admins as unknown; none is lost or doubled."""
    days_with_trouble = figures.size(4, 15)
    rng = random.Random(13)
    services = services_for(engine, FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    scheduler = SchedulerProcess(child_env(through, slack))
    day, done = START, 0
    on_time = late = unknown = 0
    try:
        while done < days_with_trouble:
            if not working(day):
                day += timedelta(days=1)
                continue
            slack.fail("chat.postMessage", delay=0.3)
            scheduler.send_tick(at(day, "09:30"))
            time.sleep(rng.uniform(0.0, 0.5))
            proxy.refuse()
            proxy.cut()
            first = scheduler.finish_tick()
            proxy.allow()
            state = services.store.round_on(TEAM, day)
            then = scheduler.tick(at(day, "09:45"))
            after = services.store.round_on(TEAM, day)
            assert after is not None, f"{day}: the round was lost"
            if state is not None and state.message_state == "posted":
                on_time += 1
            elif after.message_state == "posted":
                late += 1
                assert any("posted the question" in o for o in then), (first, then)
            else:
                unknown += 1
                assert after.message_state == "unknown", (first, then, after)
            scheduler.tick(at(day, "18:00"))
            slack.clear_faults()
            done += 1
            day += timedelta(days=1)
    finally:
        scheduler.close()
        proxy.stop()
    sent = posts(slack)
    assert sent.duplicates() == 0
    assert len([c for c in sent.of("dm") if c.ok]) == unknown
    figures.record(
        "scheduler with its database cut mid-post (postgresql)",
        days=days_with_trouble,
        posted_on_time=on_time,
        posted_late=late,
        reported_unknown=unknown,
        duplicates=sent.duplicates(),
    )
