"""The ports the services need: a clock and a store. Adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from bot.domain.model import Question
from bot.domain.records import (
    Dispute,
    MessageState,
    PracticeReason,
    RoundInfo,
    ScoreChange,
    TopicScore,
    WorkspaceSettings,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


# ----- what the store takes and gives -----


@dataclass(frozen=True)
class GradedText:
    """An answer's text and its grade, as stored."""

    team_id: str
    user_id: str
    question_id: str
    text: str
    points: float
    max_points: float
    found: tuple[str, ...]  # concept ids
    missed: tuple[str, ...]  # concept ids
    rubric_version: str
    at: datetime


@dataclass(frozen=True)
class AnswerAdded:
    """What storing a scored answer did."""

    # None when nothing was stored: the round is closed, or the person answered it before.
    answer_id: int | None
    # Whether the person has a Home tab to publish again, read in the same transaction.
    home_tab: bool = False


@dataclass(frozen=True)
class AnswerRow:
    """A scored answer as the leaderboard sees it."""

    answer_id: int
    round_id: int
    user_id: str
    points: float
    max_points: float
    missed: tuple[str, ...]


@dataclass(frozen=True)
class RoundRow:
    """A round as selection and streaks see it."""

    round_id: int
    question_id: str
    topic: str
    local_date: date
    closes_at: datetime
    revealed: bool
    # Known to have reached the channel: posted, or somebody answered it. A round whose post
    # failed unseen and nobody answered does not break anyone's streak.
    shown: bool = True


@dataclass(frozen=True)
class UserRound:
    """That a person answered a round (scored), and how well."""

    user_id: str
    round_id: int
    points: float
    max_points: float


@dataclass(frozen=True)
class UserTotal:
    user_id: str
    points: float
    rounds: int
    percent_sum: float


@dataclass(frozen=True)
class QuestionScore:
    """A person's best percentage on a question, and when they last tried it."""

    question_id: str
    best_percent: float
    last_at: datetime


@dataclass(frozen=True)
class StoredAnswer:
    """A scored answer to regrade."""

    answer_id: int
    round_id: int
    user_id: str
    question_id: str
    text: str
    points: float
    rubric_version: str
    # The admin who set the points by hand: a regrade keeps them.
    points_set_by: str | None = None


@dataclass(frozen=True)
class Regraded:
    """A regrade's result for one stored answer."""

    answer_id: int
    points: float
    max_points: float
    found: tuple[str, ...]
    missed: tuple[str, ...]
    rubric_version: str


class Store(Protocol):
    """Everything k8sq remembers. Each call is one transaction."""

    # questions
    def sync_questions(self, questions: Sequence[Question]) -> int:
        """Insert or update questions by id and version; return how many changed."""
        ...

    # workspaces
    def ensure_workspace(self, defaults: WorkspaceSettings) -> WorkspaceSettings:
        """Create the workspace with `defaults` unless it exists; return its settings."""
        ...

    def get_workspace(self, team_id: str) -> WorkspaceSettings | None: ...

    def save_workspace(self, settings: WorkspaceSettings) -> None: ...

    def change_workspace(
        self, team_id: str, change: Callable[[WorkspaceSettings], WorkspaceSettings]
    ) -> WorkspaceSettings | None:
        """Save `change(settings)` in the transaction that reads them, so two changes at
        once both hold (None if there is no such workspace)."""
        ...

    def list_workspaces(self) -> list[WorkspaceSettings]: ...

    # once-only records
    def claim(self, *, job: str, period: str, team_id: str, at: datetime) -> bool:
        """Record a scheduled run; False if it was already claimed."""
        ...

    def claimed_at(self, *, job: str, period: str, team_id: str) -> datetime | None:
        """When the run was claimed; None if it never was."""
        ...

    def forget_events(self, before: datetime) -> int:
        """Forget the Slack event ids received before `before`; how many."""
        ...

    def record_event(self, event_id: str, at: datetime) -> bool:
        """Record a processed Slack event id; False if it was already recorded."""
        ...

    # rounds
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
        """Create the workspace's round of that date, or return the existing one (False)."""
        ...

    def get_round(self, round_id: int) -> RoundInfo | None: ...

    def round_question(self, round_id: int, *, fresh: bool = False) -> tuple[str, str] | None:
        """The round's workspace and question id; None without a round.

        They never change, so they may be remembered; `fresh` reads them again (a round id
        can come back after `k8sq workspace erase`).
        """
        ...

    def round_on(self, team_id: str, local_date: date) -> RoundInfo | None: ...

    def latest_round(self, team_id: str) -> RoundInfo | None: ...

    def rounds_to_reveal(self, now: datetime) -> list[RoundInfo]: ...

    def set_round_message(
        self, round_id: int, *, channel_id: str | None, ts: str | None, state: MessageState
    ) -> None: ...

    def mark_revealed(self, round_id: int, at: datetime) -> bool:
        """Mark the round revealed; False if it already was."""
        ...

    def begin_repost(self, round_id: int, *, from_states: tuple[MessageState, ...]) -> bool:
        """Set the round "reposting" if its post is in one of `from_states`; False if not."""
        ...

    def round_history(self, team_id: str) -> list[RoundRow]:
        """Every round of the workspace, oldest first."""
        ...

    def open_question_ids(self, team_id: str, now: datetime) -> set[str]: ...

    # answers
    def add_answer(self, round_id: int, graded: GradedText) -> AnswerAdded:
        """Insert the scored answer if the round is open at `graded.at`, is of the answer's
        workspace and question, and the person has none for it yet; say whether it was
        stored, and if so whether they have a Home tab."""
        ...

    def add_practice(
        self, graded: GradedText, *, round_id: int | None, reason: PracticeReason
    ) -> int: ...

    def count_answers(self, round_id: int) -> int: ...

    def round_answers(self, round_id: int) -> list[AnswerRow]: ...

    def find_answer(self, round_id: int, user_id: str) -> AnswerRow | None: ...

    def user_rounds(
        self,
        team_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        user_id: str | None = None,
        revealed_only: bool = False,
    ) -> list[UserRound]:
        """Scored answers of the workspace answered in [start, end) (of revealed rounds)."""
        ...

    def answered_in(
        self, round_ids: Sequence[int], users: Collection[str] | None = None
    ) -> list[tuple[str, int]]:
        """(user, round) of every scored answer to those rounds (by those people only)."""
        ...

    def user_totals(self, team_id: str, *, revealed_only: bool = False) -> list[UserTotal]: ...

    def topic_scores(
        self, team_id: str, *, start: datetime, end: datetime, revealed_only: bool = False
    ) -> list[TopicScore]:
        """The team's average percentage per topic over scored answers in [start, end)."""
        ...

    def question_scores(self, team_id: str, user_id: str) -> list[QuestionScore]:
        """The person's best percentage per question, scored answers and practice together."""
        ...

    def topic_mastery(self, team_id: str, user_id: str) -> list[TopicScore]:
        """The person's average percentage per topic, scored answers and practice together.

        Second tries at a round ("repeat") are left out: they follow the hints.
        """
        ...

    # regrading
    def answers_to_regrade(
        self, question_id: str | None, batch_size: int = 2000
    ) -> Iterator[list[StoredAnswer]]: ...

    def apply_regrade(
        self, results: Sequence[Regraded], *, changed_by: str, reason: str, at: datetime
    ) -> list[ScoreChange]:
        """Store the new grades; record and return every change of points."""
        ...

    def set_points(
        self, answer_id: int, points: float, *, changed_by: str, reason: str, at: datetime
    ) -> ScoreChange: ...

    # disputes
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
        """File the person's dispute of a round, or return theirs that exists (False)."""
        ...

    def get_dispute(self, dispute_id: int) -> Dispute | None: ...

    def disputes_to_deliver(self) -> list[Dispute]:
        """Disputes of revealed rounds the admins were not told about yet."""
        ...

    def mark_dispute_delivered(self, dispute_id: int, at: datetime) -> bool:
        """Claim telling the admins about a dispute; False if it was claimed before."""
        ...

    def resolve_dispute(self, dispute_id: int, *, by: str, at: datetime) -> None: ...

    def answer_text(self, answer_id: int) -> str | None: ...

    # App Home
    def note_home_tab(self, team_id: str, user_id: str, at: datetime) -> None:
        """Remember that the person has opened the Home tab (once is enough)."""
        ...

    def has_home_tab(self, team_id: str, user_id: str) -> bool: ...


# ----- the chat port: posting to Slack, used by the scheduled jobs -----

# Block Kit blocks as Slack takes them (JSON objects).
Blocks = Sequence[dict[str, object]]


@dataclass(frozen=True)
class PostedMessage:
    channel_id: str
    ts: str


class ChatError(Exception):
    """A chat call that failed; `code` is Slack's error code or a short reason."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


class PostNotTaken(ChatError):
    """Slack surely did not take the post (it refused it, or it never reached Slack)."""


class ChannelUnavailable(PostNotTaken):
    """The channel is gone or the bot is not in it (`not_in_channel`, `channel_not_found`)."""


class PostUnknown(ChatError):
    """Slack may or may not have the post (a 5xx, a timeout, a dropped connection)."""


class Chat(Protocol):
    """Messages in a workspace, found by team id. Posting is never repeated when unsure."""

    def post_message(
        self,
        *,
        team_id: str,
        channel: str,
        text: str,
        blocks: Blocks = (),
        thread_ts: str | None = None,
    ) -> PostedMessage:
        """Post once; PostNotTaken or PostUnknown say what became of a failed post."""
        ...

    def update_message(
        self, *, team_id: str, channel: str, ts: str, text: str, blocks: Blocks = ()
    ) -> None:
        """Replace a message's content; ChatError if Slack would not."""
        ...

    def send_dm(self, *, team_id: str, user_id: str, text: str, blocks: Blocks = ()) -> None:
        """Send a direct message from the bot; ChatError if it could not be sent."""
        ...
