"""`leadbook due` as the daily call sheet (每日电话计划表, seed 003): the mobile on every line,
the name and the purpose never cut at 80 columns, overdue first then by grade, and
`due --export` writing the same sheet to a workbook or a CSV."""

from __future__ import annotations

import csv
import re

import pytest

from leadbook.render.grid import cell_width

LONG_PURPOSE = (
    "bring the revised quote for the fleet of twelve vans and ask who signs the purchase order"
)
TODAY = "2026-03-18"  # the suite's clock (conftest)
ZH_PURPOSE = "送修改后的十二辆货车报价单，并问清楚谁签采购合同、什么时候能付首付款"


@pytest.fixture
def sheet(ok, add):
    """A morning's calls: two overdue, three today (grades C, A, B), and a birthday."""
    cards = {
        "late": add(
            "Alexandra Whitfield",
            "--company",
            "Northern Lights Logistics International",
            "--mobile",
            "13800138000",
            "--grade",
            "D",
            "--next",
            "2026-03-12",
            "--purpose",
            LONG_PURPOSE,
            now="2026-03-01",
        ),
        "late_b": add(
            "孙伟伟",
            "--company",
            "伟业地产开发有限公司",
            "--mobile",
            "13755556666",
            "--grade",
            "B",
            "--next",
            "2026-03-16",
            "--purpose",
            ZH_PURPOSE,
            now="2026-03-01",
        ),
        "today_c": add(
            "刘洋", "--mobile", "13533334444", "--grade", "C", "--next", "today", now=TODAY
        ),
        "today_a": add(
            "Michael Brown",
            "--company",
            "Brown & Sons",
            "--mobile",
            "13966667777",
            "--grade",
            "A",
            "--next",
            "2026-03-18",
            "--purpose",
            "confirm the test drive on Saturday",
            now=TODAY,
        ),
        "today_b": add(
            "周婷", "--mobile", "+1 415 555 0100", "--grade", "B", "--next", "today", now=TODAY
        ),
        "birthday": add(
            "张三", "--mobile", "13812345678", "--birthday", "1985-03-18", "--grade", "E", now=TODAY
        ),
    }
    return cards


MOBILES = {
    "late": "138 0013 8000",
    "late_b": "137 5555 6666",
    "today_c": "135 3333 4444",
    "today_a": "139 6666 7777",
    "today_b": "+1 415-555-0100",
    "birthday": "138 1234 5678",
}
NAMES = {
    "late": "Alexandra Whitfield",
    "late_b": "孙伟伟",
    "today_c": "刘洋",
    "today_a": "Michael Brown",
    "today_b": "周婷",
    "birthday": "张三",
}
ORDER = ["late_b", "late", "today_a", "today_b", "today_c", "birthday"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("columns", ["80", "100"])
def test_the_call_sheet_keeps_name_mobile_and_purpose_whole(ok, sheet, monkeypatch, lang, columns):
    monkeypatch.setenv("COLUMNS", columns)
    out = ok("due", lang=lang).stdout
    lines = out.splitlines()
    assert max(cell_width(line) for line in lines) <= int(columns), out
    assert "…" not in "".join(line for line in lines if re.match(r"C\d{5}", line) is None)
    for key, number in sheet.items():
        row = next((line for line in lines if line.startswith(number)), out)
        assert NAMES[key] in row, row  # the whole name, on the number's line
        assert MOBILES[key] in row, row
    # Purposes wrap under the name, but nothing of them is cut.
    assert _flat(LONG_PURPOSE) in _flat(out) and _flat(ZH_PURPOSE) in _flat(out)
    assert "confirm the test drive on Saturday" in out
    # Overdue first (by grade: B before D), then today's by grade, then the birthday.
    numbers = [line[:6] for line in lines if re.match(r"C\d{5}", line)]
    assert numbers == [sheet[k] for k in ORDER]


def test_at_80_columns_the_company_is_what_gets_shortened(ok, sheet, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    row = next(line for line in ok("due").stdout.splitlines() if line.startswith(sheet["late"]))
    assert re.search(r"Alexandra Whitfield No\w*…", row) and "International" not in row


def test_a_name_too_long_for_its_column_goes_on_below_it_whole(ok, add, monkeypatch):
    name = "Maximilian Alexander Montgomery-Whitfield"
    number = add(
        name, "--company", "Whitfield Holdings", "--mobile", "13800138000", "--next", "today"
    )
    monkeypatch.setenv("COLUMNS", "80")
    lines = ok("due").stdout.splitlines()
    assert max(cell_width(line) for line in lines) <= 80
    at = next(i for i, line in enumerate(lines) if line.startswith(number))
    assert "138 0013 8000" in lines[at] and "…" not in lines[at]
    assert lines[at][8:].startswith("Maximilian Alexander  ")
    assert lines[at + 1] == " " * 8 + "Montgomery-Whitfield"  # under the name, then the purpose


def test_a_wide_terminal_shows_each_call_on_one_line(ok, sheet, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    lines = ok("due").stdout.splitlines()
    row = next(line for line in lines if line.startswith(sheet["late"]))
    assert "Northern Lights Logistics International" in row
    assert LONG_PURPOSE in row and MOBILES["late"] in row
    assert len([line for line in lines if line.strip()]) == 3 + len(ORDER)  # title, head, rule


def test_the_mobile_is_in_the_json_too(ok, sheet):
    items = {i["number"]: i for i in ok("due", "--json").json()}
    assert items[sheet["late"]]["mobile"] == "+8613800138000"
    assert items[sheet["today_b"]]["mobile"] == "+14155550100"


def _screen_rows(out: str) -> list[str]:
    return [line[:6] for line in out.splitlines() if re.match(r"C\d{5}", line)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_due_export_writes_the_rows_of_the_screen(ok, sheet, tmp_path, monkeypatch, lang):
    import openpyxl

    monkeypatch.setenv("COLUMNS", "80")
    screen = ok("due", lang=lang).stdout
    xlsx, csv_path = tmp_path / "calls.xlsx", tmp_path / "calls.csv"
    said = ok("due", "--export", str(xlsx), lang=lang).stderr
    assert str(xlsx) in said and "6" in said
    ok("due", "--export", str(csv_path), lang=lang)

    sheet_rows = [
        ["" if v is None else str(v) for v in row]
        for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True)
    ]
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        csv_rows = list(csv.reader(f))
    assert csv_rows == sheet_rows
    head, *rows = sheet_rows
    if lang == "zh":
        assert head == ["编号", "姓名", "单位", "手机", "等级", "阶段", "时间", "目的", "上次联系"]
    else:
        assert head[:4] == ["No.", "Name", "Company", "Mobile"]
    # The same calls in the same order as on screen, with what the screen shows.
    assert [r[0] for r in rows] == _screen_rows(screen) == [sheet[k] for k in ORDER]
    for key, r in zip(ORDER, rows, strict=True):
        _number, name, _company, mobile, _grade, stage, when, purpose, _last = r
        assert (name, mobile) == (NAMES[key], MOBILES[key])
        assert _flat(when) in _flat(screen) and _flat(purpose) in _flat(screen)
        assert _flat(stage) in _flat(screen)
    late = rows[ORDER.index("late")]
    assert late[2] == "Northern Lights Logistics International" and late[7] == LONG_PURPOSE
    assert rows[ORDER.index("late_b")][7] == ZH_PURPOSE


def test_due_export_refuses_what_it_cannot_write_and_leaves_no_half_file(
    ok, cli, sheet, tmp_path, monkeypatch
):
    target = tmp_path / "calls.txt"
    bad = cli("due", "--export", str(target))
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    assert ".xlsx" in bad.stderr and ".csv" in bad.stderr and not target.exists()

    existing = tmp_path / "calls.csv"
    existing.write_text("keep me", encoding="utf-8")
    refused = cli("due", "--export", str(existing))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert existing.read_text(encoding="utf-8") == "keep me"
    ok("due", "--export", str(existing), "--force")
    assert NAMES["late"] in existing.read_text(encoding="utf-8-sig")

    # A write that fails half way leaves neither the file nor a temporary behind.
    from leadbook.exchange import export

    calls = {"n": 0}
    real = export.csv_safe

    def failing(text: str) -> str:
        calls["n"] += 1
        if calls["n"] > 20:
            raise OSError(28, "No space left on device")
        return real(text)

    monkeypatch.setattr(export, "csv_safe", failing)
    fresh = tmp_path / "fresh.csv"
    assert cli("due", "--export", str(fresh)).exit_code != 0
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []

    both = cli("due", "--export", str(tmp_path / "x.xlsx"), "--json")
    assert both.exit_code == 1 and not (tmp_path / "x.xlsx").exists()
