"""The running totals (leadbook.store.tallies) always equal totals counted from the rows.

Whatever sequence of commands a team runs, the funnel, the report and the journals read from
the totals must say exactly what the reference (tests/tallies_reference.py) says counting from
the cards, changes, plans and contacts, and the totals must equal a recount from scratch: on
SQLite, and on PostgreSQL when the suite runs against it (each book its own schema).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tallies_reference as reference
from conftest import private_book, query, url_of
from leadbook import funnel, journal, report
from leadbook.models.lines import to_json
from leadbook.store import tallies

BOOKS = itertools.count()
OWNERS = ("王丽", "李强", "")
STAGES = ("prospect", "contacted", "interested", "intent", "ready", "won")
DAYS = [f"2026-03-{d:02d}" for d in (2, 3, 9, 16, 17, 18)] + ["2026-02-27"]

step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(OWNERS), st.sampled_from(STAGES)),
    st.tuples(st.just("log"), st.integers(0, 9), st.sampled_from(("phone", "visit", "wechat"))),
    st.tuples(st.just("stage"), st.integers(0, 9), st.sampled_from(STAGES)),
    st.tuples(st.just("lost"), st.integers(0, 9), st.sampled_from(("价格太高", "买了别家"))),
    st.tuples(st.just("grade"), st.integers(0, 9), st.sampled_from(("A", "B", "E"))),
    st.tuples(st.just("reopen"), st.integers(0, 9), st.just("")),
    st.tuples(st.just("deal"), st.integers(0, 9), st.just("")),
    st.tuples(st.just("owner"), st.integers(0, 9), st.sampled_from(OWNERS)),
    st.tuples(st.just("reassign"), st.sampled_from(OWNERS[:2]), st.sampled_from(OWNERS[:2])),
    st.tuples(st.just("next"), st.integers(0, 9), st.integers(1, 12)),
    st.tuples(st.just("forget"), st.integers(0, 9), st.just("")),
)


@contextmanager
def fresh_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new empty book for the commands (LEADBOOK_DB), and its SQLAlchemy URL."""
    with private_book(tmp_path / f"tallies-{next(BOOKS)}.db") as book:
        monkeypatch.setenv("LEADBOOK_DB", book)
        yield url_of(book)


def run_steps(cli: Any, steps: list[tuple[str, Any, Any]], days: list[str]) -> list[str]:
    numbers: list[str] = []

    def must(*args: str, now: str) -> Any:
        result = cli(*args, now=now)
        refused = args[len(user)] == "reopen" and "is not lost" in result.stderr
        assert result.exit_code == 0 or refused, (args, result.stderr, result.exception)
        return result

    for (kind, a, b), now in zip(steps, itertools.cycle(days), strict=False):
        user = ("--as", "李强") if len(numbers) % 2 else ()
        if kind == "add":
            owner = ("--owner", a) if a else ()
            result = must(*user, "add", f"客户{len(numbers)}", *owner, "--stage", b, now=now)
            numbers.append(result.stdout.strip())
            continue
        if not numbers:
            continue
        number = numbers[a % len(numbers)] if isinstance(a, int) else ""
        if kind == "log":
            must(*user, "log", number, "--via", b, "--note", "聊了聊", now=now)
        elif kind == "stage":
            must(*user, "stage", number, b, now=now)
        elif kind == "lost":
            must(*user, "lost", number, "--reason", b, now=now)
        elif kind == "grade":
            must(*user, "grade", number, b, now=now)
        elif kind == "reopen":
            must(*user, "reopen", number, now=now)
        elif kind == "deal":
            must(*user, "deal", number, "--amount", "1000", now=now)
        elif kind == "owner":
            must(*user, "edit", number, "--owner", b or "张三", now=now)
        elif kind == "forget":
            must(*user, "forget", number, "--yes", now=now)
        elif kind == "next":
            must(*user, "log", number, "--via", "phone", "--next", f"+{b}d", now=now)
        elif kind == "reassign" and a != b:
            must(*user, "reassign", "--from", a, "--to", b, now=now)
    return numbers


def kept_rows(conn: sqlalchemy.Connection) -> dict[tuple[str, str, str, str], tuple[int, float]]:
    rows = conn.exec_driver_sql("SELECT metric, owner, day, key, n, total FROM tallies")
    return {(m, o, d, k): (n, t) for m, o, d, k, n, t in rows if n or abs(t) > 1e-6}


_OPENED = [""]  # the SQLite file the shared engine opens next


@cache
def _sqlite_engine() -> sqlalchemy.Engine:
    import sqlite3

    from sqlalchemy.pool import NullPool

    return sqlalchemy.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(_OPENED[0]), poolclass=NullPool
    )


@contextmanager
def engine_for(url: str) -> Iterator[sqlalchemy.Engine]:
    """An engine on the book at ``url``. Every SQLite book of these tests shares one: an engine
    keeps the statements it has compiled, and one made for each of the property test's examples
    compiled every statement again (a fifth of its time)."""
    if url.startswith("sqlite:///"):
        _OPENED[0] = url.removeprefix("sqlite:///")
        yield _sqlite_engine()
        return
    engine = sqlalchemy.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def assert_same_totals(url: str) -> None:
    """The totals the triggers kept equal the totals recounted from the rows."""
    with engine_for(url) as engine, engine.connect() as conn, conn.begin() as transaction:
        kept = kept_rows(conn)
        conn.exec_driver_sql("DELETE FROM tallies")
        for statement in tallies.recount_sql(conn.dialect.name):
            conn.exec_driver_sql(statement)
        recounted = kept_rows(conn)
        transaction.rollback()
    assert kept.keys() == recounted.keys()
    for key, (n, total) in kept.items():
        assert n == recounted[key][0], key
        assert total == pytest.approx(recounted[key][1], abs=1e-6), key


PERIODS = (
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 3, 16), date(2026, 3, 22)),
    (date(2026, 2, 1), date(2026, 3, 17)),
)
JOURNAL_DAYS = (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 18))


def read_both(
    url: str,
    today: date = date(2026, 3, 18),
    owners: Iterable[str | None] = (None, "王丽"),
    periods: Iterable[tuple[date, date]] = PERIODS,
    days: Iterable[date] = JOURNAL_DAYS,
) -> list[tuple[str, Any, Any]]:
    """(what, as the service reads it from the totals, as the reference counts it from the
    rows) for each funnel, split, report and day and week journal."""
    patch = pytest.MonkeyPatch()  # its own: undo() leaves the test's environment alone
    patch.setattr(journal, "MISSED_SHOWN", 2)  # small books: make the bound matter
    try:
        with engine_for(url) as engine, engine.connect() as conn:
            found: list[tuple[str, Any, Any]] = []
            for owner in owners:
                found.append(
                    (
                        f"funnel {owner}",
                        asdict(funnel.funnel(conn, today, owner=owner)),
                        asdict(reference.funnel(conn, today, owner)),
                    )
                )
                for since in {since for since, _until in periods}:
                    found.append(
                        (
                            f"funnel --since {since} {owner}",
                            funnel.flows(conn, since, today, owner, today=today),
                            reference.period_flows(conn, since, today, owner),
                        )
                    )
                for since, until in periods:
                    found.append(
                        (
                            f"report {since} {until} {owner}",
                            asdict(report.report(conn, since, until, today, owner)),
                            asdict(reference.report(conn, since, until, today, owner)),
                        )
                    )
                for day in days:
                    found.append(
                        (
                            f"journal --day {day} {owner}",
                            to_json(journal.day_journal(conn, day, owner)),
                            to_json(reference.day_journal(conn, day, owner)),
                        )
                    )
                    found.append(
                        (
                            f"journal --week {day} {owner}",
                            to_json(journal.week_journal(conn, day, owner, today)),
                            to_json(reference.week_journal(conn, day, owner, today)),
                        )
                    )
            found.append(
                (
                    "funnel --by owner",
                    asdict(funnel.split(conn, "owner", today)),
                    asdict(reference.split_by_owner(conn, today)),
                )
            )
            return found
    finally:
        patch.undo()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(step, min_size=1, max_size=14), st.permutations(DAYS))
def test_totals_always_equal_the_rows(cli, tmp_path, monkeypatch, steps, days):
    with fresh_book(tmp_path, monkeypatch) as url:
        if not run_steps(cli, steps, days):
            return
        assert_totals_read_as_the_rows(url)


def assert_period_funnels_read_as_the_rows(url: str, today: date = date(2026, 3, 18)) -> None:
    """The funnel of each period to ``today`` (the cards' reach_i and their totals) counts
    what the reference counts from the stage changes, for everyone and for one salesperson."""
    with engine_for(url) as engine, engine.connect() as conn:
        for owner in (None, "王丽"):
            for since in sorted({since for since, _until in PERIODS}):
                found = funnel.flows(conn, since, today, owner, today=today)
                assert found == reference.period_flows(conn, since, today, owner), (since, owner)


def assert_totals_read_as_the_rows(url: str, **reading: Any) -> list[Any]:
    """The totals equal a recount, and every funnel, report and journal (``reading``: the
    dates and salespeople of :func:`read_both`) the services read from them says what the
    reference counts from the rows; returns what was read from the totals."""
    assert_same_totals(url)
    both = read_both(url, **reading)
    for what, from_totals, from_rows in both:
        assert _close(from_totals, from_rows), what
    return [from_totals for _what, from_totals, _rows in both]


def _close(a: Any, b: Any) -> bool:
    """Equal, with floats (average days) equal to a millionth."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), (a, b)
        return all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (a, b)
        return all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-6)
        return True
    assert a == b
    return True


def test_an_old_book_gets_its_totals_when_upgraded(tmp_path: Path, cli: Any, monkeypatch):
    """Migration 0005 counts what the book already holds."""
    import shutil

    book = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "books" / "book-0004.db", book)
    monkeypatch.setenv("LEADBOOK_DB", str(book))
    assert cli("funnel").exit_code == 0  # upgrades the book
    url = f"sqlite:///{book}"
    assert_same_totals(url)
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as conn:
        cards = conn.exec_driver_sql("SELECT count(*) FROM customers").scalar()
        counted = conn.exec_driver_sql("SELECT sum(n) FROM tallies WHERE metric = 'stage'").scalar()
    engine.dispose()
    assert cards and counted == cards


def test_an_import_keeps_the_totals(tmp_path: Path, cli: Any, monkeypatch):
    """Cards, history and contacts arriving by import (leadbook's own workbook, with its
    history sheet) are counted like the ones added by hand."""
    steps = [
        ("add", "王丽", "interested"),
        ("add", "李强", "prospect"),
        ("add", "", "intent"),
        ("log", 1, "phone"),
        ("lost", 0, "价格太高"),
        ("reopen", 0, ""),
        ("lost", 0, "买了别家"),
        ("deal", 2, ""),
        ("stage", 1, "ready"),
        ("log", 2, "visit"),
    ]
    workbook = tmp_path / "book.xlsx"
    with fresh_book(tmp_path, monkeypatch):
        run_steps(cli, steps, DAYS)
        assert cli("export", str(workbook)).exit_code == 0
    with fresh_book(tmp_path, monkeypatch) as second:
        result = cli("import", str(workbook))
        assert result.exit_code == 0, result.stderr
        from_totals = assert_totals_read_as_the_rows(second)
    lost = next(r for r in from_totals[0]["stages"] if r["stage"] == "lost")
    assert lost["count"] == 1 and from_totals[0]["lost_reasons"] == {"买了别家": 1, "价格太高": 1}


@pytest.mark.parametrize("rebuilt", [False, True], ids=["indexes-kept", "indexes-rebuilt"])
def test_an_import_into_a_book_counts_its_new_cards_once(
    tmp_path: Path, cli: Any, monkeypatch, rebuilt
):
    """On SQLite an import counts its new cards in one statement each instead of by trigger
    (and, when bigger than the book, while its indexes are rebuilt); the totals still equal
    the rows, a reason another card was lost for counts both cards, and the triggers are back
    for the next command."""
    from leadbook.exchange import importer

    if rebuilt:
        monkeypatch.setattr(importer, "REBUILD_AT", 1)
    source = tmp_path / "leads.csv"
    source.write_text(
        "姓名,手机,阶段,流失原因,下次跟进\n"
        "李雷,13800138001,lost,价格太高,\n"
        "韩梅梅,13800138002,won,,\n"
        "张三,13800138003,contacted,,2026-03-20\n"
        "李四,13800138004,interested,,\n",
        encoding="utf-8",
    )
    steps = [("add", "王丽", "interested"), ("lost", 0, "价格太高")]
    with fresh_book(tmp_path, monkeypatch) as url:
        run_steps(cli, steps, DAYS)
        schema = _triggers(url)
        result = cli("import", str(source))
        assert result.exit_code == 0, result.stderr
        assert _triggers(url) == schema
        from_totals = assert_totals_read_as_the_rows(url)
        lost = cli("lost", "C00005", "--reason", "价格太高", now=DAYS[-1])  # 李四, by trigger
        assert lost.exit_code == 0, lost.stderr
        after = assert_totals_read_as_the_rows(url)
    assert from_totals[0]["lost_reasons"] == {"价格太高": 2}
    stages = {r["stage"]: r["count"] for r in from_totals[0]["stages"]}
    assert (stages["lost"], stages["won"], stages["contacted"], stages["interested"]) == (
        2,
        1,
        1,
        1,
    )
    assert after[0]["lost_reasons"] == {"价格太高": 3}


def _triggers(url: str) -> list[Any]:
    """The book's triggers (on SQLite with their SQL; on PostgreSQL those of its own schema)."""
    if url.startswith("sqlite"):
        return query(url, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
    return query(
        url,
        "SELECT t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
        "ORDER BY 1",
    )


def test_the_day_journal_lists_the_earliest_missed_contacts(tmp_path: Path, cli: Any, monkeypatch):
    """Missed contacts are read from a slice of the plans bounded by the date of the Nth of
    each kind: the same list as one query over every plan."""
    steps = [("add", "王丽", "prospect")] * 4 + [("log", 1, "phone"), ("next", 2, 3)]
    with fresh_book(tmp_path, monkeypatch) as url:
        run_steps(
            cli, steps, ["2026-03-09", "2026-03-02", "2026-03-05", "2026-03-03", "2026-03-10"]
        )
        monkeypatch.setattr(journal, "MISSED_SHOWN", 2)
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as conn:
            missed = to_json(journal.day_journal(conn, date(2026, 3, 18)))["missed"]
            assert missed == to_json(reference.missed(conn, date(2026, 3, 18), None))
        engine.dispose()
    # C00002 was contacted (its next plan is in April), C00003 moved on to the 12th.
    assert [(m["number"], m["due"]) for m in missed] == [
        ("C00004", "2026-03-03"),
        ("C00001", "2026-03-09"),
    ]


def test_forgetting_a_card_lost_twice_keeps_one_lost_card(tmp_path: Path, cli: Any, monkeypatch):
    """forget clears every reason of a card in one statement; the card still counts once, with
    no reason (PostgreSQL ran the change triggers after the whole statement and counted -1)."""
    steps = [
        ("add", "王丽", "interested"),
        ("lost", 0, "价格太高"),
        ("reopen", 0, ""),
        ("lost", 0, "价格太高"),
        ("add", "王丽", "interested"),
        ("lost", 1, "价格太高"),
        ("reopen", 1, ""),
        ("lost", 1, "买了别家"),
        ("forget", 0, ""),
        ("forget", 1, ""),
    ]
    with fresh_book(tmp_path, monkeypatch) as url:
        run_steps(cli, steps, ["2026-03-02", "2026-03-03", "2026-03-09"])
        assert_same_totals(url)
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as conn:
            found = funnel.funnel(conn, date(2026, 3, 18)).lost_reasons
        engine.dispose()
    assert found == {"(no reason given)": 2}


def test_a_new_book_has_the_triggers_the_code_would_create(ok, db_path):
    """The migrations carry their own SQL (migrations/sql/): a change to tallies.py that is
    not made again by a new revision shows here (issue 14, frozen migrations)."""
    import re

    ok("list")  # the book exists at the head revision
    engine = sqlalchemy.create_engine(url_of(db_path))
    try:
        with engine.connect() as conn:
            dialect = conn.dialect.name
            expected = tallies.create_triggers(dialect)
            if dialect == "sqlite":
                got = dict(
                    conn.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master "
                        "WHERE type IN ('trigger', 'view') AND name LIKE 'tallies%'"
                    ).fetchall()
                )
                want = {re.match(r"CREATE (?:TRIGGER|VIEW) (\w+)", s)[1]: s for s in expected}  # type: ignore[index]
                assert got == want
                # the tables' 19 triggers; a view of each of the seven kinds, and its trigger
                assert len(want) == 19 + 2 * 7
                return
            bodies = dict(
                conn.exec_driver_sql(
                    "SELECT proname, prosrc FROM pg_proc "
                    "WHERE left(proname, 7) = 'tallies' AND pronamespace = current_schema()::regnamespace"
                ).fetchall()
            )
            want_bodies = {
                m[1]: m[2]
                for s in expected
                if (m := re.match(r"CREATE OR REPLACE FUNCTION (\w+)\(\).*? AS \$\$(.*)\$\$$", s))
            }
            assert bodies == want_bodies
            # each trigger's name, timing, events and table (PostgreSQL rewrites the WHEN
            # condition in its own words; the function it runs is compared above)
            triggers = {
                re.sub(r" ON \S+\.", " ON ", d.split(" FOR EACH ROW")[0]).replace('"', "")
                for (d,) in conn.exec_driver_sql(
                    "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t "
                    "JOIN pg_class AS c ON c.oid = t.tgrelid "
                    "WHERE left(t.tgname, 7) = 'tallies' "
                    "AND c.relnamespace = current_schema()::regnamespace"
                )
            }
            want_triggers = {
                s.split(" FOR EACH ROW")[0].replace('"', "")
                for s in expected
                if s.startswith("CREATE TRIGGER")
            }
            assert triggers == want_triggers
    finally:
        engine.dispose()
