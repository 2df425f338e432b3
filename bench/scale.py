"""Books of 10k, 100k and 1M cards (10 follow-ups each) on SQLite and PostgreSQL, and how long
each command takes on them: the growth table in BENCHMARKS.md.

    python bench/scale.py --sizes 10000 100000 1000000 \\
        [--postgres postgresql+psycopg://user:pass@127.0.0.1/db] [--runs 5] [--skip export]

SQLite books are built by bench/make_book.py; a PostgreSQL book is the same data copied in with
COPY. Every timing is a whole process (median of --runs), what a salesperson waits for; export
and import also report peak memory (maxrss of the child).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from import_bench import make_csv  # noqa: E402
from make_book import build  # noqa: E402

TODAY = "2026-03-18"
TABLES = ("customers", "followups", "plans", "changes")


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS (MiB) of ``cmd`` run ``runs`` times."""
    samples, peak = [], 0.0
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "maxrss=%M", *cmd], env=env, capture_output=True, text=True
        )
        samples.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}:\n{result.stderr}")
        kib = [line for line in result.stderr.splitlines() if line.startswith("maxrss=")][-1]
        peak = max(peak, int(kib.split("=")[1]) / 1024)
    return statistics.median(samples), peak


def copy_to_postgres(source: Path, url: str, schema: str) -> str:
    """The SQLite book's rows into a fresh schema of the PostgreSQL database, with COPY."""
    import psycopg
    import sqlalchemy

    from leadbook.store.db import Book

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    book_url = f"{url}?options=-csearch_path%3D{schema}"
    Book(book_url, "bench").close()  # the schema, by leadbook's migrations
    lite = sqlite3.connect(source)
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as conn:
        for table in TABLES:
            columns = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        for table in TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.execute("ANALYZE")
    lite.close()
    sqlalchemy.create_engine(book_url).dispose()
    return book_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[])
    parser.add_argument(
        "--engines", nargs="+", default=["sqlite", "postgresql"], help="time only these"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    csv_file = work / "import.csv"
    make_csv(csv_file, 10_000)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print("| book | cards | command | median s | peak MiB |")
    print("|---|---:|---|---:|---:|")
    for size in args.sizes:
        path = args.out / f"scale-{size}.db"
        if not path.exists():
            partial = path.with_name(path.name + ".building")
            build(partial, size)
            partial.rename(path)
        books = [("sqlite", str(path))]
        if args.postgres:
            books.append(("postgresql", copy_to_postgres(path, args.postgres, f"bench_{size}")))
        for engine, url in books:
            if engine not in args.engines:
                continue
            env = {
                **os.environ,
                "LEADBOOK_DB": url,
                "LEADBOOK_NOW": TODAY,
                "LEADBOOK_USER": "王丽",
                "COLUMNS": "100",
            }
            lb = [sys.executable, "-m", "leadbook"]
            commands = {
                "due": ["due"],
                "search": ["search", "zhangwei"],
                "show": ["show", f"C{size // 2:05d}"],
                "funnel": ["funnel"],
                "report": ["report"],
                "add": ["add", "基准测试", "--force"],
                "log": ["log", "C00042", "--note", "bench"],
                "import": ["import", str(csv_file), "--on-duplicate", "skip"],
                "export": ["export", str(work / f"{engine}-{size}.xlsx")],
            }
            for name, cmd in commands.items():
                if name in args.skip:
                    continue
                runs = 1 if name in ("import", "export") else args.runs
                seconds, peak = timed(lb + cmd, env, runs)
                print(f"| {engine} | {size:,} | {name} | {seconds:.3f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
