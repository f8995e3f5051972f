"""What the game remembers, as plain values: workspaces, rounds, submissions, boards, stats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.model import DomainError, Grade, Lang, Text

# "reposting": an admin's "Post again" (or `k8sq post-daily --force`) of an unknown post is
# under way; it ends "posted", or "unknown" again.
MessageState = Literal["pending", "posted", "unknown", "reposting"]
# Why a submission did not count: a second try at the same round, or after the round closed.
PracticeReason = Literal["practice", "repeat", "late"]


class StoreUnavailable(Exception):
    """The database could not be reached, or dropped the connection: nothing was stored or
    read by that call, and trying again in a moment may work. Not a DomainError: it is no
    fault of what the person asked."""


@dataclass(frozen=True)
class WorkspaceSettings:
    """A Slack workspace's settings; times are local to `timezone`, weekdays 0 = Monday."""

    team_id: str
    channel_id: str | None = None
    post_time: time = time(9, 30)
    close_time: time = time(18, 0)
    timezone: str = "Asia/Shanghai"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holiday_country: str | None = None
    language: Lang = "zh"
    admins: tuple[str, ...] = ()
    paused: bool = False
    # The weekday (0 = Monday) the last week's leaderboard is posted, at the post time.
    leaderboard_day: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class RoundInfo:
    """One daily question in one workspace."""

    id: int
    team_id: str
    channel_id: str
    question_id: str
    local_date: date
    opens_at: datetime
    closes_at: datetime
    revealed_at: datetime | None = None
    message_channel: str | None = None
    message_ts: str | None = None
    message_state: MessageState = "pending"

    def is_open(self, now: datetime) -> bool:
        """Whether an answer given now counts: before the close, and never after the reveal."""
        return self.revealed_at is None and now < self.closes_at


@dataclass(frozen=True)
class Submission:
    """The grade of an answer to a round, and whether it counted for the leaderboard."""

    round_id: int
    user_id: str
    grade: Grade
    counted: bool
    # When not counted: "repeat" (the first answer already counts) or "late" (round closed).
    practice_reason: PracticeReason | None = None
    # Whether the person has a Home tab, to be published again with this answer in it.
    home_tab: bool = False


@dataclass(frozen=True)
class Scorer:
    user_id: str
    points: float
    max_points: float


@dataclass(frozen=True)
class MissedConcept:
    concept_id: str
    label: Text
    missed_by: int


@dataclass(frozen=True)
class RevealSummary:
    """What the reveal shows: the reference and how the team did."""

    round: RoundInfo
    reference: Text
    answered: int
    average_points: float | None
    max_points: float
    top: tuple[Scorer, ...]
    most_missed: MissedConcept | None
    # False when the round had already been revealed (a repeated reveal changes nothing).
    newly_revealed: bool


@dataclass(frozen=True)
class Standing:
    """One person's line on a leaderboard; tied points share a rank (1, 2, 2, 4)."""

    user_id: str
    rank: int
    points: float
    rounds: int
    average_percent: float
    streak: int


@dataclass(frozen=True)
class Improvement:
    user_id: str
    previous_percent: float
    percent: float

    @property
    def gain(self) -> float:
        return self.percent - self.previous_percent


@dataclass(frozen=True)
class TopicScore:
    topic: str
    average_percent: float
    answers: int


@dataclass(frozen=True)
class WeeklyBoard:
    """The ISO week (Monday to Sunday, in the workspace's time zone) of daily rounds."""

    team_id: str
    week_start: date
    week_end: date
    standings: tuple[Standing, ...]
    most_improved: Improvement | None
    weakest_topic: TopicScore | None


@dataclass(frozen=True)
class AllTimeBoard:
    team_id: str
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class PersonalStats:
    team_id: str
    user_id: str
    mastery: tuple[TopicScore, ...]  # weakest topic first
    rounds_answered: int
    current_streak: int
    longest_streak: int
    weekly_rank: int | None
    weekly_points: float
    all_time_rank: int | None
    all_time_points: float


@dataclass(frozen=True)
class ScoreChange:
    """A change of a scored answer's points, by a regrade or by an admin."""

    answer_id: int
    round_id: int
    user_id: str
    old_points: float
    new_points: float
    changed_by: str
    reason: str


@dataclass(frozen=True)
class RegradeReport:
    examined: int
    changes: tuple[ScoreChange, ...]
    # Answers whose points an admin set: not regraded (a person's decision stands).
    kept: int = 0


@dataclass(frozen=True)
class Dispute:
    """A person's request that an admin look again at their scored answer to a round."""

    id: int
    team_id: str
    round_id: int
    user_id: str
    answer_id: int
    comment: str
    filed_at: datetime
    delivered_at: datetime | None = None  # when the admins were told (after the reveal)
    resolved_by: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class DisputeDetails:
    """What the admins see: the dispute, the question, the answer and its grade."""

    dispute: Dispute
    round: RoundInfo
    question_id: str
    answer_text: str
    points: float
    max_points: float
    missed: tuple[str, ...]


# ----- errors a person can cause -----


class UnknownWorkspace(DomainError):
    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        super().__init__(f"workspace '{team_id}' is not set up yet")


class UnknownRound(DomainError):
    def __init__(self, round_id: int) -> None:
        self.round_id = round_id
        super().__init__(f"no round {round_id}")


class InvalidSetting(DomainError):
    def __init__(self, name: str, value: object, why: str) -> None:
        self.name = name
        self.value = value
        super().__init__(f"invalid {name} {value!r}: {why}")


class NoQuestionAvailable(DomainError):
    def __init__(self, why: str) -> None:
        super().__init__(f"no question available: {why}")


class NotAnswered(DomainError):
    def __init__(self, round_id: int, user_id: str) -> None:
        super().__init__(f"{user_id} has no scored answer in round {round_id}")


class InvalidAnswer(DomainError):
    """An answer that cannot be graded: empty, or far too long."""


class InvalidPoints(DomainError):
    def __init__(self, points: float, max_points: float) -> None:
        super().__init__(f"points must be between 0 and {max_points:g}, not {points:g}")


class NotAdmin(DomainError):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"{user_id} is not an admin of this workspace")


class UnknownDispute(DomainError):
    def __init__(self, dispute_id: int) -> None:
        super().__init__(f"no dispute {dispute_id}")


class RoundNotRevealed(DomainError):
    def __init__(self, round_id: int) -> None:
        super().__init__(f"round {round_id} is not revealed yet; grades change after the reveal")
