"""Queries, one module per aggregate. Each function takes a Connection the caller owns."""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter
from typing import Any


def inserted_id(result: Any) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every leadbook table has an integer key
        raise RuntimeError("the database returned no key for the new row")
    return int(key[0])


def bulk_insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with the driver's executemany and plain tuples: several times faster
    than executemany through SQLAlchemy's compiler (PERF.md), with each value stored exactly as
    SQLAlchemy would store it (its own type processors)."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    getter = itemgetter(*columns)
    convert = [(i, p) for i, p in enumerate(processors) if p is not None]
    if dialect.name == "sqlite":
        # SQLAlchemy leaves dates to the sqlite3 module's adapters (ISO text); do the same here,
        # once per distinct value: imports repeat the same few dates on every row.
        dated = [i for i, c in enumerate(columns) if _is_temporal(table.c[c].type)]
        convert += [(i, _iso_memo()) for i in dated if processors[i] is None]
    params: list[Any] = []
    for row in rows:
        values = getter(row)
        if not isinstance(values, tuple):
            values = (values,)
        if convert:
            as_list = list(values)
            for i, process in convert:
                as_list[i] = process(as_list[i])
            values = tuple(as_list)
        params.append(values)
    conn.exec_driver_sql(sql, params)


def _is_temporal(type_: Any) -> bool:
    from sqlalchemy import Date, DateTime

    return isinstance(type_, Date | DateTime)


def _iso_memo() -> Any:
    """date -> '2026-03-18', datetime -> '2026-03-18 09:30:00', as sqlite3's adapters write
    them, remembered per value."""
    seen: dict[Any, Any] = {}

    def iso(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            if isinstance(value, datetime):
                text: Any = value.isoformat(" ")
            elif isinstance(value, date):
                text = value.isoformat()
            else:
                text = value
            seen[value] = text
            return text

    return iso
