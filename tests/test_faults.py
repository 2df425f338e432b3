"""What happens when things go wrong mid-way: the book holds all of an import or none of it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_book, query, url_of


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "单位", "手机", "等级", "阶段", "预计购买时间"])
        for i in range(rows):
            writer.writerow(
                [f"客户{i}", f"公司{i % 500}", f"139{i:08d}", "ABCD"[i % 4], "潜在", "2026-06-01"]
            )


# The import in a process of its own that stops, as if frozen, once it has written every card
# of the file inside its transaction (the history, audit trail and plans not yet; on SQLite the
# indexes dropped, as for any import bigger than the book): it says how many cards its
# transaction then holds in the file named first, and waits there to be killed.
STOPS_MIDWAY = """
import sys, time
import leadbook.exchange.importer as importer
cue = sys.argv.pop(1)
write = importer.bulk_insert
def bulk_insert(conn, table, rows):
    write(conn, table, rows)
    if table.name == "customers":
        held = conn.exec_driver_sql("SELECT count(*) FROM customers").scalar()
        with open(cue + ".tmp", "w") as out:
            out.write(str(held))
        import os
        os.replace(cue + ".tmp", cue)
        time.sleep(600)
importer.bulk_insert = bulk_insert
from leadbook.cli import main
main(sys.argv[1:])
"""


def _schema(book: Any) -> list[tuple[Any, ...]]:
    """The book's tables, indexes and triggers (SQLite) or indexes (PostgreSQL)."""
    if isinstance(book, str):
        return query(
            book,
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY 1, 2",
        )
    return query(book, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")


def test_kill_9_in_the_middle_of_an_import_leaves_all_or_nothing(ok, add, tmp_path, db_path):
    from leadbook.exchange.importer import REBUILD_AT

    rows = REBUILD_AT + 200  # more than the book holds: the indexes are dropped, then rebuilt
    source = tmp_path / "big.csv"
    _big_csv(source, rows)
    add("已有客户")
    before, schema = dump_book(db_path), _schema(db_path)
    cue = tmp_path / "cards written"
    process = subprocess.Popen(
        [sys.executable, "-c", STOPS_MIDWAY, str(cue), "import", str(source)],
        env={**os.environ, "LEADBOOK_DB": url_of(db_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not cue.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cue.exists(), process.communicate()[1] if process.poll() is not None else "late"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    # Killed with every card of the file written in its transaction, nothing committed.
    assert int(cue.read_text()) == 1 + rows
    if not isinstance(db_path, str):
        assert query(db_path, "PRAGMA integrity_check")[0][0] == "ok"
    assert dump_book(db_path) == before
    assert _schema(db_path) == schema  # the dropped indexes are back with the rollback
    # and the next command works, on the book as it was
    assert [c["name"] for c in ok("due", "--json").json()] == ["已有客户"]
    add("后来的客户")
    assert [c["name"] for c in ok("search", "后来的", "--json").json()] == ["后来的客户"]


@pytest.fixture
def sqlite_pragma(monkeypatch):
    """Run a statement on every connection the command opens (to make a disk full or a book
    read-only without file tricks, which root, running CI, would ignore)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from leadbook.store import db

    installed = []

    def install(pragma: str) -> None:
        # SQLite: every connection leadbook opens, through SQLAlchemy or the fast path's
        # sqlite3 (leadbook.store.fast), is set up by db.configure_sqlite.
        configure = db.configure_sqlite

        def configured(dbapi_conn):  # type: ignore[no-untyped-def]
            configure(dbapi_conn)
            dbapi_conn.execute(pragma)

        monkeypatch.setattr(db, "configure_sqlite", configured)

        def on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            if not type(dbapi_conn).__module__.startswith("sqlite3"):  # PostgreSQL
                with dbapi_conn.cursor() as cur:
                    cur.execute(pragma)
                dbapi_conn.commit()

        event.listen(Engine, "connect", on_connect)
        installed.append(on_connect)

    yield install
    for fn in installed:
        event.remove(Engine, "connect", fn)


@pytest.mark.parametrize("big", [False, True], ids=["indexes-kept", "indexes-rebuilt"])
def test_a_full_disk_is_one_clear_line_and_nothing_is_lost(
    cli, ok, add, db_path, tmp_path, sqlite_pragma, monkeypatch, big
):
    from leadbook.exchange import importer

    if big:  # the path that drops the indexes and the search trigger, and builds them after
        monkeypatch.setattr(importer, "REBUILD_AT", 1)
    add("已有客户")
    source = tmp_path / "big.csv"
    _big_csv(source, 2_000)  # far more than the 20 pages the disk has left hold
    before = dump_book(db_path)
    if isinstance(db_path, str):  # PostgreSQL: the server's own out-of-space error mid-import
        from sqlalchemy.exc import OperationalError

        def full(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise OperationalError(
                "INSERT", {}, Exception('could not extend file "base/1": No space left on device')
            )

        monkeypatch.setattr(importer, "bulk_insert", full)
    else:  # SQLite: a page limit is a disk that fills up
        pages = query(db_path, "PRAGMA page_count")[0][0]
        sqlite_pragma(f"PRAGMA max_page_count = {pages + 20}")
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert "disk is full" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert dump_book(db_path) == before
    # The indexes and the search index's trigger came back with the rollback.
    if not isinstance(db_path, str):
        sqlite_pragma("PRAGMA max_page_count = 1073741823")  # the disk has room again
    add("后来的客户")
    assert [c["name"] for c in ok("search", "后来的", "--json").json()] == ["后来的客户"]


def test_a_read_only_book_is_one_clear_line(cli, add, db_path, sqlite_pragma):
    add("已有客户")
    if isinstance(db_path, str):
        sqlite_pragma("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    else:
        sqlite_pragma("PRAGMA query_only = ON")
    result = cli("add", "新客户")
    assert result.exit_code == 1 and "cannot be written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_book_locked_by_another_program_is_one_clear_line(
    cli, add, db_path, monkeypatch, sqlite_pragma
):
    add("已有客户")
    if isinstance(db_path, str):
        import sqlalchemy

        sqlite_pragma("SET lock_timeout = '200ms'")
        engine = sqlalchemy.create_engine(url_of(db_path))
        other = engine.connect()
        other.begin()
        other.exec_driver_sql("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        try:
            result = cli("add", "新客户")
        finally:
            other.rollback()
            other.close()
            engine.dispose()
    else:
        import sqlite3

        import leadbook.store.db

        monkeypatch.setattr(leadbook.store.db, "BUSY_TIMEOUT_MS", 200)
        lock = sqlite3.connect(db_path, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            result = cli("add", "新客户")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
    assert result.exit_code == 1 and "busy in another program" in result.stderr
    assert query(db_path, "SELECT count(*) FROM customers")[0][0] == 1
