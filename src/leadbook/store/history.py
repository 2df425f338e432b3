"""Grade and stage changes (kept forever, with date and reason) and the audit trail of edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping

from leadbook.domain import STAGE_INDEX
from leadbook.store import reads
from leadbook.store.schema import audit, changes, customers


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
    """Keep a grade or stage change. A stage change also keeps the card's funnel summaries
    (furthest stage reached, since when in the stage) and how long the old stage lasted."""
    dwell = None
    if field == "stage":
        summary = conn.execute(
            select(customers.c.top_stage, customers.c.stage_since).where(customers.c.id == cid)
        ).one()
        if old is not None and summary.stage_since is not None and at >= summary.stage_since:
            dwell = (at - summary.stage_since).total_seconds() / 86400
        top = max(
            summary.top_stage if summary.top_stage is not None else -1, STAGE_INDEX.get(new, -1)
        )
        conn.execute(
            update(customers)
            .where(customers.c.id == cid)
            .values(top_stage=top if top >= 0 else None, stage_since=at)
        )
    conn.execute(
        changes.insert().values(
            customer_id=cid,
            field=field,
            old=old,
            new=new,
            at=at,
            reason=reason,
            by=by,
            dwell_days=dwell,
        )
    )


def last_change_at(conn: Connection, cid: int, field: str) -> datetime | None:
    """When the card's ``field`` (grade or stage) last changed."""
    value = conn.execute(
        select(changes.c.at)
        .where(changes.c.customer_id == cid, changes.c.field == field)
        .order_by(changes.c.at.desc())
        .limit(1)
    ).scalar()
    return value


def changes_for(conn: Connection, cid: int) -> list[RowMapping]:
    from leadbook.store.calls import Live

    return reads.of_card(Live(conn), "changes", cid)


def stage_before(conn: Connection, cid: int, stage: str) -> str | None:
    """The stage a card was in before it last entered ``stage``."""
    return conn.execute(
        select(changes.c.old)
        .where(changes.c.customer_id == cid, changes.c.field == "stage", changes.c.new == stage)
        .order_by(changes.c.at.desc(), changes.c.id.desc())
        .limit(1)
    ).scalar()


def edits_for(conn: Connection, cid: int) -> list[RowMapping]:
    from leadbook.store.calls import Live

    return reads.of_card(Live(conn), "edits", cid)


def write_audit(conn: Connection, rows: list[dict[str, Any]], *, bulk: bool = False) -> None:
    """The one writer of the audit trail: who did what to which card, and when. ``bulk``: the
    import's executemany path (leadbook.store.bulk_insert)."""
    if not rows:
        return
    entries = [
        {
            "customer_id": r["customer_id"],
            "action": r["action"],
            "field": r.get("field"),
            "old": r.get("old"),
            "new": r.get("new"),
            "at": r["at"],
            "by": r.get("by"),
        }
        for r in rows
    ]
    if bulk:
        from leadbook.store import bulk_insert

        bulk_insert(conn, audit, entries)
    else:
        conn.execute(audit.insert(), entries)


def blank_audit_values(conn: Connection, cid: int) -> None:
    """Forget the values an erased card's audit trail held (who and when stay)."""
    conn.execute(update(audit).where(audit.c.customer_id == cid).values(old=None, new=None))
