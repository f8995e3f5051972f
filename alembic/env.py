"""Alembic's entry: the app's database setting, its tables, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.store.engine import create_engine_for, database_url
from bot.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # `k8sq db upgrade` and the tests pass their URL in; a plain `alembic` reads the
    # environment like the app does.
    configured = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return str(configured) if configured else database_url()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine_for(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
