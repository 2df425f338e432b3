"""Time leadbook's commands on a large book against the cost of its unavoidable imports.

    python bench/run.py --book bench/out/book-100k.db [--runs 15] [COMMAND ...]
    python bench/run.py --db postgresql+psycopg://USER:PASS@HOST/DB [--runs 15] [COMMAND ...]

Each command is a whole process (what a salesperson waits for), timed RUNS times; the table
shows medians and the ratio to `python -c "import typer, rich, sqlalchemy"`, the baseline the
issues' budgets are stated against (due, search and a shell completion: 1.3x). The complete*
cases time one TAB as bash's completion script asks for it (`python bench/run.py complete`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = [sys.executable, "-c", "import typer, rich, sqlalchemy"]
TODAY = "2026-03-18"


def once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr.decode()}")
    return elapsed


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall time of ``cmd`` and of the baseline, runs interleaved so that the machine's
    drift (these are shared, noisy machines) hits both alike."""
    once(cmd, env)  # warm the page cache
    ours, base = [], []
    for _ in range(runs):
        base.append(once(BASELINE, env))
        ours.append(once(cmd, env))
    return statistics.median(ours), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--book", type=Path, default=Path("bench/out/book-100k.db"))
    parser.add_argument("--db", help="a database URL instead of a book file (PostgreSQL)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("commands", nargs="*", default=["due", "search", "show", "list", "journal"])
    args = parser.parse_args()
    # An installed leadbook has bytecode (pip compiles it); a source checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run. Compile it once.
    import compileall

    import leadbook

    compileall.compile_dir(Path(leadbook.__file__).parent, quiet=1)
    env = {**os.environ, "LEADBOOK_NOW": TODAY, "LEADBOOK_USER": "王丽", "COLUMNS": "100"}
    leadbook = [sys.executable, "-m", "leadbook", "--db", args.db or str(args.book)]
    commands = {
        "due": ["due"],
        "due-owner": ["due", "--owner", "李强"],
        "search": ["search", "zhangwei"],
        "search-phone": ["search", "138 1234"],
        "show": ["show", "C04242"],
        "list": ["list", "--grade", "A", "--sort", "next"],
        "journal": ["journal", "--week", TODAY],
        "journal-day": ["journal", "--day", TODAY],
        "funnel": ["funnel"],
        "funnel-90d": ["funnel", "--since", "2025-12-18"],
        "report": ["report"],
        "report-quarter": ["report", "--since", "2026-01-01"],
        "help": ["--help"],
        # TAB after `leadbook log zhangwei`: the shell runs leadbook with the line in the
        # environment, no arguments (leadbook.cli.completion)
        "complete": ["log", "zhangwei"],
        "complete-zs": ["log", "zw"],
        "complete-grade": ["grade", "C04242", ""],
    }
    completions = {"complete", "complete-zs", "complete-grade"}
    if args.db:
        print(f"book: {args.db.split('@')[-1]}, runs: {args.runs}")
    else:
        print(f"book: {args.book} ({args.book.stat().st_size / 2**20:.0f} MiB), runs: {args.runs}")
    print(f"{'command':<32} {'median s':>9} {'baseline s':>11} {'ratio':>6}")
    for name in args.commands:
        cmd, run_env = leadbook + commands[name], env
        label = "leadbook " + " ".join(commands[name])
        if name in completions:
            words = ["leadbook", "--db", args.db or str(args.book), *commands[name]]
            cmd = [sys.executable, "-m", "leadbook"]
            run_env = {
                **env,
                "_LEADBOOK_COMPLETE": "complete_bash",
                "COMP_WORDS": " ".join(words),
                "COMP_CWORD": str(len(words) - 1),
            }
            label = f"{label.rstrip()}<TAB>"
            answer = subprocess.run(cmd, env=run_env, capture_output=True, text=True).stdout
            if not answer.strip():  # an old book, or no such book: timing nothing
                raise SystemExit(f"{label}: no completions (is the book at the newest schema?)")
        seconds, base = timed(cmd, args.runs, run_env)
        print(f"{label:<32} {seconds:>9.3f} {base:>11.3f} {seconds / base:>6.2f}")


if __name__ == "__main__":
    main()
