"""Where the book lives, how it opens and upgrades, and what start-up costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import query, url_of
from leadbook import __version__
from leadbook.store.db import SCHEMA_HEAD, display_url, migrations_dir, resolve_url

HEAVY = ("sqlalchemy.orm", "alembic", "openpyxl", "pypinyin", "dateparser")


def run_leadbook(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leadbook", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_version(ok):
    assert ok("--version").stdout.strip() == f"leadbook {__version__}"


def test_python_dash_m_runs_leadbook(tmp_path):
    result = run_leadbook("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_help_imports_none_of_the_heavy_modules(tmp_path):
    code = (
        "import sys, json\n"
        "from leadbook.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_due_and_search_import_no_orm_alembic_or_pinyin(ok, tmp_path):
    book = tmp_path / "b.db"
    ok("--db", str(book), "add", "张三")  # a SQLite book with a card, on either engine
    for command in (["due"], ["search", "zs"]):
        code = (
            "import sys, json\n"
            "from leadbook.cli import main\n"
            f"try:\n    main(['--db', {str(book)!r}, *{command!r}])\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert json.loads(result.stdout.strip().splitlines()[-1]) == [], command


def test_db_path_default_env_and_option(ok, tmp_path, monkeypatch, book_url):
    assert ok("db", "path").stdout.strip() == display_url(resolve_url(book_url))
    assert ok("--db", str(tmp_path / "x.db"), "db", "path").stdout.strip() == str(tmp_path / "x.db")
    monkeypatch.delenv("LEADBOOK_DB")
    default = Path(ok("db", "path").stdout.strip())
    assert default.name == "book.db" and "leadbook" in str(default)


def test_a_password_in_a_database_url_is_never_printed():
    url = "postgresql+psycopg://sales:s3cret@db.example/leadbook"
    assert "s3cret" not in display_url(url)
    assert resolve_url(url) == url


@pytest.mark.no_book
def test_schema_is_created_on_first_use_and_reported(ok, db_path):
    assert "none" in ok("db", "current").stdout
    ok("add", "张三")
    assert ok("db", "current").stdout.strip() == SCHEMA_HEAD
    assert "schema" in ok("db", "upgrade").stderr


def test_new_book_directory_and_file_are_private(ok, tmp_path):
    target = tmp_path / "deep" / "dir" / "book.db"
    ok("--db", str(target), "add", "张三")
    assert target.stat().st_mode & 0o777 == 0o600


def test_foreign_keys_are_enforced_and_writers_wait(ok, db_path):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from leadbook.store.db import Book

    ok("add", "张三")
    book = Book(url_of(db_path), "t")
    with pytest.raises(IntegrityError), book.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO followups (customer_id, at, via, created_at) "
            "VALUES (999, '2026-03-18 09:00:00', 'phone', '2026-03-18 09:00:00')"
        )
    if book.engine.dialect.name == "sqlite":
        with book.read() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    book.close()


def test_a_file_that_is_not_a_book_is_one_clear_line(cli, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some text, not a database\n" * 50)
    result = cli("--db", str(bogus), "due")
    assert result.exit_code == 1
    assert "not a leadbook database" in result.stderr
    assert bogus.read_text().startswith("just some text")


def test_a_book_from_a_newer_leadbook_is_refused(ok, cli, db_path):
    ok("add", "张三")
    query(db_path, "UPDATE alembic_version SET version_num = '9999'")
    result = cli("due")
    assert result.exit_code == 1 and "newer leadbook" in result.stderr


def test_migrations_have_one_head_matching_schema_head_and_the_models():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert heads == [SCHEMA_HEAD]


@pytest.mark.no_book
def test_migrated_schema_matches_schema_py(ok, db_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from leadbook.store.schema import in_models, metadata

    ok("add", "张三")
    engine = create_engine(url_of(db_path))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": in_models})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


@pytest.mark.parametrize("args", [["nonsense"], ["add", "--no-such-option"]])
def test_usage_errors_exit_2(cli, args):
    assert cli(*args).exit_code == 2


def test_every_command_is_mapped_to_its_module():
    from leadbook.cli.app import COMMANDS, load

    app = load()
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == set(COMMANDS)
    # A process running one command builds only that one (leadbook.cli.app.load)
    for name in COMMANDS:
        narrowed = load(["--lang", "zh", name, "--help"])
        held = [c.name for c in narrowed.registered_commands]
        held += [g.name for g in narrowed.registered_groups]
        assert held == [name]


def test_a_command_after_global_options_is_found():
    from leadbook.cli.app import requested_command

    assert (
        requested_command(["--db", "x.db", "--lang", "zh", "--debug", "due", "--days", "3"])
        == "due"
    )
    assert requested_command(["--help"]) is None


@pytest.mark.no_book
def test_a_book_from_the_first_schema_upgrades_with_its_data_and_summaries(ok, db_path):
    """A book written at revision 0001 (the first schema) opens in this leadbook: the data is
    kept and the funnel summaries added later are filled from its history."""
    from alembic import command
    from alembic.config import Config

    from leadbook.store.db import create_engine

    engine = create_engine(url_of(db_path))
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql(
            "INSERT INTO customers (id, number, name, search_key, grade, stage, created_at, updated_at)"
            " VALUES (1, 'C00001', '张三', '|c00001|张三|', 'B', 'intent', '2026-03-01 09:00:00',"
            " '2026-03-01 09:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO changes (customer_id, field, old, new, at) VALUES "
            "(1, 'stage', NULL, 'prospect', '2026-03-01 09:00:00'),"
            "(1, 'stage', 'prospect', 'intent', '2026-03-05 09:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO followups (customer_id, at, via, created_at) VALUES "
            "(1, '2026-03-02 10:00:00', 'phone', '2026-03-02 10:00:00')"
        )
    engine.dispose()
    card = ok("show", "C00001", "--json").json()
    assert card["name"] == "张三" and card["stage"] == "intent"
    assert ok("db", "current").stdout.strip() == SCHEMA_HEAD
    reached = {s["stage"]: s["reached"] for s in ok("funnel", "--json").json()["stages"]}
    assert reached["intent"] == 1 and reached["ready"] == 0
    assert query(db_path, "SELECT dwell_days FROM changes WHERE old = 'prospect'")[0][0] == 4
    first = query(db_path, "SELECT first_contact_at FROM customers")[0][0]
    assert str(first).startswith("2026-03-02")


def test_db_path_never_prints_a_password_even_in_the_query(ok):
    url = "postgresql+psycopg://bob@db.example/book?password=s3cret&sslmode=require"
    shown = ok("--db", url, "db", "path").stdout
    assert "s3cret" not in shown and "password=***" in shown and "sslmode=require" in shown
    shown = ok("--db", "postgresql+psycopg://bob:s3cret@db.example/book", "db", "path").stdout
    assert "s3cret" not in shown and "bob:***@db.example" in shown
