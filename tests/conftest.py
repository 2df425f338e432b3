"""Every test gets its own book, a pinned clock, a fixed user, English and 100 columns.

The backend comes from LEADBOOK_TEST_DB: unset for SQLite (a file in the test's tmp dir), or a
PostgreSQL URL, in which case each test gets a fresh schema.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadbook import i18n
from leadbook.render import reset

TODAY = "2026-03-18"  # a Wednesday


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)


PG = os.environ.get("LEADBOOK_TEST_DB", "")


@contextmanager
def private_book(sqlite_file: Path) -> Iterator[str]:
    """A new empty book, as LEADBOOK_DB names it: the SQLite file given, or a fresh schema in
    the PostgreSQL database named by LEADBOOK_TEST_DB (dropped afterwards)."""
    if not PG:
        yield str(sqlite_file)
        return
    import uuid

    import sqlalchemy

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(PG)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG else "?"
    try:
        yield f"{PG}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def book_url(tmp_path: Path) -> Iterator[str]:
    """The test's own book: a SQLite file, or a fresh schema in the PostgreSQL database named
    by LEADBOOK_TEST_DB."""
    with private_book(tmp_path / "book.db") as book:
        yield book


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, book_url: str) -> Iterator[None]:
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LEADBOOK_LANG", "LEADBOOK_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LEADBOOK_DB", book_url)
    monkeypatch.setenv("LEADBOOK_NOW", TODAY)
    monkeypatch.setenv("LEADBOOK_USER", "王丽")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    i18n.set_language("en")
    reset()
    yield
    i18n.set_language("en")
    reset()


@pytest.fixture
def db_path(tmp_path: Path, book_url: str) -> Any:
    """The book: a Path for SQLite, the URL for PostgreSQL (dump_book takes either)."""
    return tmp_path / "book.db" if not PG else book_url


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run a leadbook command in-process, as `leadbook ARGS` would."""
    from leadbook.cli.app import load

    app = load()
    runner = CliRunner()

    def run(
        *args: str, input: str | None = None, now: str | None = None, lang: str = "en"
    ) -> Result:
        if now is not None:
            monkeypatch.setenv("LEADBOOK_NOW", now)
        i18n.set_language(lang)
        reset()
        result = runner.invoke(app, list(args), input=input, prog_name="leadbook")
        reset()
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture
def ok(cli: Callable[..., Result]) -> Callable[..., Result]:
    """Run a command that must succeed."""

    def run(*args: str, **kw: Any) -> Result:
        result = cli(*args, **kw)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    return run


@pytest.fixture
def add(ok: Callable[..., Result]) -> Callable[..., str]:
    """Add a card and return its number."""

    def run(name: str, *args: str, **kw: Any) -> str:
        return ok("add", name, *args, **kw).stdout.strip()

    return run


def url_of(book: Any) -> str:
    """A SQLAlchemy URL for the db_path fixture's value (a Path, or a PostgreSQL URL)."""
    return book if isinstance(book, str) and "://" in book else f"sqlite:///{book}"


def query(book: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a SQL query on the book, on either engine."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url_of(book))
    try:
        with engine.begin() as conn:
            result = conn.exec_driver_sql(sql)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def dump_book(book: Any) -> list[tuple[Any, ...]]:
    """Every row of every table, to prove a failed command wrote nothing."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url_of(book))
    try:
        with engine.connect() as conn:
            tables = sqlalchemy.inspect(conn).get_table_names()
            rows: list[tuple[Any, ...]] = []
            for t in sorted(tables):
                rows.extend(
                    (t, *r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1')
                )
            return rows
    finally:
        engine.dispose()


os.environ.setdefault("LEADBOOK_TEST", "1")
