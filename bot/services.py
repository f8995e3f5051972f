"""The use cases: the rules of the game, called by the Slack app, the scheduler and the CLI.

Plain values in, small frozen dataclasses (bot.domain.records) out. Domain errors
(bot.domain.model.DomainError and its subclasses) name what a person got wrong.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain import leaderboard, selection, streaks
from bot.domain.model import Bank, Grade, Question
from bot.domain.records import (
    AllTimeBoard,
    Dispute,
    DisputeDetails,
    InvalidAnswer,
    InvalidPoints,
    InvalidSetting,
    MessageState,
    MissedConcept,
    NoQuestionAvailable,
    NotAdmin,
    NotAnswered,
    PersonalStats,
    PracticeReason,
    RegradeReport,
    RevealSummary,
    RoundInfo,
    RoundNotRevealed,
    ScoreChange,
    Scorer,
    Submission,
    UnknownDispute,
    WeeklyBoard,
    WorkspaceSettings,
)
from bot.domain.records import UnknownRound as UnknownRound
from bot.domain.records import UnknownWorkspace as UnknownWorkspace
from bot.ports import Clock, GradedText, Regraded, RoundRow, Store

Grader = Callable[[str, Question], Grade]

_UNSET: Any = object()
# Longer answers are refused rather than graded: a Slack modal allows 3000 characters.
MAX_ANSWER_CHARS = 10_000
# How far back "the team scored lowest on recently" looks when choosing the daily question.
RECENT_DAYS = 28
TOP_SCORERS = 3
# How many of the latest rounds streaks are first read from (widened for longer streaks).
STREAK_WINDOW = 16
# A dispute's comment, at most (a Slack input allows 3000 characters).
MAX_DISPUTE_CHARS = 3000


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
        from bot import config

        current = self.get_settings(team_id)
        changes: dict[str, Any] = {}
        try:
            if channel_id is not _UNSET:
                changes["channel_id"] = config.parse_channel("channel", channel_id or None)
            if post_time is not _UNSET:
                changes["post_time"] = _time_value("post time", post_time)
            if close_time is not _UNSET:
                changes["close_time"] = _time_value("close time", close_time)
            if timezone is not _UNSET:
                changes["timezone"] = config.parse_timezone("time zone", str(timezone).strip())
            if weekdays is not _UNSET:
                changes["weekdays"] = _weekdays_value(weekdays)
            if holiday_country is not _UNSET:
                country = (holiday_country or "").strip() or None
                changes["holiday_country"] = config.parse_country("holiday country", country)
            if language is not _UNSET:
                changes["language"] = config.parse_language("language", str(language).strip())
            if leaderboard_day is not _UNSET:
                changes["leaderboard_day"] = _day_value(leaderboard_day)
        except config.ConfigError as exc:
            raise InvalidSetting(exc.name, exc.value, f"expected {exc.accepted}") from None
        if admins is not _UNSET:
            changes["admins"] = tuple(dict.fromkeys(a for a in admins if a))
        if paused is not _UNSET:
            changes["paused"] = bool(paused)
        updated = replace(current, **changes)
        if updated.close_time <= updated.post_time:
            raise InvalidSetting(
                "close time",
                updated.close_time.strftime("%H:%M"),
                f"must be later the same day than the post time "
                f"({updated.post_time.strftime('%H:%M')})",
            )
        self.store.save_workspace(updated)
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
        zone = settings.zone
        now = self.clock.now()
        day = local_date or now.astimezone(zone).date()
        existing = self.store.round_on(team_id, day)
        if existing is not None:
            return existing
        opens_at = max(now, _at(day, settings.post_time, settings))
        if day <= now.astimezone(zone).date():
            opens_at = now
        closes_at = _at(day, settings.close_time, settings)
        if closes_at <= opens_at:
            window = _at(day, settings.close_time, settings) - _at(
                day, settings.post_time, settings
            )
            closes_at = opens_at + max(window, timedelta(hours=1))
        question = self._choose_daily(team_id, day, now)
        created, _new = self.store.insert_round(
            team_id=team_id,
            channel_id=settings.channel_id,
            question_id=question.id,
            local_date=day,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        return created

    def _choose_daily(self, team_id: str, day: date, now: datetime) -> Question:
        history = self.store.round_history(team_id)
        recent = self.store.topic_scores(
            team_id, start=now - timedelta(days=RECENT_DAYS), end=now + timedelta(seconds=1)
        )
        choice = selection.choose_daily(
            self._candidates(self.bank.questions),
            [r.question_id for r in history],
            {s.topic: s.average_percent for s in recent},
            day,
        )
        if choice is None:
            raise NoQuestionAvailable("the question bank is empty")
        return self.bank.question(choice.question_id)

    @staticmethod
    def _candidates(questions: tuple[Question, ...]) -> list[selection.Candidate]:
        return [
            selection.Candidate(q.id, q.topic, q.difficulty, position)
            for position, q in enumerate(questions)
        ]

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
        if not _storable_id(round_id):
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
        from bot.calendar import is_working_day

        settings = self.get_settings(team_id)
        if settings.paused or not settings.channel_id:
            return None
        now = self.clock.now()
        day = now.astimezone(settings.zone).date()
        for offset in range(horizon_days + 1):
            candidate = day + timedelta(days=offset)
            at = _at(candidate, settings.post_time, settings)
            if at <= now or self.store.round_on(team_id, candidate) is not None:
                continue
            if is_working_day(
                candidate, weekdays=settings.weekdays, country=settings.holiday_country
            ):
                return at
        return None

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
        return self._submit_answer(round_id, user_id, _check_answer(text), fresh=False)

    def _submit_answer(self, round_id: int, user_id: str, text: str, *, fresh: bool) -> Submission:
        storable = _storable_id(round_id)
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
        # Top scorers scored something; ties go to whoever answered first.
        ranked = sorted(
            (a for a in answers if a.points > 0), key=lambda a: (-a.points, a.answer_id)
        )
        missed = Counter(concept for a in answers for concept in a.missed)
        concepts = {c.id: c for c in question.rubric.concepts}
        most_missed = None
        for concept_id, count in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0])):
            if concept_id in concepts:
                most_missed = MissedConcept(concept_id, concepts[concept_id].label, count)
                break
        return RevealSummary(
            round=round_,
            reference=question.reference,
            answered=len(answers),
            average_points=(sum(a.points for a in answers) / len(answers)) if answers else None,
            max_points=question.rubric.max_points,
            top=tuple(Scorer(a.user_id, a.points, a.max_points) for a in ranked[:TOP_SCORERS]),
            most_missed=most_missed,
            newly_revealed=newly,
        )

    # ----- practice -----

    def next_practice_question(
        self, team_id: str, user_id: str, topic: str | None = None
    ) -> Question:
        """The question the person should practise next, in a topic (slug or alias) or any.

        Unanswered questions first, then those they scored lowest on; never a question of
        a round still open. UnknownTopic or NoQuestionAvailable otherwise.
        """
        questions = self.bank.questions
        if topic is not None and topic.strip():
            from bot.domain.topics import match_topic

            slug = match_topic(topic, self.bank.topics).slug
            questions = self.bank.by_topic(slug)
        tried = {
            s.question_id: selection.Tried(s.best_percent, s.last_at)
            for s in self.store.question_scores(team_id, user_id)
        }
        excluded = self.store.open_question_ids(team_id, self.clock.now())
        choice = selection.choose_practice(self._candidates(questions), tried, excluded)
        if choice is None:
            why = "every question of this topic is in a round still open"
            raise NoQuestionAvailable(why if questions else "the question bank is empty")
        return self.bank.question(choice.question_id)

    def submit_practice(self, team_id: str, user_id: str, question_id: str, text: str) -> Grade:
        """Grade and record a practice answer (never counts for the leaderboard)."""
        text = _check_answer(text)
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
        settings = self.get_settings(team_id)
        now = self.clock.now()
        today = now.astimezone(settings.zone).date()
        week = leaderboard.week_of(day or today, settings.zone)
        this_week = self._tallies(team_id, week.start, week.end, revealed_only)
        previous = leaderboard.week_of(week.monday - timedelta(days=7), settings.zone)
        last_week = self._tallies(team_id, previous.start, previous.end, revealed_only)
        as_of = min(week.sunday, today)
        current = self._streaks(team_id, set(this_week), as_of, now)
        return WeeklyBoard(
            team_id=team_id,
            week_start=week.monday,
            week_end=week.sunday,
            standings=leaderboard.rank(this_week.values(), current),
            most_improved=leaderboard.most_improved(this_week, last_week),
            weakest_topic=leaderboard.weakest_topic(
                self.store.topic_scores(
                    team_id, start=week.start, end=week.end, revealed_only=revealed_only
                )
            ),
        )

    def all_time_leaderboard(self, team_id: str, *, revealed_only: bool = False) -> AllTimeBoard:
        """Every daily round the workspace ever had (revealed ones only if asked)."""
        settings = self.get_settings(team_id)
        now = self.clock.now()
        tallies = self._all_time_tallies(team_id, revealed_only)
        today = now.astimezone(settings.zone).date()
        current = self._streaks(team_id, set(tallies), today, now)
        return AllTimeBoard(team_id, leaderboard.rank(tallies.values(), current))

    def personal_stats(
        self, team_id: str, user_id: str, *, revealed_only: bool = False
    ) -> PersonalStats:
        """Mastery per topic, streaks, and this week's and all-time rank.

        `revealed_only` ranks by revealed rounds only, so a rank never hints at another
        person's grade on a round still open.
        """
        settings = self.get_settings(team_id)
        now = self.clock.now()
        today = now.astimezone(settings.zone).date()
        refs = self._round_refs(team_id, today, now)
        answered = {r.round_id for r in self.store.user_rounds(team_id, user_id=user_id)}
        week = leaderboard.week_of(today, settings.zone)
        weekly = {
            s.user_id: s
            for s in leaderboard.rank(
                self._tallies(team_id, week.start, week.end, revealed_only).values()
            )
        }
        all_time = {
            s.user_id: s
            for s in leaderboard.rank(self._all_time_tallies(team_id, revealed_only).values())
        }
        mastery = sorted(
            self.store.topic_mastery(team_id, user_id), key=lambda m: (m.average_percent, m.topic)
        )
        mine_week = weekly.get(user_id)
        mine_all = all_time.get(user_id)
        return PersonalStats(
            team_id=team_id,
            user_id=user_id,
            mastery=tuple(mastery),
            rounds_answered=len(answered),
            current_streak=streaks.current_streak(refs, answered),
            longest_streak=streaks.longest_streak(refs, answered),
            weekly_rank=mine_week.rank if mine_week else None,
            weekly_points=mine_week.points if mine_week else 0.0,
            all_time_rank=mine_all.rank if mine_all else None,
            all_time_points=mine_all.points if mine_all else 0.0,
        )

    def _tallies(
        self, team_id: str, start: datetime, end: datetime, revealed_only: bool = False
    ) -> dict[str, leaderboard.Tally]:
        rows = self.store.user_rounds(team_id, start=start, end=end, revealed_only=revealed_only)
        return leaderboard.tally((r.user_id, r.points, r.max_points) for r in rows)

    def _all_time_tallies(
        self, team_id: str, revealed_only: bool = False
    ) -> dict[str, leaderboard.Tally]:
        return {
            t.user_id: leaderboard.Tally(t.user_id, t.points, t.rounds, t.percent_sum)
            for t in self.store.user_totals(team_id, revealed_only=revealed_only)
        }

    def week_had_rounds(self, team_id: str, monday: date) -> bool:
        """Whether the workspace had a daily round in the ISO week starting `monday`."""
        sunday = monday + timedelta(days=6)
        return any(monday <= r.local_date <= sunday for r in self.store.round_history(team_id))

    def _round_refs(self, team_id: str, as_of: date, now: datetime) -> list[streaks.RoundRef]:
        return [
            streaks.RoundRef(r.round_id, still_open=_still_open(r, now))
            for r in self.store.round_history(team_id)
            if r.local_date <= as_of and (r.shown or _still_open(r, now))
        ]

    def _streaks(self, team_id: str, users: set[str], as_of: date, now: datetime) -> dict[str, int]:
        """Current streaks, reading back from the latest round only as far as they go.

        Rounds are read in widening chunks, and past the first chunk only for the people
        whose streak is still unbroken, so a long history costs little.
        """
        refs = self._round_refs(team_id, as_of, now)
        streak = dict.fromkeys(users, 0)
        alive = set(users)
        end, window = len(refs), STREAK_WINDOW
        while alive and end > 0:
            start = max(0, end - window)
            chunk = refs[start:end]
            answered: dict[str, set[int]] = {u: set() for u in alive}
            only = None if end == len(refs) else alive
            for user_id, round_id in self.store.answered_in([r.round_id for r in chunk], only):
                if user_id in answered:
                    answered[user_id].add(round_id)
            for user_id, rounds in answered.items():
                for ref in reversed(chunk):
                    if ref.round_id in rounds:
                        streak[user_id] += 1
                    elif ref is refs[-1] and ref.still_open:
                        continue  # today's round, not answered yet: the streak holds
                    else:
                        alive.discard(user_id)
                        break
            end, window = start, window * 4
        return streak

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
        if question_id is not None:
            self.bank.question(question_id)
        questions = {q.id: q for q in self.bank.questions}
        examined = kept = 0
        changes: list[ScoreChange] = []
        with _grading_pool(workers, self.grader, questions) as grade_all:
            for batch in self.store.answers_to_regrade(question_id):
                kept += sum(1 for a in batch if a.points_set_by is not None)
                work = [
                    (a.answer_id, a.question_id, a.text)
                    for a in batch
                    if a.question_id in questions and a.points_set_by is None
                ]
                examined += len(work)
                changes += self.store.apply_regrade(
                    grade_all(work),
                    changed_by=by,
                    reason="regraded with the current bank",
                    at=self.clock.now(),
                )
        return RegradeReport(examined=examined, changes=tuple(changes), kept=kept)

    def adjust_score(
        self, round_id: int, user_id: str, points: float, *, by: str, reason: str
    ) -> ScoreChange:
        """An admin (`by`, a user id) sets a person's points for a round; recorded with why.

        NotAdmin if `by` is not one of the workspace's admins; NotAnswered if the person has
        no scored answer in the round; InvalidPoints outside 0..max.
        """
        round_ = self.get_round(round_id)
        settings = self.get_settings(round_.team_id)
        if by not in settings.admins:
            raise NotAdmin(by)
        answer = self.store.find_answer(round_id, user_id)
        if answer is None:
            raise NotAnswered(round_id, user_id)
        if not 0 <= points <= answer.max_points:
            raise InvalidPoints(points, answer.max_points)
        if not reason.strip():
            raise InvalidSetting("reason", reason, "say why the points change")
        return self.store.set_points(
            answer.answer_id, points, changed_by=by, reason=reason.strip(), at=self.clock.now()
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

    def file_dispute(self, round_id: int, user_id: str, comment: str = "") -> tuple[Dispute, bool]:
        """Ask the admins to look again at the person's scored answer; once per answer.

        Returns the dispute and whether it is new (False: they had disputed it before).
        NotAnswered if they have no scored answer in the round.
        """
        round_ = self.get_round(round_id)
        answer = self.store.find_answer(round_id, user_id)
        if answer is None:
            raise NotAnswered(round_id, user_id)
        comment = (comment or "").strip()
        if len(comment) > MAX_DISPUTE_CHARS:
            raise InvalidAnswer(
                f"the comment is {len(comment)} characters long; at most {MAX_DISPUTE_CHARS}"
            )
        return self.store.add_dispute(
            team_id=round_.team_id,
            round_id=round_id,
            user_id=user_id,
            answer_id=answer.answer_id,
            comment=comment,
            at=self.clock.now(),
        )

    def disputes_to_deliver(self) -> tuple[Dispute, ...]:
        """Disputes of revealed rounds whose admins were not told yet."""
        return tuple(self.store.disputes_to_deliver())

    def claim_dispute_delivery(self, dispute_id: int) -> bool:
        """Claim telling the admins about a dispute (once, whoever asks first)."""
        return self.store.mark_dispute_delivered(dispute_id, self.clock.now())

    def dispute_details(self, dispute_id: int) -> DisputeDetails:
        """The dispute with its round, answer text and grade; UnknownDispute if none."""
        if not _storable_id(dispute_id):
            raise UnknownDispute(dispute_id)
        dispute = self.store.get_dispute(dispute_id)
        if dispute is None:
            raise UnknownDispute(dispute_id)
        round_ = self.get_round(dispute.round_id)
        answer = self.store.find_answer(dispute.round_id, dispute.user_id)
        if answer is None:
            raise NotAnswered(dispute.round_id, dispute.user_id)
        return DisputeDetails(
            dispute=dispute,
            round=round_,
            question_id=round_.question_id,
            answer_text=self.store.answer_text(answer.answer_id) or "",
            points=answer.points,
            max_points=answer.max_points,
            missed=answer.missed,
        )

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

Work = list[tuple[int, str, str]]  # (answer id, question id, text)

# The grader and questions of a grading worker process, set once when it starts.
_worker_state: tuple[Grader, dict[str, Question]] | None = None


def _regraded(grader: Grader, questions: dict[str, Question], work: Work) -> list[Regraded]:
    results = []
    for answer_id, question_id, text in work:
        question = questions[question_id]
        grade = grader(text, question)
        results.append(
            Regraded(
                answer_id=answer_id,
                points=grade.points,
                max_points=grade.max_points,
                found=tuple(h.concept_id for h in grade.found),
                missed=tuple(m.concept_id for m in grade.missed),
                rubric_version=question.version,
            )
        )
    return results


def _start_worker(grader: Grader, questions: dict[str, Question]) -> None:
    global _worker_state
    _worker_state = (grader, questions)


def _grade_in_worker(work: Work) -> list[Regraded]:
    assert _worker_state is not None, "the worker was not started by _grading_pool"
    return _regraded(*_worker_state, work)


@contextmanager
def _grading_pool(
    workers: int, grader: Grader, questions: dict[str, Question]
) -> Iterator[Callable[[Work], list[Regraded]]]:
    """A function that grades a batch of work, in this process or in `workers` processes."""
    if workers <= 1:
        yield lambda work: _regraded(grader, questions, work)
        return
    # Spawned, not forked: a fork would copy the database connections of this process.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(grader, questions)
    ) as pool:

        def grade_all(work: Work) -> list[Regraded]:
            size = max(1, -(-len(work) // workers))
            chunks = [work[i : i + size] for i in range(0, len(work), size)]
            return [r for part in pool.map(_grade_in_worker, chunks) for r in part]

        yield grade_all


def _at(day: date, at: time, settings: WorkspaceSettings) -> datetime:
    """A local wall-clock time that day, in UTC."""
    return datetime.combine(day, at, tzinfo=settings.zone).astimezone(UTC)


def _still_open(row: RoundRow, now: datetime) -> bool:
    return not row.revealed and now < row.closes_at


def _check_answer(text: str) -> str:
    stripped = (text or "").strip()
    if not stripped:
        raise InvalidAnswer("the answer is empty")
    if len(stripped) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(
            f"the answer is {len(stripped)} characters long; at most {MAX_ANSWER_CHARS}"
        )
    return stripped


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


def _time_value(name: str, value: str | time) -> time:
    from bot import config

    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    return config.parse_time(name, str(value).strip())


def _day_value(value: int | str) -> int:
    from bot import config

    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= 6:
            return value
        raise config.ConfigError("leaderboard day", str(value), "a day 0 (Monday) to 6 (Sunday)")
    text = str(value).strip()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    days = config.parse_weekdays("leaderboard day", text)
    if len(days) != 1:
        raise config.ConfigError("leaderboard day", text, "one day, like mon")
    return next(iter(days))


def _weekdays_value(value: str | tuple[int, ...]) -> tuple[int, ...]:
    from bot import config

    if isinstance(value, str):
        days = config.parse_weekdays("weekdays", value.strip())
    else:
        days = frozenset(value)
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise config.ConfigError("weekdays", str(value), "days 0 (Monday) to 6 (Sunday)")
    if not days:
        raise config.ConfigError("weekdays", str(value), "at least one day")
    return tuple(sorted(days))


# Ids arrive from Slack payloads (button values, modal metadata). One that the id columns
# cannot hold (INTEGER: 32 bits on PostgreSQL, 64 on SQLite) names nothing: asking the
# database would fail with an overflow instead of finding no row.
_MAX_ID = 2**31 - 1


def _storable_id(value: int) -> bool:
    return 0 < value <= _MAX_ID
