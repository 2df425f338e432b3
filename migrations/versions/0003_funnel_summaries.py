"""funnel summaries on the card: top stage reached, since when in the stage, first contact;
how long each stage lasted on the change that ended it

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGE_INDEX = (
    "CASE {col} WHEN 'prospect' THEN 0 WHEN 'contacted' THEN 1 WHEN 'interested' THEN 2 "
    "WHEN 'intent' THEN 3 WHEN 'ready' THEN 4 WHEN 'won' THEN 5 ELSE -1 END"
)


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("top_stage", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stage_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("first_contact_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_customers_top_stage", ["top_stage"], unique=False)
        batch_op.create_index("ix_customers_first_contact_at", ["first_contact_at"], unique=False)
        batch_op.create_index("ix_customers_stage_since", ["stage", "stage_since"], unique=False)
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dwell_days", sa.Float(), nullable=True))
        batch_op.create_index("ix_changes_field_new_at", ["field", "new", "at"], unique=False)
        batch_op.create_index(
            "ix_changes_field_at_old_dwell", ["field", "at", "old", "dwell_days"], unique=False
        )
    # Covering indexes for the reports' per-period counts (no table lookups).
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.create_index("ix_followups_at_by_via", ["at", "by", "via"], unique=False)
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plans_due_owner_status", ["due", "owner", "status", "closed_on"], unique=False
        )

    # Fill them from the history already in the book.
    op.execute(
        "UPDATE customers SET top_stage = (SELECT MAX("
        + STAGE_INDEX.format(col="changes.new")
        + ") FROM changes WHERE changes.customer_id = customers.id AND changes.field = 'stage')"
    )
    op.execute(
        "UPDATE customers SET stage_since = COALESCE((SELECT MAX(changes.at) FROM changes "
        "WHERE changes.customer_id = customers.id AND changes.field = 'stage' "
        "AND changes.new = customers.stage), customers.created_at)"
    )
    op.execute(
        "UPDATE customers SET first_contact_at = (SELECT MIN(followups.at) FROM followups "
        "WHERE followups.customer_id = customers.id)"
    )
    previous = (
        "(SELECT MAX(c2.at) FROM changes c2 WHERE c2.customer_id = changes.customer_id "
        "AND c2.field = 'stage' AND c2.at < changes.at)"
    )
    if op.get_bind().dialect.name == "sqlite":
        days = f"julianday(changes.at) - julianday({previous})"
    else:
        days = f"EXTRACT(EPOCH FROM (changes.at - {previous})) / 86400.0"
    op.execute(f"UPDATE changes SET dwell_days = {days} WHERE field = 'stage' AND old IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_due_owner_status")
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.drop_index("ix_followups_at_by_via")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_field_at_old_dwell")
        batch_op.drop_index("ix_changes_field_new_at")
        batch_op.drop_column("dwell_days")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_stage_since")
        batch_op.drop_index("ix_customers_first_contact_at")
        batch_op.drop_index("ix_customers_top_stage")
        batch_op.drop_column("first_contact_at")
        batch_op.drop_column("stage_since")
        batch_op.drop_column("top_stage")
