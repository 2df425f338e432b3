"""Grade and stage changes (kept forever, with date and reason) and the audit trail of edits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping

from leadbook.store import reads, writes
from leadbook.store.schema import audit, changes

# A grade or stage change is kept by leadbook.store.writes, the same on both paths.
from leadbook.store.writes import last_change_at, record_change

__all__ = ["last_change_at", "record_change"]


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
        writes.write_audit(conn, entries)


def blank_audit_values(conn: Connection, cid: int) -> None:
    """Forget the values an erased card's audit trail held (who and when stay)."""
    conn.execute(update(audit).where(audit.c.customer_id == cid).values(old=None, new=None))
