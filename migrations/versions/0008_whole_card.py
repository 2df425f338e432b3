"""the whole card of the seed method: customer type, decision maker, current product, kind of
purchase, concerns, use, credit, and a key account's expected turnover and profit

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:40:00

New columns only, all empty: no trigger or total changes. The search keys are computed
again on upgrade (searchkeys.REKEYED_AT) so the fields a card keeps from an import are
found by `search`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("customer_type", sa.String(16)),
    ("decision_maker", sa.String(100)),
    ("current_product", sa.String(200)),
    ("purchase_kind", sa.String(16)),
    ("concerns", sa.String(200)),
    ("usage", sa.String(200)),
    ("credit", sa.String(100)),
    ("turnover_cents", sa.BigInteger()),
    ("profit_cents", sa.BigInteger()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("customers", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
