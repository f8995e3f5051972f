"""Statements compiled once and run straight on the database driver, for the answer's path.

SQLAlchemy's execution of a prebuilt statement (the connection's events, the execution
context, the bound values, the result) costs more than SQLite takes to run an answer's INSERT:
about 90 of the 150 microseconds the store spent on an answer. A DriverStatement keeps what
SQLAlchemy decides (the SQL of its compilation, the conversion of each value by its column's
type, the wrapping of the driver's errors) and skips the rest, the SQLAlchemy connection
included: it runs on a pooled connection of the driver. The bot uses it for the answer's
INSERT and Home tab lookup on SQLite only, where the driver is in autocommit (each statement a
transaction of its own); everything else goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class DriverStatement:
    """A Core statement compiled for one dialect (with positional parameters), run on a
    connection of the driver, its errors raised as SQLAlchemy raises them."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not bind values by position")
        self.sql = compiled.string
        # Each value in the order of the SQL's placeholders (a name may come more than once),
        # with its column type's conversion for this dialect (None: passed as it is) and the
        # value written in the statement, for a name the caller does not give.
        self._values: tuple[tuple[str, Callable[[Any], Any] | None, Any], ...] = tuple(
            (
                name,
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                compiled.binds[name].effective_value,
            )
            for name in compiled.positiontup
        )
        self._error: type[Exception] = dialect.loaded_dbapi.Error

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters for `values`, as SQLAlchemy would send them."""
        return tuple(
            values.get(name, written) if convert is None else convert(values.get(name, written))
            for name, convert, written in self._values
        )

    def run(self, driver: Any, values: Mapping[str, Any]) -> Any:
        """Execute on a driver connection (`Engine.raw_connection()`, or a Connection's
        `.connection`); the driver's cursor, to be read at once."""
        parameters = self.parameters(values)
        cursor = driver.cursor()
        try:
            cursor.execute(self.sql, parameters)
        except self._error as exc:
            raise DBAPIError.instance(self.sql, parameters, exc, self._error) from exc
        return cursor
