"""`funnel --since` reads running totals: each card keeps, for each funnel stage, the last day
its stage changes took it through that stage (reach_0 ... reach_5), and the totals count the
cards by that day (metric 'reach'); a million cards: 2.4 s -> a few hundred rows read

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:30:00

The new columns are set from every card's stage changes and counted before the triggers are
made again (from the SQL this revision carries, migrations/sql/0010_tallies.json), so the
upgrade does not count each card through its trigger. On PostgreSQL the functions keep running
as the book's owner (0006).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = tuple(f"reach_{i}" for i in range(6))


def _frozen(revision: str, dialect: str) -> dict[str, list[str]]:
    """The triggers' SQL as ``revision`` installs it (migrations/sql/, written once by
    scripts/freeze_tallies_sql.py), never the live leadbook.store.tallies."""
    path = Path(__file__).resolve().parents[1] / "sql" / f"{revision}_tallies.json"
    frozen: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return frozen["postgresql" if dialect == "postgresql" else "sqlite"]


def _drop(sql: dict[str, list[str]], pg: bool) -> list[str]:
    """Drop what ``sql`` creates: on SQLite its table triggers, then its views; on PostgreSQL
    its functions (with their triggers), then its views."""
    views = [s.split()[2] for s in sql["create"] if s.startswith("CREATE VIEW")]
    if pg:
        made = [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in sql["triggers"]]
    else:
        made = [
            f"DROP TRIGGER IF EXISTS {s.split()[2]}"
            for s in sql["create"]
            if s.startswith("CREATE TRIGGER")
        ]
        # a view's own INSTEAD OF trigger goes with it, the table triggers first
        made = [m for m in made if not m.endswith("_count")]
    return made + [f"DROP VIEW IF EXISTS {name}" for name in views]


def _create(sql: dict[str, list[str]], pg: bool) -> list[str]:
    statements = list(sql["create"])
    if pg:  # the totals are kept whoever writes: the functions run as the book's owner (0006)
        schema = str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
        statements += [
            f"ALTER FUNCTION {name}() SECURITY DEFINER SET search_path = {schema}, pg_temp"
            for name in sql["triggers"]
        ]
    return statements


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    pg = dialect == "postgresql"
    old, new = _frozen("0007" if pg else "0009", dialect), _frozen("0010", dialect)
    for statement in _drop(old, pg):
        op.execute(statement)
    for name in COLUMNS:
        op.add_column("customers", sa.Column(name, sa.Date(), nullable=True))
    # every card's reach, then its totals, with no trigger yet to count each card
    for statement in [*new["reach"], "DELETE FROM tallies WHERE metric = 'reach'"]:
        op.execute(statement)
    for statement in new["recount_reach"] + _create(new, pg):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    pg = dialect == "postgresql"
    old, new = _frozen("0007" if pg else "0009", dialect), _frozen("0010", dialect)
    for statement in _drop(new, pg):
        op.execute(statement)
    op.execute("DELETE FROM tallies WHERE metric = 'reach'")
    for name in COLUMNS:
        op.drop_column("customers", name)
    for statement in _create(old, pg):
        op.execute(statement)
