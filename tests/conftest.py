"""Every test gets its own book, a pinned clock, a fixed user, English and 100 columns.

The backend comes from LEADBOOK_TEST_DB: unset for SQLite (a file in the test's tmp dir), or a
PostgreSQL URL, in which case each test gets a database of its own (or, when the login may
not create databases, a schema of its own in that database).

The book is a copy of one book migrated to the newest schema once per test run (migrating
takes 0.3 s on SQLite and about 1 s on PostgreSQL; copying a file, a millisecond; copying a
PostgreSQL database, 0.1 s, done ahead in a thread), so it is the book leadbook's first
command would have made. A test about that first command, or
one that writes an older book where the test's book lives, is marked
``@pytest.mark.no_book``: it starts with no book at all (SQLite: no file; PostgreSQL: an
empty schema), as every test used to.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Python's bytecode cache, even where the environment turns it off (PYTHONDONTWRITEBYTECODE):
# without it every leadbook process a test starts, and every test module pytest rewrites,
# compiles from source again (about a fifth of the suite's time).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from leadbook import i18n  # noqa: E402
from leadbook.render import reset  # noqa: E402

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
_MADE_BASETEMP = pytest.StashKey[str]()
BOOK_SCHEMA = "book"  # the schema of a PostgreSQL template book and of its copies


# Where the tests' books live: in memory (/dev/shm) where the machine has it, as a folder of
# the run's own, removed at its end. Each of the suite's 3,500 commands opens its book and
# commits, and on a disk each commit and each close of a WAL book waits for the disk (fsync):
# the suite took 82 s on this machine's disk and 73 s in memory. What the tests check does not
# depend on it: none can see whether a write reached the disk, only what a process reads
# back. --basetemp still chooses another place.
SHM = Path("/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    if (
        config.option.basetemp is None
        and not hasattr(config, "workerinput")  # an xdist worker is given its own below it
        and SHM.is_dir()
        and os.access(SHM, os.W_OK)
    ):
        import tempfile

        config.option.basetemp = tempfile.mkdtemp(prefix="leadbook-tests-", dir=SHM)
        config.stash[_MADE_BASETEMP] = config.option.basetemp
    config.addinivalue_line(
        "markers",
        "no_book: the test starts with no book (SQLite: no file; PostgreSQL: an empty schema), "
        "not with a copy of the migrated template: for tests of what the first command "
        "creates or upgrades",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    made = config.stash.get(_MADE_BASETEMP, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)


class Databases:
    """Copies of a PostgreSQL template database, each a test's book: made ahead and dropped
    behind by threads of their own, so that a test waits for neither (CREATE DATABASE takes
    0.1 s, and so does DROP DATABASE, which waits for a checkpoint)."""

    AHEAD = 2

    def __init__(self, admin: Any, template: str) -> None:
        import queue
        import threading

        self.admin, self.template = admin, template
        self.ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.AHEAD)
        self.done: queue.Queue[str | None] = queue.Queue()
        self.stop = threading.Event()
        self.left: list[str] = []  # the databases that could not be dropped, and why
        self.threads = [
            threading.Thread(target=self._make, daemon=True),
            threading.Thread(target=self._drop, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _sql(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def _make(self) -> None:
        import queue

        while not self.stop.is_set():
            name = "leadbook_test_" + uuid.uuid4().hex[:12]
            made: str | BaseException = name
            try:
                self._sql(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            except BaseException as exc:  # handed to the test that takes it
                made = exc
            while True:
                try:
                    self.ready.put(made, timeout=0.2)
                    break
                except queue.Full:
                    if self.stop.is_set():
                        if isinstance(made, str):
                            self.done.put(made)
                        return

    def _drop(self) -> None:
        while (name := self.done.get()) is not None:
            try:  # FORCE: a connection a test left open ends here
                self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception as exc:  # told at the end of the run
                self.left.append(f"{name}: {exc}")

    def take(self) -> str:
        made = self.ready.get(timeout=120)
        if isinstance(made, BaseException):
            raise made
        return made

    def give_back(self, name: str) -> None:
        self.done.put(name)

    def close(self) -> None:
        import queue

        self.stop.set()
        self.threads[0].join()
        while True:
            try:
                made = self.ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(made, str):
                self.done.put(made)
        self.done.put(None)
        self.threads[1].join()
        assert not self.left, f"test databases left behind: {self.left}"


@dataclass
class Template:
    """The book migrated once per test run that each test's book is copied from."""

    sqlite: Path | None = None  # a SQLite book at the newest schema
    databases: Databases | None = None  # PostgreSQL: copies of a database holding one


TEMPLATE = Template()


def _migrate(url: str) -> None:
    """Make a book at ``url`` exactly as leadbook's first command does."""
    from leadbook.store.db import create_engine, ensure_schema

    engine = create_engine(url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()


def _pg_url(database: str | None, schema: str) -> str:
    """LEADBOOK_TEST_DB, in another database if one is named, with ``schema`` searched."""
    url = PG
    if database is not None:
        from sqlalchemy.engine import make_url

        url = make_url(PG).set(database=database).render_as_string(hide_password=False)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def settle(sqlite_file: Path) -> None:
    """Move everything of a SQLite book into its file (out of the write-ahead log), so that
    copying the file alone copies the book."""
    import sqlite3

    conn = sqlite3.connect(sqlite_file)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    """Migrate the template book (once per run, and once per worker under pytest-xdist)."""
    if not PG:
        path = tmp_path_factory.mktemp("template") / "book.db"
        _migrate(url_of(path))
        settle(path)
        TEMPLATE.sqlite = path
        yield TEMPLATE
        TEMPLATE.sqlite = None
        return
    import sqlalchemy

    admin = sqlalchemy.create_engine(PG, isolation_level="AUTOCOMMIT")
    name = "leadbook_template_" + uuid.uuid4().hex[:12]
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sqlalchemy.exc.DBAPIError:  # no CREATEDB: each test's first command migrates
        admin.dispose()
        yield TEMPLATE
        return
    try:
        owner = sqlalchemy.create_engine(_pg_url(name, "public"))
        with owner.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {BOOK_SCHEMA}")
        owner.dispose()
        _migrate(_pg_url(name, BOOK_SCHEMA))
        TEMPLATE.databases = Databases(admin, name)
        yield TEMPLATE
    finally:
        if TEMPLATE.databases is not None:
            TEMPLATE.databases.close()
            TEMPLATE.databases = None
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@contextmanager
def private_book(sqlite_file: Path, migrated: bool = True) -> Iterator[str]:
    """A new book with nothing in it, as LEADBOOK_DB names it: the SQLite file given, or a
    database (or schema) of its own in the PostgreSQL server named by LEADBOOK_TEST_DB,
    dropped afterwards. ``migrated``: a copy of the template, at the newest schema; otherwise
    nothing at all, for leadbook's first command to create."""
    if not PG:
        if migrated and TEMPLATE.sqlite is not None and not sqlite_file.exists():
            sqlite_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copyfile(TEMPLATE.sqlite, sqlite_file)
            sqlite_file.chmod(0o600)  # as leadbook makes a book
        yield str(sqlite_file)
        return
    databases = TEMPLATE.databases
    if migrated and databases is not None:
        name = databases.take()
        try:
            yield _pg_url(name, BOOK_SCHEMA)
        finally:
            databases.give_back(name)
        return
    import sqlalchemy

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(PG)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_url(None, schema)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def book_url(request: pytest.FixtureRequest, tmp_path: Path, _template: Template) -> Iterator[str]:
    """The test's own book: a SQLite file, or a database of its own in the PostgreSQL server
    named by LEADBOOK_TEST_DB; a copy of the migrated template unless the test is marked
    ``no_book``."""
    migrated = request.node.get_closest_marker("no_book") is None
    with private_book(tmp_path / "book.db", migrated=migrated) as book:
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


@pytest.fixture(scope="session", autouse=True)
def _commands_built_once() -> Iterator[None]:
    """Typer's CliRunner builds the click command from the app on every invoke (0.15 s, most
    of a command's time in-process); leadbook builds it once per process, and so does the
    suite (the `cli` fixture loads every command module first)."""
    import typer.testing

    build = typer.testing._get_command
    built: dict[int, tuple[Any, Any]] = {}

    def get_command(app: Any) -> Any:
        if id(app) not in built:
            built[id(app)] = (app, build(app))
        return built[id(app)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", get_command)
        yield


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
        quick = run_quick(runner, list(args), input)
        if quick is not None:
            reset()
            return quick
        result = runner.invoke(app, list(args), input=input, prog_name="leadbook")
        reset()
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


def run_quick(runner: CliRunner, args: list[str], input: str | None = None) -> Result | None:
    """The command run without Typer, as `leadbook ARGS` runs `show`, `search`, `list` and
    `due` (leadbook.cli.quick); None when that path does not take it."""
    from leadbook.cli import quick

    exception: BaseException | None = None
    with runner.isolation(input=input) as (out, err, _mixed):
        try:
            code = quick.run(args)
        except Exception as exc:  # with --debug the error goes through
            code, exception = 1, exc
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        if code is None:
            return None
        return Result(
            code,
            out.getvalue().decode().replace("\r\n", "\n"),
            err.getvalue().decode("utf-8", "replace").replace("\r\n", "\n"),
            exception,
        )


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


def _sqlite_file(book: Any) -> Path | None:
    """The file of a SQLite book named by a path (not by a URL), which the helpers below read
    with the sqlite3 module itself: a SQLAlchemy engine made, connected and disposed for each
    of the suite's 500 queries and dumps cost it a few seconds."""
    return None if isinstance(book, str) and "://" in book else Path(book)


def query(book: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a SQL query on the book, on either engine (committed, if it writes)."""
    path = _sqlite_file(book)
    if path is not None:
        import sqlite3

        conn = sqlite3.connect(path)
        try:
            with conn:
                cursor = conn.execute(sql)
                return [tuple(r) for r in cursor] if cursor.description else []
        finally:
            conn.close()
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
    path = _sqlite_file(book)
    if path is not None:
        import sqlite3

        conn = sqlite3.connect(path)
        try:
            tables = [  # the tables SQLAlchemy's inspector lists on SQLite
                t
                for (t,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"
                )
            ]
            return [
                (t, *r) for t in tables for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY 1')
            ]
        finally:
            conn.close()
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


@pytest.fixture(scope="session")
def _catalog_from_po(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    shipped = Path(i18n.__file__).parent / "locale"
    folder = tmp_path_factory.mktemp("locale")
    for po in shipped.glob("*/LC_MESSAGES/leadbook.po"):
        target = folder / po.relative_to(shipped).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with po.open("rb") as source, target.open("wb") as out:
            write_mo(out, read_po(source))
    return folder


@pytest.fixture
def zh_from_po(_catalog_from_po: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Chinese interface as leadbook.po has it now, compiled for this test: a test of new
    text passes before the shipped leadbook.mo is compiled again (test_i18n checks that the
    shipped one matches the .po)."""
    monkeypatch.setattr(i18n, "_LOCALE_DIR", _catalog_from_po)
