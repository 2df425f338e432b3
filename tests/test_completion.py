"""Shell completion: `leadbook log zs<TAB>` gives C00001 张三 in bash, zsh and fish.

Each test runs leadbook as the shell's completion script does: ``_LEADBOOK_COMPLETE`` names the
shell, ``COMP_WORDS``/``COMP_CWORD`` (bash) or ``_TYPER_COMPLETE_ARGS`` (zsh, fish) carry the
line typed so far, and the answer is what leadbook prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadbook.cli import main

BIN = str(Path(sys.executable).parent)  # where the `leadbook` script is installed


def complete(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    line: str,
    shell: str = "bash",
) -> str:
    """What leadbook answers the ``shell`` completing ``line`` (cursor at its end)."""
    monkeypatch.setenv("_LEADBOOK_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        words = line.split()
        monkeypatch.setenv("COMP_WORDS", line)
        monkeypatch.setenv("COMP_CWORD", str(len(words) if line.endswith(" ") else len(words) - 1))
    else:
        monkeypatch.delenv("COMP_WORDS", raising=False)
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
        if shell == "fish":
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    monkeypatch.delenv("LANGUAGE", raising=False)  # set by an earlier --lang zh in this process
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code in (0, None)
    return capsys.readouterr().out


@pytest.fixture
def book(add):
    first = add("张三", "--company", "华信科技", "--grade", "B")
    add("张珊")
    add("Li Wei", "--mobile", "13912345678")
    return first


@pytest.mark.parametrize("typed", ["zhangsan", "张三"])
def test_a_name_or_its_pinyin_completes_to_the_number(book, typed, monkeypatch, capsys):
    assert complete(monkeypatch, capsys, f"leadbook log {typed}").split("\n")[0] == "C00001"


@pytest.mark.parametrize("typed", ["zs", "张"])
def test_initials_or_a_surname_list_the_cards_with_their_names(book, typed, monkeypatch, capsys):
    # bash: what was typed stays (not the numbers' common start C0000), the cards are listed
    lines = complete(monkeypatch, capsys, f"leadbook log {typed}").splitlines()
    assert lines == [typed, "C00001 张三 · 华信科技", "C00002 张珊"]


def test_zsh_and_fish_show_the_name_beside_the_number(book, monkeypatch, capsys):
    zsh = complete(monkeypatch, capsys, "leadbook log zs", "zsh")
    assert "compadd -U" in zsh  # zsh must not match C00001 against zs again
    assert "'C00001  -- 张三 · 华信科技'" in zsh and "'C00002  -- 张珊'" in zsh
    fish = complete(monkeypatch, capsys, "leadbook show C0000", "fish")
    assert fish.splitlines() == ["C00001\t张三 · 华信科技", "C00002\t张珊", "C00003\tLi Wei"]


def test_phone_digits_and_every_customer_number_argument(book, monkeypatch, capsys):
    assert complete(monkeypatch, capsys, "leadbook deal 1391234").strip() == "C00003"
    assert complete(monkeypatch, capsys, "leadbook add X --referrer zhangsan").strip() == "C00001"
    assert complete(monkeypatch, capsys, "leadbook deals --customer zhangsan").strip() == "C00001"


def test_grades_stages_channels_and_settings(book, monkeypatch, capsys):
    assert complete(monkeypatch, capsys, "leadbook grade C00001 ").split() == list("ABCDE")
    assert complete(monkeypatch, capsys, "leadbook list --grade ").split() == list("ABCDE")
    assert complete(monkeypatch, capsys, "leadbook list --grade c").split() == ["C"]
    assert complete(monkeypatch, capsys, "leadbook log C00001 --stage in").split() == [
        "interested",
        "intent",
    ]
    # a Chinese word, or its label, finds the stored key
    assert complete(monkeypatch, capsys, "leadbook log C00001 --stage 意").split() == ["intent"]
    assert complete(monkeypatch, capsys, "leadbook log C00001 --via 微").split() == ["wechat"]
    assert complete(monkeypatch, capsys, "leadbook add X --source 介").split() == ["referral"]
    keys = complete(monkeypatch, capsys, "leadbook config set interval").split()
    assert keys == [f"interval.{g}" for g in "ABCDE"]
    assert "lo" not in complete(monkeypatch, capsys, "leadbook lo").split()
    assert {"log", "lost"} <= set(complete(monkeypatch, capsys, "leadbook lo").split())


def test_the_meanings_come_in_the_interface_language(book, monkeypatch, capsys):
    fish = complete(monkeypatch, capsys, "leadbook --lang zh grade C00001 ", "fish")
    assert "A\t1 个月内可成交" in fish.splitlines()
    fish = complete(monkeypatch, capsys, "leadbook grade C00001 ", "fish")
    assert "A\tcloses within 1 month" in fish.splitlines()


@pytest.mark.no_book
def test_a_completion_never_makes_a_book(monkeypatch, capsys, tmp_path):
    missing = tmp_path / "nowhere" / "book.db"
    line = f"leadbook --db {missing} log zs"
    assert complete(monkeypatch, capsys, line).strip() == ""
    assert not missing.parent.exists()
    # nor on the default book, which does not exist yet either
    assert complete(monkeypatch, capsys, "leadbook log zs").strip() == ""
    assert complete(monkeypatch, capsys, "leadbook grade X ").split() == list("ABCDE")


def _leadbook_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_LEADBOOK")}
    return {**env, "HOME": str(home), "PATH": BIN + os.pathsep + env.get("PATH", "")}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_through_the_script_leadbook_shows(book, tmp_path):
    env = _leadbook_env(tmp_path)
    shown = subprocess.run(
        ["bash", "-c", "leadbook --show-completion"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _leadbook_completion leadbook" in shown.stdout
    script = tmp_path / "leadbook.bash"
    script.write_text(shown.stdout)
    run = (
        f"source {script}; COMP_WORDS=(leadbook log zhangsan); COMP_CWORD=2; "
        "_leadbook_completion leadbook; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    done = subprocess.run(["bash", "-c", run], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["C00001"], done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_writes_the_script_and_says_where(tmp_path):
    env = _leadbook_env(tmp_path)
    for _twice in range(2):
        done = subprocess.run(
            ["bash", "-c", "leadbook --install-completion"], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    script = tmp_path / ".bash_completions" / "leadbook.sh"
    assert "_LEADBOOK_COMPLETE=complete_bash" in script.read_text()
    assert f"Completion for bash installed in {script}" in done.stderr
    assert (tmp_path / ".bashrc").read_text().count(f"source '{script}'") == 1  # not twice


@pytest.mark.parametrize(
    ("shell", "where", "rc"),
    [
        ("zsh", ".zfunc/_leadbook", ".zshrc"),
        ("fish", ".config/fish/completions/leadbook.fish", None),
    ],
)
def test_install_completion_for_zsh_and_fish_in_chinese(
    shell, where, rc, tmp_path, monkeypatch, capsys, zh_from_po
):
    from leadbook.cli import completion

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(completion, "detect_shell", lambda: shell)
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "zh", "--install-completion"])
    assert exit_.value.code in (0, None)
    script = tmp_path / where
    assert f"_LEADBOOK_COMPLETE=complete_{shell}" in script.read_text()
    assert f"{shell} 补全已安装到 {script}" in capsys.readouterr().err
    if rc:
        assert "fpath+=~/.zfunc" in (tmp_path / rc).read_text()


def _complete_in_a_process(line: str, home: Path) -> tuple[list[str], set[str]]:
    """bash's answer for ``line`` (cursor after its last word) from a Python of its own, and
    the modules of leadbook.cli, pydantic, sqlalchemy and typer it loaded."""
    code = (
        "import sys\n"
        "from leadbook.cli import main\n"
        "try:\n"
        "    main([])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('leadbook.cli.', 'pydantic', 'sqlalchemy', 'typer'))),"
        " file=sys.stderr)\n"
    )
    words = line.split()
    env = {
        **_leadbook_env(home),
        "_LEADBOOK_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) if line.endswith(" ") else len(words) - 1),
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout.split(), set(eval(done.stderr.strip().splitlines()[-1]))


COMMAND_MODULES = {
    f"leadbook.cli.{m}" for m in ("cards", "contacts", "sales", "accounts", "exchange", "admin")
}


def test_a_customer_number_completes_without_typer_or_a_command_module(book, tmp_path):
    answer, loaded = _complete_in_a_process("leadbook log zhangsan", tmp_path)
    assert answer == ["C00001"], loaded
    # answered by leadbook.cli.quick: no command module, no Typer
    assert not loaded & {*COMMAND_MODULES, "leadbook.cli.app", "leadbook.cli.completion"}, loaded
    assert not any(m.startswith(("pydantic", "typer")) for m in loaded)
    if not os.environ.get("LEADBOOK_TEST_DB"):  # a SQLite book is read with the sqlite3 module
        assert not any(m.startswith("sqlalchemy") for m in loaded)


def test_any_other_completion_loads_only_its_command_module(book, tmp_path):
    answer, loaded = _complete_in_a_process("leadbook log C00001 --stage in", tmp_path)
    assert answer == ["interested", "intent"]
    assert loaded & COMMAND_MODULES == {"leadbook.cli.contacts"}  # `log` lives in contacts
    assert not any(m.startswith(("pydantic", "sqlalchemy")) for m in loaded)


def test_the_readme_says_how_to_install_completion():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "leadbook --install-completion" in readme


def test_an_unknown_shell_is_one_line_not_a_traceback(monkeypatch, capsys):
    import shellingham

    def undetected() -> None:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", undetected)
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    with pytest.raises(SystemExit) as exit_:
        main(["--show-completion"])
    assert exit_.value.code not in (0, None)
    err = capsys.readouterr().err
    assert "'tcsh'" in err and "bash, zsh and fish" in err and "Traceback" not in err


def test_a_command_word_completes_across_all_modules(monkeypatch, capsys):
    # `deal` is a whole command and the start of `deals`; `re` starts commands of three modules
    assert complete(monkeypatch, capsys, "leadbook deal").split() == ["deal", "deals"]
    assert {"reopen", "report", "referrers", "restore", "reassign"} <= set(
        complete(monkeypatch, capsys, "leadbook --lang zh re", "zsh").replace("'", " ").split()
    )
