"""`show`, `search`, `list` and `due` start without Typer (leadbook.cli.quick, issue 15): the
options it parses are what the Typer commands declare, every line it takes prints what Typer
prints for it, and every line it does not take goes to Typer whole."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PG, Result, dump_book, run_quick, settle
from leadbook import i18n
from leadbook.cli import daily, quick
from leadbook.cli.app import load
from leadbook.cli.common import CARD_OPTIONS
from leadbook.render import reset
from test_completion import complete


def test_the_options_file_is_what_the_typer_commands_declare_now():
    # `python scripts/compile_sql.py` writes it again: the two never drift apart.
    assert quick.OPTIONS.read_text(encoding="utf-8") == quick.dump(quick.declared())


def test_each_quick_command_calls_daily_with_exactly_its_declared_options():
    declared = quick.declared()["commands"]
    for name in quick.QUICK:
        body = getattr(daily, quick._BODIES[name])
        signature = inspect.signature(body).parameters
        params = [p for p, kind in signature.items() if kind.kind != kind.VAR_KEYWORD]
        arguments = [a for a, _kind in declared[name]["arguments"]]
        options = set(declared[name]["defaults"])
        assert params[0] == "state"
        assert params[1 : 1 + len(arguments)] == arguments or set(arguments) <= set(params), name
        if len(params) < len(signature):  # `add`: the card's fields come as **fields
            assert options - set(params) == {f for f, _o, _h in CARD_OPTIONS}, name
            options &= set(params)
        assert sorted(params[1:]) == sorted([*arguments, *options]), name


def typer_path(args: list[str]) -> Result:
    """The same line through the Typer app (the SQL path is the same: both read the book
    with the compiled statements)."""
    reset()
    result = CliRunner().invoke(load(args), args, prog_name="leadbook")
    reset()
    return Result(result.exit_code, result.stdout, result.stderr, result.exception)


# Lines the parser takes, in the forms click accepts: options before and after the argument,
# --opt=value, repeated options, `--` before a text that starts with a dash, the global
# options before the command.
TAKEN = [
    ["show", "C00001"],
    ["show", "--audit", "c1"],
    ["show", "C00001", "--json", "--audit", "--json"],
    ["show", "C00099"],  # no such card: one line, exit 1
    ["search", "zs", "--limit=1"],
    ["search", "--limit", "0", "138"],
    ["search", "--", "-138"],
    ["search", "-"],
    ["search", "nobody", "--json"],
    ["list", "--grade", "A", "--grade=B", "--sort", "next"],
    ["list", "--grade", "A,b", "--stage", "intent", "--limit", " 2 "],
    ["list", "--sort", "shoe size"],  # refused by leadbook: one line, exit 1
    ["list", "--grade", "F"],
    ["list", "--mine", "--overdue", "--json"],
    ["due"],
    ["due", "--days", "7", "--owner", "李强"],
    ["due", "--days=400"],  # out of range: one line, exit 1
    ["due", "--date", "下周一", "--json"],
    ["due", "--date", "2026-02-30"],
    ["due", "--export", "x.xlsx", "--json"],
    ["--as", "李强", "due", "--mine"],
    ["--lang", "zh", "due"],
    ["--lang", "fr", "due"],  # one line, exit 1
    ["--debug", "search", "张"],
    ["search", "zs\x07\x1b[31m"],  # control characters are taken out, as Typer does
]

# Lines it leaves to Typer: help, a value click refuses, an option it does not know, a
# missing or extra argument, a global option after the command, the eager options.
LEFT = [
    ["due", "--help"],
    ["show", "-h"],
    ["--help", "due"],
    ["--version"],
    ["due", "--days", "seven"],
    ["due", "--days"],
    ["due", "--json=yes"],
    ["due", "--bogus"],
    ["due", "-x"],
    ["show"],
    ["show", "C00001", "C00002"],
    ["search", "-138"],
    ["due", "--db", "other.db"],
    ["due", "--export", ""],
    ["report"],  # not a quick command
    ["grade", "C00001"],  # an argument left out (here: asks for a suggestion)
    ["lost", "C00001"],  # a required option left out
    ["add", "--grade", "B"],  # no name: Typer asks for the card on a terminal
    ["--install-completion"],
    [],
]


_WRITTEN: list[Path] = []  # the book `book` wrote first in this process


@pytest.fixture
def book(ok, add, monkeypatch, db_path, tmp_path_factory):
    """Two cards, a contact and a stage move; written once a process, then copied."""
    monkeypatch.setenv("LEADBOOK_NOW", "2026-03-18 09:00")
    monkeypatch.delenv("LEADBOOK_FULL_STACK", raising=False)
    if _WRITTEN and not PG:
        for journal in (f"{db_path}-wal", f"{db_path}-shm"):
            Path(journal).unlink(missing_ok=True)
        shutil.copyfile(_WRITTEN[0], db_path)
        return
    add("张三", "--mobile", "13800138000", "--grade", "A", "--next", "2026-03-17")
    add("李四", "--company", "华信科技", "--grade", "B", "--owner", "李强")
    ok("log", "C00002", "--note", "called", "--next", "2026-03-18")
    ok("stage", "C00001", "intent")
    if not PG:
        settle(db_path)
        kept = tmp_path_factory.mktemp("quick") / "book.db"
        shutil.copyfile(db_path, kept)
        _WRITTEN.append(kept)


@pytest.mark.parametrize("args", TAKEN, ids=" ".join)
def test_a_line_the_parser_takes_prints_what_typer_prints(book, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    i18n.set_language("zh" if "zh" in args else "en")
    mine = run_quick(CliRunner(), args)
    theirs = typer_path(args)
    assert mine is not None, args
    assert mine.exception is None, args  # --debug: nothing failed, so nothing came through
    assert (mine.exit_code, mine.stdout, mine.stderr) == (
        theirs.exit_code,
        theirs.stdout,
        theirs.stderr,
    ), args
    if mine.exit_code:
        assert mine.stderr.count("\n") == 1 and not mine.stdout, args  # one line on stderr


@pytest.mark.parametrize("args", LEFT, ids=lambda a: " ".join(a) or "nothing")
def test_a_line_the_parser_does_not_take_goes_to_typer(book, args):
    assert quick.run(args) is None


def test_the_full_stack_switch_leaves_every_line_to_typer(book, monkeypatch):
    monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")
    assert quick.run(["due"]) is None


# ---- a customer number's completion (`leadbook log zs<TAB>`) without Typer ------------------

ANSWERED = [
    "leadbook log zs",
    "leadbook log 张",
    "leadbook show zhangsan",
    "leadbook --as 李强 grade lisi",
    "leadbook log --via wechat --check-back zs",
    "leadbook deal 1380013",
    "leadbook lost nobody",
    'leadbook log "zh',
]
LEFT_TO_TYPER = [
    "leadbook log C00001 --stage in",  # an option's value
    "leadbook log --via ",
    "leadbook lo",  # the command word
    "leadbook log -",  # an option's name
    "leadbook log C00001 zs",  # not the first argument
    "leadbook search zs",  # not a customer number
    "leadbook --version log zs",
    "leadbook log --bogus zs",
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_customer_number_completes_as_typer_completes_it(
    book, monkeypatch, capsys, shell, tmp_path
):
    elsewhere = f"leadbook --db {tmp_path / 'none.db'} log zs"  # no book there: nothing
    for line in [*ANSWERED, elsewhere]:
        mine = complete(monkeypatch, capsys, line, shell)
        monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")
        theirs = complete(monkeypatch, capsys, line, shell)
        monkeypatch.delenv("LEADBOOK_FULL_STACK")
        assert mine == theirs, (line, shell)
        # the line as complete() left it in the environment: answered without Typer
        assert quick.complete(line.split()[1:-1]) is not None, line
    assert "C00001" in complete(monkeypatch, capsys, "leadbook log zs", shell)


@pytest.mark.parametrize("line", LEFT_TO_TYPER)
def test_every_other_completion_is_left_to_typer(book, monkeypatch, line):
    words = line.split()
    monkeypatch.setenv("_LEADBOOK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) if line.endswith(" ") else len(words) - 1))
    typed = words[1:] if line.endswith(" ") else words[1:-1]
    assert quick.complete(typed) is None


def test_every_line_the_two_paths_are_compared_on_is_taken_without_typer():
    # tests/test_fast.py runs these through the `cli` fixture, which takes the quick path
    # when it can, and against the full stack: they must all be lines the quick path takes.
    from test_fast import CALL_SHEETS, ENTRIES, FUNNELS, JOURNALS, LISTS, SEARCHES

    lines = [
        *(["search", *s] for s in SEARCHES),
        *(["list", *a] for a in LISTS),
        *(["due", *a] for a in CALL_SHEETS),
        *(command for command, _code in ENTRIES),
        *(["journal", *a] for a in JOURNALS),
        *(["funnel", *a] for a in FUNNELS),
        ["show", "C00001", "--audit"],
        ["reopen", "C00002", "--why", "called back"],
        ["add", "张三", "--mobile", "13800138000", "--set", "车牌号=京A12345", "--json"],
    ]
    assert [line for line in lines if quick.parse(line) is None] == []


@pytest.mark.parametrize("debug", [False, True], ids=["", "debug"])
@pytest.mark.parametrize("full", [False, True], ids=["quick", "typer"])
def test_ctrl_c_in_the_middle_of_an_add_is_one_line_and_writes_nothing(
    book, cli, monkeypatch, db_path, full, debug
):
    import leadbook.cards

    def interrupted(*_args, **_kw):
        raise KeyboardInterrupt  # the card is inserted; reading it back is interrupted

    before = dump_book(db_path)
    monkeypatch.setattr(leadbook.cards, "card_model", interrupted)
    if full:
        monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")
    result = cli(*(["--debug"] if debug else []), "add", "王五", "--mobile", "13900139000")
    # with --debug Typer ends it silently, and so does the quick path: never a traceback
    said = "" if debug else "Error: interrupted: nothing was written\n"
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", said)
    assert dump_book(db_path) == before


def test_a_call_sheet_over_a_file_leadbook_cannot_read_is_left_to_typer(
    book, monkeypatch, tmp_path
):
    # click's Path refuses an existing file that is not readable (a test as root cannot make
    # one: os.access says which)
    locked = tmp_path / "locked.csv"
    locked.write_text("kept")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: str(p) != str(locked) and real_access(p, mode)
    )
    assert quick.parse(["due", "--export", str(locked), "--force"]) is None
    assert quick.parse(["due", "--export", str(tmp_path / "new.csv")]) is not None


def test_a_completion_on_an_ascii_terminal_answers_in_utf8(book):
    # LANG=C: Python's stdout says ASCII; click's echo writes UTF-8 there, and so does leadbook
    env = {
        **os.environ,
        "PYTHONIOENCODING": "ascii",
        "_LEADBOOK_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": "leadbook log zs",
    }
    done = subprocess.run(
        [sys.executable, "-m", "leadbook"], env=env, capture_output=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8").splitlines() == ["C00001\t张三"]
