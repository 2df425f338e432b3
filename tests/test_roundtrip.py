"""The workbook is a lossless backup: a book exported and imported into an empty book is the
same book, table by table, on either engine and in either language (issue 12)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from conftest import private_book, query

# What an import legitimately writes anew, by table (everything else must come back equal):
IGNORED = {
    # ids are the new book's own (cards keep their numbers; every row below is matched by its
    # card's number instead of customer_id), updated_at is the time of the import, and origin
    # is where an imported card came from (the file's customer number), so that importing the
    # same file again is a no-op; a typed-in card has none.
    "customers": {"id", "referrer_id", "updated_at", "origin"},
    # created_at of a follow-up and a deal is when it was typed in; the import types it in anew.
    "followups": {"id", "customer_id", "created_at"},
    "deals": {"id", "customer_id", "created_at"},
    # A planned contact's link to the follow-up that fulfilled it is not in the workbook (its
    # status and closing day are).
    "plans": {"id", "customer_id", "followup_id"},
    "changes": {"id", "customer_id"},
    "complaints": {"id", "customer_id"},
    "visits": {"id", "customer_id"},
    "swot": {"id", "customer_id"},
    "financials": {"id", "customer_id"},
}
# Not compared: audit (the import records itself there, as `add` does), settings (the team's,
# not the cards'), tallies (running totals, recounted from the rows compared here).
# sales_plans (reverse plans, not per card) are compared on their own: sales_plans().


def full_book(ok: Any, add: Any) -> None:
    """Every kind of record, and every kind of phone."""
    a = add(
        "张三",
        "--company",
        "华信科技",
        "--mobile",
        "13800138000",
        "--phone",
        "010-62345678 ext. 8001",  # a Beijing landline with its extension
        "--fax",
        "0755-26781234",
        "--gender",
        "男",
        "--payment",
        "按揭",
        "--source",
        "展厅",
        "--birthday",
        "1985-03-05",
        "--budget",
        "25万",
        "--tags",
        "VIP,试驾",
        "--note",
        "第一行\n第二行",
        now="2026-03-01",
    )
    b = add(
        "Emily Carter",
        "--phone",
        "+1 860-253-6354",  # a US number
        "--email",
        "emily@example.com",
        "--gender",
        "female",
        "--grade",
        "B",
        "--referrer",
        a,
        now="2026-03-02",
    )
    c = add(
        "李四",
        "--mobile",
        "13900139000",
        "--phone",
        "021-61234567-605",  # an extension after a last hyphen, as Chinese cards write it
        "--fax",
        "+1 415 555 0100 x23",  # a US number with its extension
        "--company",
        "远大集团",
        now="2026-03-02",
    )
    ok("log", a, "--via", "visit", "--note", "看车", "--next", "2026-03-10", now="2026-03-03")
    ok("log", a, "--via", "phone", "--note", "报价", "--stage", "intent", now="2026-03-05")
    ok("log", b, "--via", "wechat", "--note", "发了资料", now="2026-03-04")
    ok("stage", a, "ready", "--why", "试驾满意", now="2026-03-08")
    ok("deal", a, "--amount", "258000", "--contract", "HT-1", "--payment", "分期", now="2026-03-09")
    ok("grade", b, "A", "--why", "预算到位", now="2026-03-06")
    ok("lost", c, "--reason", "预算不够", now="2026-03-07")
    ok("complaint", a, "--note", "交车晚了", now="2026-03-10")
    ok("swot", b, "--add", "s", "行业龙头", now="2026-03-11")
    ok("swot", b, "--add", "t", "竞争对手降价", now="2026-03-11")
    ok("finance", b, "--current-ratio", "1.8", "--net-margin", "6.5%", "--as-of", "2025-12-31")
    ok("visit", b, "--on", "2026-03-20", "--purpose", "见采购总监", "--prepare", "报价单")
    ok("plan", "--target", "5", "--by", "2026-06-30", now="2026-03-12")
    ok("plan", "--target", "3", "--by", "2026-05-31", "--owner", "王丽", now="2026-03-13")


def sales_plans(book: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(_same(v) for v in row)
        for row in query(
            book,
            'SELECT owner, target, start, "end", rates, rates_source, weekly, created_at, '
            "created_by FROM sales_plans ORDER BY id",
        )
    ]


def tables(book: Any) -> dict[str, list[dict[str, Any]]]:
    """Each compared table's rows, with the card's number for its id, in a stable order."""
    numbers = dict(query(book, "SELECT id, number FROM customers"))
    out = {}
    for table, ignored in IGNORED.items():
        names = [n for (n,) in _columns(book, table) if n not in ignored]
        select = ", ".join(f'"{n}"' for n in names)
        rows = []
        for row in query(book, f'SELECT {select}, "{_card_of(table)}" FROM "{table}"'):
            *values, cid = row
            rows.append(
                {
                    "card": numbers.get(cid),
                    **{n: _same(v) for n, v in zip(names, values, strict=True)},
                }
            )
        out[table] = sorted(rows, key=repr)
    return out


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Any]:
    """(row, column, before, after) of each cell that differs; the row counts when they do."""
    if len(before) != len(after):
        return [("rows", len(before), len(after))]
    return [
        (i, k, b[k], a.get(k))
        for i, (b, a) in enumerate(zip(before, after, strict=True))
        for k in b
        if b[k] != a.get(k)
    ]


def _card_of(table: str) -> str:
    return "id" if table == "customers" else "customer_id"


def _columns(book: Any, table: str) -> list[tuple[str]]:
    import sqlalchemy

    from conftest import url_of

    engine = sqlalchemy.create_engine(url_of(book))
    try:
        with engine.connect() as conn:
            return [(c["name"],) for c in sqlalchemy.inspect(conn).get_columns(table)]
    finally:
        engine.dispose()


def _same(value: Any) -> Any:
    """Values as both engines give them (SQLite hands back dates as text, floats may differ in
    the last bit after a day count)."""
    if isinstance(value, float):
        return round(value, 6)
    return str(value) if value is not None else None


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["xlsx", "zip"])  # the workbook, and one CSV per sheet
def test_a_book_exported_and_imported_into_an_empty_book_is_the_same_book(
    ok, add, db_path, tmp_path, monkeypatch, lang, kind
):
    full_book(ok, add)
    target = tmp_path / f"backup.{kind}"
    ok("export", str(target), "--lang", lang)
    before = tables(db_path)
    assert all(before[t] for t in IGNORED), [t for t in IGNORED if not before[t]]
    plans_before = sales_plans(db_path)
    assert len(plans_before) == 2
    check_before = [
        ok("plan", "check", *who, now="2026-04-01").stdout for who in ((), ("--owner", "王丽"))
    ]
    shown_before = ok("show", "C00001", now="2026-04-01").stdout
    assert "010-62345678 ext. 8001" in shown_before  # the extension is kept and shown
    with private_book(tmp_path / "empty.db") as empty:
        monkeypatch.setenv("LEADBOOK_DB", empty)
        result = ok("import", str(target), now="2026-04-01")
        book = empty if "://" in empty else Path(empty)
        after = tables(book)
        plans_after = sales_plans(book)
        check_after = [
            ok("plan", "check", *who, now="2026-04-01").stdout for who in ((), ("--owner", "王丽"))
        ]
        shown_after = ok("show", "C00001", now="2026-04-01").stdout
        again = ok("import", str(target), "--json", now="2026-04-02").json()
        assert (tables(book), sales_plans(book)) == (after, plans_after)  # a no-op
    for table in IGNORED:
        assert not differences(before[table], after[table]), table
    assert plans_after == plans_before
    assert check_after == check_before
    assert shown_after == shown_before
    assert "Left out" not in result.stderr
    assert again["created"] == 0 and again["other_sheets"].get("sales_plans") == 0


def test_phones_are_exported_as_the_salesperson_writes_them_and_read_back(
    ok, add, db_path, tmp_path, monkeypatch
):
    add("张三", "--phone", "010-62345678", "--mobile", "13800138000", "--fax", "0755-26781234")
    add("Bob", "--phone", "+1 860-253-6354")
    stored = query(db_path, "SELECT number, mobile, phone, fax FROM customers ORDER BY number")
    ok("export", str(tmp_path / "b.xlsx"))
    ok("export", str(tmp_path / "b.csv"))
    sheet = CalamineWorkbook.from_path(str(tmp_path / "b.xlsx")).get_sheet_by_name("Customers")
    rows = sheet.to_python()
    heads = rows[0]
    shown = [
        (r[heads.index("Mobile")], r[heads.index("Phone")], r[heads.index("Fax")]) for r in rows[1:]
    ]
    assert shown == [("13800138000", "010-62345678", "0755-26781234"), ("", "+1 860-253-6354", "")]
    with (tmp_path / "b.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    assert lines[0]["Phone"] == "010-62345678" and lines[1]["Phone"] == "+1 860-253-6354"
    for name in ("b.xlsx", "b.csv"):
        with private_book(tmp_path / f"{name}.db") as empty:
            monkeypatch.setenv("LEADBOOK_DB", empty)
            ok("import", str(tmp_path / name))
            again = query(empty, "SELECT number, mobile, phone, fax FROM customers ORDER BY number")
        assert again == stored, name


def test_a_chinese_export_writes_chinese_values_and_imports_them_back(
    ok, add, db_path, tmp_path, monkeypatch
):
    a = add("张三", "--gender", "male", "--payment", "instalment", "--source", "referral")
    ok("log", a, "--via", "visit", "--note", "看车")
    ok("deal", a, "--amount", "1000", "--payment", "instalment")
    result = ok("export", str(tmp_path / "zh.xlsx"), "--lang", "zh", lang="zh")
    assert "客户 1" in result.stderr and "跟进记录 1" in result.stderr
    assert "customers" not in result.stderr and "followups" not in result.stderr
    book = CalamineWorkbook.from_path(str(tmp_path / "zh.xlsx"))

    def column(sheet: str, head: str) -> list[Any]:
        rows = book.get_sheet_by_name(sheet).to_python()
        return [r[rows[0].index(head)] for r in rows[1:]]

    assert column("客户", "阶段") == ["成交"]
    assert column("客户", "性别") == ["男"]
    assert column("客户", "付款方式") == ["按揭"]
    assert column("客户", "客户来源") == ["介绍"]
    assert column("跟进记录", "跟进方式") == ["拜访"]
    assert column("购买记录", "付款方式") == ["按揭"]
    assert set(column("等级和阶段历史", "项目")) == {"等级", "阶段"}
    assert "成交" in column("等级和阶段历史", "新值")
    before = tables(db_path)
    with private_book(tmp_path / "empty.db") as empty:
        monkeypatch.setenv("LEADBOOK_DB", empty)
        ok("import", str(tmp_path / "zh.xlsx"))
        after = tables(empty if "://" in empty else Path(empty))
    for table in ("customers", "followups", "deals", "changes"):
        assert not differences(before[table], after[table]), table


def test_a_sheet_past_excels_row_limit_goes_on_in_a_numbered_sheet(
    ok, add, db_path, tmp_path, monkeypatch
):
    from leadbook.exchange import export

    monkeypatch.setattr(export, "ROW_LIMIT", 4)  # a header and three rows a sheet
    numbers = [add(f"客户{i}") for i in range(7)]
    for n in numbers[:4]:
        ok("log", n, "--note", "电话")
        ok("log", n, "--via", "visit", "--note", "拜访")
    result = ok("export", str(tmp_path / "big.xlsx"), "--lang", "zh", lang="zh")
    assert "客户 7" in result.stderr and "跟进记录 8" in result.stderr
    book = CalamineWorkbook.from_path(str(tmp_path / "big.xlsx"))
    names = book.sheet_names
    assert [n for n in names if n.startswith("客户")] == ["客户", "客户 2", "客户 3"]
    assert [n for n in names if n.startswith("跟进记录")] == [
        "跟进记录",
        "跟进记录 2",
        "跟进记录 3",
    ]
    assert sum(len(book.get_sheet_by_name(n).to_python()) - 1 for n in names[:3]) == 7
    before = tables(db_path)
    with private_book(tmp_path / "empty.db") as empty:
        monkeypatch.setenv("LEADBOOK_DB", empty)
        ok("import", str(tmp_path / "big.xlsx"))
        after = tables(empty if "://" in empty else Path(empty))
    assert not differences(before["customers"], after["customers"])
    assert not differences(before["followups"], after["followups"])


def test_a_cell_excel_refuses_fails_the_export_and_leaves_no_file(cli, add, tmp_path, monkeypatch):
    from xlsxwriter.worksheet import Worksheet

    add("张三")
    real = Worksheet.write_string

    def refused(self: Any, row: int, col: int, *args: Any) -> int:
        return -1 if row > 0 else real(self, row, col, *args)

    monkeypatch.setattr(Worksheet, "write_string", refused)
    result = cli("export", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "could not write a cell of the sheet Customers" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_skip_bad_says_what_it_left_out_of_every_sheet(
    ok, add, cli, db_path, tmp_path, monkeypatch
):
    import openpyxl

    a = add("张三", "--mobile", "13800138000")
    b = add("李四", "--mobile", "13900139000")
    ok("log", a, "--note", "一")
    ok("log", b, "--note", "二")
    ok("log", b, "--note", "三")
    ok("deal", b, "--amount", "500")
    target = tmp_path / "book.xlsx"
    ok("export", str(target))
    book = openpyxl.load_workbook(target)
    sheet = book["Customers"]
    mobile = [c.value for c in sheet[1]].index("Mobile") + 1
    sheet.cell(row=3, column=mobile, value="12345")  # 李四's mobile made bad
    fu = book["Follow-ups"]
    when = [c.value for c in fu[1]].index("When") + 1
    fu.cell(row=2, column=when, value="not a day")  # 张三's follow-up made bad
    book.save(target)
    with private_book(tmp_path / "empty.db") as empty:
        monkeypatch.setenv("LEADBOOK_DB", empty)
        refused = cli("import", str(target))
        assert refused.exit_code == 1 and query(empty, "SELECT count(*) FROM customers") == [(0,)]
        result = ok("import", str(target), "--skip-bad")
        kept = query(empty, "SELECT count(*) FROM followups")
    assert kept == [(0,)]
    assert "this import did not create their cards: Follow-ups 2, Deals 1" in result.stderr
    assert "row 2, Follow-ups" in result.stderr
