"""APScheduler 3 running the jobs' tick once a minute, in a background thread.

APScheduler reads the real clock; everything that is due is decided by `tick(now)` from the
database, so the job store is memory only and a restarted scheduler simply ticks again (the
first tick runs at start, to catch up). Run exactly one scheduler role: a second one would do
no harm (every step is claimed in the database) but no good either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.ports import Clock

log = logging.getLogger(__name__)

TICK_JOB_ID = "k8sq.tick"


def build_scheduler(tick: Callable[[datetime], object], *, clock: Clock) -> BackgroundScheduler:
    """A scheduler (not started) calling `tick(clock.now())` at the top of every minute."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={
            # A tick that overran or was missed is not worth repeating: the next one does
            # whatever is due.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 30,
        },
    )

    def run_tick() -> None:
        try:
            tick(clock.now())
        except Exception:  # keep ticking: the next minute may well work (database back...)
            log.exception("the scheduler's tick failed")

    scheduler.add_job(
        run_tick,
        trigger=CronTrigger(second=0, timezone=UTC),
        id=TICK_JOB_ID,
        name="tick",
        next_run_time=clock.now(),
    )
    return scheduler
