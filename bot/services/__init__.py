"""The use cases: the rules of the game, called by the Slack app, the scheduler and the CLI.

Plain values in, small frozen dataclasses (bot.domain.records) out. Domain errors
(bot.domain.model.DomainError and its subclasses) name what a person got wrong.

`Services` is what every caller sees, and holds the answer's path whole; the larger use cases
keep their rules in a module of their own, as plain functions of the values and ports they need:
- `settings_values`: a workspace's settings as people give them, parsed and checked;
- `rounds`: when a day's round opens and closes, and what its reveal says;
- `choosing`: which question a round asks, and which one a person should practise;
- `boards`: the leaderboards and a person's stats, with their streaks;
- `disputes`: an admin's changes to a person's points, and the disputes that ask for them;
- `regrading`: grading stored answers again, in this process or in worker processes;
- `checks`: an answer's text and an id, checked before anything is graded or looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.model import Bank, Grade, Question
from bot.domain.records import (
    AllTimeBoard,
    Dispute,
    DisputeDetails,
    InvalidSetting,
    MessageState,
    NoQuestionAvailable,
    PersonalStats,
    PracticeReason,
    RegradeReport,
    RevealSummary,
    RoundInfo,
    RoundNotRevealed,
    ScoreChange,
    Submission,
    UnknownDispute,
    WeeklyBoard,
    WorkspaceSettings,
)
from bot.domain.records import UnknownRound as UnknownRound
from bot.domain.records import UnknownWorkspace as UnknownWorkspace
from bot.ports import Clock, GradedText, Store
from bot.services import boards, choosing, disputes, regrading, rounds, settings_values
from bot.services.checks import checked_answer, storable_id

Grader = Callable[[str, Question], Grade]

_UNSET: Any = object()


class Services:
    """The use cases, bound to a store, the question bank, a clock and the grader."""

    def __init__(
        self,
        *,
        store: Store,
        bank: Bank,
        clock: Clock,
        grader: Grader,
        workspace_defaults: WorkspaceSettings | None = None,
    ) -> None:
        """`workspace_defaults` (its team_id ignored) are the settings a new workspace gets."""
        self.store = store
        self.bank = bank
        self.clock = clock
        self.grader = grader
        self.workspace_defaults = workspace_defaults or WorkspaceSettings(team_id="")

    # ----- questions -----

    def sync_bank(self) -> int:
        """Copy the bank's questions into the database by id and version; return the changes."""
        return self.store.sync_questions(self.bank.questions)

    def question(self, question_id: str) -> Question:
        """The bank's question; UnknownQuestion with the closest ids otherwise."""
        return self.bank.question(question_id)

    # ----- workspaces -----

    def ensure_workspace(self, team_id: str) -> WorkspaceSettings:
        """Return the workspace's settings, creating it with the defaults on first sight."""
        if not team_id:
            raise InvalidSetting("team id", team_id, "empty")
        return self.store.ensure_workspace(replace(self.workspace_defaults, team_id=team_id))

    def get_settings(self, team_id: str) -> WorkspaceSettings:
        """Return the workspace's settings; UnknownWorkspace if it was never set up."""
        settings = self.store.get_workspace(team_id)
        if settings is None:
            raise UnknownWorkspace(team_id)
        return settings

    def update_settings(
        self,
        team_id: str,
        *,
        channel_id: str | None = _UNSET,
        post_time: str | time = _UNSET,
        close_time: str | time = _UNSET,
        timezone: str = _UNSET,
        weekdays: str | tuple[int, ...] = _UNSET,
        holiday_country: str | None = _UNSET,
        language: str = _UNSET,
        admins: tuple[str, ...] = _UNSET,
        paused: bool = _UNSET,
        leaderboard_day: int | str = _UNSET,
    ) -> WorkspaceSettings:
        """Change the named settings, validating each; InvalidSetting names a bad value.

        Times are "HH:MM" (local), the time zone an IANA name ("Asia/Shanghai"), weekdays a
        tuple of 0 (Monday) to 6 or text like "mon-fri" / "mon,wed,fri", the holiday country
        an ISO code ("CN") or None, the language "zh" or "en", the leaderboard day 0 (Monday)
        to 6 or a day's name ("mon"). The close time must come after the post time.
        """
        given = {
            "channel_id": channel_id,
            "post_time": post_time,
            "close_time": close_time,
            "timezone": timezone,
            "weekdays": weekdays,
            "holiday_country": holiday_country,
            "language": language,
            "leaderboard_day": leaderboard_day,
            "admins": admins,
            "paused": paused,
        }
        changes = {name: value for name, value in given.items() if value is not _UNSET}
        # Read and saved in one transaction: two admins saving at once both keep their change
        # (and the close time is checked against the post time as saved).
        updated = self.store.change_workspace(
            team_id, lambda current: settings_values.updated(current, changes)
        )
        if updated is None:
            raise UnknownWorkspace(team_id)
        return updated

    def list_workspaces(self) -> tuple[WorkspaceSettings, ...]:
        """Every workspace, paused ones included."""
        return tuple(self.store.list_workspaces())

    def is_round_day(self, team_id: str, local_date: date) -> bool:
        """Whether a daily question is due that (local) day: a weekday, no holiday, not paused."""
        from bot.calendar import is_working_day

        settings = self.get_settings(team_id)
        if settings.paused:
            return False
        return is_working_day(
            local_date, weekdays=settings.weekdays, country=settings.holiday_country
        )

    def today(self, team_id: str) -> date:
        """Today's date in the workspace's time zone."""
        return self.clock.now().astimezone(self.get_settings(team_id).zone).date()

    # ----- once-only records -----

    def claim_run(self, job: str, period: str, team_id: str) -> bool:
        """Claim a scheduled run (e.g. "post_daily", "2026-11-25"); False if already claimed."""
        return self.store.claim(job=job, period=period, team_id=team_id, at=self.clock.now())

    def forget_events(self, before: datetime) -> int:
        """Forget the processed Slack event ids received before `before`; how many."""
        return self.store.forget_events(before)

    def run_claimed_at(self, job: str, period: str, team_id: str) -> datetime | None:
        """When a scheduled run was claimed; None if it never was."""
        return self.store.claimed_at(job=job, period=period, team_id=team_id)

    def record_event(self, event_id: str) -> bool:
        """Record a processed Slack event id; False if it was seen before."""
        return self.store.record_event(event_id, self.clock.now())

    # ----- rounds -----

    def create_round(self, team_id: str, local_date: date | None = None) -> RoundInfo:
        """Create the day's round (choosing its question), or return the one that exists.

        The date defaults to today in the workspace's time zone; the round opens now (or at
        the post time of a later date) and closes at the workspace's close time that day
        (a round posted after the close time gets as long as the usual window).
        Needs the workspace's channel (InvalidSetting otherwise).
        """
        settings = self.get_settings(team_id)
        if not settings.channel_id:
            raise InvalidSetting("channel", None, "set the workspace's channel first")
        now = self.clock.now()
        day = local_date or now.astimezone(settings.zone).date()
        existing = self.store.round_on(team_id, day)
        if existing is not None:
            return existing
        opens_at, closes_at = rounds.round_window(day, now, settings)
        question = choosing.daily_question(self.store, self.bank, team_id, day, now)
        created, _new = self.store.insert_round(
            team_id=team_id,
            channel_id=settings.channel_id,
            question_id=question.id,
            local_date=day,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        return created

    def record_round_message(self, round_id: int, channel_id: str, ts: str) -> None:
        """Remember the Slack message the round was posted as."""
        self.get_round(round_id)
        self.store.set_round_message(round_id, channel_id=channel_id, ts=ts, state="posted")

    def mark_round_message_unknown(self, round_id: int) -> None:
        """Remember that posting the round may or may not have worked."""
        self.get_round(round_id)
        self.store.set_round_message(round_id, channel_id=None, ts=None, state="unknown")

    def begin_repost(self, round_id: int, *, force: bool = False) -> bool:
        """Take the round's unknown post to post it again; False if someone else has it.

        Once per unknown state: the post ends "posted", or "unknown" again (a new chance).
        `force` (the operator's) also takes a post claimed and never recorded, or a repost
        whose poster may have died.
        """
        states: tuple[MessageState, ...] = (
            ("unknown", "pending", "reposting") if force else ("unknown",)
        )
        return self.store.begin_repost(round_id, from_states=states)

    def get_round(self, round_id: int) -> RoundInfo:
        """Return the round; UnknownRound if there is none."""
        if not storable_id(round_id):
            raise UnknownRound(round_id)
        found = self.store.get_round(round_id)
        if found is None:
            raise UnknownRound(round_id)
        return found

    def current_round(self, team_id: str) -> RoundInfo | None:
        """The workspace's latest round if it is still open."""
        latest = self.store.latest_round(team_id)
        if latest is None or not latest.is_open(self.clock.now()):
            return None
        return latest

    def round_today(self, team_id: str) -> RoundInfo | None:
        """Today's round (local date), once it has opened; None before or without one."""
        round_ = self.store.round_on(team_id, self.today(team_id))
        if round_ is None or round_.opens_at > self.clock.now():
            return None
        return round_

    def next_post_at(self, team_id: str, *, horizon_days: int = 60) -> datetime | None:
        """When the next daily question is due (UTC); None if paused or none comes soon."""
        settings = self.get_settings(team_id)
        if settings.paused or not settings.channel_id:
            return None
        return rounds.next_post_at(self.store, settings, self.clock.now(), horizon_days)

    def rounds_due_for_reveal(self) -> tuple[RoundInfo, ...]:
        """Rounds that have closed and are not revealed yet."""
        return tuple(self.store.rounds_to_reveal(self.clock.now()))

    # ----- answers -----

    def submit_answer(self, round_id: int, user_id: str, text: str) -> Submission:
        """Grade an answer; the first one while the round is open counts, others are practice.

        A unique constraint decides which answer is first, so two at the same moment leave
        exactly one scored; the first answer submitted again word for word is that answer,
        not practice. Whether the round is still open is decided where the answer is stored,
        so an answer and the reveal never cross. InvalidAnswer for an empty or overlong
        answer; UnknownRound before any grading.
        """
        return self._submit_answer(round_id, user_id, checked_answer(text), fresh=False)

    def _submit_answer(self, round_id: int, user_id: str, text: str, *, fresh: bool) -> Submission:
        storable = storable_id(round_id)
        known = self.store.round_question(round_id, fresh=fresh) if storable else None
        if known is None:
            raise UnknownRound(round_id)
        team_id, question_id = known
        question = self.bank.question(question_id)
        grade = self.grader(text, question)
        now = self.clock.now()
        graded = _graded(team_id, user_id, question, text, grade, now)
        added = self.store.add_answer(round_id, graded)
        if added.answer_id is not None:
            return Submission(round_id, user_id, grade, counted=True, home_tab=added.home_tab)
        # Not stored: the round has closed, or the person answered it before (or the round
        # remembered is gone, its id now another's).
        round_ = self.get_round(round_id)
        if (round_.team_id, round_.question_id) != known and not fresh:
            return self._submit_answer(round_id, user_id, text, fresh=True)
        home_tab = self.store.has_home_tab(team_id, user_id)
        if not round_.is_open(now):
            self.store.add_practice(graded, round_id=round_id, reason="late")
            return Submission(
                round_id, user_id, grade, False, practice_reason="late", home_tab=home_tab
            )
        first = self.store.find_answer(round_id, user_id)
        if first is not None and self.store.answer_text(first.answer_id) == text:
            # The same answer again: Slack delivered the submission twice (a double click),
            # or the person submitted again after the reply was lost. It is the one that
            # counts, so say so, and store nothing more.
            return Submission(round_id, user_id, grade, counted=True, home_tab=home_tab)
        self.store.add_practice(graded, round_id=round_id, reason="repeat")
        return Submission(
            round_id, user_id, grade, False, practice_reason="repeat", home_tab=home_tab
        )

    def count_answers(self, round_id: int) -> int:
        """How many people have a scored answer in the round."""
        return self.store.count_answers(round_id)

    def reveal_round(self, round_id: int) -> RevealSummary:
        """Mark the round revealed (once) and summarise it; closes it to scoring."""
        round_ = self.get_round(round_id)
        newly = self.store.mark_revealed(round_id, self.clock.now())
        round_ = self.get_round(round_id)
        question = self.bank.question(round_.question_id)
        answers = self.store.round_answers(round_id)
        return rounds.reveal_summary(round_, question, answers, newly_revealed=newly)

    # ----- practice -----

    def next_practice_question(
        self, team_id: str, user_id: str, topic: str | None = None
    ) -> Question:
        """The question the person should practise next, in a topic (slug or alias) or any.

        Unanswered questions first, then those they scored lowest on; never a question of
        a round still open. UnknownTopic or NoQuestionAvailable otherwise.
        """
        return choosing.practice_question(
            self.store, self.bank, team_id, user_id, topic, self.clock.now()
        )

    def submit_practice(self, team_id: str, user_id: str, question_id: str, text: str) -> Grade:
        """Grade and record a practice answer (never counts for the leaderboard)."""
        text = checked_answer(text)
        question = self.bank.question(question_id)
        if question_id in self.store.open_question_ids(team_id, self.clock.now()):
            raise NoQuestionAvailable("that question is today's round: answer it there")
        grade = self.grader(text, question)
        graded = _graded(team_id, user_id, question, text, grade, self.clock.now())
        reason: PracticeReason = "practice"
        self.store.add_practice(graded, round_id=None, reason=reason)
        return grade

    # ----- boards and stats -----

    def weekly_leaderboard(
        self, team_id: str, day: date | None = None, *, revealed_only: bool = False
    ) -> WeeklyBoard:
        """The ISO week containing `day` (default today, local) of daily rounds.

        `revealed_only` leaves out rounds not revealed yet: what people may see while a
        round is open (nobody's grade shows before the reveal).
        """
        return boards.weekly_board(
            self.store,
            self.get_settings(team_id),
            self.clock.now(),
            day,
            revealed_only=revealed_only,
        )

    def all_time_leaderboard(self, team_id: str, *, revealed_only: bool = False) -> AllTimeBoard:
        """Every daily round the workspace ever had (revealed ones only if asked)."""
        return boards.all_time_board(
            self.store, self.get_settings(team_id), self.clock.now(), revealed_only=revealed_only
        )

    def personal_stats(
        self, team_id: str, user_id: str, *, revealed_only: bool = False
    ) -> PersonalStats:
        """Mastery per topic, streaks, and this week's and all-time rank.

        `revealed_only` ranks by revealed rounds only, so a rank never hints at another
        person's grade on a round still open.
        """
        return boards.personal_stats(
            self.store,
            self.get_settings(team_id),
            self.clock.now(),
            user_id,
            revealed_only=revealed_only,
        )

    def week_had_rounds(self, team_id: str, monday: date) -> bool:
        """Whether the workspace had a daily round in the ISO week starting `monday`."""
        sunday = monday + timedelta(days=6)
        return any(monday <= r.local_date <= sunday for r in self.store.round_history(team_id))

    # ----- score changes -----

    def regrade(
        self, question_id: str | None = None, *, by: str = "regrade", workers: int = 1
    ) -> RegradeReport:
        """Regrade stored scored answers with the current bank; record every change.

        Answers to questions no longer in the bank keep their grade, and so do answers
        whose points an admin set (counted as kept). UnknownQuestion if
        `question_id` is not in the bank. With `workers` > 1, that many processes grade
        (the grader must then be a module-level function, so that it can be sent to them).
        """
        return regrading.regrade(
            self.store, self.clock, self.grader, self.bank, question_id, by=by, workers=workers
        )

    def adjust_score(
        self, round_id: int, user_id: str, points: float, *, by: str, reason: str
    ) -> ScoreChange:
        """An admin (`by`, a user id) sets a person's points for a round; recorded with why.

        NotAdmin if `by` is not one of the workspace's admins; NotAnswered if the person has
        no scored answer in the round; InvalidPoints outside 0..max.
        """
        round_ = self.get_round(round_id)
        settings = self.get_settings(round_.team_id)
        return disputes.set_points(
            self.store, self.clock, settings, round_id, user_id, points, by=by, reason=reason
        )

    # ----- App Home -----

    def note_home_opened(self, team_id: str, user_id: str) -> None:
        """Remember that the person opened the Home tab, so that it follows their answers."""
        self.ensure_workspace(team_id)  # a workspace seen first through its Home tab
        self.store.note_home_tab(team_id, user_id, self.clock.now())

    def has_home_tab(self, team_id: str, user_id: str) -> bool:
        """Whether the person has ever opened the Home tab (only then is it refreshed)."""
        return self.store.has_home_tab(team_id, user_id)

    # ----- disputes -----

    def has_scored_answer(self, round_id: int, user_id: str) -> bool:
        """Whether the person's answer to the round counts (and so may be disputed)."""
        return self.store.find_answer(round_id, user_id) is not None

    def file_dispute(self, round_id: int, user_id: str, comment: str = "") -> tuple[Dispute, bool]:
        """Ask the admins to look again at the person's scored answer; once per answer.

        Returns the dispute and whether it is new (False: they had disputed it before).
        NotAnswered if they have no scored answer in the round.
        """
        round_ = self.get_round(round_id)
        return disputes.file(self.store, self.clock, round_, user_id, comment)

    def disputes_to_deliver(self) -> tuple[Dispute, ...]:
        """Disputes of revealed rounds whose admins were not told yet."""
        return tuple(self.store.disputes_to_deliver())

    def claim_dispute_delivery(self, dispute_id: int) -> bool:
        """Claim telling the admins about a dispute (once, whoever asks first)."""
        return self.store.mark_dispute_delivered(dispute_id, self.clock.now())

    def dispute_details(self, dispute_id: int) -> DisputeDetails:
        """The dispute with its round, answer text and grade; UnknownDispute if none."""
        if not storable_id(dispute_id):
            raise UnknownDispute(dispute_id)
        dispute = self.store.get_dispute(dispute_id)
        if dispute is None:
            raise UnknownDispute(dispute_id)
        return disputes.details(self.store, dispute, self.get_round(dispute.round_id))

    def settle_dispute(
        self, dispute_id: int, points: float, *, by: str, reason: str
    ) -> ScoreChange:
        """An admin sets the disputed answer's points, with why; recorded like adjust_score.

        Only after the reveal (RoundNotRevealed before): nobody's grade moves while the
        round is open.
        """
        details = self.dispute_details(dispute_id)
        if details.round.revealed_at is None:
            raise RoundNotRevealed(details.round.id)
        change = self.adjust_score(
            details.round.id, details.dispute.user_id, points, by=by, reason=reason
        )
        self.store.resolve_dispute(dispute_id, by=by, at=self.clock.now())
        return change


# ----- helpers -----


def _graded(
    team_id: str, user_id: str, question: Question, text: str, grade: Grade, at: datetime
) -> GradedText:
    return GradedText(
        team_id=team_id,
        user_id=user_id,
        question_id=question.id,
        text=text,
        points=grade.points,
        max_points=grade.max_points,
        found=tuple(h.concept_id for h in grade.found),
        missed=tuple(m.concept_id for m in grade.missed),
        rubric_version=grade.rubric_version or question.version,
        at=at,
    )
