"""The scheduler runs the tick at start (to catch up), then every minute, and survives errors."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from bot.scheduler import TICK_JOB_ID, build_scheduler


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def test_the_first_tick_runs_at_start_and_then_every_minute() -> None:
    ticked: list[datetime] = []
    done = threading.Event()

    def tick(now: datetime) -> None:
        ticked.append(now)
        done.set()
        raise RuntimeError("the database is down")  # logged, and the scheduler goes on

    scheduler = build_scheduler(tick, clock=Clock())
    scheduler.start()
    try:
        assert done.wait(10), "the first tick did not run at start"
        job = scheduler.get_job(TICK_JOB_ID)
        assert job is not None
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger.fields[CronTrigger.FIELD_NAMES.index("second")]) == "0"
        assert job.next_run_time is not None and job.next_run_time.second == 0
    finally:
        scheduler.shutdown(wait=True)
    assert ticked[0].tzinfo is not None
