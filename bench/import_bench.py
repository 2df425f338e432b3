"""Time `leadbook import` of a 100,000-row CSV against the floor the issue sets: reading the
file with the csv module plus a bare executemany of the same rows into SQLite.

    python bench/import_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    source = work / "客户名单.csv"
    make_csv(source, args.rows)
    floor = min(floor_seconds(source) for _ in range(3))
    env = {**os.environ, "LEADBOOK_DB": str(work / "book.db"), "LEADBOOK_NOW": "2026-03-18"}
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
    print(result.stderr.strip().splitlines()[-1])
    print(f"rows: {args.rows}")
    print(f"floor (csv read + bare executemany): {floor:.2f} s")
    print(f"leadbook import (whole process):      {ours:.2f} s  = {ours / floor:.2f}x")


if __name__ == "__main__":
    main()
