"""Write migrations/sql/REVISION_tallies.json: the SQL of the running totals' triggers and of
their recount, for both engines, as leadbook.store.tallies builds it, so a migration carries the
SQL it installs and means the same thing whatever tallies.py becomes (issue 14).

    python scripts/freeze_tallies_sql.py 0007                 # from the working tree
    python scripts/freeze_tallies_sql.py 0005 --commit a15f9db  # tallies.py of a commit

Run it once, when a revision that changes the triggers is written; never again for that
revision. tests/test_tallies.py checks that a new book's triggers are the current code's.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("revision")
    parser.add_argument("--commit", help="take tallies.py from this commit")
    args = parser.parse_args()
    source = ROOT / "src" / "leadbook" / "store" / "tallies.py"
    with tempfile.TemporaryDirectory() as tmp:
        if args.commit:
            shown = [
                subprocess.run(
                    ["git", "show", f"{args.commit}:src/leadbook/{where}tallies.py"],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
                for where in ("store/", "")  # tallies.py moved into the store package
            ]
            text = next(s.stdout for s in shown if s.returncode == 0)
            source = Path(tmp) / "tallies.py"
            source.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("frozen_tallies", source)
        assert spec and spec.loader
        tallies = importlib.util.module_from_spec(spec)
        sys.modules["frozen_tallies"] = tallies
        spec.loader.exec_module(tallies)
    frozen = {}
    for dialect in ("sqlite", "postgresql"):
        frozen[dialect] = {
            "triggers": list(tallies.TRIGGERS),
            "create": tallies.create_triggers(dialect),
            "recount": tallies.recount_sql(dialect),
        }
        with contextlib.suppress(TypeError):  # the plans' totals alone (0007 on)
            frozen[dialect]["recount_plans"] = tallies.recount_sql(dialect, only="plan")
        if hasattr(tallies, "reach_sql"):  # the cards' reach_i and their totals (0010 on)
            frozen[dialect]["reach"] = [tallies.reach_sql(dialect, "1 = 1")]
            frozen[dialect]["recount_reach"] = tallies.recount_sql(dialect, only="reach")
    out = ROOT / "migrations" / "sql" / f"{args.revision}_tallies.json"
    out.write_text(json.dumps(frozen, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
