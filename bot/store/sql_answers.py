"""The answer's path, on statements built once, with the other reads and writes of answers.

Everything Services.submit_answer asks the store for is here: the round's workspace and question
(remembered), the answer's conditional insert, the round, a practice attempt, whether the person
has a Home tab; and with them the answers a reveal, a dispute or an answer count reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, exists, func, select

from bot.domain.records import PracticeReason, RoundInfo
from bot.ports import AnswerAdded, AnswerRow, GradedText
from bot.store import tables as t
from bot.store.driver import DriverStatement
from bot.store.sql_base import SqlBase

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
# The columns of an answer or a practice attempt that its grade fills (GradedText's fields).
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


class AnswerRows(SqlBase):
    """Answers, practice attempts and Home tabs, and the rounds an answer is checked against."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._add_answer = self._open_round_insert()
        if not self._postgres:  # see add_answer
            self._add_answer_now = DriverStatement(self._add_answer, engine.dialect)
            self._has_home_tab_now = DriverStatement(_HAS_HOME_TAB, engine.dialect)
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

    # ----- rounds, as an answer reads them -----

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

    # ----- answers -----

    @staticmethod
    def _graded_values(graded: GradedText) -> dict[str, Any]:
        # The columns are named as GradedText's fields.
        return {name: getattr(graded, name) for name in _GRADED_COLUMNS}

    def add_answer(self, round_id: int, graded: GradedText) -> AnswerAdded:
        values = {"round_id": round_id, "answered_at": graded.at, **self._graded_values(graded)}
        if self._postgres:
            with self._write() as conn:
                row = conn.execute(self._add_answer, values).one_or_none()
            return AnswerAdded(None) if row is None else AnswerAdded(row.id, bool(row.home_tab))
        # SQLite runs a statement on its own as one transaction, within one call: its write
        # lock is taken and given back there, never held while this thread waits for the GIL
        # behind the others (which, for BEGIN IMMEDIATE ... COMMIT under the writers' turns,
        # capped the answers at a few hundred a second). Nor do the threads of one process
        # queue for it: the one holding such a turn waits for the GIL too, and the others with
        # it (in a 25-thread burst: p50 95-110 ms queued, 29-35 ms not; p99 0.6-0.8 s either way,
        # the tail of SQLite's busy sleeps). No RETURNING: its rows would keep the statement,
        # and the lock, open until they are fetched. Both statements go straight to the driver
        # (bot.store.driver).
        with self._driver() as driver:
            inserted = self._add_answer_now.run(driver, values)
            if inserted.rowcount != 1:
                return AnswerAdded(None)
            home = {"team_id": graded.team_id, "user_id": graded.user_id}
            home_tab = self._has_home_tab_now.run(driver, home).fetchone() is not None
            return AnswerAdded(inserted.lastrowid, home_tab)

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
