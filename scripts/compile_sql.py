"""Write the two files the daily commands read instead of importing the full stack (issue 15).

src/leadbook/store/compiled_sql.jsonl: the SQLite text of the statements `list`,
`search`, `due` and `show` run, as SQLAlchemy compiles them from leadbook.store.customers and
leadbook.store.calls, with the order and types of their parameters and the types of their
columns (leadbook.store.fast reads it, so a hot command on a SQLite book does not import
SQLAlchemy; issue 15).

    python scripts/compile_sql.py

Run it after changing a statement those commands run, or the variants leadbook.store.find
and leadbook.store.agenda enumerate; tests/test_fast.py fails until the file is what
SQLAlchemy compiles now.

src/leadbook/cli/options.json: the options of `show`, `search`, `list` and `due` as their
Typer commands declare them (leadbook.cli.quick parses them without Typer). Run it after
changing those options; tests/test_quick.py fails until the file is what Typer declares now.
"""

from __future__ import annotations

from leadbook.cli import quick
from leadbook.store import fast


def main() -> None:
    compiled = fast.compile_all()
    fast.COMPILED.write_text(fast.dump(compiled), encoding="utf-8")
    print(
        f"{fast.COMPILED.name}: {len(compiled)} statements, {fast.COMPILED.stat().st_size:,} bytes"
    )
    quick.OPTIONS.write_text(quick.dump(quick.declared()), encoding="utf-8")
    print(f"{quick.OPTIONS.name}: {len(quick.QUICK)} commands")


if __name__ == "__main__":
    main()
