"""The use cases: the rules of the game, called by the Slack app, the scheduler and the CLI.

Plain values in, small frozen dataclasses (bot.domain.records) out. Domain errors
(bot.domain.model.DomainError and its subclasses) name what a person got wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from bot.domain.model import Bank, Grade, Question
from bot.domain.records import (
    AllTimeBoard,
    PersonalStats,
    RegradeReport,
    RevealSummary,
    RoundInfo,
    ScoreChange,
    Submission,
    WeeklyBoard,
    WorkspaceSettings,
)
from bot.ports import Clock, Store

Grader = Callable[[str, Question], Grade]

_UNSET = object()


class Services:
    """The use cases, bound to a store, the question bank, a clock and the grader."""

    def __init__(self, *, store: Store, bank: Bank, clock: Clock, grader: Grader) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock
        self.grader = grader

    # ----- questions -----

    def sync_bank(self) -> int:
        """Copy the bank's questions into the database by id and version; return the changes."""
        raise NotImplementedError

    # ----- workspaces -----

    def ensure_workspace(self, team_id: str) -> WorkspaceSettings:
        """Return the workspace's settings, creating it with the defaults on first sight."""
        raise NotImplementedError

    def get_settings(self, team_id: str) -> WorkspaceSettings:
        """Return the workspace's settings; UnknownWorkspace if it was never set up."""
        raise NotImplementedError

    def update_settings(
        self,
        team_id: str,
        *,
        channel_id: str | None | object = _UNSET,
        post_time: str | time | object = _UNSET,
        close_time: str | time | object = _UNSET,
        timezone: str | object = _UNSET,
        weekdays: str | tuple[int, ...] | object = _UNSET,
        holiday_country: str | None | object = _UNSET,
        language: str | object = _UNSET,
        admins: tuple[str, ...] | object = _UNSET,
        paused: bool | object = _UNSET,
    ) -> WorkspaceSettings:
        """Change the named settings, validating each; InvalidSetting names a bad value.

        Times are "HH:MM" (local), the time zone an IANA name ("Asia/Shanghai"), weekdays a
        tuple of 0 (Monday) to 6 or text like "mon-fri" / "mon,wed,fri", the holiday country
        an ISO code ("CN") or None, the language "zh" or "en".
        """
        raise NotImplementedError

    def list_workspaces(self) -> tuple[WorkspaceSettings, ...]:
        """Every workspace, paused ones included."""
        raise NotImplementedError

    def is_round_day(self, team_id: str, local_date: date) -> bool:
        """Whether a daily question is due that (local) day: a weekday, no holiday, not paused."""
        raise NotImplementedError

    # ----- once-only records -----

    def claim_run(self, job: str, period: str, team_id: str) -> bool:
        """Claim a scheduled run (e.g. "post_daily", "2026-11-25"); False if already claimed."""
        raise NotImplementedError

    def record_event(self, event_id: str) -> bool:
        """Record a processed Slack event id; False if it was seen before."""
        raise NotImplementedError

    # ----- rounds -----

    def create_round(self, team_id: str, local_date: date | None = None) -> RoundInfo:
        """Create the day's round (choosing its question), or return the one that exists.

        The date defaults to today in the workspace's time zone; the round opens now (or at
        the post time, if later) and closes at the workspace's close time that day.
        Needs the workspace's channel (InvalidSetting otherwise).
        """
        raise NotImplementedError

    def record_round_message(self, round_id: int, channel_id: str, ts: str) -> None:
        """Remember the Slack message the round was posted as."""
        raise NotImplementedError

    def mark_round_message_unknown(self, round_id: int) -> None:
        """Remember that posting the round may or may not have worked."""
        raise NotImplementedError

    def get_round(self, round_id: int) -> RoundInfo:
        """Return the round; UnknownRound if there is none."""
        raise NotImplementedError

    def current_round(self, team_id: str) -> RoundInfo | None:
        """The workspace's latest round if it is still open."""
        raise NotImplementedError

    def rounds_due_for_reveal(self) -> tuple[RoundInfo, ...]:
        """Rounds that have closed and are not revealed yet."""
        raise NotImplementedError

    def question(self, question_id: str) -> Question:
        """The bank's question; UnknownQuestion with the closest ids otherwise."""
        raise NotImplementedError

    # ----- answers -----

    def submit_answer(self, round_id: int, user_id: str, text: str) -> Submission:
        """Grade an answer; the first one while the round is open counts, others are practice."""
        raise NotImplementedError

    def count_answers(self, round_id: int) -> int:
        """How many people have a scored answer in the round."""
        raise NotImplementedError

    def reveal_round(self, round_id: int) -> RevealSummary:
        """Mark the round revealed (once) and summarise it; closes it to scoring."""
        raise NotImplementedError

    # ----- practice -----

    def next_practice_question(
        self, team_id: str, user_id: str, topic: str | None = None
    ) -> Question:
        """The question the person should practise next, in a topic (slug or alias) or any.

        Unanswered questions first, then those they scored lowest on; never a question of
        a round still open. UnknownTopic or NoQuestionAvailable otherwise.
        """
        raise NotImplementedError

    def submit_practice(self, team_id: str, user_id: str, question_id: str, text: str) -> Grade:
        """Grade and record a practice answer (never counts for the leaderboard)."""
        raise NotImplementedError

    # ----- boards and stats -----

    def weekly_leaderboard(self, team_id: str, day: date | None = None) -> WeeklyBoard:
        """The ISO week containing `day` (default today, local) of daily rounds."""
        raise NotImplementedError

    def all_time_leaderboard(self, team_id: str) -> AllTimeBoard:
        """Every daily round the workspace ever had."""
        raise NotImplementedError

    def personal_stats(self, team_id: str, user_id: str) -> PersonalStats:
        """Mastery per topic, streaks, and this week's and all-time rank."""
        raise NotImplementedError

    # ----- score changes -----

    def regrade(self, question_id: str | None = None, *, by: str = "regrade") -> RegradeReport:
        """Regrade stored scored answers with the current bank; record every change."""
        raise NotImplementedError

    def adjust_score(
        self, round_id: int, user_id: str, points: float, *, by: str, reason: str
    ) -> ScoreChange:
        """An admin (`by`, a user id) sets a person's points for a round; recorded with why.

        NotAdmin if `by` is not one of the workspace's admins; NotAnswered if the person has
        no scored answer in the round.
        """
        raise NotImplementedError
