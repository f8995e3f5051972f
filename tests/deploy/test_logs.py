"""Log lines: one per event, JSON or text, with workspace/round/user ids, never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import (
    ContextFilter,
    JsonFormatter,
    TextFormatter,
    gunicorn_config,
    log_context,
    redact,
)
from bot.slack.request_log import describe

Capture = tuple[logging.Logger, io.StringIO, logging.Handler]


@pytest.fixture
def capture() -> Iterator[Capture]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("k8sq.test.logs")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream, handler
    logger.removeHandler(handler)


def test_a_json_line_carries_the_context_ids(
    capture: Capture,
) -> None:
    logger, stream, handler = capture
    handler.setFormatter(JsonFormatter())
    with log_context(team_id="T0A", user_id="U0B"), log_context(round_id=7):
        logger.info("answer scored %s of %s", 3, 4)
    logger.info("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "answer scored 3 of 4"
    assert (first["team_id"], first["user_id"], first["round_id"]) == ("T0A", "U0B", 7)
    assert first["level"] == "INFO" and first["logger"] == "k8sq.test.logs"
    assert "team_id" not in second, "the context ends with the block"


def test_extra_ids_win_over_the_context(
    capture: Capture,
) -> None:
    logger, stream, handler = capture
    handler.setFormatter(JsonFormatter())
    with log_context(team_id="T0A"):
        logger.warning("reveal", extra={"team_id": "T0B", "round_id": 9})
    line = json.loads(stream.getvalue())
    assert (line["team_id"], line["round_id"]) == ("T0B", 9)


def test_text_lines_end_with_the_ids(
    capture: Capture,
) -> None:
    logger, stream, handler = capture
    handler.setFormatter(TextFormatter())
    with log_context(team_id="T0A", round_id=3):
        logger.info("posted")
    assert stream.getvalue().rstrip().endswith("k8sq.test.logs: posted team_id=T0A round_id=3")


def test_tokens_secrets_and_oauth_codes_are_redacted_in_messages_and_errors(
    capture: Capture,
) -> None:
    logger, stream, handler = capture
    handler.setFormatter(JsonFormatter())
    try:
        raise RuntimeError("auth failed for xoxb-1234-5678-abcdef")
    except RuntimeError:
        logger.exception(
            "GET /slack/oauth_redirect?code=123.456.abc&state=f00 with xapp-1-A0-99 and "
            "postgresql+psycopg://k8sq:hunter2@db/k8sq"
        )
    text = stream.getvalue()
    line = json.loads(text)
    for secret in ("xoxb-1234", "123.456.abc", "f00", "xapp-1-A0", "hunter2"):
        assert secret not in text
    assert "code=***&state=***" in line["message"]
    assert "k8sq:***@db" in line["message"]
    assert "RuntimeError" in line["error"] and "xox?-***" in line["error"]


def test_redact_leaves_ordinary_text_alone() -> None:
    plain = "round 7 of T0A posted in C0123 at 09:30 (Pod 的 pause 容器)"
    assert redact(plain) == plain


def test_context_fields_are_checked() -> None:
    with pytest.raises(TypeError, match="answer_text"), log_context(answer_text="secret"):
        pass


def test_slack_requests_are_described_without_their_text() -> None:
    submission = {
        "type": "view_submission",
        "view": {
            "callback_id": "k8sq.answer_modal",
            "private_metadata": '{"round": 12, "lang": "en"}',
            "state": {"values": {"answer": {"text": {"value": "MY PRIVATE ANSWER"}}}},
        },
    }
    what, round_id = describe(submission)
    assert (what, round_id) == ("view_submission k8sq.answer_modal", 12)
    assert describe({"command": "/k8sq", "text": "pods please"}) == ("command /k8sq", None)
    assert describe(
        {"type": "block_actions", "actions": [{"action_id": "k8sq.answer", "value": "5"}]}
    ) == (
        "action k8sq.answer",
        5,
    )
    assert describe({"type": "event_callback", "event": {"type": "app_home_opened"}}) == (
        "event app_home_opened",
        None,
    )
    assert (
        describe({"type": "view_submission", "view": {"private_metadata": "not json"}})[1] is None
    )


def test_gunicorn_logs_in_the_same_format() -> None:
    config = gunicorn_config("json")
    formatter = config["formatters"]["k8sq"]["()"]()
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "GET /slack/install?state=abc 200", (), None
    )
    line = json.loads(formatter.format(record))
    assert line["logger"] == "gunicorn.access"
    assert line["message"] == "GET /slack/install?state=*** 200"
    for name in ("gunicorn.access", "gunicorn.error"):
        assert config["loggers"][name]["handlers"] == ["stderr"]
    assert config["handlers"]["stderr"]["filters"] == ["ids"]


def test_the_log_format_setting_takes_text_or_json() -> None:
    from bot.config import ConfigError, load_settings

    assert load_settings({}, env_file=None).log_format == "text"
    assert load_settings({"K8SQ_LOG_FORMAT": "JSON"}, env_file=None).log_format == "json"
    with pytest.raises(
        ConfigError, match="K8SQ_LOG_FORMAT='yaml' is not valid: expected text or json"
    ):
        load_settings({"K8SQ_LOG_FORMAT": "yaml"}, env_file=None)
