"""Books written by every earlier schema revision open in this leadbook with their data intact.

tests/data/books/book-NNNN.db were written by the leadbook whose schema head was NNNN, with its
own commands (scripts/make_fixture_books.py). On PostgreSQL the same rows are loaded into a
schema built at that revision, then upgraded by leadbook as a user's book would be.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from conftest import PG, url_of
from leadbook.store.db import KNOWN_REVISIONS, SCHEMA_HEAD, migrations_dir
from leadbook.store.schema import SEARCH_INDEX_NAMES

BOOKS = Path(__file__).parent / "data" / "books"
REKEYED = ("pinyin", "initials", "search_key")
REVISIONS = sorted(p.stem.removeprefix("book-") for p in BOOKS.glob("book-*.db"))
# Parents before children, so foreign keys hold while rows are copied.
ORDER = ["customers", "followups", "plans", "changes", "audit", "settings", "deals"]


def test_there_is_a_fixture_book_for_every_revision_before_the_head():
    heads = sorted(p.name[:4] for p in (migrations_dir() / "versions").glob("0*.py"))
    assert heads == REVISIONS or heads[:-1] == REVISIONS, (REVISIONS, heads)


def test_this_version_knows_every_revision_it_can_upgrade_or_restore():
    heads = sorted(p.name[:4] for p in (migrations_dir() / "versions").glob("0*.py"))
    assert list(KNOWN_REVISIONS) == heads
    assert heads[-1] == SCHEMA_HEAD


def old_rows(fixture: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    conn = sqlite3.connect(fixture)
    try:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'alembic_version'"
            )
            if not t.startswith(SEARCH_INDEX_NAMES)  # FTS5's own tables: built by migrations
        ]
        out = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            out[table] = (columns, rows)
        return out
    finally:
        conn.close()


def load_into_postgres(url: str, revision: str, fixture: Path) -> None:
    """The fixture's rows in a PostgreSQL schema built at its revision."""
    from alembic import command
    from alembic.config import Config

    from leadbook.store import schema

    engine = sqlalchemy.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    source = sqlalchemy.create_engine(f"sqlite:///{fixture}")
    tables = old_rows(fixture)
    try:
        with engine.begin() as conn, source.connect() as old:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            for name in sorted(tables, key=lambda t: ORDER.index(t) if t in ORDER else 99):
                if name == "tallies":
                    continue  # the running totals: the triggers count the rows as they load
                table = schema.metadata.tables[name]
                columns = [table.c[c] for c in tables[name][0]]
                rows = [dict(r._mapping) for r in old.execute(sqlalchemy.select(*columns))]
                if rows:
                    conn.execute(table.insert(), rows)
                if "id" in table.c:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                    )
    finally:
        engine.dispose()
        source.dispose()


def values(book: Any, table: str, columns: list[str]) -> list[tuple[str, ...]]:
    """Rows as text, so a date read back from either engine compares with the fixture's."""
    engine = sqlalchemy.create_engine(url_of(book))
    try:
        with engine.connect() as conn:
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = conn.exec_driver_sql(f'SELECT {quoted} FROM "{table}" ORDER BY 1').fetchall()
    finally:
        engine.dispose()
    return [tuple(_text(v) for v in r) for r in rows]


def _text(value: Any) -> str:
    """One form for a value from either engine: SQLite keeps dates as text
    ('2026-03-18 09:00:00.000000'), PostgreSQL as dates."""
    if isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?", value
    ):
        value = datetime.fromisoformat(value)
    if isinstance(value, bool):
        return str(int(value))  # SQLite keeps booleans as 0 and 1
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


@pytest.mark.no_book
@pytest.mark.parametrize("revision", REVISIONS)
def test_a_book_of_an_earlier_revision_upgrades_with_its_data_intact(ok, db_path, revision):
    fixture = BOOKS / f"book-{revision}.db"
    if PG:
        load_into_postgres(db_path, revision, fixture)
    else:
        shutil.copy(fixture, db_path)
    before = old_rows(fixture)

    card = ok("show", "C00001", "--json").json()  # the first command upgrades the book
    assert ok("db", "current").stdout.strip() == SCHEMA_HEAD

    # Every row of every table is still there, every old column with its old value.
    for table, (columns, rows) in before.items():
        if table == "tallies":  # counted again by later revisions (0007: plans)
            from test_tallies import assert_period_funnels_read_as_the_rows, assert_same_totals

            assert_same_totals(url_of(db_path))  # kept by the triggers: equal to a recount
            # and the funnel over a period reads as the rows count it (the cards' reach_i, 0010)
            assert_period_funnels_read_as_the_rows(url_of(db_path))
            continue
        if table == "customers":  # the search keys are made again (the next test)
            keep = [i for i, c in enumerate(columns) if c not in REKEYED]
            columns = [columns[i] for i in keep]
            rows = [tuple(r[i] for i in keep) for r in rows]
        expected = [tuple(_text(v) for v in r) for r in rows]
        got = values(db_path, table, columns)
        assert got == expected, [
            (table, columns[i], a, b)
            for g, e in zip(got, expected, strict=True)
            for i, (a, b) in enumerate(zip(g, e, strict=True))
            if a != b
        ]

    # And the user sees the same book.
    assert card["name"] == "张三" and card["company"] == "华信科技" and card["stage"] == "intent"
    assert card["note"] == "第一行\n第二行"
    assert [f["note"] for f in card["followups"]] == ["约试驾", "看了车, 问了价格"]  # newest first
    lost = ok("show", "C00004", "--json").json()
    assert lost["stage"] == "lost"
    reached = {s["stage"]: s["reached"] for s in ok("funnel", "--json").json()["stages"]}
    assert reached["intent"] >= 2 and reached["ready"] >= 1
    if revision >= "0002":
        bought = ok("show", "C00002", "--json").json()
        assert bought["stage"] == "won"
        deal = ok("deals", "--json").json()
        assert [(d["number"], d["amount"], d["contract"]) for d in deal] == [
            ("C00002", "258000.00", "HT-2026-001")
        ]
    # The book takes new work after the upgrade.
    ok("log", "C00003", "--note", "升级后的第一条")
    assert ok("add", "新客户", "--mobile", "13700137000").stdout.strip() == "C00005"


@pytest.mark.no_book
def test_an_upgraded_book_gets_its_search_keys_made_again(ok, db_path, tmp_path):
    """An older leadbook read 重庆银行 character by character (zhongqing..., zqyh): after the
    upgrade `search cqyh` finds it, as it finds a card added today."""
    old = tmp_path / "old.db"
    shutil.copy(BOOKS / "book-0006.db", old)
    with sqlite3.connect(old) as conn:
        conn.execute(
            "UPDATE customers SET name = '重庆银行', pinyin = 'zhongqingyinhang', "
            "initials = 'zqyh', search_key = '|c00001|重庆银行|zhongqingyinhang|zqyh|' "
            "WHERE number = 'C00001'"
        )
    conn.close()
    if PG:
        load_into_postgres(db_path, "0006", old)
    else:
        shutil.copy(old, db_path)
    found = ok("search", "cqyh", "--json").json()
    assert [c["number"] for c in found] == ["C00001"]
    assert ok("search", "zqyh", "--json").json() == []
    card = ok("show", "C00001", "--json").json()
    assert card["name"] == "重庆银行"


@pytest.mark.no_book
def test_db_upgrade_upgrades_the_book_it_says_it_did(ok, db_path):
    """`db upgrade` said the book was at the head while leaving it as it was: a book is opened
    when a command first needs it, and the command never needed it."""
    if PG:
        pytest.skip("the revision is read from the SQLite file itself")
    shutil.copy(BOOKS / f"book-{REVISIONS[-1]}.db", db_path)
    said = ok("db", "upgrade").stderr
    assert SCHEMA_HEAD in said
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
    finally:
        conn.close()
