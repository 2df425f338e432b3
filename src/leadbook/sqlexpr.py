"""The few SQL expressions that differ between SQLite and PostgreSQL, or that every screen
reading stages needs, written once for the queries of the services (the running totals'
triggers carry their own text: leadbook.store.tallies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leadbook.domain import STAGE_INDEX


def stage_index(column: Any) -> ColumnElement[int]:
    """A stage's place in the funnel (prospect 0 ... won 5); lost and unknown -1."""
    return case(dict(STAGE_INDEX), value=column, else_=-1)


def days_between(conn: Connection, start: Any, end: Any) -> ColumnElement[Any]:
    """Days (with their fraction) from ``start`` to ``end``."""
    if conn.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def greatest(conn: Connection, *args: Any) -> ColumnElement[Any]:
    """The largest of several values (SQLite's max() with several arguments is scalar)."""
    if conn.dialect.name == "sqlite":
        return func.max(*args)
    return func.greatest(*args)
