"""What happens when things go wrong mid-way: the book holds all of an import or none of it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def test_kill_9_in_the_middle_of_an_import_leaves_all_or_nothing(tmp_path, db_path):
    source = tmp_path / "big.csv"
    _big_csv(source, 60_000)
    env = {**os.environ, "LEADBOOK_DB": url_of(db_path), "LEADBOOK_NOW": "2026-03-18"}
    subprocess.run(
        [sys.executable, "-m", "leadbook", "add", "已有客户"],
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "leadbook", "import", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)  # well into reading and writing the rows
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not isinstance(db_path, str):
        assert query(db_path, "PRAGMA integrity_check")[0][0] == "ok"
    count = query(db_path, "SELECT count(*) FROM customers")[0][0]
    assert count in (1, 60_001)
    # and the next run works
    result = subprocess.run(
        [sys.executable, "-m", "leadbook", "due", "--json"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def sqlite_pragma(monkeypatch):
    """Run a statement on every connection the command opens (to make a disk full or a book
    read-only without file tricks, which root, running CI, would ignore)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    installed = []

    def install(pragma: str) -> None:
        def on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            if type(dbapi_conn).__module__.startswith("sqlite3"):
                dbapi_conn.execute(pragma)
            else:  # PostgreSQL
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
    _big_csv(source, 20_000)
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

        import leadbook.db

        monkeypatch.setattr(leadbook.db, "BUSY_TIMEOUT_MS", 200)
        lock = sqlite3.connect(db_path, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            result = cli("add", "新客户")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
    assert result.exit_code == 1 and "busy in another program" in result.stderr
    assert query(db_path, "SELECT count(*) FROM customers")[0][0] == 1
