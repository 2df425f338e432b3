"""The work an import does grows with its rows, not with their square. Counted in SQLite's
virtual-machine steps (its progress handler), which do not depend on the machine's speed: the
time itself is bench/'s to measure (bench/side_by_side.py), never a unit test's."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest


def _leads(path: Path, rows: int) -> None:
    """New leads, every other one lost for one of three reasons, the rest with a next date."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "手机", "阶段", "流失原因", "下次跟进"])
        for i in range(rows):
            lost = i % 2 == 0
            writer.writerow(
                [
                    f"客户{i}",
                    f"139{i:08d}",
                    "lost" if lost else "contacted",
                    ("价格太高", "买了别家", "没有需求")[i % 3] if lost else "",
                    "" if lost else "2026-06-01",
                ]
            )


def test_an_import_twice_as_big_is_about_twice_the_work(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Any
) -> None:
    if isinstance(db_path, str):
        pytest.skip("SQLite's virtual machine; PostgreSQL keeps its triggers and indexes")
    from leadbook.exchange import importer
    from leadbook.store import db

    monkeypatch.setattr(importer, "REBUILD_AT", 1)  # the indexes are rebuilt, as for a big file
    steps = [0]
    configure = db.configure_sqlite

    def counted(dbapi_conn: Any) -> None:
        configure(dbapi_conn)

        def step() -> int:
            steps[0] += 1
            return 0

        dbapi_conn.set_progress_handler(step, 1000)

    monkeypatch.setattr(db, "configure_sqlite", counted)
    work = []
    for rows in (300, 600):
        source = tmp_path / f"leads-{rows}.csv"
        _leads(source, rows)
        monkeypatch.setenv("LEADBOOK_DB", str(tmp_path / f"book-{rows}.db"))
        steps[0] = 0
        result = cli("import", str(source))
        assert result.exit_code == 0, result.stderr
        assert f"created {rows} cards" in result.stderr
        work.append(steps[0])
    # Each move to lost looked for the card's other moves to lost by reading every change of
    # the import while its indexes were being rebuilt: 84 s for 100,000 rows, 3.1x the steps
    # here. Now the new cards are counted in one statement per kind.
    assert work[1] < 2.4 * work[0], work
