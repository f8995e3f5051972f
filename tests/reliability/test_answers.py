"""Answers over HTTP: the 9:30 burst, Slack's duplicate deliveries, and a database that fails.

Every test counts what the database holds afterwards against what each person was told.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, make_url, select

from bot.slack import ids
from bot.slack.blocks import ui
from bot.store import tables as t
from tests.e2e.conftest import CHANNEL
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import Response, SlackSender
from tests.e2e.test_answer import answer
from tests.integration.game import FakeClock
from tests.reliability import figures
from tests.reliability.proxy import TcpProxy
from tests.reliability.world import open_round, served_app, services_for

CLIENTS = 25


@dataclass(frozen=True)
class Sent:
    user: str
    status: int
    action: str | None  # "update": graded and stored; "errors": refused, with a reason
    reason: str
    seconds: float
    counted: bool = False  # the feedback says the answer counts


# What the feedback modal says of an answer that did not count as the first one.
REPEAT = json.dumps(ui("repeat", "en"), ensure_ascii=False)[1:-1]


def send_answer(slack: SlackSender, round_id: int, user: str, text: str) -> Sent:
    class _Round:
        id = round_id

    started = time.perf_counter()
    resp: Response = answer(slack, _Round(), text, user=user)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    body = resp.json() if resp.status == 200 and resp.body else {}
    reason = json.dumps(body.get("errors") or {}, ensure_ascii=False)
    view = json.dumps(body.get("view") or {}, ensure_ascii=False)
    counted = body.get("response_action") == "update" and REPEAT not in view
    return Sent(user, resp.status, body.get("response_action"), reason, seconds, counted)


def in_parallel(jobs: list[Callable[[], Sent]], clients: int = CLIENTS) -> list[Sent]:
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda job: job(), jobs))


def stored(engine: Engine, round_id: int) -> Counter[str]:
    """Scored answers in the round, per person."""
    a = t.answers
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.user_id).where(a.c.round_id == round_id)).scalars()
        return Counter(rows)


def practice_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.practice_attempts)).scalar_one())


def p99_ms(results: list[Sent]) -> float:
    times = sorted(r.seconds for r in results)
    return 1000 * times[max(0, math.ceil(0.99 * len(times)) - 1)]


def backend(engine: Engine) -> str:
    return engine.dialect.name


# ----- the 9:30 burst -----


def test_the_930_burst_stores_every_answer_once(
    database_url: str, engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    people = figures.size(60, 500)
    services = services_for(engine, clock)
    round_ = open_round(services, slack, clock)
    question = services.question(round_.question_id)
    texts = [e.answer for e in question.examples]
    users = [f"U{i:05d}" for i in range(people)]

    def person(i: int, user: str) -> Sent:
        """Click Answer on the post (the modal opens), then submit."""
        click = sender.click(ids.ANSWER_ACTION_ID, str(round_.id), user=user, channel=CHANNEL)
        assert click.status == 200
        return send_answer(sender, round_.id, user, texts[i % len(texts)])

    with served_app(database_url, services, slack) as sender:
        results = in_parallel([lambda u=u, i=i: person(i, u) for i, u in enumerate(users)])
    assert [r for r in results if r.status != 200 or r.action != "update"] == []
    assert stored(engine, round_.id) == Counter(users)  # each once, none lost
    assert practice_count(engine) == 0
    assert len(slack.calls_to("views.open")) == people
    # The channel post ends up showing every answer (its updates are throttled).
    assert round_.message_channel and round_.message_ts
    post = slack.message(round_.message_channel, round_.message_ts)
    assert post is not None and f"{people} answered" in json.dumps(post["blocks"])
    figures.record(
        f"the 9:30 burst ({backend(engine)})",
        answers=people,
        concurrent_clients=CLIENTS,
        stored_once=len(stored(engine, round_.id)),
        lost=people - len(stored(engine, round_.id)),
        p50_ack_ms=1000 * sorted(r.seconds for r in results)[len(results) // 2],
        p99_ack_ms=p99_ms(results),
    )


# ----- duplicates -----


def test_every_submission_delivered_two_or_three_times_scores_once(
    database_url: str, engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    people = figures.size(30, 200)
    rng = random.Random(3)
    services = services_for(engine, clock)
    round_ = open_round(services, slack, clock)
    text = services.question(round_.question_id).examples[0].answer
    deliveries = [f"U{i:05d}" for i in range(people) for _ in range(rng.choice((2, 3)))]
    rng.shuffle(deliveries)
    with served_app(database_url, services, slack) as sender:
        results = in_parallel(
            [lambda u=u: send_answer(sender, round_.id, u, text) for u in deliveries]
        )
        # Slack's retries of one event (same event_id) are handled once.
        events = figures.size(10, 50)
        for n in range(events):
            user = f"UEV{n:05d}"
            event = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
            for retry in (None, 1, 2):
                resp = sender.event(event, event_id=f"EvDup{n:05d}", retry_num=retry)
                assert resp.status == 200
        wait_for(lambda: len(homes(slack)) >= events)
        time.sleep(0.3)  # a late second publish would show now
    assert all(r.status == 200 and r.action == "update" for r in results)
    # Whichever delivery Slack shows the person, it says the answer counted.
    assert all(r.counted for r in results)
    assert stored(engine, round_.id) == Counter(set(deliveries))  # one scored answer each
    assert practice_count(engine) == 0  # a repeated delivery is the same answer
    assert len(homes(slack)) == events
    figures.record(
        f"duplicate deliveries ({backend(engine)})",
        people=people,
        deliveries=len(deliveries),
        scored_answers=sum(stored(engine, round_.id).values()),
        events_delivered=3 * events,
        events_handled=len(homes(slack)),
    )


def homes(slack: FakeSlack) -> list[object]:
    """The Home tabs published for the event users (answering refreshes others' too)."""
    return [c for c in slack.calls_to("views.publish") if str(c.args["user_id"]).startswith("UEV")]


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.05)


# ----- the database failing -----


@pytest.mark.postgres
def test_answers_while_the_database_connection_is_cut_and_refused(
    postgres_session_url: str, slack: FakeSlack, clock: FakeClock
) -> None:
    """Answers arrive while a proxy between the app and PostgreSQL cuts and refuses
    connections: every acknowledged answer is stored, every refused one was told so."""
    from bot.store.engine import create_engine_for

    submissions = figures.size(80, 400)
    url = make_url(postgres_session_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    direct = create_engine_for(postgres_session_url)
    app_engine = create_engine_for(
        through_proxy, pool_size=CLIENTS, connect_args={"connect_timeout": 3}
    )
    rng = random.Random(11)
    done = threading.Event()

    def chaos() -> None:
        spell = 0
        while not done.is_set():
            time.sleep(rng.uniform(0.05, 0.3))
            spell += 1
            if spell % 2:
                proxy.cut()
            else:
                proxy.refuse()
                time.sleep(rng.uniform(0.05, 0.3))
                proxy.allow()

    try:
        services = services_for(app_engine, clock)
        round_ = open_round(services, slack, clock)
        text = services.question(round_.question_id).examples[0].answer
        users = [f"U{i:05d}" for i in range(submissions)]
        with served_app(through_proxy, services, slack) as sender:
            breaker = threading.Thread(target=chaos, daemon=True)
            breaker.start()
            try:
                results = in_parallel(
                    [lambda u=u: send_answer(sender, round_.id, u, text) for u in users]
                )
            finally:
                done.set()
                breaker.join(timeout=5)
                proxy.allow()
            held_before = stored(direct, round_.id)
            # Each person told "not saved" submits again, as the message asks: it counts,
            # whether the first try was lost or only its reply was.
            refused_users = [r.user for r in results if r.action == "errors"]
            again = in_parallel(
                [lambda u=u: send_answer(sender, round_.id, u, text) for u in refused_users]
            )
        assert all(r.counted for r in again), [r for r in again if not r.counted][:3]
        assert stored(direct, round_.id) == Counter(users)
        held = held_before
        acked = [r for r in results if r.action == "update"]
        refused = [r for r in results if r.action == "errors"]
        assert [r for r in results if r.status != 200] == []  # no 5xx, no hang
        assert len(acked) + len(refused) == submissions
        assert all(held[r.user] == 1 for r in acked)  # every acknowledged answer is there
        assert all("could not be saved" in r.reason for r in refused), refused[:3]
        assert max(held.values(), default=0) <= 1
        assert refused, "the proxy never got in the way: the test proved nothing"
        _assert_rows_whole(direct, round_.id)
        figures.record(
            "database cut and refused (postgresql, through a TCP proxy)",
            answers_sent=submissions,
            acknowledged=len(acked),
            refused_and_told=len(refused),
            acknowledged_but_missing=sum(1 for r in acked if held[r.user] != 1),
            refused_yet_stored=sum(1 for r in refused if held[r.user]),
            cuts=proxy.cuts,
            connections_cut=proxy.cut_connections,
            refusal_spells=proxy.refusals,
            submitted_again_and_counted=sum(1 for r in again if r.counted),
        )
    finally:
        proxy.stop()
        app_engine.dispose()
        direct.dispose()


def _assert_rows_whole(engine: Engine, round_id: int) -> None:
    """No half-written answer: every row complete, each a graded answer to the round."""
    a = t.answers
    with engine.connect() as conn:
        rows = conn.execute(select(a).where(a.c.round_id == round_id)).mappings().all()
    for row in rows:
        assert row["text"] and row["user_id"] and row["rubric_version"]
        assert 0 <= row["points"] <= row["max_points"]
