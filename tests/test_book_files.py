"""The book's own files: books in folders with any name, verified backups, restores that trust
nothing in the file, and upgrades that many processes start at once (issue 10, points 1, 3, 4).

These are SQLite's: a PostgreSQL book is copied with pg_dump (test_team covers the refusal).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import PG, dump_book
from forked import run_forked

pytestmark = pytest.mark.skipif(bool(PG), reason="backup and restore copy SQLite books")

BOOKS = Path(__file__).parent / "data" / "books"
# What a process opening an old book imports to upgrade it (see run_forked's preload).
UPGRADE_MODULES = ("sqlalchemy", "alembic.command", "alembic.config", "leadbook.store.db")
FOLDERS = ["客户资料", "my books", "a#b", "50%25", "q?x"]


def cards_in(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM customers ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_book_in_a_folder_of_any_name_backs_up_restores_exports_and_imports(ok, tmp_path, folder):
    home = tmp_path / folder / "子目录"
    book = str(home / "book.db")
    ok("--db", book, "add", "独特客户", "--mobile", "13912345678")
    copy = home / "备份.db"
    ok("--db", book, "backup", str(copy))
    assert cards_in(copy) == ["独特客户"]  # before: an empty 4 KB file
    ok("--db", book, "add", "第二位", "--mobile", "13912345679")
    result = ok("--db", book, "restore", str(copy))
    assert [c["name"] for c in ok("--db", book, "list", "--json").json()] == ["独特客户"]
    kept = home / "book.db.before-restore.bak"
    assert cards_in(kept) == ["独特客户", "第二位"] and str(kept) in result.stderr
    workbook = home / "导出.xlsx"
    ok("--db", book, "export", str(workbook))
    other = str(home / "other.db")
    ok("--db", other, "import", str(workbook))
    assert [c["name"] for c in ok("--db", other, "list", "--json").json()] == ["独特客户"]
    # nothing was written anywhere but where it was asked for
    stray = [p for p in tmp_path.rglob("*") if "%" in p.name and p.name != "50%25"]
    assert stray == []


@pytest.mark.parametrize("folder", ["客户资料", "a#b"])
def test_the_copy_before_an_upgrade_holds_the_book_in_a_folder_of_any_name(ok, tmp_path, folder):
    home = tmp_path / folder
    home.mkdir()
    shutil.copy(BOOKS / "book-0004.db", home / "book.db")
    before = cards_in(home / "book.db")
    ok("--db", str(home / "book.db"), "due")
    from leadbook.store.db import SCHEMA_HEAD

    saved = home / f"book.db.before-{SCHEMA_HEAD}.bak"
    assert before and cards_in(saved) == before
    conn = sqlite3.connect(saved)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    conn.close()
    assert sorted(p.name for p in home.iterdir() if p.name.endswith(".tmp")) == []


def test_a_backup_that_cannot_be_written_is_reported_and_not_claimed(cli, add, tmp_path):
    add("张三")
    (tmp_path / "a file").write_text("not a folder")
    result = cli("backup", str(tmp_path / "a file" / "b.db"))
    assert result.exit_code == 1
    assert "Backed up" not in result.stderr and "cannot write the backup" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_backup_is_verified_against_the_book(add, cli, tmp_path, monkeypatch):
    from leadbook.store import db

    add("张三")
    add("李四")

    def lose_a_card(copy, expected):
        conn = sqlite3.connect(copy)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM customers WHERE id = 2")
        conn.commit()
        conn.close()
        return real(copy, expected)

    real = db._verify_copy
    monkeypatch.setattr(db, "_verify_copy", lose_a_card)
    target = tmp_path / "b.db"
    result = cli("backup", str(target))
    assert result.exit_code == 1 and "could not be verified" in result.stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.db")] == []


# restore --------------------------------------------------------------------------------


def _backup_with(ok, tmp_path: Path, *statements: str, page_size: int | None = None) -> Path:
    ok("backup", str(tmp_path / "clean.db"))
    hostile = tmp_path / "hostile.db"
    if page_size:
        conn = sqlite3.connect(hostile, isolation_level=None)
        conn.execute(f"PRAGMA page_size = {page_size}")
        sqlite3.connect(tmp_path / "clean.db").backup(conn)
        conn.execute("VACUUM")
    else:
        shutil.copy(tmp_path / "clean.db", hostile)
        conn = sqlite3.connect(hostile, isolation_level=None)
    for sql in statements:
        conn.execute(sql)
    conn.close()
    return hostile


def test_restore_refuses_a_backup_with_a_trigger_of_its_own(ok, cli, add, tmp_path, db_path):
    n = add("张三")
    ok("deal", n, "--amount", "18万")
    hostile = _backup_with(
        ok,
        tmp_path,
        "CREATE TRIGGER grab AFTER INSERT ON followups BEGIN "
        "UPDATE customers SET owner = 'attacker'; DELETE FROM deals; END",
    )
    before = dump_book(db_path)
    result = cli("restore", str(hostile))
    assert result.exit_code == 1
    assert "not a plain leadbook book" in result.stderr and "grab" in result.stderr
    assert dump_book(db_path) == before
    ok("log", n, "--note", "回访")
    assert [c["owner"] for c in ok("list", "--json").json()] == ["王丽"]


@pytest.mark.parametrize(
    "statements",
    [
        ["CREATE VIEW spy AS SELECT name, mobile FROM customers"],
        ["CREATE TABLE extra (x TEXT)"],
        ["CREATE INDEX ix_mine ON customers (name)"],
        ["ALTER TABLE customers ADD COLUMN leak TEXT DEFAULT 'x'"],
        ["DROP TRIGGER tallies_plan_insert"],
    ],
    ids=["view", "table", "index", "column", "missing trigger"],
)
def test_restore_refuses_a_backup_whose_schema_is_not_leadbooks(
    ok, cli, add, tmp_path, db_path, statements
):
    add("张三")
    hostile = _backup_with(ok, tmp_path, *statements)
    before = dump_book(db_path)
    result = cli("restore", str(hostile))
    assert result.exit_code == 1 and "not a plain leadbook book" in result.stderr, result.stderr
    assert dump_book(db_path) == before


def test_restore_refuses_files_with_only_the_two_tables_it_used_to_probe(
    cli, add, tmp_path, db_path
):
    add("张三")
    for n, body in enumerate(
        [
            "CREATE TABLE alembic_version (version_num TEXT); "
            "INSERT INTO alembic_version VALUES ('0005'); CREATE TABLE customers (id INTEGER);",
            "CREATE TABLE alembic_version (version_num TEXT); "
            "INSERT INTO alembic_version VALUES ('0005'); CREATE VIEW customers AS SELECT 1 AS id;",
        ]
    ):
        fake = tmp_path / f"fake{n}.db"
        conn = sqlite3.connect(fake)
        conn.executescript(body)
        conn.close()
        before = dump_book(db_path)
        result = cli("restore", str(fake))
        assert result.exit_code == 1 and "not a plain leadbook book" in result.stderr
        assert dump_book(db_path) == before
    assert cli("due").exit_code == 0


def test_restore_refuses_a_damaged_backup(ok, cli, tmp_path, db_path):
    cards = tmp_path / "cards.csv"  # a book of many pages, written in one command
    cards.write_text(
        "姓名,备注\n" + "".join(f"客户{i},{'x' * 300}\n" for i in range(200)), encoding="utf-8"
    )
    assert ok("import", str(cards), "--json").json()["created"] == 200
    ok("backup", str(tmp_path / "b.db"))
    damaged = tmp_path / "b.db"
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12), 7):  # a run of pages scribbled
        data[offset] = 0xFF
    damaged.write_bytes(bytes(data))
    before = dump_book(db_path)
    result = cli("restore", str(damaged))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert dump_book(db_path) == before


def test_restore_takes_a_valid_backup_with_64k_pages(ok, add, tmp_path):
    add("张三")
    backup = _backup_with(ok, tmp_path, page_size=65536)
    assert sqlite3.connect(backup).execute("PRAGMA page_size").fetchone()[0] == 65536
    add("李四")
    ok("restore", str(backup))  # before: "attempt to write a readonly database"
    assert [c["name"] for c in ok("list", "--json").json()] == ["张三"]


@pytest.mark.parametrize("revision", ["0001", "0004"])
def test_restore_upgrades_an_older_backup_before_it_touches_the_book(ok, add, tmp_path, revision):
    add("mine")
    old = tmp_path / f"old-{revision}.db"
    shutil.copy(BOOKS / f"book-{revision}.db", old)
    names = cards_in(old)
    ok("restore", str(old))
    assert [c["name"] for c in ok("list", "--json").json()] == names
    assert cards_in(old) == names  # the user's backup itself is left as it was
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == revision
    conn.close()


def test_a_backup_that_fails_to_upgrade_leaves_the_book_and_says_where_it_is(
    cli, add, tmp_path, db_path, monkeypatch
):
    add("mine")
    old = tmp_path / "old.db"
    shutil.copy(BOOKS / "book-0003.db", old)
    from leadbook.store import db

    def broken(engine):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db, "upgrade", broken)
    before = dump_book(db_path)
    result = cli("restore", str(old))
    assert result.exit_code == 1
    assert "could not be brought up" in result.stderr and "your book is unchanged" in result.stderr
    assert "a copy of the book" not in result.stderr.lower()
    assert dump_book(db_path) == before


# upgrades --------------------------------------------------------------------------------


def test_several_processes_opening_an_old_book_at_once_all_go_on(tmp_path):
    from leadbook.store.db import SCHEMA_HEAD

    for trial in range(3):
        home = tmp_path / f"t{trial}"
        home.mkdir()
        shutil.copy(BOOKS / "book-0004.db", home / "book.db")
        env = {
            **os.environ,
            "LEADBOOK_DB": str(home / "book.db"),
            "LEADBOOK_NOW": "2026-03-18",
        }
        # Four processes, loaded with everything an upgrade needs, start `due` at one instant.
        ran = run_forked([["due"]] * 4, env, together=True, preload=UPGRADE_MODULES)
        assert [r.code for r in ran] == [0, 0, 0, 0], [r.stderr for r in ran]
        assert sorted(p.name for p in home.iterdir() if not p.name.startswith("book.db-")) == [
            "book.db",
            f"book.db.before-{SCHEMA_HEAD}.bak",
        ]
        conn = sqlite3.connect(home / "book.db")
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
        conn.close()
