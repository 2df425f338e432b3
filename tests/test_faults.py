"""What happens when things go wrong mid-way: the book holds all of an import or none of it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import query, url_of


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "单位", "手机", "等级", "阶段", "预计购买时间"])
        for i in range(rows):
            writer.writerow(
                [f"客户{i}", f"公司{i % 500}", f"139{i:08d}", "ABCD"[i % 4], "潜在", "2026-06-01"]
            )


def test_kill_9_in_the_middle_of_an_import_leaves_all_or_nothing(tmp_path, db_path):
    source = tmp_path / "big.csv"
    _big_csv(source, 60_000)
    env = {**os.environ, "LEADBOOK_DB": url_of(db_path), "LEADBOOK_NOW": "2026-03-18"}
    subprocess.run(
        [sys.executable, "-m", "leadbook", "add", "已有客户"],
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "leadbook", "import", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)  # well into reading and writing the rows
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not isinstance(db_path, str):
        assert query(db_path, "PRAGMA integrity_check")[0][0] == "ok"
    count = query(db_path, "SELECT count(*) FROM customers")[0][0]
    assert count in (1, 60_001)
    # and the next run works
    result = subprocess.run(
        [sys.executable, "-m", "leadbook", "due", "--json"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
