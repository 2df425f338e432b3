"""a trigram index for search (SQLite FTS5, PostgreSQL pg_trgm); dates written by earlier
imports in SQLAlchemy's own form; stage-change indexes for the funnel's lost reasons and
usual time in a stage

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:30:00
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Date-and-time columns that imports wrote through the driver as '2026-03-18 09:00:00' where
# SQLAlchemy writes '2026-03-18 09:00:00.000000': SQLite compares them as text.
DATETIMES = {
    "customers": ("created_at", "updated_at", "last_contact_at", "stage_since", "first_contact_at"),
    "changes": ("at",),
    "audit": ("at",),
    "deals": ("created_at",),
}

SQLITE_SEARCH = (
    # The index holds only the trigrams of each card's search key (external content: the text
    # stays in customers), kept in step by triggers whatever writes the card.
    "CREATE VIRTUAL TABLE customers_fts USING fts5("
    "search_key, content='customers', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE customers_fts_terms USING fts5vocab(customers_fts, 'row')",
    "CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN "
    "INSERT INTO customers_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN "
    "INSERT INTO customers_fts(customers_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_key ON customers BEGIN "
    "INSERT INTO customers_fts(customers_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO customers_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    "INSERT INTO customers_fts(customers_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_field_new_at")
        batch_op.create_index(
            "ix_changes_field_new_at_card_reason",
            ["field", "new", "at", "customer_id", "reason"],
            unique=False,
        )
        # The funnel's usual time in a stage reads the latest moves out of each stage.
        batch_op.drop_index("ix_changes_field_at_old_dwell")
        batch_op.create_index(
            "ix_changes_field_old_at_dwell", ["field", "old", "at", "dwell_days"], unique=False
        )
    if bind.dialect.name == "sqlite":
        for table, columns in DATETIMES.items():
            for column in columns:
                op.execute(
                    f"UPDATE {table} SET {column} = {column} || '.000000' "
                    f"WHERE length({column}) = 19"
                )
        if _sqlite_has_fts5(bind):
            for statement in SQLITE_SEARCH:
                op.execute(statement)
        return
    # PostgreSQL: pg_trgm is a trusted extension (any user who may create in the database can
    # add it). Where it cannot be added or used, search still works, by scanning.
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema = bind.exec_driver_sql(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
            ).scalar_one()
            bind.exec_driver_sql(
                "CREATE INDEX ix_customers_search_key_trgm ON customers "
                f'USING gin (search_key "{schema}".gin_trgm_ops)'
            )
    except Exception:  # no permission: go on without the index
        return


def _sqlite_has_fts5(bind: object) -> bool:
    with contextlib.suppress(Exception):
        options = {r[0] for r in bind.exec_driver_sql("PRAGMA compile_options")}  # type: ignore[attr-defined]
        return "ENABLE_FTS5" in options
    return False


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_field_old_at_dwell")
        batch_op.create_index(
            "ix_changes_field_at_old_dwell", ["field", "at", "old", "dwell_days"], unique=False
        )
        batch_op.drop_index("ix_changes_field_new_at_card_reason")
        batch_op.create_index("ix_changes_field_new_at", ["field", "new", "at"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for name in ("customers_fts_insert", "customers_fts_delete", "customers_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS customers_fts_terms")
        op.execute("DROP TABLE IF EXISTS customers_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_customers_search_key_trgm")
