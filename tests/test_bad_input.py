"""Issue 13, "Bad input still getting through": each is one clear line, exit 1, the store as
before."""

from __future__ import annotations

import pytest

from conftest import dump_book


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("due", "--date", "9999-12-31"), "'9999-12-31' is outside the dates leadbook keeps"),
        (("log", "C00001", "--at", "1850-01-01"), "'1850-01-01' is outside the dates"),
        (("deal", "C00001", "--amount", "5000", "--date", "1899-12-31"), "outside the dates"),
        (
            ("visit", "C00001", "--on", "2026-03-01", "--purpose", "见采购"),
            "2026-03-01 has passed: a visit is planned for today or later",
        ),
        (("deal", "C00001", "--amount", "-5000"), "amount '-5000' is negative"),
        (
            ("deal", "C00001", "--amount", "$1,000"),
            "'$1,000' is in USD, but this book keeps its amounts in CNY",
        ),
        (("edit", "C00001", "--budget", "US$ 5000"), "is in USD, but this book keeps"),
        (
            ("config", "set", "interval.A", "-1"),
            "interval.A must be a number of days from 1 to 3650, not '-1'",
        ),
        (("plan", "--target", "10", "--by", "2199-12-31"), "more than 3 years away"),
        (("--lang", "xx", "due"), "--lang 'xx': leadbook speaks en (English) and zh (中文)"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(cli, add, db_path, args, said):
    add("张三", "--grade", "B")
    before = dump_book(db_path)
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and said in result.stderr, result.stderr
    assert dump_book(db_path) == before


def test_a_locale_name_is_a_language(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LEADBOOK_DB": str(tmp_path / "zh.db"), "LEADBOOK_NOW": "2026-11-13"}
    done = subprocess.run(
        [sys.executable, "-m", "leadbook", "--lang", "zh_CN", "due"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "还没有客户库" in done.stderr  # no book there yet, said in Chinese


@pytest.mark.parametrize("command", [["journal", "--week", "2026-03-18"], ["list"], ["due"]])
def test_output_into_a_closed_pipe_ends_quietly(add, command):
    """`leadbook journal | head`: the reader leaves early; leadbook ends with 0 and no error,
    as other Unix tools do."""
    import os
    import subprocess
    import sys

    for name in ("张三", "李四", "王五"):
        add(name)
    run = subprocess.Popen(  # the test's book, clock and user are in the environment
        [sys.executable, "-m", "leadbook", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()  # the reader is gone before anything is written
    err = run.stderr.read().decode()
    assert run.wait() == 0 and err == ""


def test_a_binary_file_named_xlsx_is_not_read_as_a_list(cli, add, db_path, tmp_path):
    add("张三", "--grade", "B")
    before = dump_book(db_path)
    (tmp_path / "客户.xlsx").write_bytes(b"hellobinary\x00\x01\x02")
    result = cli("import", str(tmp_path / "客户.xlsx"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "客户.xlsx is named like a workbook but holds neither Excel nor text" in result.stderr
    assert dump_book(db_path) == before


@pytest.mark.no_book
def test_reading_a_book_that_is_not_there_creates_nothing(cli, ok, tmp_path):
    where = tmp_path / "no" / "such" / "dir" / "book.db"
    for args in (("list",), ("due",), ("journal",), ("search", "张")):
        result = cli("--db", str(where), *args)
        assert result.exit_code == 1 and result.stderr.count("\n") == 1
        assert f"there is no book at {where} yet: `leadbook add` starts one" in result.stderr
    assert ok("--db", str(where), "db", "current").stdout.startswith("none")
    assert not (tmp_path / "no").exists()
    ok("--db", str(where), "add", "张三")  # a command that writes starts the book
    assert [c["name"] for c in ok("--db", str(where), "list", "--json").json()] == ["张三"]


def test_an_amount_in_the_books_currency_is_kept(ok, add):
    add("张三")
    ok("deal", "C00001", "--amount", "¥1,200.50")
    ok("config", "set", "currency", "USD")
    ok("deal", "C00001", "--amount", "$1,000")
    assert sorted(d["amount"] for d in ok("deals", "--json").json()) == ["1000.00", "1200.50"]


def test_a_name_that_looks_like_markup_or_an_emoji_code_is_printed_as_typed(cli):
    # The confirmation went through Rich, which turned ":fire:" into 🔥 (its markup was off,
    # its emoji codes were not).
    result = cli("add", ":fire: [bold]王", "--grade", "B")
    assert result.exit_code == 0
    assert result.stderr.startswith("Added C00001 :fire: [bold]王: grade B")
    logged = cli("log", "C00001", "--note", ":thumbs_up:")
    assert logged.stderr.startswith("Logged C00001 :fire: [bold]王. Next contact")
