"""The scheduled work: post each workspace's daily question, reveal it at the close, keep count.

`Jobs.tick(now)` runs every minute (bot.scheduler) and does whatever is due for every
workspace in its own time zone, reading the settings from the database each time. Every step
happens once, however many schedulers run and whenever one crashes, because it is claimed in
the database first:

- the round is created (idempotent: one per workspace and local date), then the post is
  claimed (`post_daily`, the local date); only the claimer posts, then records the message;
- a claim with no recorded message after `stale_after` means a poster died between the two:
  Slack may or may not have the post, so the round is marked unknown and the admins are told,
  with a "Post again" button, never re-posted by guesswork; "Post again" takes the round
  from "unknown" to "reposting" in one conditional UPDATE, so however many clicks, however
  far apart, one posts per unknown state (it ends "posted", or "unknown" again);
- a post missed while no scheduler ran is made late, until the close time; after that the day
  is skipped and logged once (`k8sq post-daily` still posts it);
- the reveal is claimed by marking the round revealed (only the first marker posts it);
- on the leaderboard day, at the post time, last week's leaderboard is posted once (claimed
  per ISO week), if that week had rounds, then recorded (a second claim); a board missed while
  no scheduler ran is posted late, on a later day of the week; as for the daily post, a board
  Slack may not have, or a claim still unrecorded after `stale_after` (until the week's end),
  is reported to the admins once and never posted again by guesswork;
- disputes of revealed rounds go to the admins once (claimed per dispute);
- once a UTC day, processed Slack event ids older than `keep_events` are forgotten (claimed
  per day, so one scheduler does it), or the table would grow forever.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.calendar import holiday_name, is_working_day
from bot.domain.records import NotAdmin, RoundInfo, UnknownRound, WorkspaceSettings
from bot.logs import log_context
from bot.ports import ChannelUnavailable, Chat, ChatError, Clock, PostNotTaken, PostUnknown
from bot.services import Services
from bot.slack import dispute_blocks
from bot.slack.common import round_post, topic_of
from bot.slack.leaderboard_blocks import board_alert, weekly_post
from bot.slack.round_blocks import admin_alert, reveal_post

log = logging.getLogger(__name__)

POST_JOB = "post_daily"
UNKNOWN_JOB = "post_unknown"
# A day no scheduler posted before the close, logged once. Not the post's own claim, which
# stays free: `k8sq post-daily` can still post that day's question.
SKIP_JOB = "post_skipped"
LEADERBOARD_JOB = "post_leaderboard"
# The weekly board's record once posted, and its report to the admins when not known to be.
LEADERBOARD_POSTED_JOB = "leaderboard_posted"
LEADERBOARD_UNKNOWN_JOB = "leaderboard_unknown"
# Forgetting old Slack event ids, once a UTC day by one scheduler (no workspace: "").
PRUNE_EVENTS_JOB = "prune_events"
# Slack retries an event within minutes: a few days of ids is plenty to spot a retry.
KEEP_EVENTS = timedelta(days=3)


@dataclass(frozen=True)
class Outcome:
    """What a job did for one workspace, in a line a person can read."""

    team_id: str
    message: str
    done: bool = False
    failed: bool = False


class Jobs:
    """The daily round's jobs over the services and the chat port."""

    def __init__(
        self,
        *,
        services: Services,
        chat: Chat,
        clock: Clock,
        stale_after: timedelta = timedelta(minutes=5),
        keep_events: timedelta = KEEP_EVENTS,
    ) -> None:
        self.services = services
        self.chat = chat
        self.clock = clock
        # Longer than a post with all its retries can take, so a live poster is never
        # mistaken for a dead one.
        self.stale_after = stale_after
        self.keep_events = keep_events
        # The UTC day whose pruning of event ids is settled (done here, or by another).
        self._pruned: date | None = None
        self._said: set[tuple[str, ...]] = set()
        # (team, local date) whose post is settled, to spare the database every minute.
        self._finished: set[tuple[str, date]] = set()
        # (team, Monday) whose weekly leaderboard is settled (posted, or no rounds).
        self._boards: set[tuple[str, date]] = set()
        self._said_lock = threading.Lock()

    # ----- the scheduler's entry point -----

    def tick(self, now: datetime | None = None) -> list[Outcome]:
        """Do whatever is due at `now` (timezone-aware) in every workspace."""
        now = now or self.clock.now()
        if now.tzinfo is None:
            raise ValueError("tick needs a timezone-aware time")
        outcomes: list[Outcome] = []
        for ws in self.services.list_workspaces():
            with log_context(team_id=ws.team_id):
                try:
                    outcome = self._post_if_due(ws, now)
                except Exception:  # one workspace's trouble must not stop the others
                    log.exception("posting the daily question for %s failed", ws.team_id)
                    outcome = Outcome(ws.team_id, "posting failed; see the log", failed=True)
            if outcome is not None:
                outcomes.append(outcome)
            with log_context(team_id=ws.team_id):
                try:
                    outcome = self._leaderboard_if_due(ws, now)
                except Exception:
                    log.exception("posting the weekly leaderboard for %s failed", ws.team_id)
                    outcome = Outcome(ws.team_id, "leaderboard failed; see the log", failed=True)
            if outcome is not None:
                outcomes.append(outcome)
        for round_ in self.services.store.rounds_to_reveal(now):
            with log_context(team_id=round_.team_id, round_id=round_.id):
                try:
                    outcomes.append(self._reveal(round_))
                except Exception:
                    log.exception("revealing round %s failed", round_.id)
                    failed = Outcome(round_.team_id, "reveal failed; see the log", failed=True)
                    outcomes.append(failed)
        try:
            outcomes += self.deliver_disputes()
        except Exception:
            log.exception("delivering disputes failed")
        try:
            outcomes += self._prune_events(now)
        except Exception:
            log.exception("forgetting old Slack event ids failed")
        return outcomes

    def _prune_events(self, now: datetime) -> list[Outcome]:
        day = now.astimezone(UTC).date()
        if self._pruned == day:
            return []
        claimed = self.services.claim_run(PRUNE_EVENTS_JOB, day.isoformat(), "")
        self._pruned = day
        if not claimed:
            return []
        before = now.astimezone(UTC) - self.keep_events
        count = self.services.forget_events(before)
        log.info("forgot %d Slack event ids received before %s", count, before)
        noun = "id" if count == 1 else "ids"
        when = f"{before:%Y-%m-%d %H:%M} UTC"
        return [Outcome("", f"pruned {count} Slack event {noun} older than {when}")]

    def _post_if_due(self, ws: WorkspaceSettings, now: datetime) -> Outcome | None:
        team = ws.team_id
        local = now.astimezone(ws.zone)
        today, clock_time = local.date(), local.time().replace(tzinfo=None)
        if ws.paused or clock_time < ws.post_time:
            return None
        if not is_working_day(today, weekdays=ws.weekdays, country=ws.holiday_country):
            why = holiday_name(today, ws.holiday_country) or "not one of the weekdays"
            self._say_once(team, today, "no round", f"no round for {team} on {today}: {why}")
            return None
        if (team, today) in self._finished:
            return None
        period = today.isoformat()
        existing = self.services.store.round_on(team, today)
        if existing is not None and existing.message_state != "pending":
            self._finished.add((team, today))
            return None  # posted, or unknown and in the admins' hands
        if clock_time >= ws.close_time:
            return self._after_close(ws, existing, today, now)
        if ws.channel_id is None:
            self._say_once(
                team,
                today,
                "no channel",
                f"no daily question for {team}: no channel is set "
                "(K8SQ_CHANNEL, or the channel in the workspace's settings)",
            )
            return None
        round_ = existing or self.services.create_round(team, today)
        if self.services.claim_run(POST_JOB, period, team):
            return self._post_round(ws, round_)
        # Another scheduler claimed it. Still no message long after: that poster died
        # between claiming and recording, and Slack may or may not have the post.
        if self._stale(round_, now) and self.services.claim_run(UNKNOWN_JOB, period, team):
            return self._mark_unknown(
                ws, round_, "the bot stopped between claiming the post and recording it"
            )
        return None

    def _after_close(
        self, ws: WorkspaceSettings, existing: RoundInfo | None, today: date, now: datetime
    ) -> Outcome | None:
        team, period = ws.team_id, today.isoformat()
        self._finished.add((team, today))
        # Without a round nothing was claimed or posted; with one (created, then the process
        # died before claiming), the post's claim keeps a late scheduler from posting it.
        skip_job = SKIP_JOB if existing is None else POST_JOB
        if self.services.claim_run(skip_job, period, team):
            log.warning(
                "skipped the daily question for %s on %s: no scheduler ran between %s and "
                "the close at %s",
                team,
                today,
                ws.post_time.strftime("%H:%M"),
                ws.close_time.strftime("%H:%M"),
            )
            return Outcome(team, f"skipped {today}: missed until after the close")
        if (
            existing is not None
            and self._stale(existing, now)
            and self.services.claim_run(UNKNOWN_JOB, period, team)
        ):
            # Claimed long ago and never recorded, and now closed: too late for "Post again".
            self.services.mark_round_message_unknown(existing.id)
            log.warning(
                "round %s of %s was claimed and never recorded; it has closed, so it stays "
                "unknown and is not revealed in Slack",
                existing.id,
                team,
            )
            return Outcome(team, f"the question for {today} is not known to be posted", failed=True)
        return None

    def _stale(self, round_: RoundInfo, now: datetime) -> bool:
        return now - round_.opens_at >= self.stale_after

    # ----- posting -----

    def _post_round(self, ws: WorkspaceSettings, round_: RoundInfo) -> Outcome:
        """Post the round's question; record it, or mark it unknown and tell the admins."""
        text, blocks = self._question_post(ws, round_, answered=0)
        try:
            posted = self.chat.post_message(
                team_id=ws.team_id, channel=round_.channel_id, text=text, blocks=blocks
            )
        except ChannelUnavailable as exc:
            log.error(
                "cannot post in channel %s of workspace %s: Slack says %s. Invite the bot "
                "there (/invite @k8sq in the channel) or set another channel, then press "
                "Post again in the admins' message or run `k8sq post-daily --team %s --force`",
                round_.channel_id,
                ws.team_id,
                exc.code,
                ws.team_id,
            )
            return self._mark_unknown(ws, round_, exc.code, channel_error=exc.code)
        except PostNotTaken as exc:
            log.error("Slack did not take the daily question for %s: %s", ws.team_id, exc)
            return self._mark_unknown(ws, round_, f"Slack refused the post ({exc.code})")
        except PostUnknown as exc:
            log.error("the daily question for %s may or may not be posted: %s", ws.team_id, exc)
            return self._mark_unknown(ws, round_, f"Slack's answer was lost ({exc.code})")
        self.services.record_round_message(round_.id, posted.channel_id, posted.ts)
        log.info("posted round %s for %s in %s", round_.id, ws.team_id, posted.channel_id)
        return Outcome(ws.team_id, f"posted the question for {round_.local_date}", done=True)

    def _mark_unknown(
        self, ws: WorkspaceSettings, round_: RoundInfo, why: str, channel_error: str | None = None
    ) -> Outcome:
        self.services.mark_round_message_unknown(round_.id)
        text, blocks = admin_alert(round_, lang=ws.language, why=why, channel_error=channel_error)
        self.tell_admins(ws, text, blocks)
        return Outcome(
            ws.team_id,
            f"the question for {round_.local_date} is not known to be posted ({why}); "
            "the admins were told",
            failed=True,
        )

    def tell_admins(
        self, ws: WorkspaceSettings, text: str, blocks: list[dict[str, object]]
    ) -> None:
        """Send a direct message to each of the workspace's admins (logged when none is set)."""
        if not ws.admins:
            log.warning("no admins to tell for %s (set K8SQ_ADMINS): %s", ws.team_id, text)
        for admin in ws.admins:
            try:
                self.chat.send_dm(team_id=ws.team_id, user_id=admin, text=text, blocks=blocks)
            except ChatError as exc:
                log.error("could not message admin %s of %s: %s", admin, ws.team_id, exc)

    def _question_post(
        self, ws: WorkspaceSettings, round_: RoundInfo, *, answered: int
    ) -> tuple[str, list[dict[str, object]]]:
        text, blocks = round_post(self.services, round_, ws, answered=answered)
        return text, list(blocks)

    # ----- the operators' and admins' commands -----

    def post_daily(self, team_id: str, *, force: bool = False) -> Outcome:
        """Post today's question now, whatever the clock says; once a day unless forced.

        `force` posts again a round whose post is unknown (never one known to be posted).
        """
        ws = self.services.get_settings(team_id)
        if ws.paused:
            return Outcome(team_id, "the workspace is paused; nothing posted")
        if ws.channel_id is None:
            return Outcome(team_id, "no channel is set; nothing posted", failed=True)
        today = self.clock.now().astimezone(ws.zone).date()
        round_ = self.services.create_round(team_id, today)
        if round_.message_state == "posted":
            return Outcome(team_id, f"the question for {today} is already posted; nothing to do")
        if self.services.claim_run(POST_JOB, today.isoformat(), team_id):
            return self._post_round(ws, round_)
        if not force:
            state = "not known to be posted" if round_.message_state == "unknown" else "claimed"
            return Outcome(
                team_id,
                f"the question for {today} is already {state}; nothing to do"
                + (" (--force posts it again)" if round_.message_state == "unknown" else ""),
            )
        return self._post_again(ws, round_, force=True)

    def post_again(self, team_id: str, round_id: int, user_id: str) -> Outcome:
        """An admin's "Post again": post a round whose post is not known to have worked."""
        ws = self.services.get_settings(team_id)
        if user_id not in ws.admins:
            raise NotAdmin(user_id)
        round_ = self.services.get_round(round_id)
        if round_.team_id != team_id:
            raise UnknownRound(round_id)
        if round_.message_state == "posted":
            return Outcome(team_id, "the question is already posted; nothing to do")
        if round_.revealed_at is not None or self.clock.now() >= round_.closes_at:
            return Outcome(team_id, "the round has closed; nothing posted")
        return self._post_again(ws, round_)

    def _post_again(
        self, ws: WorkspaceSettings, round_: RoundInfo, *, force: bool = False
    ) -> Outcome:
        # Once per unknown state, however far apart the clicks: a second click while the
        # first post is still being retried finds the round "reposting", not "unknown".
        if not self.services.begin_repost(round_.id, force=force):
            if self.services.get_round(round_.id).message_state == "posted":
                return Outcome(ws.team_id, "the question is already posted; nothing to do")
            # A poster that died mid-post leaves the round "reposting": the operator's
            # --force takes it over.
            return Outcome(
                ws.team_id,
                "the question is being posted again already; if it is not in the channel in "
                f"a few minutes, run `k8sq post-daily --team {ws.team_id} --force`",
            )
        return self._post_round(ws, round_)

    def reveal(self, team_id: str) -> Outcome:
        """Reveal the workspace's latest round now, whatever the clock says; once."""
        round_ = self.services.store.latest_round(team_id)
        if round_ is None:
            return Outcome(team_id, "no round yet; nothing to reveal")
        if round_.revealed_at is not None:
            return Outcome(team_id, f"the round of {round_.local_date} is already revealed")
        return self._reveal(round_)

    # ----- revealing -----

    def _reveal(self, round_: RoundInfo) -> Outcome:
        ws = self.services.get_settings(round_.team_id)
        summary = self.services.reveal_round(round_.id)
        if not summary.newly_revealed:
            return Outcome(ws.team_id, f"the round of {round_.local_date} is already revealed")
        if round_.message_state != "posted" or round_.message_ts is None:
            log.warning(
                "round %s of %s closed without a known post (%s): revealed, not shown in Slack",
                round_.id,
                ws.team_id,
                round_.message_state,
            )
            return Outcome(ws.team_id, f"closed the round of {round_.local_date} (never posted)")
        channel = round_.message_channel or round_.channel_id
        text, blocks = reveal_post(summary, lang=ws.language)
        try:
            self.chat.post_message(
                team_id=ws.team_id,
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=round_.message_ts,
            )
        except ChatError as exc:
            log.error("the reveal of round %s of %s failed: %s", round_.id, ws.team_id, exc)
            return Outcome(ws.team_id, f"the reveal could not be posted ({exc.code})", failed=True)
        self.refresh_count(summary.round)
        return Outcome(ws.team_id, f"revealed the round of {round_.local_date}", done=True)

    # ----- the weekly leaderboard -----

    def _leaderboard_if_due(self, ws: WorkspaceSettings, now: datetime) -> Outcome | None:
        """Post last week's board on the leaderboard day from the post time, once a week, or
        late on a later day of the week when no scheduler ran then; until the week's end,
        report one claimed and never recorded."""
        local = now.astimezone(ws.zone)
        if ws.paused or ws.channel_id is None:
            return None
        day, clock_time = local.weekday(), local.time().replace(tzinfo=None)
        if day < ws.leaderboard_day or (day == ws.leaderboard_day and clock_time < ws.post_time):
            return None
        monday = local.date() - timedelta(days=day + 7)
        key = (ws.team_id, monday)
        if key in self._boards:
            return None
        if not self.services.week_had_rounds(ws.team_id, monday):
            self._boards.add(key)
            log.info("no leaderboard for %s: no rounds in the week of %s", ws.team_id, monday)
            return None
        year, number, _ = monday.isocalendar()
        week = f"{year}-W{number:02d}"
        if self.services.claim_run(LEADERBOARD_JOB, week, ws.team_id):
            self._boards.add(key)
            if day != ws.leaderboard_day:
                log.warning(
                    "posting the leaderboard of %s for the week of %s late", ws.team_id, monday
                )
            return self._post_leaderboard(ws, monday, week)
        return self._unrecorded_leaderboard(ws, monday, week, now)

    def _unrecorded_leaderboard(
        self, ws: WorkspaceSettings, monday: date, week: str, now: datetime
    ) -> Outcome | None:
        """Report a board claimed long ago and never recorded: its poster died in between."""
        key, team = (ws.team_id, monday), ws.team_id
        claimed = self.services.run_claimed_at(LEADERBOARD_JOB, week, team)
        if claimed is None:  # the caller's claim failed, so someone holds it: look again
            return None
        if self.services.run_claimed_at(LEADERBOARD_POSTED_JOB, week, team) is not None:
            self._boards.add(key)
            return None
        if now - claimed < self.stale_after:
            return None  # its poster may still be at it: look again next tick
        self._boards.add(key)
        return self._board_unknown(
            ws, monday, week, "the bot stopped between claiming the post and recording it"
        )

    def _board_unknown(self, ws: WorkspaceSettings, monday: date, week: str, why: str) -> Outcome:
        """Tell the admins, once, that the week's board is not known to be posted."""
        if not self.services.claim_run(LEADERBOARD_UNKNOWN_JOB, week, ws.team_id):
            return Outcome(ws.team_id, f"the leaderboard for the week of {monday} is reported")
        assert ws.channel_id is not None
        text, blocks = board_alert(monday, ws.channel_id, why, ws.language)
        self.tell_admins(ws, text, blocks)
        return Outcome(
            ws.team_id,
            f"the leaderboard for the week of {monday} is not known to be posted ({why}); "
            "the admins were told",
            failed=True,
        )

    def _post_leaderboard(self, ws: WorkspaceSettings, monday: date, week: str) -> Outcome:
        board = self.services.weekly_leaderboard(ws.team_id, monday)
        weakest = (
            topic_of(self.services, board.weakest_topic.topic) if board.weakest_topic else None
        )
        text, blocks = weekly_post(board, weakest, ws.language)
        assert ws.channel_id is not None
        try:
            self.chat.post_message(
                team_id=ws.team_id, channel=ws.channel_id, text=text, blocks=blocks
            )
        except ChatError as exc:
            # Claimed and not repeated: a post Slack may have taken is never made twice.
            log.error(
                "the leaderboard of %s for the week of %s failed: %s", ws.team_id, monday, exc
            )
            if isinstance(exc, PostUnknown):
                why = f"Slack's answer was lost ({exc.code})"
            else:
                why = f"Slack refused the post ({exc.code})"
            return self._board_unknown(ws, monday, week, why)
        self.services.claim_run(LEADERBOARD_POSTED_JOB, week, ws.team_id)
        log.info("posted the leaderboard of %s for the week of %s", ws.team_id, monday)
        return Outcome(ws.team_id, f"posted the leaderboard for the week of {monday}", done=True)

    # ----- disputes -----

    def deliver_disputes(self) -> list[Outcome]:
        """Tell the admins about every dispute of a revealed round they have not seen."""
        outcomes = []
        for dispute in self.services.disputes_to_deliver():
            if self.deliver_dispute(dispute.id):
                outcomes.append(Outcome(dispute.team_id, f"sent dispute {dispute.id}", done=True))
        return outcomes

    def deliver_dispute(self, dispute_id: int) -> bool:
        """Send one dispute to the admins if its round is revealed; once (False otherwise)."""
        details = self.services.dispute_details(dispute_id)
        if details.round.revealed_at is None:
            return False
        if not self.services.claim_dispute_delivery(dispute_id):
            return False
        ws = self.services.get_settings(details.dispute.team_id)
        question = self.services.question(details.question_id)
        text, blocks = dispute_blocks.admin_message(details, question, ws.language)
        self.tell_admins(ws, text, blocks)
        return True

    # ----- the "N answered" count -----

    def refresh_count(self, round_: RoundInfo | int) -> None:
        """Show the round's current answer count (and, once revealed, the practice button)."""
        if isinstance(round_, int):
            round_ = self.services.get_round(round_)
        if round_.message_state != "posted" or round_.message_ts is None:
            return
        ws = self.services.get_settings(round_.team_id)
        count = self.services.count_answers(round_.id)
        text, blocks = self._question_post(ws, round_, answered=count)
        try:
            self.chat.update_message(
                team_id=ws.team_id,
                channel=round_.message_channel or round_.channel_id,
                ts=round_.message_ts,
                text=text,
                blocks=blocks,
            )
        except ChatError as exc:
            log.warning("could not update the count of round %s: %s", round_.id, exc)

    # ----- helpers -----

    def _say_once(self, team: str, day: date, kind: str, line: str) -> None:
        key = (team, day.isoformat(), kind)
        with self._said_lock:
            if key in self._said:
                return
            self._said.add(key)
        log.info(line)
