"""What happens when things go wrong mid-way: the book holds all of an import or none of it."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "单位", "手机", "等级", "阶段", "预计购买时间"])
        for i in range(rows):
            writer.writerow(
                [f"客户{i}", f"公司{i % 500}", f"139{i:08d}", "ABCD"[i % 4], "潜在", "2026-06-01"]
            )


def test_kill_9_in_the_middle_of_an_import_leaves_all_or_nothing(tmp_path):
    source = tmp_path / "big.csv"
    _big_csv(source, 60_000)
    book = tmp_path / "book.db"
    env = {**os.environ, "LEADBOOK_DB": str(book), "LEADBOOK_NOW": "2026-03-18"}
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
    conn = sqlite3.connect(book)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    conn.close()
    assert count in (1, 60_001)
    # and the next run works
    result = subprocess.run(
        [sys.executable, "-m", "leadbook", "due", "--json"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
