"""a plan counts as due through the day it is closed, however it was closed (a card marked
lost in the afternoon was still due that morning); the report's own count of plans by their
date goes: every screen reads the journal's due and done

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:10:00

The plans' trigger functions are replaced and their totals counted again from the plans. On
PostgreSQL the functions keep running as the book's owner (0006).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_FUNCTIONS = ("tallies_plan_insert", "tallies_plan_delete", "tallies_plan_update")


def upgrade() -> None:
    from leadbook import tallies

    bind = op.get_bind()
    dialect = bind.dialect.name
    statements = []
    if dialect == "postgresql":
        schema = str(bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
        # CREATE OR REPLACE keeps the triggers; their functions run as the owner again
        statements += [
            s
            for s in tallies.create_triggers(dialect, "plan")
            if s.startswith("CREATE OR REPLACE FUNCTION")
        ]
        statements += [
            f"ALTER FUNCTION {name}() SECURITY DEFINER SET search_path = {schema}, pg_temp"
            for name in PLAN_FUNCTIONS
        ]
    else:
        statements += [f"DROP TRIGGER IF EXISTS {name}" for name in PLAN_FUNCTIONS]
        statements += tallies.create_triggers(dialect, "plan")
    statements.append("DELETE FROM tallies WHERE metric IN ('pstart', 'pend', 'pdone', 'due')")
    statements += tallies.recount_sql(dialect, only="plan")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # The older count differs only in which plans it counts: going back keeps the new one.
    pass
