"""Time `leadbook import` of a 100,000-row CSV against the floor the issue sets: reading the
file with the csv module plus a bare executemany of the same rows into SQLite.

    python bench/import_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HEADERS = [
    "姓名",
    "单位",
    "职务",
    "手机",
    "邮箱",
    "等级",
    "阶段",
    "负责人",
    "客户来源",
    "意向产品",
    "预计购买时间",
    "备注",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬建国文辉力"


def make_csv(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(rows):
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
            )
            writer.writerow(
                [
                    name,
                    f"{rng.choice(['华信', '远航', '东方', '金桥'])}{rng.choice(['科技', '物流', '建材'])}有限公司",
                    rng.choice(["经理", "采购", "总监", ""]),
                    f"1{rng.choice('3456789')}{i:09d}",
                    f"user{i}@example.com" if rng.random() < 0.5 else "",
                    rng.choice("ABCDE"),
                    rng.choice(["潜在", "联系", "认同", "意向"]),
                    rng.choice(["王丽", "李强", "张敏"]),
                    rng.choice(["展厅", "介绍", "外拓"]),
                    rng.choice(["途观L", "帕萨特", "朗逸"]),
                    f"2026-{rng.randrange(4, 13):02d}-{rng.randrange(1, 29):02d}",
                    "客户比较关心价格",
                ]
            )


def floor_seconds(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    db = Path(tempfile.mkdtemp()) / "floor.db"
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(len(HEADERS)))})")
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(HEADERS))})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def record_writes(source: Path, book: Path) -> list[tuple[str, list[Any]]]:
    """The bulk INSERTs `leadbook import` sends to the driver for this file (statement and
    rows), recorded in-process: what the storage floor below replays."""
    from sqlalchemy.engine import Connection

    from leadbook.cli import main as cli

    recorded: list[tuple[str, list[Any]]] = []
    original = Connection.exec_driver_sql

    def spy(self: Connection, sql: str, params: Any = None, *args: Any, **kw: Any) -> Any:
        if isinstance(params, list) and len(params) > 1 and sql.startswith("INSERT"):
            recorded.append((sql, params))
        return original(self, sql, params, *args, **kw)

    os.environ.update(LEADBOOK_DB=str(book), LEADBOOK_NOW="2026-03-18")
    Connection.exec_driver_sql = spy  # type: ignore[method-assign]
    try:
        cli(["import", str(source)])
    except SystemExit as done:
        if done.code:
            raise
    finally:
        Connection.exec_driver_sql = original  # type: ignore[method-assign]
    return recorded


def storage_floor(source: Path, writes: list[tuple[str, list[Any]]], empty_book: Path) -> float:
    """Reading the file with the csv module plus a bare executemany of the rows leadbook writes
    (cards, their grade and stage history, plans, audit), already built, into an empty book
    of leadbook's schema, its indexes (and search index) dropped first and built after, as the
    importer does; the running totals' triggers fire, as they do in the import."""
    book = empty_book.with_name(f"floor-{time.monotonic_ns()}.db")
    shutil.copy(empty_book, book)
    start = time.perf_counter()
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert rows
    conn = sqlite3.connect(book, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('customers', 'changes', 'plans', 'audit')"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    (trigger,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'customers_fts_insert'"
    ).fetchone()
    conn.execute("DROP TRIGGER customers_fts_insert")
    for sql, params in writes:  # leadbook's own INSERTs, the search index's among them
        conn.executemany(sql, params)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute(trigger)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    source = work / "客户名单.csv"
    make_csv(source, args.rows)
    floor = min(floor_seconds(source) for _ in range(3))
    env = {**os.environ, "LEADBOOK_DB": str(work / "book.db"), "LEADBOOK_NOW": "2026-03-18"}
    empty = work / "empty.db"
    subprocess.run(
        [sys.executable, "-m", "leadbook", "db", "upgrade"],
        env={**env, "LEADBOOK_DB": str(empty)},
        check=True,
        capture_output=True,
    )
    writes = record_writes(source, work / "recorded.db")
    stored = min(storage_floor(source, writes, empty) for _ in range(3))
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "leadbook", "import", str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    ours = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    summary = next(line for line in result.stderr.splitlines() if line.startswith("created"))
    print(summary)
    print(f"rows: {args.rows}; rows written: {sum(len(p) for _s, p in writes)}")
    print(f"floor as the issue sets it (csv read + executemany into one bare table): {floor:.2f} s")
    print(
        f"storage floor (csv read + executemany of leadbook's rows, indexes rebuilt): {stored:.2f} s"
    )
    print(
        f"leadbook import (whole process): {ours:.2f} s"
        f" = {ours / floor:.1f}x the issue's floor, {ours / stored:.1f}x the storage floor"
    )


if __name__ == "__main__":
    main()
