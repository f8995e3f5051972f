"""Workspaces and their settings, and the records that make a job or an event happen once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, cast

from sqlalchemy import delete, select, update

from bot.domain.model import Lang
from bot.domain.records import WorkspaceSettings
from bot.store import tables as t
from bot.store.sql_base import SqlBase


class WorkspaceRows(SqlBase):
    """Workspaces, claimed runs and processed Slack events."""

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
        self.change_workspace(settings.team_id, lambda _current: settings)

    def change_workspace(
        self, team_id: str, change: Callable[[WorkspaceSettings], WorkspaceSettings]
    ) -> WorkspaceSettings | None:
        w = t.workspaces
        # SQLite's writers take turns; PostgreSQL locks the row until the commit.
        with self._write() as conn:
            row = conn.execute(
                select(w).where(w.c.team_id == team_id).with_for_update()
            ).one_or_none()
            if row is None:
                return None
            changed = change(self._settings(row))
            conn.execute(
                update(w).where(w.c.team_id == team_id).values(**self._settings_values(changed))
            )
        return changed

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
