"""Files leadbook writes for people to open: exports and the import error report are safe to
open in Excel, private, never overwrite without --force, hold texts longer than a cell, and
leave no customer data behind when they fail or are killed."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import PG, private_book

HOSTILE_PHONE = "=cmd|' /C calc'!A0"
HOSTILE_EMAIL = '=HYPERLINK("http://evil.example","点我")'


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def bad_list(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "bad.csv",
        [
            ["姓名", "手机", "邮箱"],
            ["甲", HOSTILE_PHONE, HOSTILE_EMAIL],
            ["乙", "1" * 100_000, ""],
        ],
    )


# The import error report ---------------------------------------------------------------------


def test_the_error_report_runs_no_formula_is_private_and_cuts_long_cells(cli, tmp_path):
    source = bad_list(tmp_path)
    result = cli("import", str(source))
    assert result.exit_code == 1
    report = source.with_name("bad.csv.errors.csv")
    assert report.stat().st_mode & 0o777 == 0o600
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["row", "column", "value", "reason"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells), cells
    assert rows[1][2] == "'" + HOSTILE_PHONE and rows[2][2] == "'" + HOSTILE_EMAIL
    long_row = rows[3]
    assert long_row[2] == "1" * 199 + "…"  # the 100,000-character cell, cut
    assert len(long_row[3]) <= 400 and "too long" in long_row[3]  # its reason still says why
    # The terminal shows the same cut cells: the 100 KB cell is not echoed.
    assert len(result.stderr) < 5_000 and "1" * 300 not in result.stderr
    assert "1" * 199 + "…" in result.stderr


def test_a_dry_run_writes_no_error_report_and_says_where_it_would_go(ok, tmp_path):
    source = bad_list(tmp_path)
    result = ok("import", str(source), "--dry-run")
    report = source.with_name("bad.csv.errors.csv")
    assert not report.exists()
    assert f"would be written to {report}" in result.stderr.replace("\n", "")
    as_json = ok("import", str(source), "--dry-run", "--json").json()
    assert as_json["error_file"] is None and not report.exists()


# Cells longer than Excel holds -----------------------------------------------------------------


def long_texts() -> tuple[str, str, str]:
    # A 40,000-character note whose cut falls between two spaces, and one of characters that
    # take two UTF-16 units each (as Excel counts them).
    note = "客户说：" + "a" * 32_762 + "  " + "价格再谈" * 1_808
    emoji = "😀" * 20_000
    extra = "长" * 100_012
    assert len(note) == 40_000
    return note, emoji, extra


def test_texts_longer_than_a_cell_continue_in_the_next_columns_and_import_back_whole(
    ok, tmp_path, monkeypatch, book_url
):
    note, emoji, extra = long_texts()
    source = write_csv(
        tmp_path / "long.csv", [["姓名", "备注", "鞋码"], ["甲", note, extra], ["乙", emoji, "38"]]
    )
    ok("import", str(source))
    ok("log", "C00001", "--via", "visit", "--note", note)
    before = {n: ok("show", n, "--json").json() for n in ("C00001", "C00002")}
    assert before["C00001"]["note"] == note and before["C00001"]["extra"] == {"鞋码": extra}
    for lang, part2 in (("en", "Note (part 2)"), ("zh", "备注（第2段）")):
        monkeypatch.setenv("LEADBOOK_DB", book_url)
        target = tmp_path / f"book-{lang}.xlsx"
        ok("export", str(target), "--lang", lang)
        wb = openpyxl.load_workbook(target, read_only=True)
        customers = wb.worksheets[0]
        rows = [list(r) for r in customers.iter_rows(values_only=True)]
        heads = rows[0]
        assert heads[heads.index(part2) - 1] == ("Note" if lang == "en" else "备注")
        for row in rows[1:]:
            for cell in row:
                if isinstance(cell, str):
                    assert len(cell.encode("utf-16-le")) // 2 <= 32_767
        first = dict(zip(heads, rows[1], strict=False))
        note_head = "Note" if lang == "en" else "备注"
        assert first[note_head] + first[part2] == note  # a manager reads it on in part 2
        with private_book(tmp_path / f"again-{lang}.db") as again:
            monkeypatch.setenv("LEADBOOK_DB", again)
            ok("import", str(target))
            for number, card in before.items():
                shown = ok("show", number, "--json").json()
                assert shown["note"] == card["note"], (lang, number)
                assert shown["extra"] == card["extra"], (lang, number)
            followups = ok("show", "C00001", "--json").json()["followups"]
            assert [f["note"] for f in followups] == [note]


def test_split_cell_counts_as_excel_does_and_never_cuts_a_character():
    from leadbook.exchange.export import split_cell

    assert split_cell("短") == ["短"]
    pieces = split_cell("😀" * 20_000)
    assert "".join(pieces) == "😀" * 20_000
    assert all(len(p.encode("utf-16-le")) // 2 <= 32_767 for p in pieces) and len(pieces) == 2
    assert split_cell("a" * 32_767) == ["a" * 32_767]
    assert [len(p) for p in split_cell("a" * 65_535)] == [32_767, 32_767, 1]


def test_columns_named_like_parts_in_other_files_are_not_joined(ok, tmp_path):
    source = write_csv(
        tmp_path / "two.csv", [["姓名", "备注", "Note (part 2)"], ["甲", "第一", "第二"]]
    )
    ok("import", str(source))
    card = ok("show", "C00001", "--json").json()
    assert card["note"] == "第一" and card["extra"] == {"Note (part 2)": "第二"}


# Overwriting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["book.xlsx", "c.csv", "due.ics"])
def test_export_replaces_an_existing_file_only_with_force(ok, cli, add, tmp_path, name):
    add("张三", "--next", "2026-03-20")
    target = tmp_path / name
    target.write_bytes(b"last month's export")
    result = cli("export", str(target))
    assert result.exit_code == 1 and "--force" in result.stderr and "exists" in result.stderr
    assert target.read_bytes() == b"last month's export"
    ok("export", str(target), "--force")
    assert target.read_bytes() != b"last month's export"
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(bool(PG), reason="backup copies SQLite books; PostgreSQL uses pg_dump")
def test_backup_replaces_an_existing_file_only_with_force(ok, cli, add, tmp_path):
    add("张三")
    target = tmp_path / "b.db"
    target.write_bytes(b"yesterday's backup")
    result = cli("backup", str(target))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert target.read_bytes() == b"yesterday's backup"
    ok("backup", str(target), "--force")
    assert target.read_bytes().startswith(b"SQLite format 3")


# Temporaries ----------------------------------------------------------------------------------


def test_a_failed_export_leaves_nothing_in_the_folder_or_the_temporary_folder(
    ok, cli, add, tmp_path, monkeypatch
):
    add("张三", "--note", "机密备注")
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    out.mkdir()
    from leadbook.exchange import export

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_summary", boom)
    result = cli("export", str(out / "book.xlsx"))
    assert result.exit_code != 0
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(os.name != "posix", reason="a process is asked after with kill 0 (POSIX)")
def test_temporaries_of_an_export_killed_outright_go_with_the_next_export(ok, add, tmp_path):
    add("张三")
    gone = dead_pid()
    stale_file = tmp_path / f".book.xlsx.{gone}.abc123.tmp"
    stale_file.write_text("客户数据")
    stale_dir = tmp_path / f".book.xlsx.{gone}.def456.tmp"
    stale_dir.mkdir()
    (stale_dir / "sheet").write_text("客户数据")
    running = tmp_path / f".book.xlsx.{os.getppid()}.ghi789.tmp"  # a live export's: kept
    running.write_text("in use")
    ok("export", str(tmp_path / "book.xlsx"))
    assert not stale_file.exists() and not stale_dir.exists() and running.exists()


KILLED_EXPORT = """
import sys, time
from pathlib import Path
from leadbook.exchange import export

def slow(*args, **kwargs):
    Path(sys.argv[1]).write_text("started")
    time.sleep(60)

export._write_summary = slow
from leadbook.cli import main
main(["export", sys.argv[2]])
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM")
def test_an_export_killed_with_sigterm_removes_its_temporaries(add, tmp_path):
    add("张三", "--note", "机密备注")
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    started = tmp_path / "started"
    env = {**os.environ, "TMPDIR": str(scratch)}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(started), str(out / "book.xlsx")],
        env=env,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not started.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), child.communicate()[1]
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=30)
    assert child.returncode != 0
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


# CSV and TSV ---------------------------------------------------------------------------------


def test_csv_export_guards_every_formula_but_keeps_numbers_and_phones_usable(ok, add, tmp_path):
    from leadbook.exchange.export import csv_safe

    for text in ("+1-2", "-1-1", "=1+2", "@SUM(A1)", "\tx", "\rx", "-", "--03-05", "+cmd|x"):
        assert csv_safe(text) == "'" + text, text
    for text in ("-12.50", "+86 138 0013 8000", "+12025550100", "13800138000", "", "a=b"):
        assert csv_safe(text) == text, text
    add("甲", "--company", "+1-2", "--note", "-1-1")
    add("乙", "--company", "-12.50", "--note", "+86 138 0013 8000")
    target = tmp_path / "c.csv"
    ok("export", str(target))
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["Company"], r["Note"]) for r in rows] == [
        ("'+1-2", "'-1-1"),
        ("-12.50", "+86 138 0013 8000"),
    ]


def test_tsv_export_is_separated_by_tabs_and_imports_back(ok, add, tmp_path, monkeypatch):
    add("张三", "--company", "华信科技, 北京", "--note", "=1+2")
    target = tmp_path / "c.tsv"
    ok("export", str(target))
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split("\t")[:3] == ["Customer number", "Name", "Company"]
    assert lines[1].split("\t")[2] == "华信科技, 北京"
    with private_book(tmp_path / "again.db") as again:
        monkeypatch.setenv("LEADBOOK_DB", again)
        ok("import", str(target))
        card = ok("show", "C00001", "--json").json()
    assert (card["company"], card["note"]) == ("华信科技, 北京", "=1+2")


def test_the_error_report_json_names_the_file_it_wrote(cli, tmp_path):
    source = bad_list(tmp_path)
    result = cli("import", str(source), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error_file"] == str(source.with_name("bad.csv.errors.csv"))
