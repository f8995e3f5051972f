"""The question bank's copy in the database, and the daily rounds: created, posted, revealed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import exists, select, update

from bot.domain.model import Question
from bot.domain.records import MessageState, RoundInfo
from bot.ports import RoundRow
from bot.store import tables as t
from bot.store.sql_base import SqlBase


class RoundRows(SqlBase):
    """Questions and rounds."""

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

    # ----- rounds -----

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
