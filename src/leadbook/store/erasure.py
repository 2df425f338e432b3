"""Erasing a person's data (`leadbook forget`, PIPL/GDPR): every table that holds it, in one
place. What the counts need stays: the card's number, grade, stage, dates and deal amounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection

from leadbook.store.customers import _has_trigram_table
from leadbook.store.history import blank_audit_values, write_audit
from leadbook.store.schema import (
    changes,
    complaints,
    customers,
    deals,
    financials,
    followups,
    plans,
    swot,
    tallies,
    visits,
)


def erase_card(conn: Connection, cid: int, values: dict[str, Any], now: datetime, by: str) -> None:
    """Overwrite the card's personal fields with ``values`` and blank every text about the
    person elsewhere; the audit trail says that it happened."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # what is erased is overwritten in the file too, not only unlinked
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    conn.execute(update(customers).where(customers.c.id == cid).values(**values))
    conn.execute(
        update(followups)
        .where(followups.c.customer_id == cid)
        .values(note=None, outcome=None, purpose=None, next_purpose=None)
    )
    conn.execute(update(plans).where(plans.c.customer_id == cid).values(purpose=None))
    conn.execute(update(changes).where(changes.c.customer_id == cid).values(reason=None))
    # The totals' count for the reason went down with it; a count of none keeps no text.
    conn.execute(delete(tallies).where(tallies.c.metric == "lostwhy", tallies.c.n == 0))
    conn.execute(update(deals).where(deals.c.customer_id == cid).values(note=None, contract=None))
    conn.execute(
        update(complaints).where(complaints.c.customer_id == cid).values(note="", resolution=None)
    )
    conn.execute(
        update(visits)
        .where(visits.c.customer_id == cid)
        .values(purpose="", preparation=None, expected=None, followup=None)
    )
    conn.execute(delete(swot).where(swot.c.customer_id == cid))
    conn.execute(delete(financials).where(financials.c.customer_id == cid))
    blank_audit_values(conn, cid)
    conn.execute(update(customers).where(customers.c.referrer_id == cid).values(referrer_id=None))
    write_audit(conn, [{"customer_id": cid, "action": "forget", "at": now, "by": by}])
    if sqlite and _has_trigram_table(conn):
        # The search index only marks the old key's trigrams deleted; merging its segments
        # drops them from the file.
        conn.exec_driver_sql("INSERT INTO customers_fts(customers_fts) VALUES ('optimize')")
