"""The store's speed: a weekly leaderboard and one person's stats over 1,000,000 answers from
10,000 people in 50 workspaces, on SQLite and PostgreSQL; and regrading 100,000 answers.

`python -m bench store`. Sizes: K8SQ_BENCH_ANSWERS (default 1000000) and
K8SQ_BENCH_REGRADE (default 100000). PostgreSQL: K8SQ_BENCH_POSTGRES_URL, else
K8SQ_TEST_POSTGRES_URL, else the local server; the benchmark creates a database of its own
there and drops it at the end. Targets: leaderboard under 100 ms on PostgreSQL and 300 ms on
SQLite, stats under 50 ms, the regrade under 60 s.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bot.domain.model import Bank, Question
from bot.services import Services
from bot.store.engine import create_engine_for, mask_url
from bot.store.migrate import upgrade
from bot.store.sql_store import SqlStore

WORKSPACES = 50
PEOPLE = 10_000
# Wednesday 2026-11-25, 10:00 in Shanghai: today's round is open.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"
REPEATS = 7
ANSWER_COLUMNS = (
    "id",
    "round_id",
    "team_id",
    "user_id",
    "question_id",
    "text",
    "points",
    "max_points",
    "found",
    "missed",
    "rubric_version",
    "answered_at",
)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass(frozen=True)
class Shape:
    answers: int
    rounds_per_workspace: int
    people_per_workspace: int
    answering: int  # people answering each round


def shape_for(answers: int) -> Shape:
    people = PEOPLE // WORKSPACES
    answering = max(1, people * 4 // 5)
    rounds = max(1, answers // (WORKSPACES * answering))
    return Shape(WORKSPACES * rounds * answering, rounds, people, answering)


def round_days(count: int) -> list[date]:
    """`count` weekdays ending today, oldest first."""
    days: list[date] = []
    day = NOW.astimezone(_zone()).date()
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(ZONE)


def _team(w: int) -> str:
    return f"T{w:04d}"


def _user(w: int, i: int) -> str:
    return f"U{w:02d}{i:04d}"


def _answer_text(question: Question, rng: random.Random, serial: int) -> str:
    # An example answer of the question, made unique so that no grade can be reused.
    examples = question.examples or ()
    base = rng.choice(examples).answer if examples else question.reference.en
    return f"{base} ({serial})"


def generate(engine: Engine, bank: Bank, shape: Shape, *, with_text: bool) -> None:
    """Workspaces, rounds and answers, written in bulk (COPY on PostgreSQL)."""
    rng = random.Random(42)
    store = SqlStore(engine)
    store.sync_questions(bank.questions)
    questions = list(bank.questions)
    days = round_days(shape.rounds_per_workspace)
    zone = _zone()
    workspaces = []
    rounds = []
    round_id = 0
    for w in range(WORKSPACES):
        workspaces.append(
            {
                "team_id": _team(w),
                "channel_id": "C0123456",
                "post_time": "09:30:00.000000",
                "close_time": "18:00:00.000000",
                "timezone": ZONE,
                "weekdays": "0,1,2,3,4",
                "holiday_country": None,
                "language": "zh",
                "admins": "[]",
                "paused": False,
                "created_at": NOW,
            }
        )
        for n, day in enumerate(days):
            round_id += 1
            opens = datetime(day.year, day.month, day.day, 9, 30, tzinfo=zone).astimezone(UTC)
            closes = datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone).astimezone(UTC)
            question = questions[(w * 7 + n) % len(questions)]
            rounds.append((round_id, _team(w), question, day, opens, closes))

    def answer_rows() -> Iterator[tuple[Any, ...]]:
        answer_id = 0
        people = list(range(shape.people_per_workspace))
        for rid, team, question, _day, opens, _closes in rounds:
            w = int(team[1:])
            concepts = [c.id for c in question.rubric.concepts]
            for i in rng.sample(people, shape.answering):
                answer_id += 1
                found = [c for c in concepts if rng.random() < 0.6]
                missed = [c for c in concepts if c not in found]
                points = round(10.0 * len(found) / max(1, len(concepts)), 2)
                yield (
                    answer_id,
                    rid,
                    team,
                    _user(w, i),
                    question.id,
                    _answer_text(question, rng, answer_id) if with_text else "…",
                    points,
                    10.0,
                    json.dumps(found),
                    json.dumps(missed),
                    "old",
                    opens + timedelta(seconds=rng.randrange(8 * 3600)),
                )

    round_rows = [
        (rid, team, "C0123456", q.id, day, opens, closes, None)
        for rid, team, q, day, opens, closes in rounds
    ]
    if engine.dialect.name == "postgresql":
        _load_postgres(engine, workspaces, round_rows, answer_rows())
    else:
        _load_sqlite(engine, workspaces, round_rows, answer_rows())


def _sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _load_sqlite(
    engine: Engine,
    workspaces: list[dict[str, Any]],
    rounds: list[tuple[Any, ...]],
    answers: Iterator[tuple[Any, ...]],
) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(
            "INSERT INTO workspaces (team_id, channel_id, post_time, close_time, timezone, "
            "weekdays, holiday_country, language, admins, paused, created_at) VALUES (:team_id, "
            ":channel_id, :post_time, :close_time, :timezone, :weekdays, :holiday_country, "
            ":language, :admins, :paused, :created_at)",
            [{**w, "created_at": _sqlite_time(w["created_at"])} for w in workspaces],
        )
        cursor.executemany(
            "INSERT INTO rounds (id, team_id, channel_id, question_id, local_date, opens_at, "
            "closes_at, revealed_at, message_state, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'posted', ?)",
            [
                (
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4].isoformat(),
                    _sqlite_time(r[5]),
                    _sqlite_time(r[6]),
                    None,
                    _sqlite_time(r[5]),
                )
                for r in rounds
            ],
        )
        placeholders = ", ".join("?" for _ in ANSWER_COLUMNS)
        sql = f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({placeholders})"
        batch: list[tuple[Any, ...]] = []
        for row in answers:
            batch.append((*row[:-1], _sqlite_time(row[-1])))
            if len(batch) == 50_000:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        cursor.close()
    finally:
        raw.close()


def _load_postgres(
    engine: Engine,
    workspaces: list[dict[str, Any]],
    rounds: list[tuple[Any, ...]],
    answers: Iterator[tuple[Any, ...]],
) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = list(workspaces[0])
        with cursor.copy(f"COPY workspaces ({', '.join(columns)}) FROM STDIN") as copy:
            for w in workspaces:
                copy.write_row([w[c] for c in columns])
        with cursor.copy(
            "COPY rounds (id, team_id, channel_id, question_id, local_date, opens_at, closes_at, "
            "revealed_at, message_state, created_at) FROM STDIN"
        ) as copy:
            for r in rounds:
                copy.write_row((*r, "posted", r[5]))
        with cursor.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
            for row in answers:
                copy.write_row(row)
        cursor.execute("SELECT setval('answers_id_seq', (SELECT max(id) FROM answers))")
        cursor.execute("SELECT setval('rounds_id_seq', (SELECT max(id) FROM rounds))")
        raw.commit()
        cursor.close()
    finally:
        raw.close()
    # What autovacuum would do soon after a bulk load: statistics and the visibility map
    # (without which the covering indexes cannot answer on their own).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _timed(call: Callable[[], object]) -> float:
    """The median of a few runs, in milliseconds, after one warm-up run."""
    call()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _services(engine: Engine, bank: Bank) -> Services:
    from bot.domain.grading import grade

    return Services(store=SqlStore(engine), bank=bank, clock=FixedClock(), grader=grade)


def measure_queries(label: str, engine: Engine, bank: Bank, shape: Shape) -> None:
    upgrade(engine)
    start = time.perf_counter()
    generate(engine, bank, shape, with_text=False)
    loaded = time.perf_counter() - start
    services = _services(engine, bank)
    team = _team(WORKSPACES // 2)
    user = _user(WORKSPACES // 2, 7)
    board = services.weekly_leaderboard(team)
    stats = services.personal_stats(team, user)
    weekly = _timed(lambda: services.weekly_leaderboard(team))
    personal = _timed(lambda: services.personal_stats(team, user))
    all_time = _timed(lambda: services.all_time_leaderboard(team))
    print(
        f"{label}: {shape.answers:,} answers loaded in {loaded:.1f} s; "
        f"weekly leaderboard {weekly:.1f} ms ({len(board.standings)} people), "
        f"personal stats {personal:.1f} ms (rank {stats.all_time_rank}), "
        f"all-time leaderboard {all_time:.1f} ms"
    )


def measure_regrade(label: str, engine: Engine, bank: Bank, answers: int) -> None:
    upgrade(engine)
    people = PEOPLE // WORKSPACES
    rounds = max(1, -(-answers // (WORKSPACES * people)))
    answering = max(1, min(people, answers // (WORKSPACES * rounds)))
    shape = Shape(WORKSPACES * rounds * answering, rounds, people, answering)
    generate(engine, bank, shape, with_text=True)
    services = _services(engine, bank)
    start = time.perf_counter()
    report = services.regrade(workers=os.cpu_count() or 1)
    elapsed = time.perf_counter() - start
    print(
        f"{label}: regraded {report.examined:,} answers in {elapsed:.1f} s "
        f"with {os.cpu_count() or 1} grading processes ({len(report.changes):,} points changed)"
    )


def _postgres_url() -> str | None:
    for name in ("K8SQ_BENCH_POSTGRES_URL", "K8SQ_TEST_POSTGRES_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _with_postgres(server: str, body: Callable[[Engine], None]) -> None:
    from sqlalchemy import make_url
    from sqlalchemy.exc import DBAPIError

    name = f"k8sq_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine_for(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        print(f"postgresql: skipped, cannot reach {mask_url(server)}: {str(exc.orig)[:120]}")
        admin.dispose()
        return
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = create_engine_for(url)
    try:
        body(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run() -> None:
    from bot.question_bank import load_bank

    bank = load_bank()
    shape = shape_for(int(os.environ.get("K8SQ_BENCH_ANSWERS", "1000000")))
    regrade_size = int(os.environ.get("K8SQ_BENCH_REGRADE", "100000"))
    print(
        f"{shape.answers:,} answers: {WORKSPACES} workspaces x {shape.people_per_workspace} "
        f"people, {shape.rounds_per_workspace} daily rounds each, {shape.answering} answers a "
        f"round; {len(bank.questions)} questions"
    )
    with tempfile.TemporaryDirectory(prefix="k8sq-bench-") as tmp:
        engine = create_engine_for(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            measure_queries("sqlite", engine, bank, shape)
        finally:
            engine.dispose()
    server = _postgres_url()
    if server:
        _with_postgres(server, lambda e: measure_queries("postgresql", e, bank, shape))
    with tempfile.TemporaryDirectory(prefix="k8sq-bench-") as tmp:
        engine = create_engine_for(f"sqlite:///{Path(tmp) / 'regrade.db'}")
        try:
            measure_regrade("sqlite", engine, bank, regrade_size)
        finally:
            engine.dispose()
