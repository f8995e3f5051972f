"""The chat port over slack_sdk's WebClient, with the issue's rules for retrying.

- 429: always retried, after the `Retry-After` the response names.
- 5xx and connection errors: retried with backoff only for calls that are safe to repeat
  (`chat.update`, `views.update`, `views.publish`, `conversations.open`).
- `chat.postMessage`: retried only when the request surely never reached Slack (the connection
  was refused, the host not found). Any other failure (a 5xx, a timeout, a dropped connection)
  may have left the post in the channel: it is reported as `PostUnknown`, never repeated.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.ports import (
    Blocks,
    ChannelUnavailable,
    ChatError,
    PostedMessage,
    PostNotTaken,
    PostUnknown,
)

log = logging.getLogger(__name__)

# Slack's answers that mean the channel itself is the problem: the bot must be invited.
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

TokenFor = Callable[[str], str]
Sleep = Callable[[float], None]


def never_sent(error: BaseException | None) -> bool:
    """Whether a connection error surely happened before any byte of the request left."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class RateLimited(RetryHandler):
    """Retry a 429 after the seconds its Retry-After header names (capped by `max_wait`)."""

    def __init__(self, *, max_retry_count: int, sleep: Sleep, max_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = 1.0
        headers = response.headers if response is not None else {}
        for name, values in headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    wait = max(0.0, float(values[0]))
                except ValueError:
                    wait = 1.0
        log.info("Slack rate-limited %s; retrying in %.1fs", request.url, wait)
        self.sleep(min(wait, self.max_wait))
        state.next_attempt_requested = True
        state.increment_current_attempt()


class ServerError(RetryHandler):
    """Retry a 5xx (for calls that are safe to repeat)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


class ConnectionFailed(RetryHandler):
    """Retry a failed connection: any (`only_unsent=False`) or one that surely sent nothing."""

    def __init__(
        self, *, max_retry_count: int, backoff: float, sleep: Sleep, only_unsent: bool
    ) -> None:
        super().__init__(
            max_retry_count=max_retry_count,
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=backoff),
        )
        self.sleep = sleep
        self.only_unsent = only_unsent

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None or error is None:
            return False
        if self.only_unsent:
            return never_sent(error)
        # URLError, resets, timeouts, RemoteDisconnected, a body cut short (IncompleteRead)
        return isinstance(error, OSError | http.client.HTTPException)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self.sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.next_attempt_requested = True
        state.increment_current_attempt()


# Web API methods that change nothing more when repeated: retried on 5xx and connection
# errors too. Posting is not among them: a post that may have reached Slack is not repeated.
SAFE_TO_REPEAT = frozenset({"chat.update", "views.update", "views.publish", "conversations.open"})


class OnlySafeMethods(RetryHandler):
    """Narrow a retry handler to the Web API methods that are safe to repeat."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1]
        return method in SAFE_TO_REPEAT and bool(
            self.inner._can_retry(state=state, request=request, response=response, error=error)
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self.inner.prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def retry_handlers(
    *, retries: int, backoff: float, max_wait: float, sleep: Sleep = time.sleep
) -> list[RetryHandler]:
    """The issue's retry rules, for one WebClient whatever it calls.

    429s are retried after Retry-After (at most `max_wait` seconds) for every method, and so
    is a connection that surely sent nothing; 5xx and other connection errors only for the
    methods in SAFE_TO_REPEAT, after `backoff` seconds, doubling.
    """
    return [
        RateLimited(max_retry_count=retries, sleep=sleep, max_wait=max_wait),
        ConnectionFailed(max_retry_count=retries, backoff=backoff, sleep=sleep, only_unsent=True),
        OnlySafeMethods(
            ServerError(
                max_retry_count=retries,
                interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=backoff),
            )
        ),
        OnlySafeMethods(
            ConnectionFailed(
                max_retry_count=retries, backoff=backoff, sleep=sleep, only_unsent=False
            )
        ),
    ]


class SlackChat:
    """The chat port: one WebClient per token, built on first use.

    Args:
        base_url: the Web API's base URL (SLACK_API_URL).
        token_for: the bot token of a workspace, by team id.
        max_retries: attempts after the first, per call.
        backoff: seconds before the first retry of a 5xx or connection error; doubles each time.
        max_wait: the longest a single Retry-After is waited for.
        timeout: seconds a call may take before it counts as failed.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token_for: TokenFor,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        timeout: float = 10.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.token_for = token_for
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client(self, team_id: str) -> WebClient:
        """The workspace's client, retrying each call as far as that call is safe to repeat."""
        token = self.token_for(team_id)
        with self._lock:
            found = self._clients.get(token)
            if found is None:
                found = WebClient(
                    token=token,
                    base_url=self.base_url,
                    timeout=max(1, round(self.timeout)),
                    retry_handlers=retry_handlers(
                        retries=self.max_retries,
                        backoff=self.backoff,
                        max_wait=self.max_wait,
                        sleep=self.sleep,
                    ),
                )
                self._clients[token] = found
        return found

    # ----- the port -----

    def post_message(
        self,
        *,
        team_id: str,
        channel: str,
        text: str,
        blocks: Blocks = (),
        thread_ts: str | None = None,
    ) -> PostedMessage:
        args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            args["blocks"] = list(blocks)
        if thread_ts:
            args["thread_ts"] = thread_ts
        client = self.client(team_id)
        try:
            response = client.chat_postMessage(**args)
        except SlackApiError as exc:
            raise _post_error(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            if never_sent(exc):
                raise PostNotTaken("connection_refused", str(exc)) from exc
            raise PostUnknown("connection_lost", f"{type(exc).__name__}: {exc}") from exc
        ts = response.get("ts")
        if not isinstance(ts, str):
            raise PostUnknown("no_ts", "Slack's answer had no message ts")
        posted_channel = response.get("channel")
        return PostedMessage(
            channel_id=posted_channel if isinstance(posted_channel, str) else channel, ts=ts
        )

    def update_message(
        self, *, team_id: str, channel: str, ts: str, text: str, blocks: Blocks = ()
    ) -> None:
        args: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
        if blocks:
            args["blocks"] = list(blocks)
        self._safe_call(team_id, lambda c: c.chat_update(**args))

    def send_dm(self, *, team_id: str, user_id: str, text: str, blocks: Blocks = ()) -> None:
        opened = self._safe_call(team_id, lambda c: c.conversations_open(users=user_id))
        channel = opened.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str):
            raise ChatError("no_channel", f"conversations.open gave no channel for {user_id}")
        self.post_message(team_id=team_id, channel=channel_id, text=text, blocks=blocks)

    def _safe_call(self, team_id: str, call: Callable[[WebClient], Any]) -> Any:
        try:
            return call(self.client(team_id))
        except SlackApiError as exc:
            raise ChatError(_error_code(exc), str(exc.response.status_code)) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ChatError("connection_failed", f"{type(exc).__name__}: {exc}") from exc


def _error_code(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    code = data.get("error")
    if isinstance(code, str):
        return code
    return f"http_{exc.response.status_code}"


def _post_error(exc: SlackApiError) -> ChatError:
    """What a refused chat.postMessage means for whether the post exists."""
    status = exc.response.status_code
    code = _error_code(exc)
    if status >= 500:
        return PostUnknown(code, f"Slack answered HTTP {status}")
    if code in CHANNEL_ERRORS:
        return ChannelUnavailable(code)
    # A 429 after every retry, or an error Slack answered with ok=false: nothing was posted.
    return PostNotTaken(code, f"Slack answered HTTP {status}")
