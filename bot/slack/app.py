"""Build the Bolt app from settings and services: nothing happens at import time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import admin, commands, home, listeners
from bot.slack.chat import retry_handlers
from bot.slack.common import round_post

log = logging.getLogger(__name__)

# chat.update is limited to about 50 calls a minute: the "N answered" count of a round is
# refreshed at most this often.
COUNT_INTERVAL = 10.0


class SlackSettings(Protocol):
    """What the Slack side reads from the settings."""

    @property
    def slack_bot_token(self) -> str | None: ...

    @property
    def slack_signing_secret(self) -> str | None: ...

    @property
    def slack_api_url(self) -> str: ...

    @property
    def database_url(self) -> str: ...


class Said(Protocol):
    @property
    def message(self) -> str: ...


class RoundJobs(Protocol):
    """The daily round's jobs the listeners start (bot.jobs.Jobs)."""

    def post_again(self, team_id: str, round_id: int, user_id: str) -> Said:
        """An admin's "Post again" for a round whose post is not known to have worked."""
        ...


def web_client(
    settings: SlackSettings,
    *,
    timeout: int = 10,
    retries: int = 2,
    backoff: float = 0.5,
    max_wait: float = 30.0,
) -> WebClient:
    """A Web API client for the listeners, retrying as `bot.slack.chat.retry_handlers` says."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(retries=retries, backoff=backoff, max_wait=max_wait),
    )


class Later:
    """Run Web API calls after the acknowledgement, off the request thread.

    Slack wants its answer within 3 seconds and a modal opened within 3 seconds of the
    click; neither should wait for the other. A failure is logged with what was called.
    """

    def __init__(self, workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="k8sq-later")

    def __call__(self, fn: Callable[..., object], /, *args: object, **kwargs: object) -> None:
        name = getattr(fn, "__name__", repr(fn))
        future = self._pool.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda done: _log_failure(done, name))

    def shutdown(self) -> None:
        """Wait for the calls already started, then stop."""
        self._pool.shutdown(wait=True)


def _log_failure(done: Future[object], name: str) -> None:
    error = done.exception()
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        log.warning("%s failed after the acknowledgement: Slack said %s", name, code)
    elif error is not None:
        log.error("%s failed after the acknowledgement: %s", name, error, exc_info=error)


class _SkipTokenNotice(logging.Filter):
    """Drop Bolt's notice that SLACK_BOT_TOKEN is unused: the client carries that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


@dataclass
class _Pending:
    last: float = float("-inf")
    timer: threading.Timer | None = None


class AnswerCount:
    """Refresh a round's "N answered" at most once every `interval` seconds.

    The first answer after a quiet spell updates the post at once; answers within the
    interval schedule one trailing update, which reads the count from the database, so the
    post ends up right whichever answers it skipped.
    """

    def __init__(
        self, services: Services, *, later: Later, interval: float = COUNT_INTERVAL
    ) -> None:
        self.services = services
        self.later = later
        self.interval = interval
        self._lock = threading.Lock()
        self._rounds: dict[int, _Pending] = {}

    def answered(self, round_id: int, client: WebClient) -> None:
        """Note an answer to the round; the post is refreshed off the request thread."""
        with self._lock:
            pending = self._rounds.setdefault(round_id, _Pending())
            if pending.timer is not None:
                return  # the trailing update will show this answer too
            wait = pending.last + self.interval - time.monotonic()
            if wait > 0:
                pending.timer = threading.Timer(wait, self._trailing, (round_id, client))
                pending.timer.daemon = True
                pending.timer.start()
                return
            pending.last = time.monotonic()
        self.later(self.refresh, round_id, client)

    def _trailing(self, round_id: int, client: WebClient) -> None:
        with self._lock:
            pending = self._rounds[round_id]
            pending.timer = None
            pending.last = time.monotonic()
        try:
            self.refresh(round_id, client)
        except Exception:  # a timer thread has nobody to report to but the log
            log.exception("could not update the answer count of round %s", round_id)

    def refresh(self, round_id: int, client: WebClient) -> None:
        """Show the round's current count in its channel post (if it has one)."""
        round_ = self.services.get_round(round_id)
        if round_.message_ts is None or round_.message_channel is None:
            return
        if round_.revealed_at is not None:
            return  # the reveal rewrote the post; its count is final
        settings = self.services.get_settings(round_.team_id)
        answered = self.services.count_answers(round_id)
        text, blocks = round_post(self.services, round_, settings, answered=answered)
        client.chat_update(
            channel=round_.message_channel, ts=round_.message_ts, text=text, blocks=blocks
        )

    def cancel(self) -> None:
        """Drop the trailing updates not yet made (on shutdown, in tests)."""
        with self._lock:
            for pending in self._rounds.values():
                if pending.timer is not None:
                    pending.timer.cancel()
                    pending.timer = None


def build_app(
    settings: SlackSettings,
    services: Services,
    *,
    client: WebClient | None = None,
    jobs: RoundJobs | None = None,
    count_interval: float = COUNT_INTERVAL,
    workers: int = 8,
    token_verification: bool = True,
    app_options: dict[str, Any] | None = None,
) -> App:
    """The Bolt app with every listener registered, bound to `services`.

    Args:
        client: the Web API client with the bot token (default: `web_client(settings)`, at
            SLACK_API_URL).
        jobs: the daily round's jobs, for the admins' "Post again" button; without them the
            button says to run `k8sq post-daily --force`.
        count_interval: the least time between two updates of a round's "N answered".
        workers: threads for the Web API calls made after the acknowledgement.
        token_verification: check the bot token with auth.test now rather than on the first
            request.
        app_options: more options for Bolt's App (OAuth installs: bot.slack.oauth).

    Writes to SQLite queue in the store (bot.store.engine.SqliteWriters), around each write
    transaction only.
    """
    # Bolt takes the bot token from the client ("SingleTeamAuthorization"); installs into many
    # workspaces will swap in an installation store here, and nothing else changes.
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=client or web_client(settings),
        token_verification_enabled=token_verification,
        # Listeners run on the request's thread and Bolt answers when they return: no
        # polling for the ack (Bolt's default polls every 10 ms), and an answer is stored
        # before Slack hears back. Slow Web API calls go to `later`.
        process_before_response=True,
        name="k8sq",
        logger=_bolt_logger(),
        **(app_options or {}),
    )
    later = Later(workers)
    counts = AnswerCount(services, later=later, interval=count_interval)
    app.middleware(_OncePerEvent(services))
    # Bolt tries the listeners in the order they were registered, each through its
    # argument injection: answers and their buttons, the busiest, are tried first.
    listeners.register(app, services, later=later, counts=counts, jobs=jobs)
    commands.register(app, services, later=later)
    home.register(app, services, later=later)
    admin.register(app, services, later=later)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        logger.error("listener failed on a %s request", body.get("type"), exc_info=error)

    return app


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _SkipTokenNotice) for f in logger.filters):
        logger.addFilter(_SkipTokenNotice())
    return logger


class _OncePerEvent(Middleware):
    """A middleware that drops an Events API delivery seen before (Slack's retries)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self.services.record_event(event_id):
            req.context.logger.info(
                "event %s was handled before; acknowledging the retry", event_id
            )
            return BoltResponse(status=200, body="")
        return next()
