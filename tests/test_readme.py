"""The README's examples are real: every `$ leadbook ...` line in its console blocks is run, in
order, on one fresh book, and must print exactly what the README shows (stdout, then stderr).

The README's session is pinned: LEADBOOK_NOW=2026-11-23, LEADBOOK_USER=王丽, COLUMNS=88.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def sessions() -> list[tuple[str, list[tuple[str, str]]]]:
    """(language, [(command, expected output)]) for each ```console block."""
    text = README.read_text(encoding="utf-8")
    found = []
    for lang, block in re.findall(r"```console(?: lang=(\w+))?\n(.*?)```", text, flags=re.S):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ leadbook "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        found.append((lang or "en", [(cmd, "\n".join(out)) for cmd, out in steps]))
    return found


def test_readme_has_examples():
    assert sum(len(steps) for _, steps in sessions()) >= 10


def test_readme_examples_print_what_the_readme_shows(cli, monkeypatch, tmp_path):
    shutil.copytree(README.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)  # the examples read examples/ and write files here
    monkeypatch.setenv("LEADBOOK_NOW", "2026-11-23")
    monkeypatch.setenv("COLUMNS", "88")
    for lang, steps in sessions():
        for command, expected in steps:
            args = shlex.split(command)[1:]
            result = cli(*args, lang=lang)
            shown = (result.stdout + result.stderr).rstrip()
            shown = "\n".join(line.rstrip() for line in shown.splitlines())
            if result.exit_code:
                shown += f"\n(exit code {result.exit_code})"
            assert shown == expected.rstrip(), f"README example differs: {command}"


if __name__ == "__main__":  # pragma: no cover - prints the README's examples as run now
    pytest.main([__file__])
