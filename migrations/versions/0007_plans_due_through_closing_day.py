"""a plan counts as due through the day it is closed, however it was closed (a card marked
lost in the afternoon was still due that morning); the report's own count of plans by their
date goes: every screen reads the journal's due and done

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:10:00

Every running-total trigger is made again from the SQL this revision carries, and the plans'
totals are counted again from the plans. On PostgreSQL the functions keep running as the
book's owner (0006).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _frozen(dialect: str) -> dict[str, list[str]]:
    """The triggers' SQL as this revision installs it (migrations/sql/0007_tallies.json,
    written once by scripts/freeze_tallies_sql.py), never the live leadbook.store.tallies."""
    path = Path(__file__).resolve().parents[1] / "sql" / "0007_tallies.json"
    frozen: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return frozen["postgresql" if dialect == "postgresql" else "sqlite"]


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    sql = _frozen(bind.dialect.name)
    # Every trigger is made again from this revision's SQL, whatever an older leadbook
    # installed under 0005 (its PostgreSQL triggers' timing changed without a revision).
    statements = [
        f"DROP FUNCTION IF EXISTS {name}() CASCADE" if pg else f"DROP TRIGGER IF EXISTS {name}"
        for name in sql["triggers"]
    ]
    statements += sql["create"]
    if pg:  # the totals are kept whoever writes: the functions run as the book's owner (0006)
        schema = str(bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
        statements += [
            f"ALTER FUNCTION {name}() SECURITY DEFINER SET search_path = {schema}, pg_temp"
            for name in sql["triggers"]
        ]
    statements.append("DELETE FROM tallies WHERE metric IN ('pstart', 'pend', 'pdone', 'due')")
    statements += sql["recount_plans"]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # The older count differs only in which plans it counts: going back keeps the new one.
    pass
