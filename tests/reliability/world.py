"""A workspace over a real database and the Slack fake, and what Slack was sent, by kind."""

from __future__ import annotations

import threading
import time as _time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.domain.grading import grade
from bot.domain.records import RoundInfo
from bot.question_bank import load_bank
from bot.services import Services
from bot.slack import ids
from bot.store.sql_store import SqlStore
from tests.e2e.conftest import ADMIN, BOT_TOKEN, CHANNEL, E2E_QUESTIONS, SIGNING_SECRET, serve
from tests.e2e.fake_slack import TEAM_ID, Call, FakeSlack
from tests.e2e.slack_client import SlackSender
from tests.e2e.test_answer import post_round
from tests.integration.game import FakeClock

ZONE = ZoneInfo("Asia/Shanghai")
TEAM = TEAM_ID  # the fake's auth.test team, so the bot token is this workspace's


def services_for(engine: Engine, clock: FakeClock) -> Services:
    """The real services over a migrated database, the e2e bank synced, the workspace set up."""
    bank = load_bank(E2E_QUESTIONS)
    services = Services(store=SqlStore(engine), bank=bank, clock=clock, grader=grade)
    services.sync_bank()
    services.ensure_workspace(TEAM)
    services.update_settings(
        TEAM,
        channel_id=CHANNEL,
        timezone="Asia/Shanghai",
        post_time="09:30",
        close_time="18:00",
        holiday_country="CN",
        language="en",
        admins=(ADMIN,),
    )
    return services


def child_env(url: str, slack: FakeSlack) -> dict[str, str]:
    """The environment of a scheduler process against `url` and the Slack fake."""
    return {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.url,
        "K8SQ_QUESTIONS_DIR": str(E2E_QUESTIONS),
        "K8SQ_LOG_FORMAT": "text",
    }


def at(day: date, clock_time: str) -> datetime:
    """`clock_time` on `day` in the workspace's zone, in UTC."""
    local = datetime.combine(day, time.fromisoformat(clock_time), tzinfo=ZONE)
    return local.astimezone(UTC)


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


# ----- what Slack was sent -----


def _button_round(call: Call) -> str | None:
    for block in call.args.get("blocks") or []:
        if isinstance(block, dict):
            for element in block.get("elements") or []:
                if isinstance(element, dict) and element.get("action_id") == ids.ANSWER_ACTION_ID:
                    return str(element.get("value"))
    return None


def _may_hold(call: Call) -> bool:
    return call.ok or call.status == 0 or call.status >= 500


def kind(call: Call) -> str:
    """question, reveal, dm or board (a channel post that is neither question nor reveal)."""
    channel = str(call.args.get("channel", ""))
    if channel.startswith("D"):
        return "dm"
    if call.args.get("thread_ts"):
        return "reveal"
    if _button_round(call) is not None:
        return "question"
    return "board"


@dataclass(frozen=True)
class Posts:
    """The chat.postMessage calls Slack received, sorted by kind."""

    calls: list[Call]

    def of(self, what: str) -> list[Call]:
        return [c for c in self.calls if kind(c) == what]

    def question_rounds(self) -> Counter[str]:
        """Question posts Slack may hold, per round: taken, or answered with a 5xx or not at
        all (Slack may have acted on those); a 429 or an error code surely posted nothing."""
        return Counter(r for c in self.of("question") if (r := _button_round(c)) and _may_hold(c))

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.question_rounds().values() if n > 1)


def posts(slack: FakeSlack) -> Posts:
    return Posts(slack.calls_to("chat.postMessage"))


# ----- the app over HTTP -----


@contextmanager
def served_app(
    database_url: str, services: Services, slack: FakeSlack, **options: Any
) -> Iterator[SlackSender]:
    """The Bolt app over `services` (its settings reading `database_url`), served on
    127.0.0.1 as `k8sq run --mode http` serves it; a signing sender for the workspace."""
    from bot.config import load_settings
    from bot.slack.app import build_app, web_client
    from bot.slack.web import SlackWeb

    env = {**child_env(database_url, slack), "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    settings = load_settings(env, env_file=None)
    client = web_client(settings, backoff=0.01, max_wait=1.0)
    app = build_app(settings, services, client=client, count_interval=0.3, **options)
    with serve(SlackWeb(app, signing_secret=SIGNING_SECRET)) as url:
        try:
            yield SlackSender(url, SIGNING_SECRET, team_id=TEAM, timeout=30.0)
        finally:
            settle(slack)


def settle(slack: FakeSlack, quiet: float = 0.4, longest: float = 30.0) -> None:
    """Wait until the app's work after the acknowledgements (views, counts, Home tabs) is
    over: its worker threads idle with nothing queued, and no call to Slack for `quiet`
    seconds (at most `longest`), so none of it runs on into the next test's database."""
    deadline = _time.monotonic() + longest
    seen = -1
    while _time.monotonic() < deadline:
        count = len(slack.calls)
        if count == seen and _workers_idle():
            return
        seen = count
        _time.sleep(quiet)


def _workers_idle() -> bool:
    """Whether the app's thread pools for work after the acknowledgement (bot.slack.app's
    `Later`, threads named k8sq-later) have nothing queued or running."""
    for thread in threading.enumerate():
        if not thread.name.startswith("k8sq-later"):
            continue
        args = getattr(thread, "_args", ())
        pool = args[0]() if args and callable(args[0]) else None
        if pool is None:
            continue
        queued = not pool._work_queue.empty()
        idle = getattr(pool, "_idle_semaphore", None)
        busy = idle is not None and idle._value < len(pool._threads)
        if queued or busy:
            return False
    return True


def open_round(services: Services, slack: FakeSlack, clock: FakeClock) -> RoundInfo:
    """Today's round (a working Wednesday, 09:31 in Shanghai), posted to the Slack fake."""
    clock.set(at(date(2026, 11, 25), "09:31"))
    return post_round(services, slack, TEAM)
