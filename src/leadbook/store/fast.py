"""Reading and writing a SQLite book without SQLAlchemy, for the commands typed all day
(issue 15).

SQLAlchemy costs a command about 0.3 s of imports; the query itself a few milliseconds. The
statements stay SQLAlchemy's (``customers.statement``, one per ``find`` key: `list` and
`search`; ``calls.statement``, one per key of ``agenda`` (`due`, `show`, `journal`) and of
``writes`` (`add`, `log`, `grade`, `stage`, `lost`)); their SQLite text, the order of their
parameters and the types of their columns are compiled once, by ``scripts/compile_sql.py``,
into ``compiled_sql.jsonl`` beside this module, and ``Reader`` and ``Writer`` run them with
the standard sqlite3 module, turning values to and from stored text as SQLAlchemy's SQLite
dialect does. tests/test_fast.py fails when the file differs from what SQLAlchemy compiles
now.

``reading`` and ``write`` open the book as ``db.Book`` does (the same file, pragmas, busy
timeout; a writer's BEGIN IMMEDIATE, retried while another process writes) and only when
nothing else is to be done first: a PostgreSQL book, a missing file, a book at an older
schema (the full path upgrades it), an erasure's pending checkpoint or
``LEADBOOK_FULL_STACK=1`` take the full path, as does a statement the file does not hold (a
write then rolls back and runs whole on the full path).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from leadbook.store import db
from leadbook.store.writes import Missing, Ran

if TYPE_CHECKING:
    from sqlalchemy.sql import Executable

COMPILED = Path(__file__).with_name("compiled_sql.jsonl")
T = TypeVar("T")
DIALECT = "sqlite"


def _sql_datetime(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format: always with microseconds
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


# How a value of each type is read from and written to SQLite, as SQLAlchemy's SQLite dialect
# does (compile() checks that the dialect still does so: _check_processors).
_FROM_SQL: dict[str, Callable[[Any], Any]] = {
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "bool": bool,
}
_TO_SQL: dict[str, Callable[[Any], Any]] = {
    "date": date.isoformat,
    "datetime": _sql_datetime,
    "bool": int,
    "float": float,  # read as SQLite gives it
}


@cache
def _compiled_text() -> str:
    try:
        return COMPILED.read_text(encoding="utf-8")
    except OSError:
        return ""


@cache
def statement(key: str) -> dict[str, Any] | None:
    """The compiled statement ``key``: one line of the file, ``["KEY", {...}]``, found as
    text and parsed alone (the whole file would take ten times longer to parse), once a
    process: the journal asks for one statement per missed card, the audit trail per row."""
    text = _compiled_text()
    start = text.find(f'\n["{key}", ')
    if start < 0:
        return None
    end = text.find("\n", start + 1)
    entry: dict[str, Any] = json.loads(text[start : end if end >= 0 else None])[1]
    return entry


def dump(compiled: dict[str, dict[str, Any]]) -> str:
    """The text of the compiled file: a line of comment, then one statement a line."""
    lines = [f"# {len(compiled)} statements compiled by scripts/compile_sql.py: do not edit"]
    lines += [json.dumps([key, entry], ensure_ascii=False) for key, entry in compiled.items()]
    return "\n".join(lines) + "\n"


class Reader:
    """A ``find.Runner`` over a sqlite3 connection and the compiled statements."""

    dialect = DIALECT

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        compiled, values = _bound(key, params)
        columns = compiled["columns"]
        convert = [
            (n, _FROM_SQL[kind]) for n, (_name, kind) in enumerate(columns) if kind in _FROM_SQL
        ]
        cursor = self.conn.execute(compiled["sql"], values)
        names = [name for name, _kind in columns] or [d[0] for d in cursor.description]
        out = []
        for row in cursor:
            if convert:
                row = list(row)
                for n, to in convert:
                    if row[n] is not None:
                        row[n] = to(row[n])
            out.append(dict(zip(names, row, strict=True)))
        return out


class Writer(Reader):
    """A ``writes.Runner``: a ``Reader`` that also runs the compiled writes, in the write
    transaction ``write`` holds."""

    def run(self, key: str, params: dict[str, Any]) -> Ran:
        compiled, values = _bound(key, params)
        cursor = self.conn.execute(compiled["sql"], values)
        inserted = cursor.lastrowid if compiled["sql"].startswith("INSERT") else None
        return Ran(inserted, cursor.rowcount)


def _bound(key: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The compiled statement ``key`` and its parameters' values in order, each as SQLAlchemy
    would store it."""
    compiled = statement(key)
    if compiled is None:
        raise Missing(key)
    values = []
    for name, kind, default in compiled["params"]:
        value = params.get(name, default)
        if value is not None and kind in _TO_SQL:
            value = _TO_SQL[kind](value)
        values.append(value)
    return compiled, values


def _connect(path: Path, begin: str = "BEGIN") -> sqlite3.Connection | None:
    """The book's file opened as ``db.create_engine`` opens it, in a transaction begun with
    ``begin`` (a writer's: BEGIN IMMEDIATE, retried as ``Book.write`` does while another
    process writes); None when it is not at the current schema."""
    conn = sqlite3.connect(os.path.abspath(path), timeout=db.BUSY_TIMEOUT_MS / 1000)
    try:
        db.configure_sqlite(conn)
        _begin(conn, begin)
        if conn.execute(db.SQLITE_HAS_REVISION).fetchone() is None:
            conn.close()
            return None
        found = conn.execute(db.READ_REVISION).fetchone()
    except BaseException:
        conn.close()
        raise
    if found is None or str(found[0]) != db.SCHEMA_HEAD:
        conn.close()
        return None
    return conn


def at_head(path: Path) -> bool:
    """Whether the SQLite book at ``path`` is at the current schema (read without SQLAlchemy,
    never upgraded)."""
    conn = _connect(path)
    if conn is None:
        return False
    conn.close()
    return True


def _begin(conn: sqlite3.Connection, begin: str) -> None:
    db.retry_locked(lambda: conn.execute(begin), (sqlite3.OperationalError,))


def _fast_path(book: db.Book) -> Path | None:
    """The book's file if the fast path may open it (see the module), else None."""
    path = book.path
    if (
        path is None
        or book.opened
        or os.environ.get("LEADBOOK_FULL_STACK") == "1"
        or not path.is_file()
        or path.with_name(path.name + ".erase-pending").exists()
        or not _compiled_text()
    ):
        return None
    return path


@contextmanager
def reading(book: db.Book) -> Iterator[Reader | None]:
    """A ``Reader`` on ``book`` if the fast path can read it, else None (see the module)."""
    path = _fast_path(book)
    conn = _connect(path) if path is not None else None
    if conn is None:
        yield None
        return
    try:
        yield Reader(conn)
    finally:
        conn.close()  # the read transaction ends with it


def write(book: db.Book, work: Callable[[Any], T]) -> T:
    """``work(runner)`` in one write transaction: on a ``Writer`` where the fast path can
    write the book and holds every statement ``work`` asks for, else on SQLAlchemy's
    ``Book.write()``. All of it is kept, or nothing is: a statement the fast path lacks rolls
    its transaction back and the whole of ``work`` runs again on the full path."""
    path = _fast_path(book)
    conn = _connect(path, "BEGIN IMMEDIATE") if path is not None else None
    if conn is not None:
        try:
            try:
                result = work(Writer(conn))
            except Missing:
                conn.execute("ROLLBACK")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                return result
        finally:
            conn.close()  # a transaction still open (COMMIT failed) is rolled back
    from leadbook.store.calls import Live

    with book.write() as sa_conn:
        return work(Live(sa_conn))


def run(book: db.Book, fast: Callable[[Reader], Any], full: Callable[[Any], Any]) -> Any:
    """``fast(reader)`` where the fast path can read the book and holds every statement it
    asks for, else ``full(conn)`` on a connection of ``book.read()``."""
    with reading(book) as reader:
        if reader is not None:
            try:
                return fast(reader)
            except Missing:
                pass
    with book.read() as conn:
        return full(conn)


# ---- compiling (imports SQLAlchemy: scripts/compile_sql.py and the tests only) -------------


def compile_all() -> dict[str, dict[str, Any]]:
    """Every statement of ``find.variants()`` (list, search) and ``agenda.variants()`` (the
    call sheet) as SQLAlchemy compiles it for SQLite: its text, its parameters in order (name,
    type, value of a constant), its columns (name, type)."""
    from leadbook.store import agenda, calls, customers, find, writes

    compiled = {key: compile_one(customers.statement(key, DIALECT)) for key in find.variants()}
    compiled.update((key, compile_one(calls.statement(key))) for key in agenda.variants())
    compiled.update((key, compile_one(calls.statement(key))) for key in writes.variants())
    return compiled


def compile_one(statement: Executable) -> dict[str, Any]:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    binds = compiled.binds
    named = {b.key for b in binds.values() if not b.key.startswith("param_")}
    params = []
    for name in compiled.positiontup or ():
        bind = binds[name]
        constant = None if name in named else compiled.params[name]
        params.append([name, _kind(bind.type, dialect), constant])
    columns = [
        [column.key, _kind(column.type, dialect)]
        for column in getattr(statement, "selected_columns", ())
    ]
    return {"sql": str(compiled), "params": params, "columns": columns}


def _kind(type_: Any, dialect: Any) -> str:
    """The name of how values of ``type_`` travel to and from SQLite (``_FROM_SQL``)."""
    from sqlalchemy import types
    from sqlalchemy.engine import processors

    impl = type_.dialect_impl(dialect)
    reads, writes = impl.result_processor(dialect, None), impl.bind_processor(dialect)
    samples = (
        ("datetime", types.DateTime, processors.str_to_datetime, datetime(2026, 3, 5, 9, 8, 7)),
        ("date", types.Date, processors.str_to_date, date(2026, 3, 5)),
        ("bool", types.Boolean, processors.int_to_boolean, True),
    )
    for name, kind, read, sample in samples:
        if isinstance(type_, kind):
            written = writes(sample) if writes else sample
            if reads is read and written == _TO_SQL[name](sample):
                return name
            break
    else:
        if reads is None and writes is None:
            return "plain"
        if isinstance(type_, types.Float) and reads is None and writes is processors.to_float:
            return "float"
    raise TypeError(f"SQLite stores {type_!r} in a way leadbook.store.fast does not know")
