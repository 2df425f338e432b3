"""Build tests/data/books/book-NNNN.db: a small book written by the leadbook of each earlier
schema revision, with that leadbook's own commands, so the tests can prove every old book
upgrades with its data intact.

    python scripts/make_fixture_books.py [REVISION ...]   (default: every revision)

Each revision's leadbook is taken from git (`git archive` of the last commit whose head was
that revision, unpacked in a temporary folder: the repository is not touched) and run from its
source with this environment's packages.
Run it again, adding a line to RELEASES, whenever a migration is added.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "books"

# revision -> the last commit whose schema head it was
RELEASES = {
    "0001": "a473f55",
    "0002": "ee276b5",
    "0003": "1b08140",
    "0004": "275869d",
    "0005": "961ca85",
    "0006": "a15f9db",
    "0007": "13adc3a",
    "0008": "161f17d",
    "0009": "e78246b",
}

COMMON = [
    [
        "add",
        "张三",
        "--company",
        "华信科技",
        "--mobile",
        "13800138000",
        "--grade",
        "B",
        "--product",
        "途观L",
        "--birthday",
        "1985-03-20",
        "--note",
        "第一行\n第二行",
    ],
    [
        "add",
        "Emily Carter",
        "--email",
        "emily@brightside.example",
        "--grade",
        "A",
        "--source",
        "referral",
    ],
    ["add", "李娜", "--mobile", "13911112222", "--grade", "C", "--next", "2026-03-25"],
    ["add", "王五", "--company", "远航物流", "--phone", "010-62345678"],
    ["log", "C00001", "--via", "visit", "--note", "看了车, 问了价格", "--at", "2026-03-10 10:00"],
    ["log", "C00001", "--via", "phone", "--note", "约试驾", "--stage", "intent"],
    [
        "log",
        "C00002",
        "--via",
        "email",
        "--note",
        "sent the quote",
        "--grade",
        "A",
        "--next",
        "2026-03-19",
    ],
    ["stage", "C00002", "ready"],
    ["lost", "C00004", "--reason", "买了别家"],
]
LATER = {  # commands a revision's leadbook first had
    "0002": [
        ["deal", "C00002", "--amount", "25.8万", "--product", "途观L", "--contract", "HT-2026-001"]
    ],
}


def build(revision: str, commit: str, work: Path) -> Path:
    tree = work / f"tree-{revision}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "src", "migrations"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    book = work / f"book-{revision}.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "LEADBOOK_DB": str(book),
        "LEADBOOK_NOW": "2026-03-18",
        "LEADBOOK_USER": "王丽",
        "LEADBOOK_LANG": "en",
    }
    commands = list(COMMON)
    if revision >= "0007":  # entries before the card's day are refused: it came on 03-01
        commands[0] = [*commands[0], "--at", "2026-03-01"]
    for since, extra in LATER.items():
        if since <= revision:
            commands += extra
    for args in commands:
        subprocess.run(
            [sys.executable, "-m", "leadbook", *args],
            env=env,
            check=True,
            capture_output=True,
            cwd=work,
        )
    conn = sqlite3.connect(book)
    head = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert head == revision, (head, revision)
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    conn.execute("VACUUM")
    conn.close()
    return book


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wanted = set(sys.argv[1:])  # revisions to build (default: all)
        for revision, commit in RELEASES.items():
            if wanted and revision not in wanted:
                continue
            book = build(revision, commit, Path(tmp))
            target = OUT / book.name
            target.write_bytes(book.read_bytes())
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
