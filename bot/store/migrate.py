"""Apply the Alembic migrations, refusing a database newer than the code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.store.engine import mask_url

ROOT = Path(__file__).resolve().parents[2]


class DatabaseError(Exception):
    """A database k8sq cannot use; the message is one line that names it, password masked."""


class DatabaseUnreachable(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


def alembic_config(url: str) -> Config:
    """Alembic's settings from alembic.ini, pointed at `url`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    return config


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None when empty); DatabaseUnreachable if it cannot be reached."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as exc:
        raise DatabaseUnreachable(describe_failure(engine, exc)) from None


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds of error for an unknown revision
        return False


def check_not_newer(engine: Engine) -> str | None:
    """Refuse (DatabaseTooNew) a database migrated by a newer k8sq; return its revision."""
    url = engine.url.render_as_string(hide_password=False)
    revision = current_revision(engine)
    script = ScriptDirectory.from_config(alembic_config(url))
    if revision is not None and not _known(script, revision):
        raise DatabaseTooNew(
            f"the database {mask_url(url)} is at revision {revision}, newer than this code "
            f"(which knows up to {script.get_current_head()}): upgrade k8sq or use another "
            "database"
        )
    return revision


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database to `revision`; return its revisions (before, after)."""
    before = check_not_newer(engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except DBAPIError as exc:
        raise DatabaseUnreachable(describe_failure(engine, exc)) from None
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def describe_failure(engine: Engine, exc: DBAPIError) -> str:
    """One line: which database (password masked) and the driver's first line of why."""
    url = engine.url.render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    password = engine.url.password
    if password:
        reason = reason.replace(str(password), "***")
    return f"cannot use the database {url}: {reason}"
