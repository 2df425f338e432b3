"""Team use and safety: concurrent writers, backups, restores, hand-overs, forgetting."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dump_book, query, url_of


def test_four_processes_logging_at_once_keep_all_160_contacts(ok, add, tmp_path, db_path):
    n = add("张三")
    script = tmp_path / "worker.py"
    script.write_text(
        "import sys\nfrom leadbook.cli import main\n"
        "for i in range(40):\n"
        "    try:\n        main(['log', sys.argv[1], '--note', f'call {sys.argv[2]}-{i}'])\n"
        "    except SystemExit as e:\n        assert e.code in (0, None), e.code\n",
        encoding="utf-8",
    )
    env = {**os.environ, "LEADBOOK_DB": url_of(db_path)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), n, str(w)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    errors = [w.communicate(timeout=300)[1] for w in workers]
    assert all(w.returncode == 0 for w in workers), errors
    assert not any("locked" in e for e in errors)
    assert query(db_path, "SELECT count(*) FROM followups")[0][0] == 160


def test_backup_and_restore(ok, cli, add, tmp_path, db_path):
    add("张三")
    if isinstance(db_path, str):  # PostgreSQL books are backed up with pg_dump
        result = cli("backup", str(tmp_path / "b.db"))
        assert result.exit_code == 1 and "pg_dump" in result.stderr
        assert cli("restore", str(tmp_path / "b.db")).exit_code == 1
        return
    copy = tmp_path / "backups" / "b.db"
    ok("backup", str(copy))
    assert copy.stat().st_mode & 0o777 == 0o600
    add("李四")
    result = ok("restore", str(copy))
    assert [c["name"] for c in ok("list", "--json").json()] == ["张三"]
    kept = Path(str(db_path) + ".before-restore.bak")
    assert kept.exists() and "before-restore" in result.stderr
    assert len(sqlite3.connect(kept).execute("SELECT * FROM customers").fetchall()) == 2


def test_restore_refuses_a_file_that_is_not_a_backup(cli, add, tmp_path, db_path):
    add("张三")
    bogus = tmp_path / "x.db"
    bogus.write_text("hello")
    before = dump_book(db_path)
    result = cli("restore", str(bogus))
    expected = "pg_restore" if isinstance(db_path, str) else "not a leadbook backup"
    assert result.exit_code == 1 and expected in result.stderr
    assert dump_book(db_path) == before


@pytest.mark.no_book
def test_an_upgrade_backs_the_book_up_first(ok, db_path):
    from alembic import command
    from alembic.config import Config

    from leadbook.store.db import SCHEMA_HEAD, create_engine, migrations_dir

    engine = create_engine(url_of(db_path))
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    ok("due")
    assert ok("db", "current").stdout.strip() == SCHEMA_HEAD
    if isinstance(db_path, str):  # PostgreSQL upgrades in one transaction; pg_dump for copies
        return
    saved = Path(f"{db_path}.before-{SCHEMA_HEAD}.bak")
    assert saved.exists()
    assert (
        sqlite3.connect(saved).execute("SELECT version_num FROM alembic_version").fetchone()[0]
        == "0001"
    )


def test_reassign_hands_cards_over_with_their_history(ok, add):
    a = add("a", "--grade", "A")
    add("b", "--grade", "C")
    add("c", "--owner", "李强")
    result = ok("reassign", "--from", "王丽", "--to", "张敏", "--grade", "A")
    assert "Moved 1 card from" in result.stderr
    card = ok("show", a, "--json").json()
    assert card["owner"] == "张敏"
    assert any(e["field"] == "owner" and e["old"] == "王丽" for e in card["edits"])
    assert [i["name"] for i in ok("due", "--owner", "张敏", "--json").json()] == ["a"]
    team = {m["owner"]: m for m in ok("team", "--json").json()}
    assert team["张敏"]["cards"] == 1 and team["王丽"]["cards"] == 1 and team["李强"]["cards"] == 1


def test_forgotten_data_is_gone_from_the_book_file_too(ok, add, db_path):
    # Not only unlinked: secure_delete overwrites it, the search index is merged without it,
    # and the write-ahead log is emptied. (PostgreSQL frees rows at its next VACUUM.)
    secrets = ["13912345678", "住在海淀区", "wangwu@example.com", "王五六"]
    n = add(secrets[3], "--mobile", secrets[0], "--email", secrets[2], "--note", secrets[1])
    ok("log", n, "--note", secrets[1])
    add("李四", "--mobile", "13800138000")
    ok("forget", n, "--yes")
    if isinstance(db_path, str):
        return
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for secret in secrets:
        assert secret.encode() not in raw, secret
    assert "李四".encode() in raw  # the rest of the book is still there


def test_forget_erases_personal_data_but_keeps_the_counts(ok, cli, add):
    n = add(
        "张三",
        "--mobile",
        "13800138000",
        "--email",
        "z@example.com",
        "--birthday",
        "1985-03-05",
        "--note",
        "住在海淀",
        "--grade",
        "B",
    )
    ok("log", n, "--note", "电话里说了家庭住址")
    ok("deal", n, "--amount", "5000")
    assert cli("forget", n).exit_code == 1  # needs --yes
    ok("forget", n, "--yes")
    card = ok("show", n, "--json", "--audit").json()
    assert card["name"].startswith("(forgotten")
    assert (
        card["mobile"] is None
        and card["email"] is None
        and card["birthday"] is None
        and card["note"] is None
    )
    assert all(f["note"] is None for f in card["followups"])
    assert card["stage"] == "won" and card["deals"][0]["amount"] == "5000.00"
    assert card["edits"][-1]["action"] == "forget"
    assert ok("search", "13800138000", "--json").json() == []
    assert {s["stage"]: s["reached"] for s in ok("funnel", "--json").json()["stages"]}["won"] == 1
