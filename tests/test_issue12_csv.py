"""CSV carries every kind of record (issue 12): `export book.zip` writes one CSV per sheet of the
workbook, which import reads back as it reads the workbook; `export x.csv --sheet KIND` writes
any one of them. A Chinese export says what it wrote in Chinese."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest

from conftest import private_book, query
from leadbook.exchange.columns import SHEETS


def small_book(ok: Any, add: Any) -> str:
    a = add("张三", "--mobile", "13800138000")
    ok("log", a, "--note", "看车", "--next", "2026-03-25", "--purpose", "报价")
    ok("deal", a, "--amount", "1000")
    ok("complaint", a, "--note", "交车晚了")
    ok("swot", a, "--add", "s", "行业龙头")
    ok("plan", "--target", "5", "--by", "2026-06-30")
    return a


def test_a_zip_export_holds_one_csv_for_every_sheet_of_the_workbook(ok, add, tmp_path):
    small_book(ok, add)
    ok("export", str(tmp_path / "b.zip"))
    ok("export", str(tmp_path / "zh.zip"), "--lang", "zh")
    record_sheets = [k for k in SHEETS if k not in ("funnel", "summary")]
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert archive.namelist() == [f"{SHEETS[k][0]}.csv" for k in record_sheets]
        follow = archive.read("Follow-ups.csv").decode("utf-8-sig")
        assert archive.getinfo("Customers.csv").date_time[0] >= 2025  # not zip's 1980
    assert next(csv.DictReader(io.StringIO(follow)))["Note"] == "看车"
    with zipfile.ZipFile(tmp_path / "zh.zip") as archive:
        assert "跟进记录.csv" in archive.namelist() and "销售计划.csv" in archive.namelist()
    assert (tmp_path / "b.zip").stat().st_mode & 0o077 == 0  # private, as every export


@pytest.mark.parametrize(
    ("sheet", "head", "value"),
    [
        ("followups", "Note", "看车"),
        ("plans", "Purpose", "报价"),
        ("complaints", "Complaint", "交车晚了"),
        ("swot", "Entry", "行业龙头"),
        ("sales_plans", "Target deals", "5"),
    ],
)
def test_a_csv_export_takes_any_kind_of_record(ok, add, tmp_path, sheet, head, value):
    small_book(ok, add)
    target = tmp_path / f"{sheet}.csv"
    ok("export", str(target), "--sheet", sheet)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert value in [r[head] for r in rows]


def test_an_unknown_sheet_names_the_kinds_there_are(cli, add, tmp_path):
    add("张三")
    result = cli("export", str(tmp_path / "x.csv"), "--sheet", "nope")
    assert result.exit_code == 1
    assert "sales_plans" in result.stderr and "history" in result.stderr


def test_a_zip_with_a_bad_row_is_refused_whole_and_skip_bad_reports_every_sheet(
    ok, cli, add, tmp_path, monkeypatch
):
    a = add("张三", "--mobile", "13800138000")
    b = add("李四", "--mobile", "13900139000")
    ok("log", a, "--note", "一")
    ok("log", b, "--note", "二")
    source = tmp_path / "b.zip"
    ok("export", str(source))
    # 李四's mobile made bad in the customers CSV
    with zipfile.ZipFile(source) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["Customers.csv"] = files["Customers.csv"].replace(b"13900139000", b"12345")
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with private_book(tmp_path / "empty.db") as empty:
        monkeypatch.setenv("LEADBOOK_DB", empty)
        refused = cli("import", str(source))
        assert refused.exit_code == 1
        assert query(empty, "SELECT count(*) FROM customers") == [(0,)]
        result = ok("import", str(source), "--skip-bad")
        notes = query(empty, "SELECT note FROM followups")
    assert notes == [("一",)]
    assert "this import did not create their cards: Follow-ups 1" in result.stderr


@pytest.mark.parametrize("name", ["b.xlsx", "b.zip", "b.csv"])
def test_export_lang_zh_says_what_it_wrote_in_chinese(ok, add, tmp_path, name):
    add("张三")
    result = ok("export", str(tmp_path / name), "--lang", "zh")  # an English interface
    assert "已写入" in result.stderr and "客户 1" in result.stderr
    assert "Customers" not in result.stderr and "Wrote" not in result.stderr
