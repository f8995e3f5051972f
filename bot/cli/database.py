"""`k8sq db upgrade | current` and `k8sq regrade`: the database from the command line.

The database is DATABASE_URL, else k8sq.db in K8SQ_DATA_DIR (default: the working
directory), read from the environment over `.env`. An unreachable database, or one newer
than the code, is one line on stderr and exit code 2; its password is never shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from sqlalchemy import Engine

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_DATABASE = 2


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="migrate or inspect the database")
    sub = db.add_subparsers(dest="db_command", metavar="COMMAND")
    upgrade = sub.add_parser(
        "upgrade",
        help="apply the migrations and copy the question bank into the database",
        description=(
            "Migrate the database to this code's revision, then sync the questions by id and "
            "content version. Refuses a database migrated by a newer k8sq."
        ),
    )
    upgrade.set_defaults(func=run_upgrade)
    current = sub.add_parser("current", help="show the database's revision and the code's")
    current.set_defaults(func=run_current)
    db.set_defaults(func=lambda _args: _usage(db))

    regrade = subparsers.add_parser(
        "regrade",
        help="regrade stored answers with the current question bank",
        description=(
            "Grade every scored answer again with the current bank (or one question's), record "
            "every change of points with the old and new values; the leaderboards follow."
        ),
    )
    regrade.add_argument("--question", metavar="ID", help="only the answers to this question")
    regrade.add_argument(
        "--workers",
        type=int,
        default=min(8, os.cpu_count() or 1),
        metavar="N",
        help="grading processes (default: one per CPU, up to 8)",
    )
    regrade.set_defaults(func=run_regrade)


def _usage(parser: Any) -> int:
    parser.print_help(sys.stderr)
    return EXIT_DATABASE


def environment() -> dict[str, str]:
    """The process environment over `.env` in the working directory."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    values.update(os.environ)
    return values


class CommandError(Exception):
    """One line for the person, and the exit code."""

    def __init__(self, message: str, code: int = EXIT_DATABASE) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def _engine(environ: Mapping[str, str]) -> Iterator[Engine]:
    from bot.store.engine import DatabaseUrlError, create_engine_for, database_url

    try:
        url = database_url(environ)
    except DatabaseUrlError as exc:
        raise CommandError(str(exc)) from None
    engine = create_engine_for(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _run(body: Any, err: TextIO) -> int:
    from bot.store.migrate import DatabaseError

    try:
        code: int = body()
    except DatabaseError as exc:
        print(f"k8sq: {exc}", file=err)
        return EXIT_DATABASE
    except CommandError as exc:
        print(f"k8sq: {exc}", file=err)
        return exc.code
    return code


def run_upgrade(
    _args: Any, *, environ: Mapping[str, str] | None = None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = sys.stderr

    def body() -> int:
        from bot.cli.grading import load_for_cli, safe
        from bot.store.engine import mask_url
        from bot.store.migrate import upgrade
        from bot.store.sql_store import SqlStore

        with _engine(environ if environ is not None else environment()) as engine:
            shown = mask_url(engine.url.render_as_string(hide_password=False))
            before, after = upgrade(engine)
            if before == after:
                print(f"database {shown}: at revision {after}, nothing to migrate", file=out)
            else:
                print(f"database {shown}: migrated from {before or 'empty'} to {after}", file=out)
            loaded = load_for_cli(None, err)
            if loaded is None:
                print("k8sq: questions not synced: fix the bank first", file=err)
                return EXIT_FAILED
            store = SqlStore(engine)
            changed = store.sync_questions(loaded.bank.questions)
            print(
                safe(f"questions: {len(loaded.bank.questions)} in the bank, {changed} synced"),
                file=out,
            )
        return EXIT_OK

    return _run(body, err)


def run_current(
    _args: Any, *, environ: Mapping[str, str] | None = None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout

    def body() -> int:
        from bot.store.engine import mask_url
        from bot.store.migrate import check_not_newer, head_revision

        with _engine(environ if environ is not None else environment()) as engine:
            url = engine.url.render_as_string(hide_password=False)
            revision = check_not_newer(engine)
            head = head_revision(url)
            state = "up to date" if revision == head else "run `k8sq db upgrade`"
            print(
                f"database {mask_url(url)}: revision {revision or 'empty'}, code {head} ({state})",
                file=out,
            )
        return EXIT_OK

    return _run(body, sys.stderr)


def run_regrade(
    args: Any, *, environ: Mapping[str, str] | None = None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = sys.stderr

    def body() -> int:
        from bot.cli.grading import grader, load_for_cli, safe
        from bot.domain.model import UnknownQuestion
        from bot.ports import SystemClock
        from bot.services import Services
        from bot.store.migrate import check_not_newer, head_revision
        from bot.store.sql_store import SqlStore

        loaded = load_for_cli(None, err)
        if loaded is None:
            return EXIT_FAILED
        with _engine(environ if environ is not None else environment()) as engine:
            url = engine.url.render_as_string(hide_password=False)
            if check_not_newer(engine) != head_revision(url):
                raise CommandError("the database is not migrated: run `k8sq db upgrade` first")
            services = Services(
                store=SqlStore(engine), bank=loaded.bank, clock=SystemClock(), grader=grader()
            )
            services.sync_bank()
            try:
                report = services.regrade(
                    args.question, by="k8sq regrade", workers=max(1, args.workers)
                )
            except UnknownQuestion as exc:
                raise CommandError(safe(str(exc)), EXIT_FAILED) from None
        for change in report.changes:
            print(
                safe(
                    f"answer {change.answer_id} (round {change.round_id}, {change.user_id}): "
                    f"{change.old_points:g} -> {change.new_points:g}"
                ),
                file=out,
            )
        kept = f", {report.kept} kept the points an admin set" if report.kept else ""
        print(f"regraded {report.examined} answers, {len(report.changes)} changed{kept}", file=out)
        return EXIT_OK

    return _run(body, err)
