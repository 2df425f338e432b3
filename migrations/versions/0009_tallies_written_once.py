"""the running totals' SQLite triggers write each kind of row's totals once, in the trigger
of a view of that kind: SQLite parses a book's whole schema whenever a connection opens it,
and 25 KB of triggers became 11 KB (about 1.5 ms of every command)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00

The totals count exactly what they counted (nothing is counted again). PostgreSQL keeps its
PL/pgSQL functions, which are not parsed when a connection opens: nothing changes there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _frozen(name: str) -> dict[str, list[str]]:
    """The SQLite triggers' SQL as revision ``name`` installs it (migrations/sql/, written once
    by scripts/freeze_tallies_sql.py), never the live leadbook.store.tallies."""
    path = Path(__file__).resolve().parents[1] / "sql" / f"{name}_tallies.json"
    frozen: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return frozen["sqlite"]


def _drop(sql: dict[str, list[str]]) -> list[str]:
    """Drop what ``sql`` creates (triggers and views), its table triggers first."""
    made = [s.split()[1:3] for s in sql["create"]]  # ["TRIGGER", name] or ["VIEW", name]
    return [f"DROP {kind} IF EXISTS {name}" for kind, name in made]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _drop(_frozen("0007")) + _frozen("0009")["create"]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    new = _frozen("0009")
    # the table triggers before the views they insert into
    ordered = sorted(_drop(new), key=lambda s: s.startswith("DROP VIEW"))
    for statement in ordered + _frozen("0007")["create"]:
        op.execute(statement)
