"""Logging: one line per event, as text or JSON, carrying the workspace, round and user ids.

`configure()` sets the root logger up once per process; `log_context()` names the workspace,
round and user that the lines logged inside it are about (a context variable, so each
request's thread sees its own). Every line goes through `redact()`: Slack tokens, the
`code`/`state` of an OAuth redirect and a password in a database URL never reach the log, and
answer text is not logged at INFO by any of our modules.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

Format = Literal["text", "json"]

# The ids a line may carry; each is a record attribute of the same name.
CONTEXT_FIELDS = ("team_id", "round_id", "user_id")
_context: ContextVar[dict[str, str | int]] = ContextVar("k8sq_log_context")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(ids)s"

_SECRETS = (
    # Slack tokens: bot, user, app-level, refresh, configuration.
    (re.compile(r"\bxox[abeoprs]-[A-Za-z0-9-]+"), "xox?-***"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-***"),
    # The one-time code and state of an OAuth redirect, as an access log shows the URL.
    (re.compile(r"\b(code|state|client_secret)=[^&\s\"']+"), r"\1=***"),
    # A password in a database URL.
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
)


def redact(text: str) -> str:
    """`text` with tokens, OAuth codes and URL passwords replaced by ***."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


@contextmanager
def log_context(**ids: str | int | None) -> Iterator[None]:
    """Tag the lines logged inside with these ids (team_id, round_id, user_id)."""
    unknown = set(ids) - set(CONTEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown log context field(s): {', '.join(sorted(unknown))}")
    merged = {**_context.get({}), **{k: v for k, v in ids.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str | int]:
    return dict(_context.get({}))


class ContextFilter(logging.Filter):
    """Copy the context's ids onto each record, unless the call passed them in `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get({}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _ids(record: logging.LogRecord) -> dict[str, Any]:
    return {
        name: getattr(record, name)
        for name in CONTEXT_FIELDS
        if getattr(record, name, None) is not None
    }


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message team_id=T round_id=7`, secrets redacted."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        ids = _ids(record)
        record.ids = "".join(f" {k}={v}" for k, v in ids.items())
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, and any error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **_ids(record),
        }
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["error"] = redact(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(fmt: Format) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours: `configure()` replaces it, and leaves other handlers (a test's capture) alone."""


def handler(fmt: Format) -> logging.Handler:
    """A stderr handler with the format, the context filter attached."""
    out = _Handler()
    out.setFormatter(formatter(fmt))
    out.addFilter(ContextFilter())
    return out


# Their INFO lines (each migration step, each minute's tick) drown out the bot's own.
QUIET_LOGGERS = ("alembic", "apscheduler.executors", "apscheduler.scheduler")


def configure(fmt: Format = "text", level: int = logging.INFO) -> None:
    """Send every logger's lines to stderr in `fmt` (replacing the handler set up before)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler(fmt))
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def gunicorn_config(fmt: Format) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error and access lines in our format, to stderr."""
    factory: Callable[[], logging.Formatter] = JsonFormatter if fmt == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"k8sq": {"()": factory}},
        "filters": {"ids": {"()": ContextFilter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "k8sq",
                "filters": ["ids"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET_LOGGERS},
        },
    }
