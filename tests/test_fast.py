"""`search`, `list` and `due` on a SQLite book without SQLAlchemy (issue 15): the SQL SQLAlchemy
compiled, run with the standard sqlite3 module (leadbook.store.fast), answers exactly as the
full stack does, and the compiled file is what SQLAlchemy compiles now."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PG, query, settle, url_of
from forked import run_forked
from leadbook.cli.quick import QUICK
from leadbook.store import fast, find

BOOKS = Path(__file__).parent / "data" / "books"
sqlite_only = pytest.mark.skipif(bool(PG), reason="the fast path reads SQLite books")


def test_the_compiled_sql_is_what_sqlalchemy_compiles_now():
    # Edit a statement of store.customers (or find.variants) and this fails until
    # `python scripts/compile_sql.py` writes the file again: the two never drift apart.
    assert fast.COMPILED.read_text(encoding="utf-8") == fast.dump(fast.compile_all())


@pytest.fixture
def varied(ok, add):
    """A book with owners, grades, stages, overdue and future contacts, tags, birthdays,
    phones and companies in Chinese, and a name that only the scan finds (one letter)."""
    add(
        "张三",
        "--mobile",
        "13800138000",
        "--company",
        "华信科技",
        "--grade",
        "A",
        "--at",
        "2026-03-01 09:00",
    )
    add(
        "张伟", "--mobile", "139-1234-5678", "--owner", "李强", "--grade", "B", "--tags", "vip,车展"
    )
    add(
        "张伟华",
        "--company",
        "远航物流",
        "--owner",
        "李强",
        "--grade",
        "A",
        "--birthday",
        "1985-03-18",
    )
    add("李张伟", "--email", "li@example.com", "--grade", "C", "--next", "2026-04-02")
    add("王五", "--phone", "010-62345678", "--grade", "D", "--expected", "2026-04-10")
    add("Zoe Smith", "--grade", "B", "--owner", "李强", "--tags", "vip")
    add("赵六", "--mobile", "13700137000", "--grade", "E")
    ok("log", "C00004", "--via", "phone", "--note", "called", "--next", "2026-03-20")
    ok("stage", "C00002", "intent")
    ok("stage", "C00007", "lost", "--why", "bought elsewhere")
    ok("log", "C00001", "--via", "visit", "--at", "2026-03-01 10:00", "--next", "2026-03-10")


SEARCHES = [
    ["zs"],
    ["zhangwei"],
    ["张伟"],
    ["张"],
    ["zw"],
    ["z"],
    ["138 0013 8000"],
    ["1391234"],
    ["010 6234 5678"],
    ["li@example"],
    ["zhang wei"],
    ["张 伟 华"],
    ["Zoe smith"],
    ["远航"],
    ["c00003"],
    ["nobody"],
    ["张伟", "--limit", "2"],
    ["zhang", "--limit", "0"],
    ["z h a n g"],  # five terms: beyond the compiled variants, the full path answers
]
LISTS = [
    [],
    ["--grade", "A"],
    ["--grade", "A,B", "--sort", "next"],
    ["--grade", "A", "--grade", "B", "--grade", "C"],
    ["--stage", "intent"],
    ["--owner", "李强", "--sort", "name"],
    ["--mine", "--overdue"],
    ["--overdue", "--sort", "last"],
    ["--sort", "created", "--limit", "2"],
    ["--sort", "company"],
    ["--sort", "grade", "--limit", "3"],
    ["--sort", "stage", "--limit", "0"],
    ["--tag", "vip"],
    ["--urgency", "urgent"],
    ["--limit", "1", "--grade", "A"],
]


def both_paths(cli, monkeypatch, command, as_json, **kw) -> list[str]:
    """Run ``command`` on the fast path and on the full stack (LEADBOOK_FULL_STACK=1), check
    that both print the same, and return the keys of the statements the fast path ran."""
    ran: list[str] = []
    rows = fast.Reader.rows

    def counted(self, key, params):
        ran.append(key)
        return rows(self, key, params)

    args = [*command, "--json"] if as_json else command
    with monkeypatch.context() as patch:
        patch.setattr(fast.Reader, "rows", counted)
        patch.delenv("LEADBOOK_FULL_STACK", raising=False)
        quick = cli(*args, **kw)
        patch.setenv("LEADBOOK_FULL_STACK", "1")
        full = cli(*args, **kw)
    assert full.exit_code == 0, (command, full.stderr, full.exception)
    assert (quick.exit_code, quick.stdout, quick.stderr) == (
        full.exit_code,
        full.stdout,
        full.stderr,
    ), command
    return ran


@sqlite_only
@pytest.mark.parametrize("as_json", [False, True], ids=["screen", "json"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_and_list_print_the_same_through_either_path(
    varied, cli, monkeypatch, lang, as_json
):
    commands = [["search", *s] for s in SEARCHES] + [["list", *a] for a in LISTS]
    ran = [
        key
        for command in commands
        for key in both_paths(cli, monkeypatch, command, as_json, lang=lang)
    ]
    assert any(k.startswith("search:fts") for k in ran) and any(":scan" in k for k in ran)
    assert any(k.startswith("list:") for k in ran) and any(k.startswith("count:") for k in ran)


_EVERY_LINE: list[Path] = []  # the book every_line wrote first in this process


@pytest.fixture
def every_line(ok, add, db_path, tmp_path_factory):
    """A book with a line of every kind the call sheet shows: follow-ups overdue and today
    for two salespeople, a planned visit, an open complaint and one resolved a week ago (a
    check-back), birthdays this week and past New Year, a referrer to thank twice, a won
    customer gone quiet, a repeat buyer near the next purchase and a festival greeting.

    Written by its 23 commands once a process; each later test gets a copy of that book."""
    if PG:
        _write_every_line(ok, add)
        return
    if _EVERY_LINE:
        for journal in (f"{db_path}-wal", f"{db_path}-shm"):
            Path(journal).unlink(missing_ok=True)
        shutil.copyfile(_EVERY_LINE[0], db_path)
        return
    _write_every_line(ok, add)
    settle(db_path)
    kept = tmp_path_factory.mktemp("every_line") / "book.db"
    shutil.copyfile(db_path, kept)
    _EVERY_LINE.append(kept)


def _write_every_line(ok, add):
    add("过期", "--grade", "B", "--next", "2026-03-10", now="2026-03-01")
    add("今天", "--grade", "A", "--owner", "李强", "--mobile", "13800138000", now="2026-03-11")
    visit = add("拜访", "--grade", "C", "--next", "2026-05-01", now="2026-03-01")
    ok("visit", visit, "--on", "2026-03-18", "--purpose", "见采购总监", now="2026-03-01")
    angry = add("投诉", "--grade", "C", "--next", "2026-05-01", now="2026-03-01")
    ok("complaint", angry, "--note", "交车晚了", now="2026-03-02")
    calmed = add("回访", "--grade", "C", "--next", "2026-05-01", now="2026-03-01")
    cid = ok("complaint", calmed, "--note", "漏水", now="2026-03-02").stdout.strip()
    ok("complaint", "resolve", cid, "--note", "换了", now="2026-03-05")
    add("寿星", "--birthday", "1986-03-19", "--grade", "E", now="2026-03-01")
    add("元旦寿星", "--birthday", "01-02", "--grade", "E", "--owner", "李强", now="2026-03-01")
    referrer = add("老王", "--grade", "B", "--next", "2026-05-01", now="2026-02-01")
    friend = add("朋友", "--referrer", referrer, "--next", "2026-05-01", now="2026-03-10")
    ok("deal", friend, "--amount", "1000", now="2026-03-12")
    quiet = add("老客户", "--grade", "B", now="2025-10-01")
    ok("log", quiet, "--stage", "won", "--note", "提车", now="2025-10-01")
    again = add("回头客", now="2025-12-01")
    ok("deal", again, "--amount", "5000", now="2025-12-01")
    ok("deal", again, "--amount", "5000", now="2026-01-15")  # cycle 45 days: next 03-01
    ok("log", again, "--note", "delivered", now="2026-01-15")
    ok("config", "set", "festival.店庆", "03-20")


CALL_SHEETS = [
    [],
    ["--days", "7"],
    ["--mine"],
    ["--owner", "李强"],
    ["--limit", "1"],
    ["--limit", "0"],
    ["--date", "2026-12-30", "--days", "5"],
    ["--days", "366", "--owner", "李强"],
]


@sqlite_only
@pytest.mark.parametrize("as_json", [False, True], ids=["screen", "json"])
def test_due_prints_the_same_through_either_path(every_line, cli, monkeypatch, as_json):
    ran: list[str] = []
    kinds = set()
    for command in CALL_SHEETS:
        ran += both_paths(cli, monkeypatch, ["due", *command], as_json, now="2026-03-18")
        if as_json:
            kinds |= {i["kind"] for i in cli("due", *command, "--json", now="2026-03-18").json()}
    assert len(ran) >= 10 * len(CALL_SHEETS)  # every line read on the fast path
    if as_json:  # the book shows every kind of line somewhere
        assert kinds == {
            "follow-up", "visit", "complaint", "check-back", "birthday", "thank-you",
            "thank-referral", "care", "festival",
        }  # fmt: skip


@sqlite_only
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_show_prints_the_same_through_either_path(every_line, ok, cli, monkeypatch, lang):
    # Every part of the whole card: contacts, stage and grade changes, edits (--audit), a
    # deal, complaints, visits, SWOT, finance, a referrer and the card it referred, own fields.
    ok("swot", "C00001", "--add", "s", "行业龙头")
    ok("swot", "C00001", "--add", "t", "竞争对手降价")
    ok(
        "finance",
        "C00001",
        "--current-ratio",
        "1.8",
        "--net-margin",
        "6.5%",
        "--as-of",
        "2025-12-31",
    )
    ok("config", "field", "add", "车牌号")
    ok("edit", "C00001", "--company", "华信科技", "--budget", "35万", "--set", "车牌号=京A12345")
    ok("grade", "C00001", "A", "--why", "预算批了")
    numbers = [f"C{n:05d}" for n in range(1, 12)]
    ran: list[str] = []
    for number in numbers:
        for extra in ([], ["--audit"]):
            for as_json in (False, True):
                command = ["show", number, *extra]
                ran += both_paths(cli, monkeypatch, command, as_json, lang=lang, now="2026-03-18")
    assert {k for k in ran if k.startswith("card:")} == {
        "card:number", "card:id", "card:followups", "card:changes", "card:edits", "card:deals",
        "card:complaints", "card:visits", "card:swot", "card:financials", "card:referred",
    }  # fmt: skip
    for missing in ("C00099", "nobody"):  # the same one line, on either path
        monkeypatch.delenv("LEADBOOK_FULL_STACK", raising=False)
        quick = cli("show", missing, lang=lang)
        monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")
        full = cli("show", missing, lang=lang)
        assert quick.exit_code == full.exit_code == 1
        assert quick.stderr == full.stderr and quick.stderr.count("\n") == 1


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 400))
def test_the_birthday_runs_hold_exactly_the_days_of_the_window(start, days):
    # The call sheet reads birthdays by at most two runs of MM-DD; they must cover exactly the
    # days of the window (02-29 birthdays on 02-28 in a common year), past New Year too.
    from leadbook.due import _CALENDAR, _md_runs, _month_days

    keys = _month_days(start, start + timedelta(days=days))
    runs = _md_runs(keys)
    assert 1 <= len(runs) <= 2
    covered = {md for md in _CALENDAR for first, last in runs if first <= md <= last}
    assert covered == set(keys)


@sqlite_only
def test_the_rows_and_their_types_are_sqlalchemys(varied, db_path):
    # Dates, datetimes and counts as SQLAlchemy turns SQLite's stored text into them.
    import sqlalchemy

    from leadbook.store import customers

    engine = sqlalchemy.create_engine(url_of(db_path))
    reader_conn = fast._connect(db_path)
    assert reader_conn is not None
    reader = fast.Reader(reader_conn)
    try:
        with engine.connect() as conn:
            live = customers.Live(conn)
            for text in ("zs", "张伟", "z", "138 0013 8000", "zhang wei"):
                for limit in (None, 2):
                    expected = [dict(r) for r in find.search(live, text, limit)[0]]
                    got = find.search(reader, text, limit)[0]
                    assert got == expected and [[type(v) for v in r.values()] for r in got] == [
                        [type(v) for v in r.values()] for r in expected
                    ], text
            for filters in (
                {},
                {"grades": ["A", "B"], "sort": "next"},
                {"owner": "李强", "overdue_on": __import__("datetime").date(2026, 3, 18)},
                {"stages": ["intent"], "sort": "last", "limit": 1},
            ):
                assert find.list_cards(reader, **filters) == find.list_cards(live, **filters)
    finally:
        reader_conn.close()
        engine.dispose()


@sqlite_only
def test_an_older_book_takes_the_full_path_and_is_upgraded(ok, tmp_path):
    from leadbook.store.db import SCHEMA_HEAD

    old = tmp_path / "old.db"
    shutil.copy(BOOKS / "book-0007.db", old)
    found = ok("--db", str(old), "search", "zs", "--json").json()
    assert query(old, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]
    assert ok("--db", str(old), "search", "zs", "--json").json() == found  # the fast path now


def test_the_one_line_errors_are_the_full_paths(cli, tmp_path, monkeypatch):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some text, not a database\n" * 50)
    for book in (bogus, tmp_path / "missing.db", tmp_path):
        for command in (["search", "zs"], ["log", "C00001"], ["grade", "C00001", "A"]):
            quick = cli("--db", str(book), *command)
            monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")
            full = cli("--db", str(book), *command)
            monkeypatch.delenv("LEADBOOK_FULL_STACK")
            assert quick.exit_code == full.exit_code == 1, command
            assert quick.stderr == full.stderr and quick.stderr.count("\n") == 1
    assert bogus.read_text().startswith("just some text")


def test_search_list_and_due_start_without_sqlalchemy_pydantic_or_rich(ok, tmp_path):
    # And `show`, the daily entries and the journals; `show`, `search`, `list` and `due`
    # without Typer either (leadbook.cli.quick).
    book = tmp_path / "b.db"
    ok("--db", str(book), "add", "张三", "--mobile", "13800138000")  # a SQLite book at the head
    commands = (
        ["show", "C00001"],
        ["show", "c1", "--json", "--audit"],
        ["search", "zs"],
        ["search", "138"],
        ["search", "nobody"],
        ["list"],
        ["list", "--grade", "A"],
        ["due"],
        ["due", "--days", "7", "--json"],
        ["due", "--mine"],
        ["add", "李四", "--mobile", "13900139000", "--company", "华信科技"],
        ["log", "C00001", "--note", "called"],
        ["grade", "C00001", "A", "--why", "预算批了"],
        ["stage", "C00001", "intent"],
        ["lost", "C00001", "--reason", "价格"],
        ["journal"],
        ["journal", "--week", "2026-03-18", "--json"],
        ["funnel"],
        ["funnel", "--since", "2026-03-01", "--json"],
    )
    heavy = ("sqlalchemy", "pydantic", "alembic", "pypinyin", "rich", "typer")
    env = {k: v for k, v in os.environ.items() if k != "LEADBOOK_FULL_STACK"}
    # Each command in a process of its own, forked from one that has loaded leadbook.cli only.
    ran = run_forked([["--db", str(book), *c] for c in commands], env, watch=heavy)
    for command, result in zip(commands, ran, strict=True):
        shown = "C0000" in result.stdout + result.stderr or "No cards match." in result.stderr
        journal = "Daily journal" in result.stdout or '"period": "week"' in result.stdout
        funnel = "Sales funnel" in result.stdout or '"stages"' in result.stdout
        shown = (
            shown or (command[0] == "journal" and journal) or (command[0] == "funnel" and funnel)
        )
        assert shown or "Nothing found for 'nobody'." in result.stderr, (command, result.stderr)
        assert result.code == 0, (command, result.stderr)
        assert result.loaded == ([] if command[0] in QUICK else ["typer"]), command


# ---- the daily entries: log, grade, stage and lost without SQLAlchemy -----------------------

# A day of entries on the every_line book (its cards: C00001 过期, C00002 今天, C00003 拜访 with
# a visit planned today, C00004 投诉, C00005 回访 with a resolved complaint waiting for its
# check-back, C00006 寿星, C00008 老王, C00010 老客户 won), the wrong ones among them.
ENTRIES = [
    (["log", "C00001", "--note", "called, wants a quote"], 0),
    (["log", "C00002", "--via", "wechat", "--next", "2026-03-25", "--purpose", "报价"], 0),
    (["log", "C00003", "--via", "visit", "--note", "见了采购总监"], 0),  # the visit is done
    (["log", "C00005", "--check-back", "--note", "满意"], 0),  # the check-back is done
    (["log", "C00004", "--grade", "A", "--stage", "intent", "--note", "升级", "--json"], 0),
    (["log", "C00006", "--at", "2026-03-17 15:00", "--outcome", "typed in a day late"], 0),
    (["log", "C00001", "--at", "2026-03-16 09:00", "--note", "an older call"], 0),
    (["grade", "C00006", "B", "--why", "有预算"], 0),
    (["grade", "C00006", "E"], 0),
    (["grade", "C00006", "E"], 0),  # already E
    (["stage", "C00008", "intent", "--why", "问了价格"], 0),
    (["stage", "C00008", "won"], 0),
    (["stage", "C00001", "ready", "--at", "2026-03-18 10:30"], 1),  # before today's 11:00 call
    (["stage", "C00001", "ready"], 0),
    (["lost", "C00002", "--reason", "价格"], 0),
    (["lost", "C00002", "--reason", "预算砍了"], 0),  # lost again: the reason changes
    (["log", "C00010", "--stage", "lost", "--note", "搬走了"], 0),
    (["log", "C00099", "--note", "nobody"], 1),
    (["log", "C00004", "--grade", "B", "--stage", "lost"], 1),  # lost needs a reason
    (["log", "C00004", "--at", "2026-03-19"], 1),  # in the future
    (["grade", "C00004", "C", "--at", "2026-01-01"], 1),  # before the card existed
    (["lost", "C00004", "--reason", " "], 1),
]


@sqlite_only
def test_the_daily_entries_write_the_same_book_through_either_path(
    every_line, cli, monkeypatch, db_path, tmp_path
):
    # The same entries on two copies of one book: through the fast path on one, the full stack
    # on the other. Each prints the same; each wrong one writes nothing; the books end equal.
    from conftest import dump_book

    full_book = tmp_path / "full.db"
    shutil.copy(db_path, full_book)
    ran: list[str] = []
    run = fast.Writer.run

    def counted(self, key, params):
        ran.append(key)
        return run(self, key, params)

    for command, code in ENTRIES:
        before = dump_book(db_path)
        with monkeypatch.context() as patch:
            patch.setattr(fast.Writer, "run", counted)
            patch.delenv("LEADBOOK_FULL_STACK", raising=False)
            quick = cli(*command, now="2026-03-18 11:00")
            patch.setenv("LEADBOOK_FULL_STACK", "1")
            full = cli("--db", str(full_book), *command, now="2026-03-18 11:00")
        assert (quick.exit_code, quick.stdout, quick.stderr) == (
            full.exit_code,
            full.stdout,
            full.stderr,
        ), command
        assert quick.exit_code == code, (command, quick.stderr)
        if code:
            assert quick.stderr.count("\n") == 1 and dump_book(db_path) == before, command
    assert dump_book(db_path) == dump_book(full_book)
    assert set(ran) >= {
        "w:followups:insert", "w:plans:insert", "w:plans:close", "w:plans:close:due-by",
        "w:plans:close:auto", "w:changes:insert", "w:customers:set-summary",
        "w:complaints:check-back", "w:visits:done", "w:customers:update:grade",
    }  # fmt: skip
    # what the entries did, worked out by hand from the method
    assert query(db_path, "SELECT checked_at FROM complaints WHERE customer_id = 5") == [
        ("2026-03-18 11:00:00.000000",)
    ]
    assert query(db_path, "SELECT done_at FROM visits") == [("2026-03-18 11:00:00.000000",)]
    rows = query(
        db_path,
        "SELECT number, grade, stage, next_due, next_purpose, lost_reason FROM customers "
        "WHERE number IN ('C00001', 'C00002', 'C00004', 'C00006', 'C00008') ORDER BY number",
    )
    assert rows == [
        ("C00001", "B", "ready", "2026-03-25", None, None),  # B: 7 days after today's call
        ("C00002", "A", "lost", None, None, "预算砍了"),
        ("C00004", "A", "intent", "2026-03-19", None, None),  # A: the next day
        ("C00006", "E", "contacted", None, None, None),  # E has no rhythm
        ("C00008", "B", "won", "2026-05-01", None, None),  # won keeps a later plan set by hand
    ]


@sqlite_only
def test_a_statement_the_fast_path_lacks_runs_the_whole_entry_on_the_full_path(
    every_line, cli, monkeypatch, db_path
):
    # The grade's change row is missing from the compiled file: what the fast path wrote
    # before it is rolled back, and the full stack makes the change once.
    statement = fast.statement
    monkeypatch.setattr(
        fast, "statement", lambda key: None if key == "w:changes:insert" else statement(key)
    )
    done = cli("grade", "C00001", "A", "--why", "预算批了", now="2026-03-18 11:00")
    assert done.exit_code == 0, done.stderr
    assert done.stderr == "C00001 过期: grade B → A; next contact 2026-03-10.\n"  # overdue stays
    assert query(
        db_path,
        "SELECT old, new, reason FROM changes WHERE customer_id = 1 AND field = 'grade' AND old IS NOT NULL",
    ) == [("B", "A", "预算批了")]


JOURNALS = [
    [],
    ["--day", "2026-03-18"],
    ["--day", "2026-03-17", "--owner", "李强"],
    ["--day", "2026-03-12"],  # the referred friend's deal day: a won card, a regrade
    ["--week", "2026-03-18"],
    ["--week", "2026-03-11", "--mine"],
    ["--half", "--date", "2026-03-18"],
    ["--month", "--date", "2026-01-20"],
]


@sqlite_only
@pytest.mark.parametrize("as_json", [False, True], ids=["screen", "json"])
def test_the_journals_print_the_same_through_either_path(every_line, cli, monkeypatch, as_json):
    # Yesterday's and today's work first (contacts, changes, a plan missed), then each journal.
    for command, code in ENTRIES:
        assert cli(*command, now="2026-03-18 11:00").exit_code == code, command
    ran: list[str] = []
    for command in JOURNALS:
        ran += both_paths(cli, monkeypatch, ["journal", *command], as_json, now="2026-03-18")
    assert {k.split(":")[1] for k in ran if k.startswith("journal:")} == {
        "plans-due", "plans-done", "period-plans", "channels", "new-count", "contacts",
        "changes", "new-cards", "missed-open-bound", "missed-later", "missed", "grade-after",
    }  # fmt: skip


FUNNELS = [
    [],
    ["--since", "2026-03-01"],
    ["--since", "2025-10-01", "--until", "2026-01-31"],  # a past period
    ["--until", "2026-03-10"],
    ["--owner", "李强"],
    ["--mine", "--since", "2026-03-01"],
    ["--by", "source"],
    ["--by", "owner", "--since", "2026-03-01"],
    ["--by", "source", "--since", "2026-03-01"],  # the full path: not compiled
]


@sqlite_only
@pytest.mark.parametrize("as_json", [False, True], ids=["screen", "json"])
def test_the_funnel_prints_the_same_through_either_path(every_line, cli, monkeypatch, as_json):
    for command, code in ENTRIES:  # stage moves, a win and losses today
        assert cli(*command, now="2026-03-18 11:00").exit_code == code, command
    ran: list[str] = []
    for command in FUNNELS:
        ran += both_paths(cli, monkeypatch, ["funnel", *command], as_json, now="2026-03-18")
    assert {k.split(":")[1] for k in ran if k.startswith("funnel:")} == {
        "totals", "latest", "flows", "tops", "counts", "dwell", "lost", "won",
    }  # fmt: skip
    assert "funnel:flows:since:past" in ran
