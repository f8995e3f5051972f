"""Slack failing: bursts of 429 (with Retry-After), 500s and dropped connections from the Web
API fake during the daily posts, the reveals and the count updates. Every round is posted
exactly once or reported to the admins as unknown, never twice."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import Engine

from bot.jobs import Jobs
from bot.slack import ids
from bot.slack.chat import SlackChat
from tests.e2e.conftest import BOT_TOKEN, CHANNEL
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.test_answer import answer
from tests.integration.game import FakeClock
from tests.reliability import figures
from tests.reliability.test_scheduling import working
from tests.reliability.world import TEAM, at, open_round, posts, served_app, services_for

RETRIES = 3


class Sleeps:
    """Records the waits (Retry-After, backoff) instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def burst(slack: FakeSlack, method: str, rng: random.Random) -> str:
    """Queue one kind of trouble for the next call(s) to `method`; name it."""
    trouble = rng.choice(["none", "429", "429-long", "500", "drop"])
    if trouble == "429":
        slack.fail(
            method, status=429, retry_after=rng.randint(1, 30), times=rng.randint(1, RETRIES)
        )
    elif trouble == "429-long":  # more than the retries: surely not posted
        slack.fail(method, status=429, retry_after=1, times=RETRIES + 1)
    elif trouble == "500":
        slack.fail(method, status=rng.choice([500, 502, 503]))
    elif trouble == "drop":
        slack.fail(method, drop=True)
    return trouble


def test_every_round_is_posted_once_or_reported_when_slack_fails(
    engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    rounds = figures.size(15, 60)
    rng = random.Random(5)
    services = services_for(engine, clock)
    sleeps = Sleeps()
    chat = SlackChat(
        base_url=slack.url,
        token_for=lambda team: BOT_TOKEN,
        max_retries=RETRIES,
        backoff=0.01,
        timeout=5.0,
        sleep=sleeps,
    )
    jobs = Jobs(services=services, chat=chat, clock=clock)
    day, done = date(2026, 3, 2), 0
    troubles: list[str] = []
    unknown_days: list[date] = []
    reveals_failed = 0
    while done < rounds:
        if working(day):
            troubles.append(burst(slack, "chat.postMessage", rng))
            clock.set(at(day, "09:30"))
            jobs.tick(clock.now())
            round_ = services.store.round_on(TEAM, day)
            assert round_ is not None
            if round_.message_state == "unknown":
                unknown_days.append(day)
            else:
                assert round_.message_state == "posted", (day, troubles[-1], round_)
            # The reveal and the count update after it, with their own trouble.
            reveal_trouble = burst(slack, "chat.postMessage", rng)
            burst(slack, "chat.update", rng)
            clock.set(at(day, "18:00"))
            outcomes = jobs.tick(clock.now())
            if round_.message_state == "posted" and any(
                "could not be posted" in o.message for o in outcomes
            ):
                reveals_failed += 1
                assert reveal_trouble != "none"
            slack.clear_faults()
            done += 1
        day += timedelta(days=1)

    sent = posts(slack)
    questions = sent.of("question")
    made = [c for c in questions if c.ok]
    alerts = [c for c in sent.of("dm") if c.ok]
    assert sent.duplicates() == 0  # never twice, counting posts Slack may have taken
    assert len(made) + len(unknown_days) == rounds  # each posted, or reported
    assert len(alerts) == len(unknown_days)  # the admin heard of every unknown round
    figures.record(
        f"Slack failing ({engine.dialect.name})",
        rounds=rounds,
        posts_attempted=len(questions),
        retried_after_429=sum(1 for c in questions if c.status == 429),
        posts_made=len(made),
        reported_unknown=len(unknown_days),
        duplicated=sent.duplicates(),
        reveals_failed_and_logged=reveals_failed,
        count_updates_retried=sum(1 for c in slack.calls_to("chat.update") if not c.ok),
    )


def test_answers_are_stored_while_slack_fails_the_modals_and_updates(
    database_url: str, engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    """Opening the answer modal, the count update and the Home tab fail in bursts: every
    submitted answer is still graded, stored and acknowledged."""
    people = figures.size(10, 100)
    rng = random.Random(8)
    services = services_for(engine, clock)
    round_ = open_round(services, slack, clock)
    text = services.question(round_.question_id).examples[0].answer
    acked = 0
    with served_app(database_url, services, slack) as sender:
        for n in range(people):
            for method in ("views.open", "chat.update", "views.publish"):
                burst(slack, method, rng)
            user = f"U{n:05d}"
            click = sender.click(ids.ANSWER_ACTION_ID, str(round_.id), user=user, channel=CHANNEL)
            assert click.status == 200
            resp = answer(sender, round_, text, user=user)
            assert resp.status == 200 and resp.json()["response_action"] == "update"
            acked += 1
    failed = [c for c in slack.calls if not c.ok]
    assert services.count_answers(round_.id) == people == acked
    figures.record(
        f"Slack failing around answers ({engine.dialect.name})",
        answers=people,
        stored_and_acknowledged=acked,
        failed_web_api_calls=len(failed),
    )
