"""What the leaderboards, streaks and a person's stats read: points per person, round and topic."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, union_all

from bot.domain.records import TopicScore
from bot.ports import QuestionScore, UserRound, UserTotal
from bot.store import tables as t
from bot.store.sql_base import SqlBase


class StatRows(SqlBase):
    """Points summed and averaged by person, round and topic, and who answered which rounds."""

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
