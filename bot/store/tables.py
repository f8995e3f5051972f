"""The database's tables (SQLAlchemy 2 typed mappings). Times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.slack_tables import add_slack_tables

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite, which keeps no offset, gets naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class QuestionRow(Base):
    """A question of the bank, synced by id; `version` is its content hash."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)  # order in the bank
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkspaceRow(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    post_time: Mapped[time] = mapped_column(Time())
    close_time: Mapped[time] = mapped_column(Time())
    timezone: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[str] = mapped_column(String(20))  # "0,1,2,3,4"; Monday is 0
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    admins: Mapped[list[str]] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0 = Monday: the day last week's leaderboard is posted.
    leaderboard_day: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RoundRow(Base):
    """A daily question in a workspace: one per local date."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("team_id", "local_date"),
        Index(None, "revealed_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"))
    local_date: Mapped[date]
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    message_state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnswerRow(Base):
    """A scored answer: the first a person gave to a round while it was open."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        # The weekly board: a workspace's answers in a time range.
        Index(None, "team_id", "answered_at"),
        # The all-time board and streaks, read from the index alone.
        Index(None, "team_id", "user_id", "round_id", "points", "max_points"),
        Index(None, "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    found: Mapped[list[str]] = mapped_column(JSON)
    missed: Mapped[list[str]] = mapped_column(JSON)
    rubric_version: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The admin who set the points by hand (a regrade keeps them); None: the grader's.
    points_set_by: Mapped[str | None] = mapped_column(String(64))


class PracticeRow(Base):
    """An answer that does not count: /k8sq practice, a second try, or after the close."""

    __tablename__ = "practice_attempts"
    __table_args__ = (Index(None, "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    reason: Mapped[str] = mapped_column(String(16))  # practice | repeat | late
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    found: Mapped[list[str]] = mapped_column(JSON)
    missed: Mapped[list[str]] = mapped_column(JSON)
    rubric_version: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunClaimRow(Base):
    """A scheduled run that happened: at most one per job, period and workspace."""

    __tablename__ = "run_claims"
    __table_args__ = (UniqueConstraint("job", "period", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackEventRow(Base):
    """A Slack event id already processed (Slack retries deliveries)."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScoreChangeRow(Base):
    """A change of a scored answer's points, by a regrade or an admin: who, why, old, new."""

    __tablename__ = "score_changes"
    __table_args__ = (Index(None, "answer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"))
    old_points: Mapped[float] = mapped_column(Float)
    new_points: Mapped[float] = mapped_column(Float)
    old_version: Mapped[str] = mapped_column(String(64))
    new_version: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DisputeRow(Base):
    """A person's dispute of their scored answer to a round: one per answer."""

    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        Index(None, "delivered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"))
    comment: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HomeTabRow(Base):
    """A person who has opened k8sq's Home tab: theirs is published again after each answer."""

    __tablename__ = "home_tabs"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The tables, typed as Core tables for the store's queries.
questions = cast(Table, QuestionRow.__table__)
workspaces = cast(Table, WorkspaceRow.__table__)
rounds = cast(Table, RoundRow.__table__)
answers = cast(Table, AnswerRow.__table__)
practice_attempts = cast(Table, PracticeRow.__table__)
run_claims = cast(Table, RunClaimRow.__table__)
slack_events = cast(Table, SlackEventRow.__table__)
score_changes = cast(Table, ScoreChangeRow.__table__)
disputes = cast(Table, DisputeRow.__table__)
home_tabs = cast(Table, HomeTabRow.__table__)

# Slack installations (OAuth installs into many workspaces), on the same metadata.
slack_installations, slack_bots, slack_oauth_states = add_slack_tables(Base.metadata)
