"""Changes to stored points (a regrade, an admin's) and the disputes that ask for them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from bot.domain.records import Dispute, ScoreChange
from bot.ports import Regraded, StoredAnswer
from bot.store import tables as t
from bot.store.sql_base import SqlBase


class ScoreRows(SqlBase):
    """Regrading, points an admin sets, and disputes; every change recorded with who and why."""

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
