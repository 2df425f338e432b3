"""The layers: a thin command line over the services, and help with an example everywhere.

Each command parses its options, opens the book, calls a service and renders the result; the
store (SQLAlchemy, sqlite3, the schema, the running totals, the repositories) sits below the
services, never under the command line. Like the start-up test (test_book), these read the
code, not a run: a query written in cli/ fails here before it can drift from its service.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CLI = Path(__file__).resolve().parents[1] / "src" / "leadbook" / "cli"
STORE = ("sqlalchemy", "sqlite3", "leadbook.store")
QUERIES = ("execute", "exec_driver_sql", "executescript", "scalar", "scalars")


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every module a file imports, at the top or inside a function: ``from leadbook.store
    import schema`` counts as leadbook.store.schema."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def _in_store(module: str) -> bool:
    """Below the services: sqlalchemy, sqlite3, and the store but its ``db`` (a command opens
    the book through ``db.Book``). ``from leadbook.store import x`` is judged by its x."""
    if module in ("leadbook.store", "leadbook.store.db") or module.startswith("leadbook.store.db."):
        return False
    return any(module == s or module.startswith(s + ".") for s in STORE)


def _cli_files() -> list[Path]:
    files = sorted(CLI.glob("*.py"))
    assert len(files) >= 8  # __init__, app, common and the command modules
    return files


@pytest.mark.parametrize("path", _cli_files(), ids=lambda p: p.name)
def test_the_command_line_reaches_the_store_only_through_services(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    imports = [f"{path.name}:{line} imports {m}" for line, m in _imported(tree) if _in_store(m)]
    queries = [
        f"{path.name}:{node.lineno} calls .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERIES
    ]
    assert imports + queries == [], "move it into a service module: " + "; ".join(imports + queries)


def test_the_layer_check_sees_imports_inside_functions():
    # The check itself: a late import in a command body is caught as one at the top would be.
    code = (
        "def command():\n"
        "    from leadbook.store import settings\n"
        "    from leadbook.store import schema\n"
        "    import sqlalchemy.orm\n"
    )
    found = [m for _line, m in _imported(ast.parse(code)) if _in_store(m)]
    assert {"leadbook.store.settings", "leadbook.store.schema", "sqlalchemy.orm"} <= set(found)
    assert not _in_store("leadbook.storehouse") and not _in_store("leadbook.lookup")
    assert not _in_store("leadbook.store.db.Book") and _in_store("leadbook.store.tallies")


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and command group, by the words that run it (("complaint", "check"))."""
    import typer

    from leadbook.cli.app import load

    def walk(path: tuple[str, ...], command: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
        if path:
            yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not sub.hidden:
                yield from walk((*path, name), sub)

    yield from walk((), typer.main.get_command(load()))


def test_every_command_has_help_with_an_example():
    # sqlite-utils' docs test: a command without help, or help without an example, fails.
    commands = list(_commands())
    assert len(commands) >= 40
    missing = []
    for path, command in commands:
        text = command.help or ""
        if not re.search(rf"(?m)^Examples?: leadbook {re.escape(path[0])}\b", text):
            missing.append(" ".join(path))
    assert missing == [], "give these commands' help an 'Example: leadbook ...': " + ", ".join(
        missing
    )


def test_every_example_in_the_help_is_translated_as_one():
    # The Chinese help shows the example as 示例：leadbook ... (read from the catalog: the .mo
    # is compiled from it).
    from babel.messages.pofile import read_po

    po = CLI.parent / "locale" / "zh" / "LC_MESSAGES" / "leadbook.po"
    chinese = {m.id: m.string for m in read_po(po.open("rb")) if isinstance(m.id, str)}
    untranslated = [
        " ".join(path)
        for path, command in _commands()
        if "示例：leadbook" not in (chinese.get(command.help) or "")
    ]
    assert untranslated == []


def test_complaint_is_a_command_group_that_keeps_its_short_form(ok, cli, add):
    # `complaint list|resolve|check` are subcommands like `plan check`; `complaint NUMBER` stays
    # the way to record one (short for `complaint add NUMBER`), options before or after.
    n = add("张三")
    assert ok("complaint", n, "--note", "交车晚了").stdout.strip() == "1"
    assert ok("complaint", "--note", "送错货", n).stdout.strip() == "2"
    assert ok("complaint", "add", n, "--note", "漏水", "--json").json() == {"id": 3}
    ok("complaint", "resolve", "1", "--note", "补偿保养")
    assert [c["id"] for c in ok("complaint", "--json", "list", "--open").json()] == [3, 2]
    ok("complaint", "check", "1", "--note", "满意")
    listed = ok("complaint", "list").stdout
    assert "#1" in listed and "交车晚了" in listed and "#3" in listed
    helped = ok("complaint", "--help").stdout
    assert all(word in helped for word in ("add", "list", "resolve", "check"))
    missing = cli("complaint", "resolve", "--note", "x")  # no number: one line, nothing written
    assert missing.exit_code == 1 and "complaint resolve ID" in missing.stderr


SRC = CLI.parent
# The store (leadbook/store: db, schema, tallies, the repositories) is the only package that
# writes rows; identity (roles and grants) and restore run statements of their own kind.
STORE_FILES = ("store", "identity.py", "restore.py")
WRITES = {"insert", "update", "delete"}


def _service_files() -> list[Path]:
    files = [
        p
        for p in sorted(SRC.rglob("*.py"))
        if "cli" not in p.relative_to(SRC).parts
        and not any(str(p.relative_to(SRC)).startswith(s) for s in STORE_FILES)
    ]
    assert len(files) >= 20
    return files


@pytest.mark.parametrize("path", _service_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_every_write_goes_through_the_store(path):
    """No service writes a row itself: inserts, updates and deletes are repository functions
    (one audit writer among them), so a rule about a table has one home."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [
                f"line {node.lineno} imports {a.name}" for a in node.names if a.name in WRITES
            ]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            and not node.args
            and not node.keywords
        ):
            found.append(f"line {node.lineno} calls .{node.func.attr}()")
    assert not found, found
