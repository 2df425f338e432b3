"""Forgetting a person (PIPL/GDPR) erases them everywhere leadbook keeps data: the running
totals, SQLite's write-ahead log even while someone reads, PostgreSQL's dead rows (issue 10,
point 5)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from conftest import PG, query

sqlite_only = pytest.mark.skipif(bool(PG), reason="SQLite's files")
pg_only = pytest.mark.skipif(not PG, reason="PostgreSQL's pages")

SECRETS = ["13912345678", "住在海淀区", "wangwu@example.com", "王五六", "嫌贵不买了理由"]


def _forgettable(ok, add) -> str:
    n = add(SECRETS[3], "--mobile", SECRETS[0], "--email", SECRETS[2], "--note", SECRETS[1])
    ok("log", n, "--note", SECRETS[1])
    ok("lost", n, "--reason", SECRETS[4])
    add("李四", "--mobile", "13800138000")
    return n


def _raw(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))


def test_forget_leaves_no_reason_text_in_the_totals(ok, add, db_path):
    n = _forgettable(ok, add)
    ok("forget", n, "--yes")
    keys = [k for (k,) in query(db_path, "SELECT key FROM tallies WHERE metric = 'lostwhy'")]
    assert SECRETS[4] not in keys
    assert SECRETS[4] not in ok("funnel").stdout


@sqlite_only
def test_forget_with_a_reader_open_finishes_erasing_on_the_next_command(
    ok, add, db_path, monkeypatch
):
    from leadbook.store import db

    n = _forgettable(ok, add)
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()  # holds the old snapshot
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    result = ok("forget", n, "--yes")
    assert "Erased" in result.stderr and "next leadbook command removes it" in result.stderr
    reader.execute("COMMIT")
    reader.close()
    ok("due")  # any command finishes the erasure
    raw = _raw(db_path)
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    assert "李四".encode() in raw
    assert not Path(f"{db_path}.erase-pending").exists()


def _pages(book: str, table: str) -> bytes:
    import sqlalchemy

    engine = sqlalchemy.create_engine(book)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
            pages = conn.exec_driver_sql(f"SELECT pg_relation_size('{table}') / 8192").scalar()
            return b"".join(
                bytes(conn.exec_driver_sql(f"SELECT public.get_raw_page('{table}', {i})").scalar())
                for i in range(pages or 0)
            )
    finally:
        engine.dispose()


@pg_only
def test_forget_on_postgresql_vacuums_and_with_rewrite_leaves_no_byte(ok, add, book_url):
    n = _forgettable(ok, add)
    result = ok("forget", n, "--yes")
    assert "--rewrite" in result.stderr  # the bytes may stay in free space: it says so
    ok("forget", n, "--yes", "--rewrite")
    for table in ("customers", "followups", "changes", "tallies"):
        raw = _pages(book_url, table)
        for secret in SECRETS:
            assert secret.encode() not in raw, (table, secret)
    assert "李四".encode() in _pages(book_url, "customers")


@pg_only
def test_forget_by_a_login_that_cannot_vacuum_says_who_must(ok, add, book_url, monkeypatch):
    import sqlalchemy

    role = "lb_" + uuid.uuid4().hex[:8]
    n = add(SECRETS[3], "--mobile", SECRETS[0], "--owner", role)
    admin = sqlalchemy.create_engine(book_url)
    schema = book_url.rsplit("%3D", 1)[1]
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
            conn.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role}")
            conn.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        url = book_url.replace("leadbook:leadbook@", f"{role}:pw@")
        monkeypatch.setenv("LEADBOOK_DB", url)
        monkeypatch.setenv("LEADBOOK_USER", role)
        result = ok("forget", n, "--yes")
        assert "Erased" in result.stderr and "ask the book's owner to run VACUUM" in result.stderr
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()
