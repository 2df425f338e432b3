"""leadbook side by side with its floors and with Taskwarrior, in one run (issue 15's budgets).

    python bench/side_by_side.py [--sizes 10000 100000] [--runs 7] [--workdir bench/out]
        [--book 100000=/tmp/bench/book-100k.db] [--only due search ...] [--no-import]
        [--markdown FILE]

For each size a bench book is made by bench/make_book.py (or reused: --book SIZE=PATH; it must
be at the newest schema), and every timing is a whole process, the median of --runs, the
contenders run alternately (and in alternating order) so that the shared machine's drift
hits them alike:

- against the stdlib-sqlite3 floor: `due --mine`, `search`, `show`, `list`, a shell
  completion, `add`, `log`, `grade`, `stage`. The floor is a python process that opens the
  same book with the standard sqlite3 module and runs exactly the statements the command ran,
  printing their rows: at set-up each command is run once with sqlite3.connect wrapped, every
  statement and its parameters are recorded as sent to SQLite (through SQLAlchemy or not), and
  written out as a small script. The commands that write run on a copy of the book, and
  their floor replays the recorded writes on the same copy and commits them, as leadbook
  does (the commit and the checkpoint when the last connection closes are a writer's cost);
  the one value that must differ between runs, the temporary number a new card holds until
  its id is known, is drawn afresh by the floor as leadbook draws it.
- against Taskwarrior (Debian's `task`, skipped with a message where it is missing), on the
  same cards as tasks (description: name and company; project: owner; due: the next
  follow-up; priority from the grade): one salesperson's due list, a search by name, and
  import: `task import` of every card against `leadbook import` of the same cards as a CSV.
- against `python -c "import typer, rich, sqlalchemy"` (bench/run.py's baseline): the
  commands that keep the full stack.

The table (Markdown) goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TODAY = "2026-03-18"  # the bench books' today (bench/make_book.py)
USER = "王丽"  # one salesperson of the bench books: `due --mine`
BASELINE = [sys.executable, "-c", "import typer, rich, sqlalchemy"]
GRADE_PRIORITY = {"A": "H", "B": "M", "C": "L"}
TEMPORARY_NUMBER = re.compile(r"new-[0-9a-f]{24}")  # leadbook.store.customers


@dataclass
class Case:
    name: str  # the label in the table
    args: list[str]  # leadbook's arguments; {book} is the book's path
    against: str  # "floor", "baseline"
    budget: float | None
    variants: list[list[str]] = field(default_factory=list)  # alternate args (writes)
    writes: bool = False
    complete: bool = False  # a TAB: the line goes in the environment
    taskwarrior: list[str] | None = None  # Taskwarrior's arguments for the same answer


CASES = [
    Case(
        "due --mine",
        ["due", "--mine"],
        "floor",
        4,
        taskwarrior=[f"project:{USER}", "due.before:2026-03-19", "limit:100", "list"],
    ),
    Case("search 张伟", ["search", "张伟"], "floor", 4, taskwarrior=["/张伟/", "limit:50", "list"]),
    Case("search zhangwei", ["search", "zhangwei"], "floor", 4),
    Case("show C04242", ["show", "C04242"], "floor", 4),
    # A hot command without a budget of its own in the issue: its ratio is shown.
    Case("list --grade A --sort next", ["list", "--grade", "A", "--sort", "next"], "floor", None),
    Case("log zhangwei<TAB>", ["log", "zhangwei"], "floor", 4, complete=True),
    Case(
        "add",
        ["add", "基准测试", "--company", "华信科技有限公司", "--grade", "B", "--force"],
        "floor",
        6,
        writes=True,
    ),
    Case("log C00042", ["log", "C00042", "--note", "bench"], "floor", 6, writes=True),
    # The card's grade and stage go back and forth, so that every run is a real change.
    Case(
        "grade C04242",
        [],
        "floor",
        6,
        variants=[["grade", "C04242", "A"], ["grade", "C04242", "B"]],
        writes=True,
    ),
    Case(
        "stage C04243",
        [],
        "floor",
        6,
        variants=[["stage", "C04243", "intent"], ["stage", "C04243", "ready"]],
        writes=True,
    ),
    Case("journal --day", ["journal", "--day", TODAY], "baseline", 1.5),
    Case("journal --week", ["journal", "--week", TODAY], "baseline", 1.5),
    Case("funnel --since", ["funnel", "--since", "2025-12-18"], "baseline", 1.5),
    Case("--help", ["--help"], "baseline", None),
]


# ---------------------------------------------------------------- the floor: record, replay


def record(script: Path, argv: list[str]) -> None:
    """Run leadbook's command in this process with every sqlite3 connection recorded, then
    write ``script``: the same connections and statements, with the standard sqlite3 module
    only."""
    events: list[tuple[Any, ...]] = []
    real_connect = sqlite3.connect
    counter = itertools.count()

    class Cursor(sqlite3.Cursor):
        def execute(self, sql: str, params: Any = (), /) -> Any:
            events.append(("execute", self.connection.rec, sql, params))  # type: ignore[attr-defined]
            return super().execute(sql, params)

        def executemany(self, sql: str, seq: Any, /) -> Any:
            seq = list(seq)
            events.append(("executemany", self.connection.rec, sql, seq))  # type: ignore[attr-defined]
            return super().executemany(sql, seq)

        def executescript(self, sql: str, /) -> Any:
            events.append(("executescript", self.connection.rec, sql))  # type: ignore[attr-defined]
            return super().executescript(sql)

    class Connection(sqlite3.Connection):
        rec = -1

        def __setattr__(self, name: str, value: Any) -> None:
            if name == "isolation_level":
                events.append(("isolation_level", self.rec, value))
            super().__setattr__(name, value)

        def cursor(self, factory: Any = Cursor) -> Any:
            return super().cursor(factory)

        def execute(self, sql: str, params: Any = (), /) -> Any:
            return self.cursor().execute(sql, params)

        def executemany(self, sql: str, seq: Any, /) -> Any:
            return self.cursor().executemany(sql, seq)

        def executescript(self, sql: str, /) -> Any:
            return self.cursor().executescript(sql)

        def commit(self) -> None:
            events.append(("commit", self.rec))
            super().commit()

        def rollback(self) -> None:
            events.append(("rollback", self.rec))
            super().rollback()

        def close(self) -> None:
            events.append(("close", self.rec))
            super().close()

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if "factory" in kwargs:
            raise SystemExit("leadbook passes its own sqlite3 factory: the recorder cannot see it")
        conn = real_connect(*args, factory=Connection, **kwargs)
        n = next(counter)
        events.append(("connect", n, args, kwargs))
        object.__setattr__(conn, "rec", n)
        return conn

    from sqlite3 import dbapi2  # SQLAlchemy's pysqlite dialect connects through this name

    sqlite3.connect = connect  # type: ignore[assignment]
    dbapi2.connect = connect  # type: ignore[assignment]
    from leadbook.cli import main

    try:
        main(argv)
    except SystemExit as done:
        if done.code not in (None, 0):
            raise SystemExit(
                f"recording `leadbook {' '.join(argv)}` failed ({done.code})"
            ) from None
    sys.stdout.flush()
    script.write_text(floor_script(events), encoding="utf-8")


def floor_script(events: list[tuple[Any, ...]]) -> str:
    def literal(value: Any) -> str:
        if isinstance(value, str) and TEMPORARY_NUMBER.fullmatch(value):
            return "NEW"  # a new card's number until its id is known: unique, so fresh
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list | tuple):
            return "(" + "".join(f"{literal(v)}, " for v in value) + ")"
        if value is None or isinstance(value, str | int | float | bytes):
            return repr(value)
        raise SystemExit(f"a parameter the floor cannot replay: {value!r}")

    lines = [
        "import os",
        "import sqlite3",
        "NEW = 'new-' + os.urandom(12).hex()",
        "def q(c, s, p=()):",
        "    for row in c.execute(s, p):",
        "        print(row)",
    ]
    for kind, n, *rest in events:
        c = f"c{n}"
        if kind == "connect":
            args, kwargs = rest
            params = [literal(v) for v in args] + [f"{k}={literal(v)}" for k, v in kwargs.items()]
            lines.append(f"{c} = sqlite3.connect({', '.join(params)})")
        elif kind == "isolation_level":
            lines.append(f"{c}.isolation_level = {rest[0]!r}")
        elif kind == "execute":
            lines.append(f"q({c}, {rest[0]!r}, {literal(rest[1])})")
        elif kind == "executemany":
            lines.append(f"{c}.executemany({rest[0]!r}, {literal(rest[1])})")
        elif kind == "executescript":
            lines.append(f"{c}.executescript({rest[0]!r})")
        elif kind in ("commit", "rollback"):
            lines.append(f"{c}.{kind}()")
        elif kind == "close":
            lines.append(f"{c}.close()")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- timing


@dataclass
class Contender:
    label: str
    argvs: Iterator[list[str]]  # the next invocation's command line
    env: dict[str, str]
    setup: Callable[[], None] | None = None  # before each run, untimed (a fresh empty store)
    samples: list[float] = field(default_factory=list)

    def once(self) -> float:
        if self.setup:
            self.setup()
        cmd = next(self.argvs)
        start = time.perf_counter()
        result = subprocess.run(cmd, env=self.env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if result.returncode != 0 or b"Traceback" in result.stderr:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr.decode(errors='replace')}")
        return elapsed

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def race(contenders: list[Contender], runs: int, warm: bool = True) -> None:
    """Each contender ``runs`` times, one after the other in turn, the order reversed every
    other round; a first untimed round warms the page cache."""
    if warm:
        for c in contenders:
            c.once()
    for i in range(runs):
        for c in contenders if i % 2 == 0 else contenders[::-1]:
            c.samples.append(c.once())


def forever(*argvs: list[str]) -> Iterator[list[str]]:
    return itertools.cycle(argvs)


# ---------------------------------------------------------------- Taskwarrior and import data


def task_version() -> str | None:
    if not shutil.which("task"):
        return None
    out = subprocess.run(["task", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or None


def taskrc(folder: Path) -> Path:
    """A private Taskwarrior: its own data, no hooks, no garbage collection (which rewrites
    the files on a read), no recurrence, no colour, no questions, nothing extra printed."""
    folder.mkdir(parents=True, exist_ok=True)
    rc = folder / "taskrc"
    rc.write_text(
        f"data.location={folder / 'data'}\n"
        "confirmation=off\nverbose=nothing\ngc=off\nrecurrence=off\nhooks=off\ncolor=off\n"
        "detection=off\ndefaultwidth=100\n",
        encoding="utf-8",
    )
    return rc


def export_cards(book: Path, csv_path: Path, json_path: Path) -> int:
    """The book's cards as a CSV for `leadbook import` and as tasks for `task import`: the
    same cards in the same order, one row or task each."""
    conn = sqlite3.connect(book)
    rows = conn.execute(
        "SELECT name, company, mobile, grade, stage, owner, next_due, lost_reason "
        "FROM customers ORDER BY id"
    ).fetchall()
    conn.close()
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "单位", "手机", "等级", "阶段", "负责人", "下次跟进", "流失原因"])
        writer.writerows(rows)
    tasks = []
    for name, company, _mobile, grade, _stage, owner, next_due, _lost in rows:
        task: dict[str, str] = {
            "description": f"{name} {company}" if company else name,
            "project": owner,
            "status": "pending",
        }
        if next_due:
            task["due"] = next_due.replace("-", "") + "T000000Z"
        if grade in GRADE_PRIORITY:
            task["priority"] = GRADE_PRIORITY[grade]
        tasks.append(task)
    json_path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return len(rows)


# ---------------------------------------------------------------- the run


@dataclass
class Row:
    command: str
    size: int
    ours: float
    against: str
    theirs: float
    budget: float | None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def fresh_copy(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def settle(book: Path) -> None:
    """Fold the book's write-ahead log into the file, so that a copy of the file is whole."""
    conn = sqlite3.connect(book)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def bench_size(
    size: int, book: Path, args: argparse.Namespace, task: str | None, rows: list[Row]
) -> None:
    work = args.workdir / f"side-{size}"
    work.mkdir(parents=True, exist_ok=True)
    settle(book)
    writes_book = work / "writes.db"
    fresh_copy(book, writes_book)  # the commands that write change this copy, not the book
    env = {**os.environ, "LEADBOOK_NOW": TODAY, "LEADBOOK_USER": USER, "COLUMNS": "100"}
    env.pop("LEADBOOK_DB", None)
    lb = [sys.executable, "-m", "leadbook"]
    baseline = Contender("baseline", forever(BASELINE), env)

    tw_rc: Path | None = None
    if task and (args.only is None or {"import", "due --mine", "search 张伟"} & set(args.only)):
        csv_path, json_path = work / "cards.csv", work / "cards.json"
        count = export_cards(book, csv_path, json_path)
        tw_rc = taskrc(work / "taskwarrior")
        tw_env = {**env, "TASKRC": str(tw_rc)}
        tw_data = work / "taskwarrior" / "data"

        def empty_taskwarrior() -> None:
            shutil.rmtree(tw_data, ignore_errors=True)
            tw_data.mkdir()

        if args.only is None or "import" in args.only:
            empty = work / "empty.db"
            if not empty.exists():  # a new book, by leadbook's migrations
                from leadbook.store.db import Book, path_url

                new = Book(path_url(empty), "bench")
                new.create()
                new.close()
                settle(empty)
            target = work / "import.db"
            ours = Contender(
                "leadbook import",
                forever(
                    [*lb, "--db", str(target), "import", str(csv_path), "--on-duplicate", "new"]
                ),
                env,
                setup=lambda: fresh_copy(empty, target),
            )
            theirs = Contender(
                "task import",
                forever(["task", "import", str(json_path)]),
                tw_env,
                setup=empty_taskwarrior,
            )
            say(f"{size:,}: import of {count:,} rows, {args.import_runs} runs each ...")
            race([ours, theirs], args.import_runs, warm=False)
            imported = sqlite3.connect(target).execute("SELECT count(*) FROM customers").fetchone()
            tasks = subprocess.run(
                ["task", "count"], env=tw_env, capture_output=True, text=True, check=True
            ).stdout.strip()
            note = f"{ours.median / count * 1000:.3f} against {theirs.median / count * 1000:.3f} ms a row"
            if imported[0] != count:
                note += f"; leadbook made {imported[0]:,} cards of {count:,} rows"
            if tasks != str(count):
                note += f"; Taskwarrior holds {tasks} tasks of {count:,}"
            rows.append(Row("import", size, ours.median, "Taskwarrior", theirs.median, 1.0, note))
        else:
            empty_taskwarrior()
            subprocess.run(
                ["task", "import", str(json_path)], env=tw_env, check=True, capture_output=True
            )

    floors = work / "floors"
    floors.mkdir(exist_ok=True)
    for case in CASES:
        if args.only is not None and case.name not in args.only:
            continue
        target = writes_book if case.writes else book
        variants = case.variants or [case.args]
        argvs = forever(*(["--db", str(target), *v] for v in variants))
        run_env = env
        if case.complete:
            words = ["leadbook", "--db", str(target), *case.args]
            run_env = {
                **env,
                "_LEADBOOK_COMPLETE": "complete_bash",
                "COMP_WORDS": " ".join(words),
                "COMP_CWORD": str(len(words) - 1),
            }
            argvs = forever([])
        ours = Contender("leadbook", (lb + a for a in argvs), run_env)
        contenders = [ours]
        other: Contender = baseline
        if case.against == "floor":
            script = floors / f"{CASES.index(case):02d}-{case.name.split()[0]}.py"
            # The command once, recorded: its statements become the floor's script.
            recorded = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "_record",
                    str(script),
                    *next(argvs),
                ],
                env=run_env,
                capture_output=True,
                check=False,
            )
            if recorded.returncode != 0:
                raise SystemExit(recorded.stderr.decode(errors="replace"))
            if case.complete and not recorded.stdout.strip():
                raise SystemExit(f"{case.name}: no completions (is the book at the newest schema?)")
            other = Contender("floor", forever([sys.executable, str(script)]), env)
        contenders.append(other)
        tw: Contender | None = None
        if case.taskwarrior and tw_rc is not None:
            tw = Contender(
                "task", forever(["task", *case.taskwarrior]), {**env, "TASKRC": str(tw_rc)}
            )
            contenders.append(tw)
        say(f"{size:,}: {case.name} ...")
        if case.against == "baseline":
            baseline.samples = []
        race(contenders, args.runs)
        against = "sqlite3 floor" if case.against == "floor" else "import baseline"
        rows.append(Row(case.name, size, ours.median, against, other.median, case.budget))
        if tw is not None:
            rows.append(Row(case.name, size, ours.median, "Taskwarrior", tw.median, 1.0))
        elif case.taskwarrior:
            rows.append(Row(case.name, size, ours.median, "Taskwarrior", float("nan"), 1.0))


def table(rows: list[Row]) -> str:
    out = [
        "| command | cards | leadbook s | against | their s | ratio | budget | |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    order = {name: i for i, name in enumerate(["import"] + [c.name for c in CASES])}
    for r in sorted(rows, key=lambda r: (order[r.command], r.against, r.size)):
        if r.theirs != r.theirs:  # NaN: Taskwarrior is missing
            out.append(f"| {r.command} | {r.size:,} | {r.ours:.3f} | {r.against} | | | | not run |")
            continue
        budget = "" if r.budget is None else f"{r.budget:g}x"
        verdict = "" if r.budget is None else ("pass" if r.ratio <= r.budget else "**fail**")
        note = f" ({r.note})" if r.note else ""
        out.append(
            f"| {r.command} | {r.size:,} | {r.ours:.3f} | {r.against} | {r.theirs:.3f} | "
            f"{r.ratio:.2f} | {budget} | {verdict}{note} |"
        )
    return "\n".join(out)


def versions(task: str | None) -> str:
    from importlib.metadata import version

    parts = [
        f"leadbook {version('leadbook')}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    for name in ("typer", "rich", "SQLAlchemy", "pypinyin"):
        with contextlib.suppress(Exception):
            parts.append(f"{name} {version(name)}")
    parts.append(f"Taskwarrior {task}" if task else "Taskwarrior: not installed")
    return ", ".join(parts)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_record":  # the set-up's recording child
        record(Path(sys.argv[2]), sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median)")
    parser.add_argument("--import-runs", type=int, default=3, help="timed imports of each")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=HERE / "out",
        help="books, copies and Taskwarrior data (100k cards: about 1.3 GB)",
    )
    parser.add_argument(
        "--book",
        action="append",
        default=[],
        metavar="SIZE=PATH",
        help="an existing bench book for SIZE cards, at the newest schema (not changed)",
    )
    parser.add_argument(
        "--only", nargs="+", help="only these: import, or the commands as the table names them"
    )
    parser.add_argument("--no-import", action="store_true", help="skip the import comparison")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes here")
    args = parser.parse_args()
    if args.no_import:
        names = [c.name for c in CASES] if args.only is None else args.only
        args.only = [n for n in names if n != "import"]
    args.workdir = args.workdir.resolve()
    books = {int(s): Path(p) for s, p in (b.split("=", 1) for b in args.book)}

    # An installed leadbook has bytecode; compile a source checkout's once (bench/run.py).
    import compileall

    import leadbook

    compileall.compile_dir(Path(leadbook.__file__).parent, quiet=1)
    task = task_version()
    if task is None:
        say("Taskwarrior is not installed (apt-get install taskwarrior): its columns are skipped")
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    rows: list[Row] = []
    used = []
    for size in args.sizes:
        book = books.get(size) or args.workdir / f"book-{size // 1000}k.db"
        if not book.exists():
            sys.path.insert(0, str(HERE))
            from make_book import build

            say(f"building {book} ...")
            build(book, size)
        used.append(f"{size:,} cards: {book} ({book.stat().st_size / 2**20:.0f} MiB)")
        bench_size(size, book.resolve(), args, task, rows)
    load_after = os.getloadavg()
    notes = []
    imports = sorted((r for r in rows if r.command == "import"), key=lambda r: r.size)
    if len(imports) >= 2:  # the cost of one more row, without the start-up both pay once
        low, high = imports[0], imports[-1]
        extra = (high.size - low.size) / 1000
        notes.append(
            f"Import at the margin ({low.size:,} to {high.size:,} rows): leadbook "
            f"{(high.ours - low.ours) / extra:.3f} ms a row, Taskwarrior "
            f"{(high.theirs - low.theirs) / extra:.3f} ms a row."
        )
    command = "python bench/side_by_side.py " + " ".join(sys.argv[1:])
    text = "\n".join(
        [
            f"`{command.strip()}`",
            "",
            f"{started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, load average "
            f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; medians of {args.runs} "
            f"runs ({args.import_runs} for import), alternated; {versions(task)}; "
            f"{(datetime.now(UTC) - started).total_seconds() / 60:.0f} minutes in all.",
            "",
            "Books: " + "; ".join(used) + ".",
            "",
            table(rows),
            "",
            *notes,
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
