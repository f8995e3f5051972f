"""The scheduler's tick over the real services and database, with a chat fake that records.

Every test drives `tick(now)` with the clock it likes; the services read the same clock.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain.records import NotAdmin
from bot.jobs import Jobs
from bot.ports import ChannelUnavailable, PostedMessage, PostNotTaken, PostUnknown
from bot.services import Services
from bot.slack import ids
from bot.store.engine import create_engine_for
from bot.store.sql_store import SqlStore
from tests.integration.game import DEFAULT_BANK, FakeClock, build_services

TEAM = "T0JOBS"
CHANNEL = "C0DAILY"
ADMIN = "U0ADMIN"


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way catches it."""


@dataclass(frozen=True)
class Sent:
    team_id: str
    channel: str
    text: str
    blocks: Sequence[dict[str, object]]
    thread_ts: str | None = None
    ts: str = ""


class RecordingChat:
    """The chat port as a transcript; `fail_next` queues what the next posts run into."""

    def __init__(self) -> None:
        self.posts: list[Sent] = []
        self.updates: list[Sent] = []
        self.dms: list[tuple[str, Sent]] = []
        self.failures: deque[BaseException] = deque()
        self._ts = itertools.count(1)
        self._lock = threading.Lock()

    def fail_next(self, *failures: BaseException) -> None:
        self.failures.extend(failures)

    def post_message(
        self,
        *,
        team_id: str,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, object]] = (),
        thread_ts: str | None = None,
    ) -> PostedMessage:
        with self._lock:
            failure = self.failures.popleft() if self.failures else None
            if isinstance(failure, Exception):
                raise failure
            ts = f"1700000000.{next(self._ts):06d}"
            self.posts.append(Sent(team_id, channel, text, blocks, thread_ts, ts))
        if failure is not None:
            raise failure  # the post reached Slack, then the process died
        return PostedMessage(channel, ts)

    def update_message(
        self,
        *,
        team_id: str,
        channel: str,
        ts: str,
        text: str,
        blocks: Sequence[dict[str, object]] = (),
    ) -> None:
        with self._lock:
            self.updates.append(Sent(team_id, channel, text, blocks, ts=ts))

    def send_dm(
        self, *, team_id: str, user_id: str, text: str, blocks: Sequence[dict[str, object]] = ()
    ) -> None:
        with self._lock:
            self.dms.append((user_id, Sent(team_id, "D" + user_id, text, blocks)))

    def questions(self) -> list[Sent]:
        """The top-level posts (not the reveals in threads)."""
        return [p for p in self.posts if p.thread_ts is None]

    def reveals(self) -> list[Sent]:
        return [p for p in self.posts if p.thread_ts is not None]


def action_ids(blocks: Sequence[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def at(text: str, tz: str = "Asia/Shanghai") -> datetime:
    """A local wall-clock time in `tz`, e.g. at("2026-11-25 09:30"), as an aware datetime."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))


@pytest.fixture
def services(engine: Engine, clock: FakeClock) -> Services:
    services = build_services(SqlStore(engine), clock, DEFAULT_BANK)
    services.ensure_workspace(TEAM)
    services.update_settings(
        TEAM,
        channel_id=CHANNEL,
        timezone="Asia/Shanghai",
        post_time="09:30",
        close_time="18:00",
        weekdays="mon-fri",
        admins=(ADMIN,),
        language="en",
    )
    return services


@pytest.fixture
def chat() -> RecordingChat:
    return RecordingChat()


@pytest.fixture
def jobs(services: Services, chat: RecordingChat, clock: FakeClock) -> Jobs:
    return Jobs(services=services, chat=chat, clock=clock)


class Driver:
    """Moves the clock and ticks, as the scheduler does every minute."""

    def __init__(self, jobs: Jobs, clock: FakeClock) -> None:
        self.jobs = jobs
        self.clock = clock

    def tick(self, when: datetime) -> None:
        self.clock.set(when.astimezone(UTC))
        self.jobs.tick(when)

    def run(self, start: datetime, end: datetime, every: timedelta = timedelta(minutes=1)) -> None:
        when = start
        while when <= end:
            self.tick(when)
            when += every


@pytest.fixture
def drive(jobs: Jobs, clock: FakeClock) -> Driver:
    return Driver(jobs, clock)


# ----- posting on time -----


def test_the_question_is_posted_at_the_post_time_and_only_once(
    drive: Driver, chat: RecordingChat, services: Services
) -> None:
    drive.run(at("2026-11-25 09:00"), at("2026-11-25 09:29"))
    assert chat.posts == []
    drive.run(at("2026-11-25 09:30"), at("2026-11-25 10:30"))
    [post] = chat.questions()
    assert (post.team_id, post.channel) == (TEAM, CHANNEL)
    assert ids.ANSWER_ACTION_ID in action_ids(post.blocks)
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None
    assert (round_.message_state, round_.message_ts) == ("posted", post.ts)


def test_tick_needs_an_aware_time(jobs: Jobs) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        jobs.tick(datetime(2026, 11, 25, 9, 30))  # noqa: DTZ001


def test_no_post_on_weekends_or_on_a_paused_workspace(
    drive: Driver, chat: RecordingChat, services: Services
) -> None:
    drive.run(at("2026-11-28 09:00"), at("2026-11-29 17:00"), timedelta(minutes=30))
    assert chat.posts == []
    services.update_settings(TEAM, paused=True)
    drive.run(at("2026-11-30 09:00"), at("2026-11-30 12:00"), timedelta(minutes=30))
    assert chat.posts == []


@pytest.mark.parametrize(
    ("day", "posted"),
    [
        ("2025-09-30", True),  # Tuesday before National Day
        ("2025-10-01", False),  # National Day, a Wednesday
        ("2025-10-08", False),  # the last day of the holiday, a Wednesday
        ("2025-10-11", True),  # a make-up Saturday (调休)
        ("2025-10-12", False),  # an ordinary Sunday
        ("2025-09-28", True),  # the make-up Sunday before it
    ],
)
def test_china_public_holidays_and_makeup_days(
    drive: Driver, chat: RecordingChat, services: Services, day: str, posted: bool
) -> None:
    services.update_settings(TEAM, holiday_country="CN")
    drive.run(at(f"{day} 09:00"), at(f"{day} 12:00"), timedelta(minutes=15))
    assert len(chat.questions()) == (1 if posted else 0)


def test_weekdays_from_the_workspace_settings_take_effect_at_the_next_tick(
    drive: Driver, chat: RecordingChat, services: Services
) -> None:
    services.update_settings(TEAM, weekdays="mon,wed,fri")
    drive.tick(at("2026-11-24 09:30"))  # a Tuesday
    assert chat.posts == []
    services.update_settings(TEAM, weekdays="tue")
    drive.tick(at("2026-11-24 09:31"))
    assert len(chat.questions()) == 1


@pytest.mark.parametrize(
    ("local_day", "utc_post"),
    [
        # New York: EST (UTC-5) before 8 March 2026, EDT (UTC-4) after; 1 November back.
        ("2026-03-06", "2026-03-06T14:30"),
        ("2026-03-09", "2026-03-09T13:30"),
        ("2026-10-30", "2026-10-30T13:30"),
        ("2026-11-02", "2026-11-02T14:30"),
    ],
)
def test_new_york_posts_at_its_own_0930_across_daylight_saving(
    drive: Driver, chat: RecordingChat, services: Services, local_day: str, utc_post: str
) -> None:
    services.update_settings(TEAM, timezone="America/New_York", holiday_country="US")
    expected = datetime.fromisoformat(utc_post).replace(tzinfo=UTC)
    drive.run(expected - timedelta(hours=2), expected - timedelta(minutes=1))
    assert chat.posts == [], f"posted before 09:30 in New York on {local_day}"
    drive.tick(expected)
    assert len(chat.questions()) == 1
    round_ = services.store.round_on(TEAM, datetime.fromisoformat(local_day).date())
    assert round_ is not None and round_.opens_at == expected


def test_shanghai_and_new_york_each_post_in_their_own_morning(
    drive: Driver, chat: RecordingChat, services: Services
) -> None:
    services.ensure_workspace("T0NY")
    services.update_settings(
        "T0NY", channel_id="C0NY", timezone="America/New_York", post_time="09:30"
    )
    drive.run(
        datetime(2026, 11, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 16, 0, tzinfo=UTC),
        timedelta(minutes=10),
    )
    posts = {p.team_id: p for p in chat.questions()}
    assert set(posts) == {TEAM, "T0NY"}
    shanghai = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    new_york = services.store.round_on("T0NY", at("2026-11-25 09:30").date())
    assert shanghai is not None and new_york is not None
    assert shanghai.opens_at == datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    assert new_york.opens_at == datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


# ----- missed posts, restarts, several schedulers -----


def test_a_post_missed_while_down_is_made_late_until_the_close(
    drive: Driver, chat: RecordingChat
) -> None:
    drive.tick(at("2026-11-25 15:12"))
    [post] = chat.questions()
    assert "18:00" in str(post.blocks)


def test_after_the_close_a_missed_post_is_skipped_and_logged_once(
    drive: Driver, chat: RecordingChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.jobs")
    drive.run(at("2026-11-25 18:00"), at("2026-11-25 18:05"))
    assert chat.posts == []
    skipped = [r for r in caplog.records if "skipped the daily question" in r.getMessage()]
    assert len(skipped) == 1
    drive.run(at("2026-11-26 09:25"), at("2026-11-26 09:30"))
    assert len(chat.questions()) == 1  # the next day is normal


def tick_together(schedulers: list[Jobs], when: datetime) -> list[BaseException]:
    """Tick every scheduler at the same moment, each in its own thread; return their errors."""
    barrier = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def run(jobs: Jobs) -> None:
        try:
            barrier.wait()
            jobs.tick(when)
        except BaseException as exc:  # surfaced to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_two_schedulers_at_once_post_once(
    database_url: str, services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    """Two processes' worth of jobs, each with its own engine, ticking at the same moment."""
    engines = [create_engine_for(database_url) for _ in range(2)]
    try:
        schedulers = [
            Jobs(
                services=build_services(SqlStore(e), clock, DEFAULT_BANK),
                chat=chat,
                clock=clock,
            )
            for e in engines
        ]
        for minute in range(3):
            when = at("2026-11-25 09:30") + timedelta(minutes=minute)
            clock.set(when)
            assert tick_together(schedulers, when) == []
        assert len(chat.questions()) == 1
    finally:
        for e in engines:
            e.dispose()


def test_a_crash_after_posting_before_recording_marks_the_round_unknown(
    services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    first = Jobs(services=services, chat=chat, clock=clock)
    chat.fail_next(Crash())
    clock.set(at("2026-11-25 09:30"))
    with pytest.raises(Crash):
        first.tick(clock.now())
    assert len(chat.questions()) == 1  # Slack has it; the database does not know

    restarted = Jobs(services=services, chat=chat, clock=clock)
    drive = Driver(restarted, clock)
    drive.run(at("2026-11-25 09:31"), at("2026-11-25 09:34"))  # a poster may still be busy
    assert chat.dms == []
    drive.run(at("2026-11-25 09:35"), at("2026-11-25 09:40"))
    assert len(chat.questions()) == 1  # never posted twice by guesswork
    [(admin, alert)] = chat.dms
    assert admin == ADMIN
    assert ids.POST_AGAIN_ACTION_ID in action_ids(alert.blocks)
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None and round_.message_state == "unknown"


def test_a_crash_before_any_claim_is_caught_up_on_restart(
    services: Services, chat: RecordingChat, clock: FakeClock, drive: Driver
) -> None:
    # The round was created, then the process died before claiming the post.
    clock.set(at("2026-11-25 09:30"))
    services.create_round(TEAM, at("2026-11-25 09:30").date())
    drive.tick(at("2026-11-25 09:50"))
    assert len(chat.questions()) == 1
    assert chat.dms == []


# ----- when Slack fails -----


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        (PostUnknown("http_500", "Slack answered HTTP 500"), "may or may not"),
        (PostNotTaken("ratelimited"), "ratelimited"),
        (ChannelUnavailable("not_in_channel"), "/invite"),
    ],
)
def test_a_failed_post_is_not_guessed_at_but_handed_to_the_admins(
    drive: Driver,
    chat: RecordingChat,
    services: Services,
    jobs: Jobs,
    failure: Exception,
    says: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat.fail_next(failure)
    drive.run(at("2026-11-25 09:30"), at("2026-11-25 09:45"))
    assert chat.posts == []
    [(admin, alert)] = chat.dms
    assert admin == ADMIN and says in alert.text + str(alert.blocks)
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None and round_.message_state == "unknown"
    if isinstance(failure, ChannelUnavailable):
        assert any("invite the bot" in r.getMessage().lower() for r in caplog.records)

    # "Post again": only an admin, and then it is posted and recorded.
    with pytest.raises(NotAdmin):
        jobs.post_again(TEAM, round_.id, "U0SOMEONE")
    outcome = jobs.post_again(TEAM, round_.id, ADMIN)
    assert outcome.done
    assert len(chat.questions()) == 1
    assert jobs.post_again(TEAM, round_.id, ADMIN).message.endswith("nothing to do")
    recorded = services.get_round(round_.id)
    assert recorded.message_state == "posted"


class SlowChat(RecordingChat):
    """A chat whose next post waits, as one does while the Web API client retries."""

    def __init__(self) -> None:
        super().__init__()
        self.posting = threading.Event()
        self.release = threading.Event()

    def post_message(self, **kwargs: Any) -> PostedMessage:
        if not self.posting.is_set():
            self.posting.set()
            assert self.release.wait(10)
        return super().post_message(**kwargs)


def test_post_again_clicked_twice_while_the_first_is_still_posting_posts_once(
    services: Services, clock: FakeClock
) -> None:
    chat = SlowChat()
    jobs = Jobs(services=services, chat=chat, clock=clock)
    clock.set(at("2026-11-25 10:00").astimezone(UTC))
    round_ = services.create_round(TEAM, at("2026-11-25 10:00").date())
    services.mark_round_message_unknown(round_.id)

    first: list[str] = []
    poster = threading.Thread(
        target=lambda: first.append(jobs.post_again(TEAM, round_.id, ADMIN).message)
    )
    poster.start()
    try:
        assert chat.posting.wait(10)
        # A minute and more later the first post is still retrying; the second click waits.
        clock.set(at("2026-11-25 10:02").astimezone(UTC))
        second = jobs.post_again(TEAM, round_.id, ADMIN)
    finally:
        chat.release.set()
        poster.join(10)
    assert not second.done and "already" in second.message
    assert f"k8sq post-daily --team {TEAM} --force" in second.message
    assert first and "posted" in first[0]
    assert len(chat.questions()) == 1
    assert services.get_round(round_.id).message_state == "posted"


def test_the_operators_force_takes_over_a_post_again_whose_poster_died(
    services: Services, clock: FakeClock, chat: RecordingChat, jobs: Jobs
) -> None:
    clock.set(at("2026-11-25 10:00").astimezone(UTC))
    round_ = services.create_round(TEAM, at("2026-11-25 10:00").date())
    services.mark_round_message_unknown(round_.id)
    assert services.begin_repost(round_.id)  # then that process died
    assert not jobs.post_again(TEAM, round_.id, ADMIN).done
    assert chat.questions() == []
    assert jobs.post_daily(TEAM, force=True).done
    assert len(chat.questions()) == 1
    assert services.get_round(round_.id).message_state == "posted"


def test_post_again_after_a_failed_post_again_posts_again(
    services: Services, clock: FakeClock, chat: RecordingChat, jobs: Jobs
) -> None:
    clock.set(at("2026-11-25 10:00").astimezone(UTC))
    round_ = services.create_round(TEAM, at("2026-11-25 10:00").date())
    services.mark_round_message_unknown(round_.id)
    chat.fail_next(PostUnknown("timeout"))
    assert jobs.post_again(TEAM, round_.id, ADMIN).failed
    assert services.get_round(round_.id).message_state == "unknown"
    # The same minute: a new unknown state, so a new "Post again" may post.
    assert jobs.post_again(TEAM, round_.id, ADMIN).done
    assert len(chat.questions()) == 1


def test_an_admin_alert_without_admins_is_logged(
    drive: Driver, chat: RecordingChat, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services.update_settings(TEAM, admins=())
    chat.fail_next(PostUnknown("connection_lost"))
    drive.tick(at("2026-11-25 09:30"))
    assert chat.dms == []
    assert any("no admins to tell" in r.getMessage() for r in caplog.records)


# ----- the operators' commands -----


def test_post_daily_posts_now_and_a_second_call_does_nothing(
    jobs: Jobs, chat: RecordingChat, clock: FakeClock
) -> None:
    clock.set(at("2026-11-28 07:00"))  # a Saturday, before the post time: whatever the clock
    first = jobs.post_daily(TEAM)
    assert first.done and len(chat.questions()) == 1
    second = jobs.post_daily(TEAM)
    assert not second.done and not second.failed
    assert "already posted" in second.message
    assert jobs.post_daily(TEAM, force=True).message.endswith("nothing to do")
    assert len(chat.questions()) == 1


def test_post_daily_after_the_scheduler_skipped_the_day_posts_it_once(
    drive: Driver, jobs: Jobs, chat: RecordingChat, services: Services
) -> None:
    drive.tick(at("2026-11-25 18:05"))  # no scheduler ran until after the close: skipped
    assert chat.posts == []
    drive.clock.set(at("2026-11-25 18:30").astimezone(UTC))
    outcome = jobs.post_daily(TEAM)  # the operator posts it anyway
    assert outcome.done, outcome.message
    drive.run(at("2026-11-25 18:31"), at("2026-11-25 18:40"))
    assert len(chat.questions()) == 1
    assert chat.dms == []  # nothing for the admins: it is known to be posted
    today = services.round_today(TEAM)
    assert today is not None and today.message_state == "posted"
    assert jobs.post_daily(TEAM).message.endswith("already posted; nothing to do")


def test_post_daily_force_posts_an_unknown_round_again(
    jobs: Jobs, chat: RecordingChat, clock: FakeClock
) -> None:
    clock.set(at("2026-11-25 09:30"))
    chat.fail_next(PostUnknown("connection_lost"))
    assert jobs.post_daily(TEAM).failed
    again = jobs.post_daily(TEAM)
    assert not again.done and "--force" in again.message
    assert jobs.post_daily(TEAM, force=True).done
    assert len(chat.questions()) == 1


# ----- the reveal -----


def test_the_reveal_comes_at_the_close_in_the_thread_once(
    drive: Driver, chat: RecordingChat, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    drive.tick(at("2026-11-25 09:30"))
    [post] = chat.questions()
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None
    clock.set(at("2026-11-25 10:00"))
    services.submit_answer(round_.id, "U1", "a b")
    services.submit_answer(round_.id, "U2", "a")
    drive.run(at("2026-11-25 17:55"), at("2026-11-25 17:59"))
    assert chat.reveals() == []
    drive.run(at("2026-11-25 18:00"), at("2026-11-25 18:10"))
    [reveal] = chat.reveals()
    assert reveal.thread_ts == post.ts and reveal.channel == CHANNEL
    shown = str(reveal.blocks)
    assert "reference" in shown and "2 answered" in shown and "<@U1> 10/10" in shown
    # The question post now offers practice, with the final count.
    last_update = chat.updates[-1]
    assert last_update.ts == post.ts
    assert "Practice" in str(last_update.blocks) and "2 answered" in str(last_update.blocks)
    assert jobs.reveal(TEAM).message.endswith("already revealed")
    assert len(chat.reveals()) == 1


def test_reveal_now_closes_the_round_whatever_the_clock(
    drive: Driver, chat: RecordingChat, services: Services, jobs: Jobs
) -> None:
    assert jobs.reveal(TEAM).message == "no round yet; nothing to reveal"
    drive.tick(at("2026-11-25 09:30"))
    outcome = jobs.reveal(TEAM)
    assert outcome.done and len(chat.reveals()) == 1
    assert "Nobody answered" in chat.reveals()[0].text
    drive.run(at("2026-11-25 18:00"), at("2026-11-25 18:02"))
    assert len(chat.reveals()) == 1


def test_a_round_never_posted_is_closed_without_a_reveal_in_slack(
    drive: Driver, chat: RecordingChat, services: Services
) -> None:
    chat.fail_next(PostUnknown("connection_lost"))
    drive.tick(at("2026-11-25 09:30"))
    drive.run(at("2026-11-25 18:00"), at("2026-11-25 18:02"))
    assert chat.reveals() == []
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None and round_.revealed_at is not None


def test_refreshing_the_count_shows_how_many_answered(
    drive: Driver, chat: RecordingChat, services: Services, jobs: Jobs, clock: FakeClock
) -> None:
    drive.tick(at("2026-11-25 09:30"))
    round_ = services.store.round_on(TEAM, at("2026-11-25 09:30").date())
    assert round_ is not None
    clock.set(at("2026-11-25 09:40"))
    services.submit_answer(round_.id, "U1", "a")
    jobs.refresh_count(round_.id)
    assert "1 answered" in str(chat.updates[-1].blocks)
    assert "U1" not in str(chat.updates[-1].blocks)  # no names with scores


def test_a_crash_found_only_after_the_close_stays_unknown_without_a_reveal(
    services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    chat.fail_next(Crash())
    clock.set(at("2026-11-25 17:50"))
    with pytest.raises(Crash):
        Jobs(services=services, chat=chat, clock=clock).tick(clock.now())
    drive = Driver(Jobs(services=services, chat=chat, clock=clock), clock)
    drive.run(at("2026-11-25 18:30"), at("2026-11-25 18:32"))
    round_ = services.store.round_on(TEAM, at("2026-11-25 17:50").date())
    assert round_ is not None and round_.message_state == "unknown"
    assert round_.revealed_at is not None
    assert len(chat.posts) == 1 and chat.reveals() == []
    assert chat.dms == []  # too late for "Post again"


# ----- the weekly leaderboard -----


def boards(chat: RecordingChat) -> list[Sent]:
    return [p for p in chat.questions() if "leaderboard" in p.text.lower()]


@pytest.fixture
def last_week(services: Services, clock: FakeClock) -> None:
    """A revealed round in the week of 2026-11-23; no daily round on Mondays, so the
    board is the only post on Monday 2026-11-30 (the leaderboard day)."""
    clock.set(at("2026-11-25 10:00").astimezone(UTC))
    round_ = services.create_round(TEAM, at("2026-11-25 10:00").date())
    services.submit_answer(round_.id, "U0ALICE", "no idea")
    services.reveal_round(round_.id)
    services.update_settings(TEAM, weekdays="tue-fri")


@pytest.mark.usefixtures("last_week")
def test_a_board_claimed_by_a_scheduler_killed_before_recording_is_reported_once(
    services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    chat.fail_next(Crash())
    clock.set(at("2026-11-30 09:30").astimezone(UTC))
    with pytest.raises(Crash):
        Jobs(services=services, chat=chat, clock=clock).tick(clock.now())
    assert len(boards(chat)) == 1  # Slack has it; the database does not know

    drive = Driver(Jobs(services=services, chat=chat, clock=clock), clock)
    drive.run(at("2026-11-30 09:31"), at("2026-11-30 09:34"))  # a poster may still be busy
    assert chat.dms == []
    drive.run(at("2026-11-30 09:35"), at("2026-11-30 09:40"))
    Driver(Jobs(services=services, chat=chat, clock=clock), clock).tick(at("2026-12-01 09:00"))
    assert len(boards(chat)) == 1  # never posted twice by guesswork
    [(admin, alert)] = chat.dms
    assert admin == ADMIN and "2026-11-23" in alert.text


@pytest.mark.usefixtures("last_week")
def test_a_board_posted_and_recorded_is_not_reported(
    services: Services, chat: RecordingChat, clock: FakeClock, drive: Driver
) -> None:
    drive.tick(at("2026-11-30 09:30"))
    assert len(boards(chat)) == 1
    later = Driver(Jobs(services=services, chat=chat, clock=clock), clock)
    later.run(at("2026-11-30 09:31"), at("2026-11-30 09:45"))
    later.tick(at("2026-12-02 09:00"))
    assert len(boards(chat)) == 1 and chat.dms == []


@pytest.mark.usefixtures("last_week")
@pytest.mark.parametrize(
    "failure",
    [PostUnknown("timeout"), PostNotTaken("msg_too_long"), ChannelUnavailable("not_in_channel")],
)
def test_a_board_slack_may_not_have_is_reported_to_the_admins_once(
    services: Services, chat: RecordingChat, clock: FakeClock, drive: Driver, failure: Exception
) -> None:
    chat.fail_next(failure)
    drive.run(at("2026-11-30 09:30"), at("2026-11-30 09:45"))
    Driver(Jobs(services=services, chat=chat, clock=clock), clock).tick(at("2026-11-30 10:00"))
    assert boards(chat) == []
    [(admin, alert)] = chat.dms
    assert admin == ADMIN and "2026-11-23" in alert.text


@pytest.mark.usefixtures("last_week")
def test_a_board_missed_while_no_scheduler_ran_is_posted_late_once(
    services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    """Down all Monday (the leaderboard day): the board comes on Tuesday, once."""
    drive = Driver(Jobs(services=services, chat=chat, clock=clock), clock)
    drive.run(at("2026-12-01 08:00"), at("2026-12-01 08:05"))
    [board] = boards(chat)
    assert "2026-11-23" in board.text  # last week's
    again = Driver(Jobs(services=services, chat=chat, clock=clock), clock)
    again.run(at("2026-12-01 08:06"), at("2026-12-01 08:10"))
    again.tick(at("2026-12-03 09:00"))
    assert len(boards(chat)) == 1 and chat.dms == []


# ----- housekeeping -----


def test_old_slack_event_ids_are_pruned_once_a_day_by_one_scheduler(
    services: Services, chat: RecordingChat, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    assert services.record_event("Ev0OLD")
    clock.set(datetime(2026, 11, 24, 23, 0, tzinfo=UTC))
    assert services.record_event("Ev0RECENT")

    clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    first = Jobs(services=services, chat=chat, clock=clock).tick(clock.now())
    second = Jobs(services=services, chat=chat, clock=clock).tick(clock.now())
    pruned = [o.message for o in first + second if "event id" in o.message]
    assert pruned == ["pruned 1 Slack event id older than 2026-11-22 01:00 UTC"]
    assert not services.record_event("Ev0RECENT")  # a retry of it is still a duplicate
    assert services.record_event("Ev0OLD")  # forgotten: Slack retries within minutes
