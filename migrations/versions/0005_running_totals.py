"""running totals per salesperson and day for the funnel, the reports and the journals, kept
by triggers; every move to lost carries its reason; partial indexes on mobile and e-mail; open
plans by date

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:15:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The funnel counts lost cards by the reason on the move to lost; moves that lack one
    # (imported history) take the card's, which the funnel read at run time until now.
    op.execute(
        "UPDATE changes SET reason = (SELECT lost_reason FROM customers "
        "WHERE customers.id = changes.customer_id) "
        "WHERE field = 'stage' AND new = 'lost' AND reason IS NULL"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Only the cards that have one: the statistics of a mostly empty column's full index made
    # SQLite's planner scan the whole table for `add`'s duplicate check (PostgreSQL's
    # statistics count the empty ones apart).
    for column in ("mobile", "email") if sqlite else ():
        with op.batch_alter_table("customers", schema=None) as batch_op:
            batch_op.drop_index(f"ix_customers_{column}")
            batch_op.create_index(
                f"ix_customers_{column}",
                [column],
                unique=False,
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
            )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_closed_on")
        batch_op.create_index("ix_plans_closed_on_due", ["closed_on", "due"], unique=False)
    op.create_table(
        "tallies",
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "owner", "day", "key", name=op.f("pk_tallies")),
    )
    sql = _frozen(op.get_bind().dialect.name)
    for statement in [*sql["create"], *sql["recount"]]:
        op.execute(sa.text(statement))


def _frozen(dialect: str) -> dict[str, list[str]]:
    """The triggers' SQL as this revision installs it (migrations/sql/0005_tallies.json,
    written once by scripts/freeze_tallies_sql.py): never the live leadbook.store.tallies, so a
    later change there cannot change what 0005 means."""
    path = Path(__file__).resolve().parents[1] / "sql" / "0005_tallies.json"
    frozen: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return frozen["postgresql" if dialect == "postgresql" else "sqlite"]


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in _frozen(dialect)["triggers"]:
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("tallies")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_closed_on_due")
        batch_op.create_index("ix_plans_closed_on", ["closed_on"], unique=False)
    for column in ("mobile", "email") if op.get_bind().dialect.name == "sqlite" else ():
        with op.batch_alter_table("customers", schema=None) as batch_op:
            batch_op.drop_index(f"ix_customers_{column}")
            batch_op.create_index(f"ix_customers_{column}", [column], unique=False)
