"""The Store port on SQLAlchemy: rows in, domain values out. One transaction per call."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    exists,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.domain.model import Lang, Question
from bot.domain.records import (
    Dispute,
    MessageState,
    PracticeReason,
    RoundInfo,
    ScoreChange,
    StoreUnavailable,
    TopicScore,
    WorkspaceSettings,
)
from bot.ports import (
    AnswerAdded,
    AnswerRow,
    GradedText,
    QuestionScore,
    Regraded,
    RoundRow,
    StoredAnswer,
    UserRound,
    UserTotal,
)
from bot.store import tables as t
from bot.store.engine import ONE_STATEMENT, READ_ONLY, sqlite_writers


@contextmanager
def _available() -> Iterator[None]:
    """Raise StoreUnavailable for a database that is unreachable or drops the connection."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        lines = str(exc.orig or exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        raise StoreUnavailable(f"the database is unavailable: {reason}") from exc


# The statements of an answer's path, built once: building and keying a statement costs
# SQLAlchemy several times what SQLite takes to run it (an INSERT of an answer: ~160 us
# against ~30 us run from a prebuilt statement). Values are bound when executed.
_GET_ROUND = select(t.rounds).where(t.rounds.c.id == bindparam("round_id"))
_HAS_HOME_TAB = select(t.home_tabs.c.user_id).where(
    t.home_tabs.c.team_id == bindparam("team_id"), t.home_tabs.c.user_id == bindparam("user_id")
)
_ADD_PRACTICE = t.practice_attempts.insert().returning(t.practice_attempts.c.id)
_ROUND_QUESTION = select(t.rounds.c.team_id, t.rounds.c.question_id).where(
    t.rounds.c.id == bindparam("round_id")
)
# The columns of an answer or a practice attempt that its grade fills.
_GRADED_COLUMNS = (
    "team_id",
    "user_id",
    "question_id",
    "text",
    "points",
    "max_points",
    "found",
    "missed",
    "rubric_version",
)
# Rounds whose workspace and question are remembered; past this many the memory starts over.
_ROUND_QUESTIONS_KEPT = 10_000


class SqlStore:
    """Everything k8sq remembers, in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        # SQLite's writers queue, held from BEGIN IMMEDIATE to COMMIT and no longer.
        writers = sqlite_writers(engine.url)
        self._writers: AbstractContextManager[object] = writers or nullcontext()
        # An answer's turn: see add_answer.
        self._answer_turn: AbstractContextManager[object] = (
            writers.threads if writers else nullcontext()
        )
        self._add_answer = self._open_round_insert()
        # Round id -> (workspace, question): neither changes while the round exists. (An erased
        # workspace's ids may come back for new rounds: add_answer checks, see round_question.)
        self._round_questions: dict[int, tuple[str, str]] = {}

    def _open_round_insert(self) -> Any:
        """INSERT an answer only while its round is open, and only the person's first.

        The round's state is read in the statement itself, so an answer and the reveal (or the
        close) cannot cross: on PostgreSQL the round's row is share-locked until the commit,
        and SQLite has one writer at a time anyway. The round must also be of the answer's
        workspace and question, as remembered by `round_question`.
        """
        a, r = t.answers, t.rounds
        columns = ["round_id", "answered_at", *_GRADED_COLUMNS]
        is_open = (
            select(r.c.id)
            .where(
                r.c.id == bindparam("round_id"),
                r.c.team_id == bindparam("team_id"),
                r.c.question_id == bindparam("question_id"),
                r.c.revealed_at.is_(None),
                r.c.closes_at > bindparam("answered_at", type_=a.c.answered_at.type),
            )
            .with_for_update(read=True)
        )
        values = select(*(bindparam(name, type_=a.c[name].type) for name in columns)).where(
            exists(is_open)
        )
        insert = (
            self._insert(a)
            .from_select(columns, values)
            .on_conflict_do_nothing(index_elements=[a.c.round_id, a.c.user_id])
        )
        if not self._postgres:
            return insert  # see add_answer
        h = t.home_tabs
        home_tab = exists().where(
            h.c.team_id == bindparam("team_id"), h.c.user_id == bindparam("user_id")
        )
        # Whether the person has a Home tab to refresh, in the same statement.
        return insert.returning(a.c.id, home_tab.label("home_tab"))

    # ----- plumbing -----

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _available(), self.engine.connect() as conn, self._writers, conn.begin():
            yield conn

    @contextmanager
    def _one_statement(self) -> Iterator[Connection]:
        """A connection whose statements are each a transaction of their own (SQLite)."""
        with _available(), self.engine.connect() as conn:
            conn = conn.execution_options(**{ONE_STATEMENT: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _available(), self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    def _insert(self, table: Any) -> Any:
        """An INSERT that can take ON CONFLICT on either database."""
        if self._postgres:
            return postgresql.insert(table)
        return sqlite.insert(table)

    # ----- questions -----

    def sync_questions(self, questions: Sequence[Question]) -> int:
        now = datetime.now(UTC)
        q = t.questions
        with self._write() as conn:
            existing = {
                row.id: row
                for row in conn.execute(
                    select(q.c.id, q.c.version, q.c.topic, q.c.difficulty, q.c.position, q.c.active)
                )
            }
            changed = 0
            for position, question in enumerate(questions):
                values = {
                    "topic": question.topic,
                    "difficulty": question.difficulty,
                    "version": question.version,
                    "position": position,
                    "active": True,
                }
                old = existing.pop(question.id, None)
                if old is None:
                    # An upsert: another process syncing the same new bank may have
                    # inserted it since the read above (PostgreSQL lets it in).
                    insert = self._insert(q).values(id=question.id, synced_at=now, **values)
                    conn.execute(
                        insert.on_conflict_do_update(
                            index_elements=[q.c.id],
                            set_={"synced_at": now, **values},
                        )
                    )
                    changed += 1
                elif any(getattr(old, k) != v for k, v in values.items()):
                    conn.execute(
                        update(q).where(q.c.id == question.id).values(synced_at=now, **values)
                    )
                    changed += 1
            gone = [qid for qid, row in existing.items() if row.active]
            if gone:
                conn.execute(update(q).where(q.c.id.in_(gone)).values(active=False, synced_at=now))
                changed += len(gone)
        return changed

    # ----- workspaces -----

    @staticmethod
    def _settings(row: Any) -> WorkspaceSettings:
        weekdays = tuple(int(d) for d in row.weekdays.split(",") if d)
        return WorkspaceSettings(
            team_id=row.team_id,
            channel_id=row.channel_id,
            post_time=cast(time, row.post_time),
            close_time=cast(time, row.close_time),
            timezone=row.timezone,
            weekdays=weekdays,
            holiday_country=row.holiday_country,
            language=cast(Lang, row.language),
            admins=tuple(row.admins),
            paused=bool(row.paused),
            leaderboard_day=int(row.leaderboard_day),
        )

    @staticmethod
    def _settings_values(settings: WorkspaceSettings) -> dict[str, Any]:
        return {
            "channel_id": settings.channel_id,
            "post_time": settings.post_time,
            "close_time": settings.close_time,
            "timezone": settings.timezone,
            "weekdays": ",".join(str(d) for d in settings.weekdays),
            "holiday_country": settings.holiday_country,
            "language": settings.language,
            "admins": list(settings.admins),
            "paused": settings.paused,
            "leaderboard_day": settings.leaderboard_day,
        }

    def ensure_workspace(self, defaults: WorkspaceSettings) -> WorkspaceSettings:
        w = t.workspaces
        with self._write() as conn:
            conn.execute(
                self._insert(w)
                .values(
                    team_id=defaults.team_id,
                    created_at=datetime.now(UTC),
                    **self._settings_values(defaults),
                )
                .on_conflict_do_nothing(index_elements=[w.c.team_id])
            )
            row = conn.execute(select(w).where(w.c.team_id == defaults.team_id)).one()
        return self._settings(row)

    def get_workspace(self, team_id: str) -> WorkspaceSettings | None:
        w = t.workspaces
        with self._read() as conn:
            row = conn.execute(select(w).where(w.c.team_id == team_id)).one_or_none()
        return None if row is None else self._settings(row)

    def save_workspace(self, settings: WorkspaceSettings) -> None:
        w = t.workspaces
        with self._write() as conn:
            conn.execute(
                update(w)
                .where(w.c.team_id == settings.team_id)
                .values(**self._settings_values(settings))
            )

    def list_workspaces(self) -> list[WorkspaceSettings]:
        w = t.workspaces
        with self._read() as conn:
            rows = conn.execute(select(w).order_by(w.c.team_id)).all()
        return [self._settings(row) for row in rows]

    # ----- once-only records -----

    def claim(self, *, job: str, period: str, team_id: str, at: datetime) -> bool:
        c = t.run_claims
        stmt = (
            self._insert(c)
            .values(job=job, period=period, team_id=team_id, claimed_at=at)
            .on_conflict_do_nothing(index_elements=[c.c.job, c.c.period, c.c.team_id])
            .returning(c.c.id)
        )
        with self._write() as conn:
            return conn.execute(stmt).scalar_one_or_none() is not None

    def claimed_at(self, *, job: str, period: str, team_id: str) -> datetime | None:
        c = t.run_claims
        with self._read() as conn:
            found: datetime | None = conn.execute(
                select(c.c.claimed_at).where(
                    c.c.job == job, c.c.period == period, c.c.team_id == team_id
                )
            ).scalar_one_or_none()
        return found

    def forget_events(self, before: datetime) -> int:
        e = t.slack_events
        with self._write() as conn:
            result = conn.execute(delete(e).where(e.c.received_at < before))
            return int(result.rowcount)

    def record_event(self, event_id: str, at: datetime) -> bool:
        e = t.slack_events
        stmt = (
            self._insert(e)
            .values(event_id=event_id, received_at=at)
            .on_conflict_do_nothing(index_elements=[e.c.event_id])
            .returning(e.c.event_id)
        )
        with self._write() as conn:
            return conn.execute(stmt).scalar_one_or_none() is not None

    # ----- rounds -----

    @staticmethod
    def _round(row: Any) -> RoundInfo:
        return RoundInfo(
            id=row.id,
            team_id=row.team_id,
            channel_id=row.channel_id,
            question_id=row.question_id,
            local_date=row.local_date,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            revealed_at=row.revealed_at,
            message_channel=row.message_channel,
            message_ts=row.message_ts,
            message_state=cast(MessageState, row.message_state),
        )

    def insert_round(
        self,
        *,
        team_id: str,
        channel_id: str,
        question_id: str,
        local_date: date,
        opens_at: datetime,
        closes_at: datetime,
    ) -> tuple[RoundInfo, bool]:
        r = t.rounds
        stmt = (
            self._insert(r)
            .values(
                team_id=team_id,
                channel_id=channel_id,
                question_id=question_id,
                local_date=local_date,
                opens_at=opens_at,
                closes_at=closes_at,
                message_state="pending",
                created_at=opens_at,
            )
            .on_conflict_do_nothing(index_elements=[r.c.team_id, r.c.local_date])
            .returning(r.c.id)
        )
        with self._write() as conn:
            # rowcount is not reliable with RETURNING, which SQLAlchemy may add by itself.
            created = conn.execute(stmt).scalar_one_or_none() is not None
            row = conn.execute(
                select(r).where(r.c.team_id == team_id, r.c.local_date == local_date)
            ).one()
        return self._round(row), created

    def get_round(self, round_id: int) -> RoundInfo | None:
        with self._read() as conn:
            row = conn.execute(_GET_ROUND, {"round_id": round_id}).one_or_none()
        return None if row is None else self._round(row)

    def round_question(self, round_id: int, *, fresh: bool = False) -> tuple[str, str] | None:
        known = None if fresh else self._round_questions.get(round_id)
        if known is not None:
            return known
        with self._read() as conn:
            row = conn.execute(_ROUND_QUESTION, {"round_id": round_id}).one_or_none()
        if row is None:
            self._round_questions.pop(round_id, None)
            return None
        if len(self._round_questions) >= _ROUND_QUESTIONS_KEPT:
            self._round_questions.clear()
        found = self._round_questions[round_id] = (row.team_id, row.question_id)
        return found

    def round_on(self, team_id: str, local_date: date) -> RoundInfo | None:
        r = t.rounds
        with self._read() as conn:
            row = conn.execute(
                select(r).where(r.c.team_id == team_id, r.c.local_date == local_date)
            ).one_or_none()
        return None if row is None else self._round(row)

    def latest_round(self, team_id: str) -> RoundInfo | None:
        r = t.rounds
        with self._read() as conn:
            row = conn.execute(
                select(r).where(r.c.team_id == team_id).order_by(r.c.local_date.desc()).limit(1)
            ).one_or_none()
        return None if row is None else self._round(row)

    def rounds_to_reveal(self, now: datetime) -> list[RoundInfo]:
        r = t.rounds
        with self._read() as conn:
            rows = conn.execute(
                select(r)
                .where(r.c.revealed_at.is_(None), r.c.closes_at <= now)
                .order_by(r.c.closes_at, r.c.id)
            ).all()
        return [self._round(row) for row in rows]

    def set_round_message(
        self, round_id: int, *, channel_id: str | None, ts: str | None, state: MessageState
    ) -> None:
        r = t.rounds
        with self._write() as conn:
            conn.execute(
                update(r)
                .where(r.c.id == round_id)
                .values(message_channel=channel_id, message_ts=ts, message_state=state)
            )

    def begin_repost(self, round_id: int, *, from_states: tuple[MessageState, ...]) -> bool:
        r = t.rounds
        with self._write() as conn:
            # One conditional UPDATE: of two concurrent callers, only one finds the old state.
            result = conn.execute(
                update(r)
                .where(r.c.id == round_id, r.c.message_state.in_(from_states))
                .values(message_channel=None, message_ts=None, message_state="reposting")
            )
            return result.rowcount == 1

    def mark_revealed(self, round_id: int, at: datetime) -> bool:
        r = t.rounds
        with self._write() as conn:
            result = conn.execute(
                update(r)
                .where(r.c.id == round_id, r.c.revealed_at.is_(None))
                .values(revealed_at=at)
            )
            return result.rowcount == 1

    def round_history(self, team_id: str) -> list[RoundRow]:
        r = t.rounds
        q = t.questions
        a = t.answers
        answered = exists().where(a.c.round_id == r.c.id)
        with self._read() as conn:
            rows = conn.execute(
                select(
                    r.c.id,
                    r.c.question_id,
                    q.c.topic,
                    r.c.local_date,
                    r.c.closes_at,
                    r.c.revealed_at,
                    r.c.message_state,
                    answered.label("answered"),
                )
                .join(q, q.c.id == r.c.question_id)
                .where(r.c.team_id == team_id)
                .order_by(r.c.local_date, r.c.id)
            ).all()
        return [
            RoundRow(
                round_id=row.id,
                question_id=row.question_id,
                topic=row.topic,
                local_date=row.local_date,
                closes_at=row.closes_at,
                revealed=row.revealed_at is not None,
                shown=row.message_state == "posted" or bool(row.answered),
            )
            for row in rows
        ]

    def open_question_ids(self, team_id: str, now: datetime) -> set[str]:
        r = t.rounds
        with self._read() as conn:
            ids = conn.scalars(
                select(r.c.question_id).where(
                    r.c.team_id == team_id, r.c.revealed_at.is_(None), r.c.closes_at > now
                )
            ).all()
        return set(ids)

    # ----- answers -----

    @staticmethod
    def _graded_values(graded: GradedText) -> dict[str, Any]:
        # The keys are _GRADED_COLUMNS.
        return {
            "team_id": graded.team_id,
            "user_id": graded.user_id,
            "question_id": graded.question_id,
            "text": graded.text,
            "points": graded.points,
            "max_points": graded.max_points,
            "found": list(graded.found),
            "missed": list(graded.missed),
            "rubric_version": graded.rubric_version,
        }

    def add_answer(self, round_id: int, graded: GradedText) -> AnswerAdded:
        values = {"round_id": round_id, "answered_at": graded.at, **self._graded_values(graded)}
        if self._postgres:
            with self._write() as conn:
                row = conn.execute(self._add_answer, values).one_or_none()
            return AnswerAdded(None) if row is None else AnswerAdded(row.id, bool(row.home_tab))
        # SQLite runs a statement on its own as one transaction, within one call: its write
        # lock is taken and given back there, never held while this thread waits for the GIL
        # behind the others (which, for BEGIN IMMEDIATE ... COMMIT under the writers' turns,
        # capped the answers at a few hundred a second). The threads of this process still
        # take turns (see SqliteWriters.threads). No RETURNING: its rows would keep the
        # statement, and the lock, open until they are fetched.
        with self._one_statement() as conn:
            with self._answer_turn:
                result = conn.execute(self._add_answer, values)
            if result.rowcount != 1:
                return AnswerAdded(None)
            home = {"team_id": graded.team_id, "user_id": graded.user_id}
            home_tab = conn.execute(_HAS_HOME_TAB, home).first() is not None
            return AnswerAdded(result.lastrowid, home_tab)

    def add_practice(
        self, graded: GradedText, *, round_id: int | None, reason: PracticeReason
    ) -> int:
        values = {
            "round_id": round_id,
            "reason": reason,
            "attempted_at": graded.at,
            **self._graded_values(graded),
        }
        with self._write() as conn:
            return int(conn.execute(_ADD_PRACTICE, values).scalar_one())

    def count_answers(self, round_id: int) -> int:
        a = t.answers
        with self._read() as conn:
            return int(
                conn.execute(select(func.count()).where(a.c.round_id == round_id)).scalar_one()
            )

    @staticmethod
    def _answer(row: Any) -> AnswerRow:
        return AnswerRow(
            answer_id=row.id,
            round_id=row.round_id,
            user_id=row.user_id,
            points=row.points,
            max_points=row.max_points,
            missed=tuple(row.missed),
        )

    def round_answers(self, round_id: int) -> list[AnswerRow]:
        a = t.answers
        with self._read() as conn:
            rows = conn.execute(
                select(a.c.id, a.c.round_id, a.c.user_id, a.c.points, a.c.max_points, a.c.missed)
                .where(a.c.round_id == round_id)
                .order_by(a.c.id)
            ).all()
        return [self._answer(row) for row in rows]

    def find_answer(self, round_id: int, user_id: str) -> AnswerRow | None:
        a = t.answers
        with self._read() as conn:
            row = conn.execute(
                select(
                    a.c.id, a.c.round_id, a.c.user_id, a.c.points, a.c.max_points, a.c.missed
                ).where(a.c.round_id == round_id, a.c.user_id == user_id)
            ).one_or_none()
        return None if row is None else self._answer(row)

    def user_rounds(
        self,
        team_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        user_id: str | None = None,
        revealed_only: bool = False,
    ) -> list[UserRound]:
        a = t.answers
        stmt = select(a.c.user_id, a.c.round_id, a.c.points, a.c.max_points).where(
            a.c.team_id == team_id
        )
        if revealed_only:
            stmt = stmt.where(a.c.round_id.in_(self._revealed_rounds(team_id)))
        if start is not None:
            stmt = stmt.where(a.c.answered_at >= start)
        if end is not None:
            stmt = stmt.where(a.c.answered_at < end)
        if user_id is not None:
            stmt = stmt.where(a.c.user_id == user_id)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [UserRound(*row) for row in rows]

    def answered_in(
        self, round_ids: Sequence[int], users: Collection[str] | None = None
    ) -> list[tuple[str, int]]:
        if not round_ids or (users is not None and not users):
            return []
        a = t.answers
        stmt = select(a.c.user_id, a.c.round_id).where(a.c.round_id.in_(list(round_ids)))
        if users is not None:
            stmt = stmt.where(a.c.user_id.in_(sorted(users)))
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [(row[0], row[1]) for row in rows]

    @staticmethod
    def _revealed_rounds(team_id: str) -> Any:
        r = t.rounds
        return select(r.c.id).where(r.c.team_id == team_id, r.c.revealed_at.is_not(None))

    def user_totals(self, team_id: str, *, revealed_only: bool = False) -> list[UserTotal]:
        a = t.answers
        percent = func.sum(100.0 * a.c.points / func.nullif(a.c.max_points, 0))
        stmt = (
            select(
                a.c.user_id,
                func.sum(a.c.points),
                func.count(),
                func.coalesce(percent, 0.0),
            )
            .where(a.c.team_id == team_id)
            .group_by(a.c.user_id)
        )
        if revealed_only:
            stmt = stmt.where(a.c.round_id.in_(self._revealed_rounds(team_id)))
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [UserTotal(row[0], float(row[1]), int(row[2]), float(row[3])) for row in rows]

    def topic_scores(
        self, team_id: str, *, start: datetime, end: datetime, revealed_only: bool = False
    ) -> list[TopicScore]:
        a = t.answers
        q = t.questions
        stmt = (
            select(
                q.c.topic,
                func.avg(100.0 * a.c.points / func.nullif(a.c.max_points, 0)),
                func.count(),
            )
            .join(q, q.c.id == a.c.question_id)
            .where(a.c.team_id == team_id, a.c.answered_at >= start, a.c.answered_at < end)
            .group_by(q.c.topic)
            .order_by(q.c.topic)
        )
        if revealed_only:
            stmt = stmt.where(a.c.round_id.in_(self._revealed_rounds(team_id)))
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [TopicScore(row[0], float(row[1] or 0.0), int(row[2])) for row in rows]

    def _attempts(self, team_id: str, user_id: str) -> Any:
        """Scored answers and practice of a person (second tries left out), as one query."""
        a = t.answers
        p = t.practice_attempts
        return union_all(
            select(
                a.c.question_id.label("question_id"),
                a.c.points.label("points"),
                a.c.max_points.label("max_points"),
                a.c.answered_at.label("at"),
            ).where(a.c.team_id == team_id, a.c.user_id == user_id),
            select(p.c.question_id, p.c.points, p.c.max_points, p.c.attempted_at).where(
                p.c.team_id == team_id, p.c.user_id == user_id, p.c.reason != literal("repeat")
            ),
        ).subquery()

    def question_scores(self, team_id: str, user_id: str) -> list[QuestionScore]:
        s = self._attempts(team_id, user_id)
        with self._read() as conn:
            rows = conn.execute(
                select(
                    s.c.question_id,
                    func.max(100.0 * s.c.points / func.nullif(s.c.max_points, 0)),
                    func.max(s.c.at),
                ).group_by(s.c.question_id)
            ).all()
        return [QuestionScore(qid, float(best or 0.0), last) for qid, best, last in rows]

    def topic_mastery(self, team_id: str, user_id: str) -> list[TopicScore]:
        s = self._attempts(team_id, user_id)
        q = t.questions
        with self._read() as conn:
            rows = conn.execute(
                select(
                    q.c.topic,
                    func.avg(100.0 * s.c.points / func.nullif(s.c.max_points, 0)),
                    func.count(),
                )
                .join(q, q.c.id == s.c.question_id)
                .group_by(q.c.topic)
            ).all()
        return [TopicScore(row[0], float(row[1] or 0.0), int(row[2])) for row in rows]

    # ----- regrading -----

    def answers_to_regrade(
        self, question_id: str | None, batch_size: int = 2000
    ) -> Iterator[list[StoredAnswer]]:
        a = t.answers
        last_id = 0
        while True:
            stmt = (
                select(
                    a.c.id,
                    a.c.round_id,
                    a.c.user_id,
                    a.c.question_id,
                    a.c.text,
                    a.c.points,
                    a.c.rubric_version,
                    a.c.points_set_by,
                )
                .where(a.c.id > last_id)
                .order_by(a.c.id)
                .limit(batch_size)
            )
            if question_id is not None:
                stmt = stmt.where(a.c.question_id == question_id)
            with self._read() as conn:
                rows = conn.execute(stmt).all()
            if not rows:
                return
            last_id = rows[-1].id
            yield [StoredAnswer(*row) for row in rows]

    def apply_regrade(
        self, results: Sequence[Regraded], *, changed_by: str, reason: str, at: datetime
    ) -> list[ScoreChange]:
        if not results:
            return []
        a = t.answers
        by_id = {r.answer_id: r for r in results}
        changes: list[ScoreChange] = []
        with self._write() as conn:
            # Locked until the commit (PostgreSQL; SQLite's writers queue anyway): an admin's
            # change in between would be overwritten and the old points recorded wrong.
            old_rows = conn.execute(
                select(a.c.id, a.c.round_id, a.c.user_id, a.c.points, a.c.rubric_version)
                .where(a.c.id.in_(list(by_id)), a.c.points_set_by.is_(None))
                .with_for_update()
            ).all()
            updates = []
            change_rows = []
            for row in old_rows:
                new = by_id[row.id]
                updates.append(
                    {
                        "b_id": row.id,
                        "b_points": new.points,
                        "b_max": new.max_points,
                        "b_found": list(new.found),
                        "b_missed": list(new.missed),
                        "b_version": new.rubric_version,
                    }
                )
                if new.points != row.points:
                    changes.append(
                        ScoreChange(
                            answer_id=row.id,
                            round_id=row.round_id,
                            user_id=row.user_id,
                            old_points=row.points,
                            new_points=new.points,
                            changed_by=changed_by,
                            reason=reason,
                        )
                    )
                    change_rows.append(
                        {
                            "answer_id": row.id,
                            "old_points": row.points,
                            "new_points": new.points,
                            "old_version": row.rubric_version,
                            "new_version": new.rubric_version,
                            "changed_by": changed_by,
                            "reason": reason,
                            "changed_at": at,
                        }
                    )
            if updates:
                conn.execute(
                    update(a)
                    .where(a.c.id == bindparam("b_id"))
                    .values(
                        points=bindparam("b_points"),
                        max_points=bindparam("b_max"),
                        found=bindparam("b_found", type_=a.c.found.type),
                        missed=bindparam("b_missed", type_=a.c.missed.type),
                        rubric_version=bindparam("b_version"),
                    )
                    .execution_options(synchronize_session=False),
                    updates,
                )
            if change_rows:
                conn.execute(t.score_changes.insert(), change_rows)
        return changes

    def set_points(
        self, answer_id: int, points: float, *, changed_by: str, reason: str, at: datetime
    ) -> ScoreChange:
        a = t.answers
        with self._write() as conn:
            row = conn.execute(
                select(a.c.id, a.c.round_id, a.c.user_id, a.c.points, a.c.rubric_version)
                .where(a.c.id == answer_id)
                .with_for_update()
            ).one()
            conn.execute(
                update(a).where(a.c.id == answer_id).values(points=points, points_set_by=changed_by)
            )
            conn.execute(
                t.score_changes.insert().values(
                    answer_id=answer_id,
                    old_points=row.points,
                    new_points=points,
                    old_version=row.rubric_version,
                    new_version=row.rubric_version,
                    changed_by=changed_by,
                    reason=reason,
                    changed_at=at,
                )
            )
        return ScoreChange(
            answer_id=answer_id,
            round_id=row.round_id,
            user_id=row.user_id,
            old_points=row.points,
            new_points=points,
            changed_by=changed_by,
            reason=reason,
        )

    # ----- disputes -----

    @staticmethod
    def _dispute(row: Any) -> Dispute:
        return Dispute(
            id=row.id,
            team_id=row.team_id,
            round_id=row.round_id,
            user_id=row.user_id,
            answer_id=row.answer_id,
            comment=row.comment,
            filed_at=row.filed_at,
            delivered_at=row.delivered_at,
            resolved_by=row.resolved_by,
            resolved_at=row.resolved_at,
        )

    def add_dispute(
        self,
        *,
        team_id: str,
        round_id: int,
        user_id: str,
        answer_id: int,
        comment: str,
        at: datetime,
    ) -> tuple[Dispute, bool]:
        d = t.disputes
        stmt = (
            self._insert(d)
            .values(
                team_id=team_id,
                round_id=round_id,
                user_id=user_id,
                answer_id=answer_id,
                comment=comment,
                filed_at=at,
            )
            .on_conflict_do_nothing(index_elements=[d.c.round_id, d.c.user_id])
            .returning(d.c.id)
        )
        with self._write() as conn:
            new_id = conn.execute(stmt).scalar_one_or_none()
            row = conn.execute(
                select(d).where(d.c.round_id == round_id, d.c.user_id == user_id)
            ).one()
        return self._dispute(row), new_id is not None

    def get_dispute(self, dispute_id: int) -> Dispute | None:
        d = t.disputes
        with self._read() as conn:
            row = conn.execute(select(d).where(d.c.id == dispute_id)).one_or_none()
        return None if row is None else self._dispute(row)

    def disputes_to_deliver(self) -> list[Dispute]:
        d, r = t.disputes, t.rounds
        with self._read() as conn:
            rows = conn.execute(
                select(d)
                .join(r, r.c.id == d.c.round_id)
                .where(d.c.delivered_at.is_(None), r.c.revealed_at.is_not(None))
                .order_by(d.c.id)
            ).all()
        return [self._dispute(row) for row in rows]

    def mark_dispute_delivered(self, dispute_id: int, at: datetime) -> bool:
        d = t.disputes
        with self._write() as conn:
            result = conn.execute(
                update(d)
                .where(d.c.id == dispute_id, d.c.delivered_at.is_(None))
                .values(delivered_at=at)
            )
            return result.rowcount == 1

    def resolve_dispute(self, dispute_id: int, *, by: str, at: datetime) -> None:
        d = t.disputes
        with self._write() as conn:
            conn.execute(
                update(d).where(d.c.id == dispute_id).values(resolved_by=by, resolved_at=at)
            )

    def answer_text(self, answer_id: int) -> str | None:
        a = t.answers
        with self._read() as conn:
            return conn.execute(select(a.c.text).where(a.c.id == answer_id)).scalar_one_or_none()

    # ----- App Home -----

    def note_home_tab(self, team_id: str, user_id: str, at: datetime) -> None:
        h = t.home_tabs
        stmt = (
            self._insert(h)
            .values(team_id=team_id, user_id=user_id, opened_at=at)
            .on_conflict_do_nothing(index_elements=[h.c.team_id, h.c.user_id])
        )
        with self._write() as conn:
            conn.execute(stmt)

    def has_home_tab(self, team_id: str, user_id: str) -> bool:
        with self._read() as conn:
            found = conn.execute(_HAS_HOME_TAB, {"team_id": team_id, "user_id": user_id}).first()
        return found is not None
