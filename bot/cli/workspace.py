"""`k8sq workspace list | set | erase`: the operators' view of the workspaces k8sq serves.

`set` changes a workspace's settings from the command line (the channel, times, time zone,
admins), validated like the settings changed in Slack. `erase` deletes everything k8sq keeps
about a workspace: uninstalling the app deletes only its tokens, so the rounds, answers and
scores stay and a reinstall picks up where it left off; an admin who wants them gone asks an
operator to run this. Without --yes it only counts what it would delete.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.exc import DBAPIError

from bot.config import ConfigError, load_settings, parse_admins
from bot.domain.model import DomainError
from bot.domain.records import WorkspaceSettings

if TYPE_CHECKING:
    from bot.bootstrap import Bot

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,}")


def register(subparsers: Any) -> None:
    workspace = subparsers.add_parser(
        "workspace", help="manage the workspaces k8sq keeps", description=__doc__
    )
    sub = workspace.add_subparsers(dest="workspace_command", metavar="COMMAND", required=True)
    erase = sub.add_parser(
        "erase",
        help="delete a workspace's settings, rounds, answers, scores and tokens",
        description=(
            "Delete everything k8sq keeps about the workspace: its settings, rounds, answers, "
            "practice, score changes, scheduled-run records and Slack tokens. Without --yes, "
            "count what would go and delete nothing."
        ),
    )
    erase.add_argument("team_id", metavar="TEAM_ID", help="the workspace's Slack team id, T...")
    erase.add_argument("--yes", action="store_true", help="really delete")
    erase.set_defaults(func=erase_command)

    listing = sub.add_parser("list", help="list the workspaces and their settings")
    listing.set_defaults(func=list_command)

    change = sub.add_parser(
        "set",
        help="change a workspace's settings",
        description="Change the named settings of a workspace; the others stay as they are.",
    )
    change.add_argument("team_id", metavar="TEAM_ID", help="the workspace's Slack team id, T...")
    change.add_argument("--channel", help="the channel id to post in, e.g. C0123ABCD")
    change.add_argument("--post-time", metavar="HH:MM", help="when the question is posted")
    change.add_argument("--close-time", metavar="HH:MM", help="when answers close")
    change.add_argument("--timezone", metavar="ZONE", help="an IANA name, e.g. Asia/Shanghai")
    change.add_argument("--weekdays", metavar="DAYS", help="e.g. mon-fri or mon,wed,fri")
    change.add_argument("--language", choices=("zh", "en"))
    change.add_argument(
        "--admins", metavar="U1,U2", help="the admins' Slack user ids, comma-separated"
    )
    pause = change.add_mutually_exclusive_group()
    pause.add_argument("--pause", action="store_true", help="stop posting questions")
    pause.add_argument("--resume", action="store_true", help="post questions again")
    change.set_defaults(func=set_command)


def _describe(ws: WorkspaceSettings) -> str:
    from bot.config import format_weekdays

    return (
        f"{ws.team_id}: channel {ws.channel_id or '(none: idle)'}, "
        f"{ws.post_time:%H:%M}-{ws.close_time:%H:%M} {ws.timezone} "
        f"{format_weekdays(frozenset(ws.weekdays))}, {ws.language}, "
        f"admins {','.join(ws.admins) or '(none)'}{', paused' if ws.paused else ''}"
    )


def _bot(err: TextIO) -> Bot | None:
    from bot.bootstrap import StartError, build

    try:
        bot = build(load_settings())
        bot.prepare_database(migrate=False)
    except (ConfigError, StartError) as exc:
        print(f"k8sq: {exc}", file=err)
        return None
    return bot


def list_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    bot = _bot(sys.stderr)
    if bot is None:
        return EXIT_USAGE
    try:
        for ws in bot.services.list_workspaces():
            print(_describe(ws), file=out)
    finally:
        bot.close()
    return EXIT_OK


def set_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("channel_id", args.channel),
            ("post_time", args.post_time),
            ("close_time", args.close_time),
            ("timezone", args.timezone),
            ("weekdays", args.weekdays),
            ("language", args.language),
        )
        if value is not None
    }
    if args.admins is not None:
        try:
            changes["admins"] = parse_admins("--admins", args.admins)
        except ConfigError as exc:
            print(f"k8sq: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.pause or args.resume:
        changes["paused"] = bool(args.pause)
    if not changes:
        print("k8sq: nothing to change: name a setting, e.g. --channel C0123ABCD", file=sys.stderr)
        return EXIT_USAGE
    bot = _bot(sys.stderr)
    if bot is None:
        return EXIT_USAGE
    try:
        updated = bot.services.update_settings(str(args.team_id).strip(), **changes)
    except DomainError as exc:
        print(f"k8sq: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        bot.close()
    print(_describe(updated), file=out)
    return EXIT_OK


def erase_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    team_id = str(args.team_id).strip()
    if not _TEAM_ID.fullmatch(team_id):
        print(f"k8sq: {team_id!r} is not a Slack team id (like T0123ABCD)", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"k8sq: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from bot.store.engine import create_engine_for
    from bot.store.migrate import describe_failure

    engine = create_engine_for(settings.database_url)
    try:
        with engine.begin() as conn:
            counts = erase(conn, team_id, dry_run=not args.yes)
    except DBAPIError as exc:
        print(f"k8sq: {describe_failure(engine, exc)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    if not any(counts.values()):
        print(f"k8sq: k8sq keeps nothing about workspace {team_id}", file=sys.stderr)
        return EXIT_USAGE
    listed = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    if not args.yes:
        print(f"{team_id}: would delete {listed}; nothing deleted (add --yes to erase)", file=out)
        return EXIT_OK
    print(f"{team_id}: deleted {listed}", file=out)
    return EXIT_OK


def erase(conn: Connection, team_id: str, *, dry_run: bool = False) -> dict[str, int]:
    """Delete (or, `dry_run`, count) the workspace's rows, table by table, children first."""
    from bot.store import tables

    answer_ids = select(tables.answers.c.id).where(tables.answers.c.team_id == team_id)
    steps: list[tuple[str, Table, Any]] = [
        ("disputes", tables.disputes, tables.disputes.c.team_id == team_id),
        ("Home tabs", tables.home_tabs, tables.home_tabs.c.team_id == team_id),
        ("score changes", tables.score_changes, tables.score_changes.c.answer_id.in_(answer_ids)),
        ("answers", tables.answers, tables.answers.c.team_id == team_id),
        (
            "practice answers",
            tables.practice_attempts,
            tables.practice_attempts.c.team_id == team_id,
        ),
        ("rounds", tables.rounds, tables.rounds.c.team_id == team_id),
        ("run records", tables.run_claims, tables.run_claims.c.team_id == team_id),
        ("Slack bot tokens", tables.slack_bots, tables.slack_bots.c.team_id == team_id),
        (
            "Slack installations",
            tables.slack_installations,
            tables.slack_installations.c.team_id == team_id,
        ),
        ("workspace settings", tables.workspaces, tables.workspaces.c.team_id == team_id),
    ]
    counts: dict[str, int] = {}
    for name, table, where in steps:
        counted = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        counts[name] = int(counted)
        if not dry_run and counted:
            conn.execute(delete(table).where(where))
    return counts
