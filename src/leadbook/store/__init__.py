"""Queries, one module per aggregate. Each function takes a Connection the caller owns."""

from __future__ import annotations

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
    SQLAlchemy would store it (its own type processors).

    A column left empty (None) in a row is left out of its INSERT, which stores the same NULL
    (no leadbook column has a default): the rows are inserted in groups with the same columns
    filled. Binding a parameter costs Python's sqlite3 about a microsecond, a None as much as
    a value, and a card has 55 columns of which an import fills 10 to 20 (customers, 100,000
    rows: 5.3 s -> 2.6 s)."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    # The dialect's own processors (a generic type has none of its own): SQLite stores dates
    # as SQLAlchemy formats them ('2026-03-18 09:00:00.000000'), and text compares rightly
    # only when every row of a column has the same form.
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    convert = [
        (i, _memo(p) if _is_temporal(table.c[c].type) else p)
        for i, (c, p) in enumerate(zip(columns, processors, strict=True))
        if p is not None
    ]
    getter = itemgetter(*columns)
    groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        values = getter(row)
        if not isinstance(values, tuple):
            values = (values,)
        if convert:
            as_list = list(values)
            for i, process in convert:
                if as_list[i] is not None:
                    as_list[i] = process(as_list[i])
            values = tuple(as_list)
        filled = tuple(i for i, v in enumerate(values) if v is not None)
        groups.setdefault(filled, []).append(tuple(values[i] for i in filled))
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    for filled, params in groups.items():
        names = [quote(columns[i]) for i in filled]
        if not names:  # pragma: no cover - every leadbook row has a value that is not NULL
            conn.exec_driver_sql(
                f"INSERT INTO {quote(table.name)} DEFAULT VALUES", [()] * len(params)
            )
            continue
        if dialect.name != "postgresql":
            marks = ", ".join([mark] * len(names))
            conn.exec_driver_sql(
                f"INSERT INTO {quote(table.name)} ({', '.join(names)}) VALUES ({marks})", params
            )
            continue
        # PostgreSQL: every row in one statement, a column an array (its statement triggers,
        # such as the cards' reach, then run once for all of them; COPY would too, but
        # row-level security refuses it to a salesperson, and a VALUES list of many rows
        # costs psycopg seconds to parse)
        arrays = ", ".join(
            f"%s::{table.c[columns[i]].type.compile(dialect=dialect)}[]" for i in filled
        )
        conn.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({', '.join(names)}) SELECT * FROM unnest({arrays})",
            tuple(list(column) for column in zip(*params, strict=True)),
        )


def _is_temporal(type_: Any) -> bool:
    from sqlalchemy import Date, DateTime

    return isinstance(type_, Date | DateTime)


def _memo(process: Any) -> Any:
    """A processor that converts each distinct value once: imports repeat a few dates."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = out = process(value)
            return out

    return convert


def delete_for_cards(conn: Any, table: Any, ids: list[int]) -> None:
    """Delete the rows of ``table`` that belong to the cards ``ids`` (in slices of 500)."""
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        conn.execute(table.delete().where(table.c.customer_id.in_(part)))
