"""Re-run the README's console examples and write their real output back into README.md.

    python scripts/readme.py

Each ```console block is a session on one fresh book (pinned as tests/test_readme.py pins it);
lines starting with `$ leadbook` are run, and what follows each is replaced by its output.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    from typer.testing import CliRunner

    from leadbook import i18n
    from leadbook.cli.app import load
    from leadbook.render import reset

    tmp = tempfile.mkdtemp()
    import shutil

    shutil.copytree(README.parent / "examples", Path(tmp) / "examples")
    os.chdir(tmp)  # the examples read examples/ and write files here
    os.environ.update(
        LEADBOOK_DB=f"{tmp}/book.db", LEADBOOK_NOW="2026-11-23", LEADBOOK_USER="王丽", COLUMNS="88"
    )
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LEADBOOK_LANG"):
        os.environ.pop(var, None)
    app = load()
    runner = CliRunner()

    def run_block(match: re.Match[str]) -> str:
        lang = match.group(1) or "en"
        lines_out: list[str] = []
        for line in match.group(2).splitlines():
            if not line.startswith("$ leadbook "):
                continue
            i18n.set_language(lang)
            reset()
            result = runner.invoke(app, shlex.split(line)[2:], prog_name="leadbook")
            shown = (result.stdout + result.stderr).rstrip()
            lines_out.append(line)
            lines_out.extend(part.rstrip() for part in shown.splitlines())
            if result.exit_code:
                lines_out.append(f"(exit code {result.exit_code})")
        head = "```console" + (f" lang={match.group(1)}" if match.group(1) else "")
        return head + "\n" + "\n".join(lines_out) + "\n```"

    text = README.read_text(encoding="utf-8")
    text = re.sub(r"```console(?: lang=(\w+))?\n(.*?)```", run_block, text, flags=re.S)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
