"""Grade and stage changes (kept forever, with date and reason) and the audit trail of edits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection, RowMapping

from leadbook.schema import audit, changes


def record_change(
    conn: Connection,
    cid: int,
    field: str,
    old: str | None,
    new: str,
    at: datetime,
    reason: str | None,
    by: str,
) -> None:
    conn.execute(
        changes.insert().values(
            customer_id=cid, field=field, old=old, new=new, at=at, reason=reason, by=by
        )
    )


def changes_for(conn: Connection, cid: int) -> list[RowMapping]:
    return list(
        conn.execute(
            select(changes).where(changes.c.customer_id == cid).order_by(changes.c.at, changes.c.id)
        ).mappings()
    )


def stage_before(conn: Connection, cid: int, stage: str) -> str | None:
    """The stage a card was in before it last entered ``stage``."""
    return conn.execute(
        select(changes.c.old)
        .where(changes.c.customer_id == cid, changes.c.field == "stage", changes.c.new == stage)
        .order_by(changes.c.at.desc(), changes.c.id.desc())
        .limit(1)
    ).scalar()


def edits_for(conn: Connection, cid: int) -> list[RowMapping]:
    return list(
        conn.execute(
            select(audit).where(audit.c.customer_id == cid).order_by(audit.c.at, audit.c.id)
        ).mappings()
    )
