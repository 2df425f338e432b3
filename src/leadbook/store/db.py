"""Where the book lives and how it is opened: URL resolution, SQLite pragmas, schema upgrades.

Opening a book costs one small query: the stored Alembic revision is compared with
``SCHEMA_HEAD``; alembic itself is imported only when an upgrade is due.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadbook.errors import BookError
from leadbook.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# The newest migration in migrations/versions; tests/test_book.py keeps the two in step.
SCHEMA_HEAD = "0010"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
WRITE_LOCK = 0x1EADB00C  # PostgreSQL advisory lock key of leadbook's writers
BUSY_TIMEOUT_MS = int(os.environ.get("LEADBOOK_BUSY_TIMEOUT_MS", "15000"))


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("leadbook", appauthor=False) / "book.db"


def resolve_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of the book: ``--db``, then ``LEADBOOK_DB``, then the user data dir."""
    value = db or os.environ.get("LEADBOOK_DB") or ""
    if "://" in value:
        return value
    return path_url(Path(value).expanduser() if value else default_path())


def path_url(path: Path) -> str:
    """The URL of a SQLite book file. The path is percent-encoded, so that folders named
    客户, ``a#b``, ``50%`` or ``a?b`` reach SQLite as they are: ``sqlite_path`` decodes it,
    as SQLAlchemy does."""
    from urllib.parse import quote

    return "sqlite:///" + quote(str(path.absolute()), safe="/\\:~")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite book URL, decoded (the one way leadbook turns a URL into a path:
    ``str(engine.url)`` percent-encodes every non-ASCII character)."""
    from urllib.parse import unquote

    if url.startswith("sqlite:///"):
        rest = unquote(url[len("sqlite:///") :].split("?", 1)[0])
        return Path(rest) if rest and rest != ":memory:" else None
    return None


def sqlite_uri(path: Path, mode: str = "ro") -> str:
    """An SQLite ``file:`` URI for ``sqlite3.connect(..., uri=True)``, with the path encoded
    (a ``#`` or ``?`` in a folder name would otherwise end the path)."""
    from urllib.parse import quote

    return f"file:{quote(str(path.absolute()), safe='/:')}?mode={mode}"


def display_url(url: str) -> str:
    """The URL fit to print: a password never shows."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        secret = {k: "***" for k in parsed.query if "password" in k.lower()}
        shown = parsed.update_query_dict(secret).render_as_string(hide_password=True)
        return shown.replace("%2A%2A%2A", "***")
    except Exception:
        return url.split("://", 1)[0] + "://***"


def migrations_dir() -> Path:
    package = Path(__file__).parent.parent  # leadbook/ (this is leadbook/store/db.py)
    shipped = package / "migrations"
    if (shipped / "env.py").exists():
        return shipped
    source = package.parent.parent / "migrations"  # a source checkout: src/leadbook/../../
    if (source / "env.py").exists():
        return source
    raise BookError(_("leadbook's migrations are missing from this installation: reinstall it"))


def _create_private_file(path: Path) -> None:
    """A new book is readable by its owner only: it holds personal data."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except OSError as exc:
        raise BookError(
            _("cannot create the book at {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None


_SHARED: list[Any] = []  # the first SQLite engine's dialect and compiled-statement cache


def _share_compiled(engine: Engine) -> None:
    """Every SQLite book a process opens shares one dialect, so each statement is compiled
    once a process, not once a book (SQLAlchemy keys its statement cache by dialect): the
    demo, the README script and the test suite open many books in one process."""
    if not _SHARED:
        _SHARED.extend((engine.dialect, engine._compiled_cache))
        return
    engine.dialect, engine._compiled_cache = _SHARED
    engine.pool._dialect = _SHARED[0]


def create_engine(url: str) -> Engine:
    import sqlalchemy
    from sqlalchemy import event

    path = sqlite_path(url)
    if url.startswith("sqlite"):
        if path is not None:
            if path.is_dir():
                raise BookError(_("{path} is a folder, not a book file").format(path=path))
            if not path.exists():
                _create_private_file(path)
        engine = sqlalchemy.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _share_compiled(engine)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            configure_sqlite(dbapi_conn)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Writers take the lock up front so two processes queue instead of deadlocking.
            write = conn.get_execution_options().get("leadbook_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    try:
        return sqlalchemy.create_engine(url, pool_pre_ping=False)
    except Exception as exc:  # unknown dialect, missing driver
        raise BookError(
            _("cannot use the database {url}: {reason}").format(
                url=display_url(url), reason=_short(exc)
            )
        ) from None


def configure_sqlite(dbapi_conn: Any) -> None:
    """Set up a new sqlite3 connection to a book: leadbook's pragmas, and no implicit
    transactions (leadbook emits BEGIN itself)."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    with contextlib.suppress(Exception):  # a read-only book cannot switch; reading works
        cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


# How a SQLite book's schema revision is read (stored_revision; store.fast reads it so too).
SQLITE_HAS_REVISION = "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
READ_REVISION = "SELECT version_num FROM alembic_version"


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def current_revision(url: str) -> str | None:
    """The schema revision of the book at ``url``, read without upgrading it (None: a new
    book, not created by asking)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return stored_revision(conn)
    finally:
        engine.dispose()


def stored_revision(conn: Connection) -> str | None:
    name = conn.dialect.name
    found: object
    if name == "sqlite":
        found = conn.exec_driver_sql(SQLITE_HAS_REVISION).first()
    elif name == "postgresql":
        found = conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    else:
        from sqlalchemy import inspect

        found = inspect(conn).has_table("alembic_version")
    if not found:
        return None
    value = conn.exec_driver_sql(READ_REVISION).scalar()
    return str(value) if value is not None else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to SCHEMA_HEAD with Alembic (imported only here)."""
    with engine.connect().execution_options(leadbook_write=True) as conn, conn.begin():
        _upgrade_on(conn)


def _upgrade_on(conn: Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` inside the caller's transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


UPGRADE_WAIT_S = 600.0  # how long a process waits for another one that is upgrading the book


def ensure_schema(engine: Engine) -> None:
    """Upgrade an older book to SCHEMA_HEAD, once, however many processes open it at once.

    The first process takes the writers' lock, copies the book (SQLite) and upgrades it in
    the same transaction; the others wait on the lock, find the book upgraded and go on."""
    with engine.connect() as conn:
        revision = stored_revision(conn)
        conn.rollback()
    if revision == SCHEMA_HEAD:
        return
    _check_known(revision)
    import time

    deadline = time.monotonic() + UPGRADE_WAIT_S
    while True:
        try:
            _upgrade_once(engine)
            return
        except _StillLocked:
            if time.monotonic() > deadline:
                raise BookError(
                    _(
                        "another leadbook has been upgrading this book for {minutes} minutes; "
                        "try again when it is done"
                    ).format(minutes=int(UPGRADE_WAIT_S // 60))
                ) from None
            time.sleep(0.2)


class _StillLocked(Exception):
    pass


def _check_known(revision: str | None) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise BookError(
            _("this book was written by a newer leadbook (schema {rev}): upgrade leadbook").format(
                rev=revision
            )
        )


def _upgrade_once(engine: Engine) -> None:
    from sqlalchemy.exc import OperationalError

    conn = engine.connect().execution_options(leadbook_write=True)
    try:
        try:
            transaction = conn.begin()
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise _StillLocked() from None
            raise
        saved = None
        try:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            revision = stored_revision(conn)  # another process may have upgraded it meanwhile
            if revision == SCHEMA_HEAD:
                transaction.rollback()
                return
            _check_known(revision)
            path = sqlite_path(str(engine.url))
            if revision is not None and path is not None:
                # a copy of the book as it was; the lock held here keeps writers out meanwhile
                saved = backup_file(path, path.with_name(f"{path.name}.before-{SCHEMA_HEAD}.bak"))
            _upgrade_on(conn)
            from leadbook import searchkeys

            if revision is not None and revision < searchkeys.REKEYED_AT:
                searchkeys.refresh(conn)  # keys as today's leadbook makes them
        except BaseException as exc:
            transaction.rollback()
            if isinstance(exc, BookError | _StillLocked):
                raise
            where = (
                _(" A copy of the book from before the upgrade is at {path}.").format(path=saved)
                if saved
                else ""
            )
            raise BookError(
                _("the book's schema could not be upgraded ({reason}); it is unchanged.").format(
                    reason=_short(exc)
                )
                + where
            ) from exc
        transaction.commit()
    finally:
        conn.close()


def backup(engine: Engine, target: Path) -> Path:
    """Copy a SQLite book with SQLite's online backup API (consistent while others write);
    the copy is readable by its owner only, and checked before it is reported."""
    source = sqlite_path(str(engine.url))
    if source is None:
        raise BookError(
            _("backup copies SQLite books; for PostgreSQL use pg_dump (see leadbook backup --help)")
        )
    return backup_file(source, target)


def backup_file(source: Path, target: Path) -> Path:
    """Copy the book at ``source`` to ``target`` and verify the copy: it opens, passes SQLite's
    quick check, and holds the same schema revision and number of cards as the book had at the
    moment it was copied. The copy is written under a name of its own (so processes never
    share a temporary file) and takes the target's name only once verified."""
    import sqlite3
    import uuid

    target = target.absolute()
    if not source.is_file():
        raise BookError(_("there is no book at {path} to copy").format(path=source))
    if target.exists() and target.samefile(source):
        raise BookError(_("the backup cannot be the book itself"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise BookError(
            _("cannot write the backup {path}: {reason}").format(
                path=target, reason=exc.strerror or exc
            )
        ) from None
    try:
        src = sqlite3.connect(sqlite_uri(source, "ro"), uri=True, isolation_level=None)
        dst = sqlite3.connect(tmp)
        try:
            src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            src.execute("BEGIN")  # one snapshot: the count below is of the pages copied
            expected = _fingerprint(src)
            src.backup(dst)
            src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode = DELETE")  # the copy is one self-contained file
        finally:
            dst.close()
            src.close()
        _verify_copy(tmp, expected)
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BookError(
            _("the backup to {path} failed ({reason}); no copy was made").format(
                path=target, reason=exc
            )
        ) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BookError(
            _("cannot write the backup {path}: {reason}").format(
                path=target, reason=exc.strerror or exc
            )
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _fingerprint(conn: Any) -> tuple[int, str | None, int | None]:
    """The page count, schema revision and number of cards of a SQLite book (the last two
    None for a new one)."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    has = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
        "AND name IN ('alembic_version', 'customers')"
    ).fetchone()[0]
    if has < 2:
        return pages, None, None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    cards = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    return pages, (row[0] if row else None), int(cards)


def _verify_copy(copy: Path, expected: tuple[int, str | None, int | None]) -> None:
    """The copy opens and has the book's pages, revision and cards. (Not a full integrity
    check: the backup API copies pages as they are, and a check would double the time of
    every backup; ``restore`` runs the full check on a file it is handed.)"""
    import sqlite3

    probe = sqlite3.connect(sqlite_uri(copy, "ro"), uri=True)
    try:
        found = _fingerprint(probe)
    finally:
        probe.close()
    if found != expected:
        raise BookError(
            _("the backup could not be verified (it does not match the book); no copy was made")
        )


def _begin_with_retry(conn: Connection, attempts: int = 5) -> Any:
    from sqlalchemy.exc import OperationalError

    return retry_locked(conn.begin, (OperationalError,), conn.rollback, attempts)


def retry_locked(
    begin: Callable[[], Any],
    errors: tuple[type[Exception], ...],
    undo: Callable[[], Any] | None = None,
    attempts: int = 5,
) -> Any:
    """``begin()`` (a write transaction's start), tried again with backoff while another
    process holds the book past the busy timeout (``Book.write``, and the fast path's
    writer): "locked" ``errors`` only, ``undo`` between tries."""
    import time

    delay = 0.05
    for attempt in range(attempts):
        try:
            return begin()
        except errors as exc:
            if "locked" not in str(exc).lower() or attempt == attempts - 1:
                raise
            if undo is not None:
                undo()
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


class Rollback(Exception):
    """Raised inside ``Book.write()`` to end the transaction keeping nothing (a dry run, an
    import with bad rows): the block is undone like a failure, and the caller goes on."""


class Book:
    """An open book: the engine plus the acting user. Repositories receive its connections."""

    def __init__(self, url: str, user: str) -> None:
        self.url = url
        self.user = user
        self._engine: Engine | None = None
        # Opened (engine, upgrade) when first used: a hot command on a SQLite book at the
        # current schema may read it with the standard sqlite3 module instead (store.fast).

    def _open(self) -> None:
        self._engine = create_engine(self.url)
        ensure_schema(self._engine)
        if self.path is not None and _scrub_marker(self.path).exists():
            self._finish_scrub()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if not self.exists:  # a book file that does not exist yet: a write creates it
                raise BookError(
                    _(
                        "there is no book at {path} yet: `leadbook add` starts one there, or "
                        "--db (or LEADBOOK_DB) names the book to read"
                    ).format(path=self.path)
                )
            self._open()
            assert self._engine is not None
        return self._engine

    @property
    def opened(self) -> bool:
        """Whether the engine is made (and the schema checked) already."""
        return self._engine is not None

    @property
    def exists(self) -> bool:
        path = self.path
        return self._engine is not None or path is None or path.exists()

    def create(self) -> None:
        """Make the book if there is none yet: for a command that writes and reads first."""
        if self._engine is None:
            self._open()

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything in the block is kept, or nothing is (``raise Rollback``
        keeps nothing on purpose and is not passed on). When another process holds the book
        past the busy timeout, taking the write lock is retried with backoff before the user
        hears of it."""
        self.create()  # a command that writes creates the book
        conn = self.engine.connect().execution_options(leadbook_write=True)
        try:
            transaction = _begin_with_retry(conn)
            try:
                if conn.dialect.name == "postgresql":
                    # Writers queue, as they do on SQLite: they all update the running totals
                    # (leadbook.store.tallies), and two that locked those rows in opposite orders
                    # would deadlock.
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                yield conn
            except Rollback:
                transaction.rollback()
                return
            except BaseException:
                transaction.rollback()
                raise
            transaction.commit()
        finally:
            conn.close()

    def checkpoint(self, wait_ms: int | None = None) -> bool:
        """Copy SQLite's write-ahead log into the book and empty it (PostgreSQL: nothing).
        False when a reader still holds an older snapshot after ``wait_ms``."""
        if self.path is None:
            return True
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(
                f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS if wait_ms is None else wait_ms}"
            )
            try:
                busy = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return not busy or busy[0] == 0

    def scrub(self, tables: Iterable[str], rewrite: bool = False) -> str | None:
        """After erasing data, make sure no copy of it is left where leadbook can reach: the
        write-ahead log on SQLite; on PostgreSQL the dead rows (VACUUM), and with ``rewrite``
        the bytes VACUUM leaves in free space (VACUUM FULL, which locks the tables while it
        runs). Returns what is still pending and who finishes it, or None when it is done."""
        if self.path is not None:
            if self.checkpoint():
                return None
            _scrub_marker(self.path).touch(mode=0o600)
            return _(
                "another leadbook is reading the book, so the erased data is still in its "
                "write-ahead log; the next leadbook command removes it"
            )
        names = sorted(set(tables))
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            owned = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename = ANY(%(t)s) AND (tableowner = current_user OR "
                "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user))",
                {"t": names},
            ).scalar()
            command = "VACUUM FULL" if rewrite else "VACUUM"
            if owned != len(names):
                return _(
                    "PostgreSQL keeps the erased rows on disk until they are vacuumed: ask the "
                    "book's owner to run {command} {tables}"
                ).format(command=command, tables=", ".join(names))
            for name in names:
                conn.exec_driver_sql(f'{command} "{name}"')
        if rewrite:
            return None
        return _(
            "the erased rows are vacuumed; PostgreSQL may keep their bytes in free space on "
            "disk until it reuses it: run leadbook forget again with --rewrite at a quiet hour "
            "to rewrite the tables"
        )

    def _finish_scrub(self) -> None:
        """A checkpoint that an erasure left pending (see ``scrub``), done when nobody reads."""
        assert self.path is not None
        if self.checkpoint(wait_ms=50):  # a command never waits long for it
            _scrub_marker(self.path).unlink(missing_ok=True)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _scrub_marker(path: Path) -> Path:
    return path.with_name(path.name + ".erase-pending")


def acting_user(explicit: str | None = None, engine: Engine | None = None) -> str:
    """Who is acting: ``--as``, then $LEADBOOK_USER, then the system user, a label on a SQLite
    book. On a PostgreSQL book (``engine``) the database login decides: leadbook.identity."""
    if engine is not None and engine.dialect.name == "postgresql":
        from leadbook.identity import acting_login

        return acting_login(engine, explicit)
    if explicit:
        return explicit.strip()
    env = os.environ.get("LEADBOOK_USER")
    if env:
        return env.strip()
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "me"


def revision_command(message: str) -> None:  # pragma: no cover - a maintainer's tool
    """Autogenerate a migration against schema.py: python -m leadbook.store.db revision "message"."""
    import tempfile

    from alembic import command
    from alembic.config import Config

    with tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + str(Path(tmp) / "rev.db")
        engine = create_engine(url)
        upgrade(engine)
        cfg = Config()
        cfg.set_main_option("script_location", str(migrations_dir()))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "revision":
        revision_command(sys.argv[2])
    else:
        print('usage: python -m leadbook.store.db revision "message"')
