"""Excel and CSV exchange: export a workbook a manager can use, import what salespeople have."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump_book

DATA = Path(__file__).parent / "data"
HOSTILE = [
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tleading tab",
    '=HYPERLINK("http://x")',
]


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    target.chmod(0o644)
    return target


def small_book(ok, add):
    a = add(
        "张三",
        "--company",
        "华信科技",
        "--mobile",
        "13800138000",
        "--birthday",
        "1985-03-05",
        "--budget",
        "25万",
        "--tags",
        "VIP,试驾",
        "--note",
        "第一行\n第二行",
    )
    ok("log", a, "--via", "visit", "--note", "看车")
    ok("deal", a, "--amount", "258000", "--contract", "HT-1")
    b = add("Emily Carter", "--email", "emily@example.com", "--grade", "B")
    ok("edit", b, "--company", HOSTILE[0], "--note", HOSTILE[1])
    return a, b


def test_export_workbook_sheets_formats_and_text_cells(ok, add, tmp_path):
    small_book(ok, add)
    target = tmp_path / "book.xlsx"
    ok("export", str(target))
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == [
        "Customers",
        "Follow-ups",
        "Deals",
        "Grade and stage history",
        "Planned contacts",
        "Complaints",
        "Visits",
        "SWOT",
        "Finance",
        "Sales plans",
        "Funnel",
        "Summary",
    ]
    sheet = wb["Customers"]
    heads = [c.value for c in sheet[1]]
    assert heads[0] == "Customer number" and sheet["A1"].font.b
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref.startswith("A1:")
    row = {heads[i]: c for i, c in enumerate(sheet[2])}
    assert row["Mobile"].value == "13800138000" and row["Mobile"].data_type == "s"
    assert (
        row["Birthday"].value == datetime(1985, 3, 5)
        and row["Birthday"].number_format == "yyyy-mm-dd"
    )
    assert row["Budget"].value == 250000 and "0.00" in row["Budget"].number_format
    assert row["Note"].value == "第一行\n第二行" and row["Note"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width >= 8  # 华信科技 counts double
    hostile = {heads[i]: c for i, c in enumerate(sheet[3])}
    assert hostile["Company"].value == HOSTILE[0] and hostile["Company"].data_type == "s"
    assert hostile["Note"].value == HOSTILE[1]
    deals = wb["Deals"]
    assert deals["A2"].value == "C00001" and deals["D2"].value == 258000
    assert wb["Follow-ups"]["A2"].value == "C00001"
    assert wb["Funnel"]._charts, "the funnel sheet carries a native chart"


def test_export_in_chinese(ok, add, tmp_path):
    small_book(ok, add)
    target = tmp_path / "客户.xlsx"
    ok("export", str(target), "--lang", "zh")
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[:3] == ["客户", "跟进记录", "购买记录"]
    assert [c.value for c in wb["客户"][1]][:3] == ["客户编号", "姓名", "单位"]


def test_export_csv_has_bom_and_guards_formulas(ok, add, tmp_path):
    small_book(ok, add)
    target = tmp_path / "c.csv"
    ok("export", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[2][2] == "'" + HOSTILE[0]  # Excel shows it as text
    assert rows[1][6] == "13800138000"


def test_export_calendar(ok, add, tmp_path):
    add("张三", "--company", "华信科技", "--next", "2026-03-20", "--purpose", "送报价")
    target = tmp_path / "due.ics"
    ok("export", str(target))
    text = target.read_text()
    assert "BEGIN:VEVENT" in text and "DTSTART;VALUE=DATE:20260320" in text
    assert "华信科技" in text and "送报价" in text


def test_a_failed_export_leaves_the_old_file_and_no_temporary(ok, cli, add, tmp_path, monkeypatch):
    small_book(ok, add)
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the good old export")
    from leadbook.exchange import export

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_summary", boom)
    result = cli("export", str(target), "--force")
    assert result.exit_code == 1 and "space" in result.stderr
    assert target.read_bytes() == b"the good old export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".book")] == []


def test_export_to_a_missing_folder_is_one_line(cli, tmp_path):
    result = cli("export", str(tmp_path / "nope" / "x.xlsx"))
    assert result.exit_code == 1 and "does not exist" in result.stderr


def test_roundtrip_cards_through_our_own_workbook(ok, add, tmp_path, monkeypatch):
    small_book(ok, add)
    target = tmp_path / "book.xlsx"
    ok("export", str(target))
    before = {c["number"]: c for c in ok("list", "--json").json()}
    monkeypatch.setenv("LEADBOOK_DB", str(tmp_path / "empty.db"))
    ok("import", str(target))
    after = {c["number"]: c for c in ok("list", "--json").json()}
    assert set(after) == set(before)
    for number, card in before.items():
        for key in ("name", "company", "mobile", "grade", "stage", "tags"):
            assert after[number][key] == card[key], (number, key)
    card = ok("show", "C00001", "--json").json()
    assert card["note"] == "第一行\n第二行" and card["budget"] == "250000.00"
    assert ok("show", "C00002", "--json").json()["company"] == HOSTILE[0]
    assert ok("add", "new one", "--json").json()["number"] == "C00003"


def test_import_maven_excerpt_gives_the_independent_figures(ok, tmp_path):
    source = copy("maven_sales_pipeline_excerpt.csv", tmp_path)
    result = ok("import", str(source), "--map", "opportunity_id=name")
    assert "created 400 cards" in result.stderr
    expected = json.loads((DATA / "maven_sales_pipeline_expected.json").read_text(encoding="utf-8"))
    rows = ok("report", "--since", "2016-01-01", "--until", "2017-12-31", "--json").json()
    got = {r["owner"]: {k: r[k] for k in ("won", "lost", "win_rate", "won_value")} for r in rows}
    assert {k: got[k] for k in expected} == expected


def test_us_dates_read_as_the_iso_file(ok, tmp_path, monkeypatch):
    deals = {}
    for name in ("maven_iso_dates_excerpt.csv", "maven_us_dates_excerpt.csv"):
        monkeypatch.setenv("LEADBOOK_DB", str(tmp_path / f"{name}.db"))
        ok("import", str(copy(name, tmp_path)), "--map", "opportunity_id=name")
        deals[name] = sorted(
            (d["name"], d["date"], d["amount"]) for d in ok("deals", "--json").json()
        )
    assert deals["maven_iso_dates_excerpt.csv"] == deals["maven_us_dates_excerpt.csv"]
    assert len(deals["maven_iso_dates_excerpt.csv"]) > 10


def test_xeducation_trailing_comma_and_the_xlsx_named_csv(ok, tmp_path, monkeypatch):
    plain = ok(
        "import",
        str(copy("xeducation_leads_excerpt.csv", tmp_path)),
        "--map",
        "Prospect ID=name",
        "--json",
    ).json()
    assert plain["created"] == 30 and plain["bad_rows"] == 0
    assert len(plain["mapping"]) == 37  # the empty 38th column is gone
    assert plain["mapping"]["Lead Source"] == "source"
    monkeypatch.setenv("LEADBOOK_DB", str(tmp_path / "x.db"))
    xlsx = ok(
        "import",
        str(copy("xeducation_leads_actually_xlsx.csv", tmp_path)),
        "--map",
        "Prospect ID=name",
        "--json",
    ).json()
    assert xlsx["created"] == 25
    card = ok("show", "C00001", "--json").json()
    assert card["extra"]["Lead Number"] == "660737"  # a whole number, not 660737.0


def test_broken_xls_fails_with_one_clear_line(cli, tmp_path, db_path):
    result = cli("import", str(copy("odoo_crm_lead_unreadable.xls", tmp_path)))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "save it again" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig", "utf-8"])
def test_chinese_csv_in_any_encoding(ok, tmp_path, encoding):
    text = "姓名,单位,手机,等级,阶段,负责人,备注\n张三,华信科技,138-0013-8000,A,意向,李强,老客户介绍\n李四,远航物流,13911112222,B,认同,,\n"
    source = tmp_path / "名单.csv"
    source.write_bytes(text.encode(encoding))
    ok("import", str(source))
    cards = {c["name"]: c for c in ok("list", "--json").json()}
    assert cards["张三"]["company"] == "华信科技" and cards["张三"]["mobile"] == "+8613800138000"
    assert (
        cards["张三"]["grade"] == "A"
        and cards["张三"]["stage"] == "intent"
        and cards["张三"]["owner"] == "李强"
    )
    assert cards["李四"]["owner"] == "王丽"
    assert ok("search", "zs", "--json").json()[0]["name"] == "张三"


def test_tab_separated_semicolons_and_vcards(ok, tmp_path):
    tsv = tmp_path / "list.tsv"
    tsv.write_text("Name\tCompany\tEmail\nAnn Lee\tAcme\tann@acme.example\n", encoding="utf-8")
    ok("import", str(tsv))
    ok("import", str(copy("thunderbird_csv_semicolon.csv", tmp_path)))
    result = ok("import", str(copy("rfc2426-example.vcf", tmp_path)), "--skip-bad", "--json").json()
    names = {c["name"] for c in ok("list", "--json").json()}
    assert {"Ann Lee", "John Doe", "Frank Dawson"} <= names, (names, result)


def test_bad_rows_are_reported_and_nothing_is_written(ok, cli, add, tmp_path, db_path):
    add("existing")
    source = tmp_path / "bad.csv"
    source.write_text(
        "姓名,手机,邮箱,预计购买时间\n好人,13800138000,,2026-05-01\n坏人,12345,,\n错日期,,,2026-02-30\n",
        encoding="utf-8",
    )
    before = dump_book(db_path)
    result = cli("import", str(source))
    assert result.exit_code == 1
    assert "row 3" in result.stderr and "12345" in result.stderr and "row 4" in result.stderr
    assert dump_book(db_path) == before
    errors = source.with_name("bad.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert errors[0] == "row,column,value,reason" and errors[1].startswith("3,手机,12345,")
    ok("import", str(source), "--skip-bad")
    assert {c["name"] for c in ok("list", "--json").json()} == {"existing", "好人"}


def test_a_bad_value_repeated_down_the_sheet_is_reported_on_every_row(cli, tmp_path):
    # Cells are parsed once per distinct text; each row with the bad text is still reported.
    source = tmp_path / "repeat.csv"
    source.write_text(
        "姓名,等级,预计购买时间\n甲,Z,2026-02-30\n乙,A,2026-05-01\n丙,Z,2026-02-30\n",
        encoding="utf-8",
    )
    result = cli("import", str(source))
    assert result.exit_code == 1
    errors = source.with_name("repeat.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [line.split(",")[:3] for line in errors[1:]]
    assert rows == [
        ["2", "等级", "Z"],
        ["2", "预计购买时间", "2026-02-30"],
        ["4", "等级", "Z"],
        ["4", "预计购买时间", "2026-02-30"],
    ]


def test_cards_imported_on_the_first_day_of_a_period_count_in_its_funnel(ok, tmp_path):
    # Imported dates were once stored as '2026-03-01 00:00:00' where everything else writes
    # '2026-03-01 00:00:00.000000', so the period's first day missed its imported cards.
    source = tmp_path / "dated.csv"
    source.write_text(
        "姓名,创建时间,阶段\n甲,2026-03-01,联系\n乙,2026-03-02,联系\n", encoding="utf-8"
    )
    ok("import", str(source))
    stages = {
        s["stage"]: s for s in ok("funnel", "--since", "2026-03-01", "--json").json()["stages"]
    }
    assert stages["prospect"]["reached"] == 2 and stages["contacted"]["reached"] == 2


def test_imported_lost_cards_give_the_funnel_their_reasons(ok, tmp_path):
    # The reason was recorded on the stage change as "imported", which the funnel shows first.
    source = tmp_path / "lost.csv"
    source.write_text(
        "姓名,阶段,流失原因\n甲,流失,价格太高\n乙,lost,价格太高\n丙,流失,\n", encoding="utf-8"
    )
    ok("import", str(source))
    reasons = ok("funnel", "--json").json()["lost_reasons"]
    assert reasons == {"价格太高": 2, "imported": 1}


def test_dry_run_writes_nothing_and_reimport_changes_nothing(ok, tmp_path, db_path):
    source = tmp_path / "list.csv"
    source.write_text(
        '客户名称,手机号码,成交金额,阶段,成交日期\n张三,13800138000,"¥12,000",成交,2026-03-01\n李四,13911112222,,潜在,\n',
        encoding="utf-8",
    )
    dry = ok("import", str(source), "--dry-run")
    assert (
        "would create 2 cards (1 with a deal)" in dry.stderr and "nothing was written" in dry.stderr
    )
    assert ok("list", "--json").json() == []
    ok("import", str(source))
    assert ok("deals", "--json").json()[0]["amount"] == "12000.00"
    first = dump_book(db_path)
    again = ok("import", str(source))
    assert "skipped 2 duplicates" in again.stderr
    assert dump_book(db_path) == first


def test_on_duplicate_update_and_new(ok, add, tmp_path):
    add("张三", "--mobile", "13800138000")
    source = tmp_path / "list.csv"
    source.write_text("姓名,手机,单位,等级\n张三,13800138000,华信科技,A\n", encoding="utf-8")
    ok("import", str(source), "--on-duplicate", "update")
    card = ok("show", "C00001", "--json").json()
    assert card["company"] == "华信科技" and card["grade"] == "A"
    assert any(e["field"] == "company" for e in card["edits"])
    ok("import", str(source), "--on-duplicate", "new")
    assert len(ok("list", "--json").json()) == 2


def test_map_option_and_unmapped_columns_kept(ok, cli, tmp_path):
    source = tmp_path / "odd.csv"
    source.write_text("Who,Where,Shoe size\nAnn,Acme,38\n", encoding="utf-8")
    assert cli("import", str(source)).exit_code == 1  # no name column
    ok("import", str(source), "--map", "Who=name", "--map", "Where=company")
    card = ok("show", "C00001", "--json").json()
    assert card["company"] == "Acme" and card["extra"] == {"Shoe size": "38"}
    assert cli("import", str(source), "--map", "Who=shoe").exit_code == 1


values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(values, min_size=3, max_size=3), max_size=6))
def test_no_generated_csv_crashes_the_importer_or_writes_half(cli, tmp_path, db_path, rows):
    source = tmp_path / "gen.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "手机", "预计购买时间"])
        writer.writerows(rows)
    cli("db", "upgrade")
    before = dump_book(db_path)
    result = cli("import", str(source))
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert dump_book(db_path) == before


def test_an_exported_workbook_imports_back_whole(ok, add, tmp_path, monkeypatch):
    a, b = small_book(ok, add)
    ok("grade", a, "A", "--why", "试驾满意", now="2026-03-19")
    ok("lost", b, "--reason", "预算不够", now="2026-03-20")
    ref = add("介绍人")
    add("被介绍", "--referrer", ref)
    target = tmp_path / "book.xlsx"
    ok("export", str(target), "--lang", "zh")
    before = {n: ok("show", n, "--json").json() for n in (a, b, ref, "C00004")}
    monkeypatch.setenv("LEADBOOK_DB", str(tmp_path / "empty.db"))
    result = ok("import", str(target))
    assert "Follow-ups 1" in result.stderr and "Deals 1" in result.stderr
    for number, card in before.items():
        again = ok("show", number, "--json").json()
        for key in (
            "name",
            "company",
            "mobile",
            "grade",
            "stage",
            "lost_reason",
            "tags",
            "note",
            "budget",
            "referrer",
            "next_due",
            "created_at",
            "birthday",
            "email",
        ):
            assert again[key] == card[key], (number, key)
        assert [(f["at"], f["via"], f["note"]) for f in again["followups"]] == [
            (f["at"], f["via"], f["note"]) for f in card["followups"]
        ]
        assert [(d["date"], d["amount"], d["contract"]) for d in again["deals"]] == [
            (d["date"], d["amount"], d["contract"]) for d in card["deals"]
        ]
        assert [
            (h["field"], h["old"], h["new"], h["at"], h["reason"]) for h in again["history"]
        ] == [(h["field"], h["old"], h["new"], h["at"], h["reason"]) for h in card["history"]]
    stages = {s["stage"]: s["reached"] for s in ok("funnel", "--json").json()["stages"]}
    assert stages["won"] == 1


def test_big_books_find_duplicates_through_their_indexes(ok, add, tmp_path, db_path, monkeypatch):
    """Above PRELOAD cards the importer asks the book card by card instead of loading it."""
    from leadbook.exchange import importer

    monkeypatch.setattr(importer._Keys, "PRELOAD", 0)
    add("张三", "--mobile", "13800138000")
    add("Ann", "--email", "ann@example.com")
    source = tmp_path / "list.csv"
    source.write_text(
        "客户编号,姓名,手机,邮箱,单位\nC00007,新客户,13900000000,,\n,张三丰,13800138000,,\n"
        ",Ann Lee,,ANN@example.com,\n,李四,,,远航\n,李四,,,远航\n",
        encoding="utf-8",
    )
    result = ok("import", str(source), "--json").json()
    assert (result["created"], result["skipped"]) == (2, 3)
    assert ok("show", "C00007", "--json").json()["name"] == "新客户"
    assert ok("add", "next", "--json").json()["number"] == "C00008"
    before = dump_book(db_path)
    ok("import", str(source))
    assert dump_book(db_path) == before


def test_a_big_book_reads_the_files_keys_in_bulk_and_still_links_referrers(
    ok, add, tmp_path, monkeypatch
):
    """Above PRELOAD cards the file's numbers, mobiles, e-mails and names are looked up in a
    few IN queries; a referrer named by the number of a card outside the file still links."""
    from leadbook.exchange import importer

    monkeypatch.setattr(importer._Keys, "PRELOAD", 0)
    asked: list[str] = []
    original = importer._Keys._ask
    monkeypatch.setattr(
        importer._Keys, "_ask", lambda self, *a, **k: asked.append("x") or original(self, *a, **k)
    )
    referrer = add("老客户", "--mobile", "13700000000")
    add("张三", "--mobile", "13800138000", "--company", "华信")
    rows = "".join(f",客户{i},139{i:08d},,远航,{referrer}\n" for i in range(30))
    source = tmp_path / "list.csv"
    source.write_text(
        "客户编号,姓名,手机,邮箱,单位,介绍人\n" + rows + ",张三,,,华信,\n", encoding="utf-8"
    )
    result = ok("import", str(source), "--json").json()
    assert (result["created"], result["skipped"]) == (30, 1)
    assert len(asked) <= 2  # no query per row: the referrer's number at most
    card = ok("show", "C00003", "--json").json()
    assert card["referrer"] == referrer
