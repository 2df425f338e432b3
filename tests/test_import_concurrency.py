"""An import is a writer like any other: the same lock and transaction (Book.write), card ids
from the same source as `leadbook add`, and no lock that keeps a colleague's `due` waiting.

The first test runs real processes side by side on the test's book: an import, several
`add` and `lost`, and `due` over and over, timed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from conftest import PG, query, url_of
from forked import Ran, finish_forked, run_forked, start_forked
from test_tallies import assert_same_totals

# The import in a process of its own, with the threshold above which it rebuilds the indexes
# lowered (as the row-limit tests lower theirs): the path that used to drop them on PostgreSQL.
IMPORT = (
    "import sys; import leadbook.exchange.importer as i; i.REBUILD_AT = 1; "
    "from leadbook.cli import main; main(sys.argv[1:])"
)
# `leadbook add` and `lost`, each in a process of its own (tests/forked.py), loaded and
# waiting for the cue file to appear: so that they write while the import does, however slow
# Python starts.
WRITERS = """
from leadbook.cli.app import load
load(["add"])
load(["lost"])
import sqlalchemy.orm, leadbook.cards, leadbook.store.db
if "postgresql" in os.environ["LEADBOOK_DB"]:
    import psycopg
"""
# `leadbook due` in a process of its own, timed: how long the book took to answer its
# statements (where a lock would keep it waiting), and the whole command. Python's start-up
# and the client's own work vary with the load of the machine (two cores shared by the whole
# test suite), not with what the import does to the book. On SQLite `due` reads the book with
# the sqlite3 module itself (leadbook.store.fast): every statement sent through a connection
# is timed; on PostgreSQL, every statement SQLAlchemy sends.
DUE = """
import sqlite3, time
waited = [0.0]
if "postgresql" in os.environ["LEADBOOK_DB"]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    @event.listens_for(Engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("leadbook_test_t", []).append(time.monotonic())
    @event.listens_for(Engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        waited[0] += time.monotonic() - conn.info["leadbook_test_t"].pop()
else:
    class Timed(sqlite3.Connection):
        def execute(self, *args):
            start = time.monotonic()
            try:
                return super().execute(*args)
            finally:
                waited[0] += time.monotonic() - start
    connect = sqlite3.connect
    sqlite3.connect = lambda *args, **kw: connect(*args, factory=Timed, **kw)

def run(argv):
    start = time.monotonic()
    try:
        main(argv)
    finally:
        print(f"book {waited[0]:.4f} s, command {time.monotonic() - start:.3f} s", file=sys.stderr)
"""
DUE_LIST = ["due", "--limit", "5"]


def _book_time(due: Ran) -> float:
    """How long the book took to answer a `due`'s statements."""
    timing = (due.stderr.strip().splitlines() or [""])[-1]
    return float(timing.split()[1]) if timing.startswith("book ") else 999.0


def _csv(path: Path, rows: int) -> Path:
    lines = ["姓名,单位,手机,等级,阶段"]
    lines += [f"导入客户{i},公司{i % 97},139{i:08d},{'ABCD'[i % 4]},潜在" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env(book_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "LEADBOOK_DB": book_url,
        "LEADBOOK_NOW": "2026-03-18",
        "LEADBOOK_USER": "王丽",
        "COLUMNS": "100",
    }


def _leadbook(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leadbook", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _wait_until_writing(book_url: str, importing: subprocess.Popen[str], name: str) -> None:
    """Until the import's transaction has written its first row (PostgreSQL: its backend has
    a transaction id); on SQLite a moment, as it parses first."""
    if not PG:
        time.sleep(1.0)
        return
    deadline = time.monotonic() + 60
    while importing.poll() is None and time.monotonic() < deadline:
        found = query(
            book_url,
            "SELECT count(*) FROM pg_stat_activity "
            f"WHERE application_name = '{name}' AND backend_xid IS NOT NULL",
        )
        if found[0][0]:
            return
        time.sleep(0.05)


def test_an_import_beside_add_lost_and_due_loses_nothing_and_blocks_no_reader(
    add, book_url, tmp_path
):
    for i in range(6):
        add(f"老客户{i}", "--mobile", f"1380000000{i}")
    # Big enough to keep the import writing for a few seconds on either engine.
    rows = 2000 if PG else 4000
    source = _csv(tmp_path / "名单.csv", rows)
    env = _env(book_url)
    quiet = run_forked([DUE_LIST] * 2, env, prelude=DUE)
    assert all(r.code == 0 for r in quiet)

    name = f"import-{os.getpid()}"
    importing = subprocess.Popen(
        [sys.executable, "-c", IMPORT, "import", str(source)],
        env={**env, "LEADBOOK_DB": f"{book_url}&application_name={name}"} if PG else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    began = time.monotonic()
    cue = tmp_path / "write now"
    commands = [["add", f"新客户{i}", "--mobile", f"1370000000{i}"] for i in range(2)] + [
        ["lost", f"C0000{i}", "--reason", "价格太高"] for i in (1, 2)
    ]
    writers = start_forked(commands, env, together=True, prelude=WRITERS, cue=cue)
    # A colleague's `due` again and again, one after the other, while the import runs.
    imported = tmp_path / "imported"
    reader = start_forked([DUE_LIST], env, prelude=DUE, until=imported)
    _wait_until_writing(book_url, importing, name)
    cue.touch()
    _out, err = importing.communicate(timeout=120)
    ended = time.monotonic()
    imported.touch()
    written = finish_forked(writers)
    dues = finish_forked(reader)

    assert importing.returncode == 0, err
    assert f"created {rows} cards" in err
    for command, w in zip(commands, written, strict=True):
        assert w.code == 0, (command, w.stderr)
        assert "deadlock" not in w.stderr
    # Readers answer within a second all through the import.
    assert len(dues) >= 3, (len(dues), ended - began)
    assert all(r.code == 0 and r.stdout for r in dues), dues
    timings = [r.stderr.strip()[-40:] for r in quiet + dues]
    assert max(_book_time(r) for r in dues) < 1.0, (timings, ended - began)
    assert all(_book_time(r) > 0 for r in quiet + dues), timings  # the timing saw the statements

    # Every card is there once, each with its own number; the lost ones are lost.
    numbers = [
        w.stdout.strip()
        for command, w in zip(commands, written, strict=True)
        if command[0] == "add"
    ]
    assert len(set(numbers)) == 2
    total = query(book_url, "SELECT count(*), count(DISTINCT number) FROM customers")[0]
    assert total == (6 + rows + 2, 6 + rows + 2)
    stages = dict(
        query(book_url, "SELECT number, stage FROM customers WHERE number IN ('C00002', 'C00003')")
    )
    assert stages == {"C00002": "lost", "C00003": "prospect"}
    assert_same_totals(url_of(book_url))
    # And the next card goes on from there.
    after = _leadbook(env, "add", "最后一位")
    assert after.returncode == 0, after.stderr
    assert int(after.stdout.strip()[1:]) == 6 + rows + 2 + 1


@pytest.mark.skipif(not PG, reason="the writers' advisory lock is PostgreSQL's")
def test_an_import_waits_for_the_writers_lock_on_postgresql(add, book_url, tmp_path):
    """A colleague's write in progress (its transaction holds the writers' lock): the import
    waits for it, as `log` or `lost` would, instead of writing beside it."""
    from leadbook.store.db import WRITE_LOCK

    add("老客户")
    source = _csv(tmp_path / "名单.csv", 50)
    engine = sqlalchemy.create_engine(book_url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            importing = subprocess.Popen(
                [sys.executable, "-m", "leadbook", "import", str(source)],
                env=_env(book_url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            time.sleep(3.0)
            assert importing.poll() is None, importing.communicate()[1]
            assert query(book_url, "SELECT count(*) FROM customers") == [(1,)]
        _out, err = importing.communicate(timeout=60)
    finally:
        engine.dispose()
    assert importing.returncode == 0, err
    assert query(book_url, "SELECT count(*) FROM customers") == [(51,)]


@pytest.mark.skipif(not PG, reason="SQLite has one writer at a time and no sequence")
def test_an_import_takes_its_ids_from_the_sequence_on_postgresql(
    ok, add, book_url, tmp_path, monkeypatch
):
    """Whatever else draws from the card sequence while an import writes (a colleague's `add`
    does) is handed an id no imported card has."""
    from leadbook.exchange import importer

    add("老客户")
    drawn: list[int] = []
    original = importer.bulk_insert

    def insert_after_another_draw(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        if table.name == "customers":
            drawn.extend(
                row[0]
                for row in query(
                    book_url, "SELECT nextval(pg_get_serial_sequence('customers', 'id'))"
                )
            )
        original(conn, table, rows)

    monkeypatch.setattr(importer, "bulk_insert", insert_after_another_draw)
    ok("import", str(_csv(tmp_path / "名单.csv", 30)))
    ids = {row[0] for row in query(book_url, "SELECT id FROM customers")}
    assert len(ids) == 31 and drawn and drawn[0] not in ids
    monkeypatch.setattr(importer, "bulk_insert", original)
    assert int(add("新客户")[1:]) > max(ids)


def test_a_dry_run_or_a_refused_import_leaves_the_numbering_alone(ok, cli, add, tmp_path):
    """What an import does not keep takes no card numbers: the next `add` goes on from the
    last card (on PostgreSQL the sequence once jumped past the rows rolled back)."""
    assert add("老客户") == "C00001"
    source = _csv(tmp_path / "名单.csv", 40)
    ok("import", str(source), "--dry-run")
    bad = tmp_path / "坏.csv"
    bad.write_text(
        source.read_text(encoding="utf-8") + "坏客户,公司,12345,A,潜在\n", encoding="utf-8"
    )
    assert cli("import", str(bad)).exit_code == 1
    assert add("第二位") == "C00002"
    ok("import", str(source))
    assert add("第四十三位") == "C00043"


def test_a_files_own_numbers_keep_their_ids_and_later_cards_go_past_them(
    ok, add, book_url, tmp_path
):
    """A card numbered C00050 in the file is card 50: `add` afterwards gives C00051, never a
    second C00050, on either engine."""
    add("老客户")
    source = tmp_path / "numbered.csv"
    source.write_text("客户编号,姓名\nC00050,五十号\n,无编号\n", encoding="utf-8")
    ok("import", str(source))
    numbers = dict(query(book_url, "SELECT name, number FROM customers"))
    assert numbers["五十号"] == "C00050"
    assert numbers["无编号"] != "C00050"
    assert add("新客户") == "C00051"


def test_rollback_inside_book_write_keeps_nothing_and_is_not_an_error(add, book_url):
    """Book.write's one way to keep nothing on purpose (a dry run): raise Rollback."""
    from leadbook.store.db import Book, Rollback

    add("老客户")
    book = Book(url_of(book_url), "王丽")
    try:
        with book.write() as conn:
            conn.exec_driver_sql("UPDATE customers SET name = 'changed'")
            raise Rollback
        with book.read() as conn:
            assert conn.exec_driver_sql("SELECT name FROM customers").scalar() == "老客户"
        with pytest.raises(ValueError), book.write() as conn:
            conn.exec_driver_sql("UPDATE customers SET name = 'changed'")
            raise ValueError("a failure is passed on")
    finally:
        book.close()
