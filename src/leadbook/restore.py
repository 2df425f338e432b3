"""Restoring a SQLite book from a backup, trusting nothing in the file.

A backup is a file anyone could have handed the salesperson. Before it replaces the book it is
copied to a private file beside the book, and that copy must be a leadbook book: SQLite's
integrity check passes, the schema revision is one this version knows, and every table,
index, trigger and view is exactly what leadbook's own migrations create for that revision
(a trigger added to a backup would otherwise run inside every later command). An older backup
is upgraded on the copy, so the book itself only ever holds a verified book of the current
schema; on any failure the book is untouched.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from leadbook.errors import BookError
from leadbook.i18n import _
from leadbook.store.db import (
    BUSY_TIMEOUT_MS,
    KNOWN_REVISIONS,
    SCHEMA_HEAD,
    Book,
    backup_file,
    create_engine,
    path_url,
    sqlite_uri,
)

# Tables SQLite itself adds: statistics from ANALYZE, AUTOINCREMENT counters.
_SQLITE_OWN = re.compile(r"^sqlite_(stat\d|sequence)$")


def restore(book: Book, file: Path) -> Path:
    """Replace the book with the backup ``file``; return where the book as it was is kept."""
    path = book.path
    if path is None:
        raise BookError(_("restore works on SQLite books; for PostgreSQL use pg_restore"))
    file = file.expanduser().absolute()
    if not file.is_file():
        raise BookError(_("there is no backup at {path}").format(path=file))
    if file.exists() and path.exists() and file.samefile(path):
        raise BookError(_("{path} is the book itself, not a backup").format(path=file))
    with _private_copy(file, path.parent) as copy:
        revision = check_backup(copy, shown_as=file)
        if revision != SCHEMA_HEAD:
            _upgrade_copy(copy, file)
        _match_page_size(copy, path)
        kept = backup_file(path, path.with_name(path.name + ".before-restore.bak"))
        _copy_into(copy, path, kept)
    return kept


@contextmanager
def _private_copy(file: Path, folder: Path) -> Iterator[Path]:
    """A copy of the backup that only this process writes (the user's file may change while
    it is checked), beside the book so that it is on the same disk; removed afterwards."""
    copy = folder / f".leadbook-restore-{os.getpid()}-{uuid.uuid4().hex[:8]}.db"
    try:
        fd = os.open(copy, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        try:
            source = sqlite3.connect(sqlite_uri(file, "ro"), uri=True)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
                source.close()
        except sqlite3.Error:
            raise BookError(_("{path} is not a leadbook backup").format(path=file)) from None
        yield copy
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), Path(f"{copy}-journal")):
            leftover.unlink(missing_ok=True)


def check_backup(copy: Path, shown_as: Path) -> str:
    """The schema revision of a backup that is a leadbook book, or a BookError saying why
    it is not."""
    not_a_backup = _("{path} is not a leadbook backup").format(path=shown_as)
    try:
        conn = sqlite3.connect(sqlite_uri(copy, "ro"), uri=True)
    except sqlite3.Error:
        raise BookError(not_a_backup) from None
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BookError(
                _("{path} is damaged (SQLite's integrity check fails); it was not restored").format(
                    path=shown_as
                )
            )
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            raise BookError(not_a_backup) from None
        revision = str(row[0]) if row else None
        if revision not in KNOWN_REVISIONS:
            raise BookError(
                _("{path} is not a leadbook backup this version can read").format(path=shown_as)
            )
        found = schema_of(conn)
    except sqlite3.Error:
        raise BookError(not_a_backup) from None
    finally:
        conn.close()
    expected = reference_schema(revision)
    foreign = sorted(set(found) - set(expected))
    missing = sorted(set(expected) - set(found))
    changed = sorted(k for k in set(found) & set(expected) if found[k] != expected[k])
    if foreign or missing or changed:
        kind, name = (foreign or changed or missing)[0]
        raise BookError(
            _(
                "{path} is not a plain leadbook book: its {kind} {name} is not what leadbook "
                "creates ({count} differences); it was not restored"
            ).format(
                path=shown_as,
                kind=kind,
                name=name,
                count=len(foreign) + len(missing) + len(changed),
            )
        )
    return revision


def schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], object]:
    """Every table, index, trigger and view of a SQLite book, in a form that two books made by
    the same migrations share whatever their SQL's spacing: columns, keys and defaults for a
    table, its definition for the rest."""
    objects: dict[tuple[str, str], object] = {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, table, sql in rows:
        if kind == "table" and _SQLITE_OWN.match(name):
            continue
        if kind == "table":
            quoted = '"' + name.replace('"', '""') + '"'
            columns = conn.execute(f"PRAGMA table_xinfo({quoted})").fetchall()
            keys = conn.execute(f"PRAGMA foreign_key_list({quoted})").fetchall()
            objects[(kind, name)] = (
                _normal(sql) if sql and sql.upper().startswith("CREATE VIRTUAL") else None,
                tuple((c[1], str(c[2]).upper(), c[3], _normal(c[4]), c[5], c[6]) for c in columns),
                tuple(sorted(tuple(k[2:]) for k in keys)),
            )
        else:
            objects[(kind, name)] = (table, _normal(sql))
    return objects


def _normal(sql: object) -> str | None:
    if sql is None:
        return None
    text = re.sub(r"\s+", " ", str(sql)).strip()
    text = re.sub(r"\s*([(),])\s*", r"\1", text)
    return text.replace('"', "").replace("'", "").lower()


_references: dict[str, dict[tuple[str, str], object]] = {}


def reference_schema(revision: str) -> dict[tuple[str, str], object]:
    """The schema leadbook's own migrations create for ``revision``, in a new book."""
    if revision not in _references:
        from leadbook.store.db import _upgrade_on

        with tempfile.TemporaryDirectory(prefix="leadbook-schema-") as tmp:
            engine = create_engine(path_url(Path(tmp) / "reference.db"))
            try:
                with engine.connect().execution_options(leadbook_write=True) as conn:
                    with conn.begin():
                        _upgrade_on(conn, revision)
                    raw = conn.connection.driver_connection
                    assert raw is not None
                    _references[revision] = schema_of(raw)
            finally:
                engine.dispose()
    return _references[revision]


def _upgrade_copy(copy: Path, shown_as: Path) -> None:
    from leadbook.store.db import _short, upgrade

    engine = create_engine(path_url(copy))
    try:
        upgrade(engine)
    except Exception as exc:
        raise BookError(
            _(
                "{path} could not be brought up to this version's schema ({reason}); "
                "your book is unchanged"
            ).format(path=shown_as, reason=_short(exc))
        ) from exc
    finally:
        engine.dispose()
        for extra in (Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            extra.unlink(missing_ok=True)
    with sqlite3.connect(copy) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")


def _match_page_size(copy: Path, book: Path) -> None:
    """SQLite copies into a book in WAL mode only between equal page sizes: give the copy the
    book's (a backup saved with 64 KiB pages is as good as any)."""
    with suppress(sqlite3.Error):
        probe = sqlite3.connect(sqlite_uri(book, "ro"), uri=True)
        try:
            wanted = probe.execute("PRAGMA page_size").fetchone()[0]
        finally:
            probe.close()
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            if conn.execute("PRAGMA page_size").fetchone()[0] != wanted:
                conn.execute(f"PRAGMA page_size = {int(wanted)}")
                conn.execute("VACUUM")
        finally:
            conn.close()


def _copy_into(copy: Path, book: Path, kept: Path) -> None:
    try:
        source = sqlite3.connect(sqlite_uri(copy, "ro"), uri=True)
        target = sqlite3.connect(book, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as exc:
        raise BookError(
            _(
                "the backup could not be copied into the book ({reason}); your book as it was "
                "is at {kept}"
            ).format(reason=exc, kept=kept)
        ) from None


def backup(book: Book, target: Path, *, force: bool = False) -> Path:
    """`leadbook backup`: copy the book to ``target`` (refused when it exists, unless ``force``)
    with SQLite's online backup; where the copy is."""
    from leadbook.store.db import backup as copy_book

    if not force and os.path.lexists(target):
        raise BookError(_("{path} already exists: add --force to replace it").format(path=target))
    return copy_book(book.engine, target)
