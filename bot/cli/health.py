"""`k8sq health`: exit 0 when the database answers and this container's roles are alive.

The check each compose service runs: the scheduler role and Socket Mode by their heartbeat
files, the web role by asking its own `/healthz` (which checks the database too).
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from typing import Any, TextIO

from bot.config import ConfigError, Settings, load_settings

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    health = subparsers.add_parser(
        "health",
        help="exit 0 when the database answers and this container's roles are alive",
        description=(
            "Check the database, then the role: the scheduler and Socket Mode by their "
            "heartbeat (written each tick / while connected), the web role by its /healthz on "
            "PORT. Without --role, every heartbeat this container has written must be fresh. "
            "Exit 0 when healthy, 1 when not, 2 on a bad setting."
        ),
    )
    health.add_argument("--role", choices=("web", "scheduler", "socket"), help="the role to check")
    health.add_argument(
        "--max-age",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how old a heartbeat may be (default 180)",
    )
    health.set_defaults(func=health_command)


def health_command(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"k8sq: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return check(settings, role=args.role, max_age=args.max_age, out=sys.stdout)


def check(
    settings: Settings, *, role: str | None, max_age: float | None = None, out: TextIO
) -> int:
    """Print one line per check; return the exit code."""
    from bot.health import DEFAULT_MAX_AGE, ROLES, Heartbeat, database_problem, health_engine

    engine = health_engine(settings.database_url)
    try:
        problem = database_problem(engine)
    finally:
        engine.dispose()
    if problem is not None:
        print(f"database: {problem}", file=out)
        return EXIT_UNHEALTHY
    print("database: ok", file=out)

    if role == "web":
        return _check_web(settings.port, out)
    limit = DEFAULT_MAX_AGE if max_age is None else max_age
    beats = [Heartbeat(r, settings.heartbeat_dir) for r in ([role] if role else ROLES)]
    if role is None:
        beats = [b for b in beats if b.age() is not None]
        if not beats:
            print("no heartbeat yet: no scheduler or Socket Mode has run here", file=out)
            return EXIT_UNHEALTHY
    code = EXIT_OK
    for beat in beats:
        age = beat.age()
        if age is None:
            print(f"{beat.role}: no heartbeat yet at {beat.path}", file=out)
            code = EXIT_UNHEALTHY
        elif age > limit:
            print(f"{beat.role}: last heartbeat {age:.0f}s ago (more than {limit:.0f}s)", file=out)
            code = EXIT_UNHEALTHY
        else:
            print(f"{beat.role}: heartbeat {age:.0f}s ago", file=out)
    return code


def _check_web(port: int, out: TextIO) -> int:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    except OSError as exc:
        print(f"web: {url} does not answer ({exc})", file=out)
        return EXIT_UNHEALTHY
    if status != 200:
        print(f"web: {url} answered {status}", file=out)
        return EXIT_UNHEALTHY
    print(f"web: {url} answered 200", file=out)
    return EXIT_OK
