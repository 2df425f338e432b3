"""Purchases (DOMAIN section 6). Amounts are stored as integer cents: exact, and summable in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from leadbook.models.card import Deal
from leadbook.store import reads
from leadbook.store.schema import customers, deals


def for_customer(conn: Connection, cid: int) -> list[Deal]:
    from leadbook.store.calls import Live

    return reads.deals_of(Live(conn), cid)


def list_deals(
    conn: Connection,
    *,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
    number: str | None = None,
) -> list[Deal]:
    query = select(deals, customers.c.number, customers.c.name).join(
        customers, customers.c.id == deals.c.customer_id
    )
    if since:
        query = query.where(deals.c.date >= since)
    if until:
        query = query.where(deals.c.date <= until)
    if owner:
        query = query.where(customers.c.owner == owner)
    if number:
        from leadbook.store.customers import get

        query = query.where(deals.c.customer_id == get(conn, number)["id"])
    rows = conn.execute(query.order_by(deals.c.date.desc(), deals.c.id.desc())).mappings()
    return [reads.deal_from_row(r) for r in rows]


def insert_deal(conn: Connection, values: dict[str, Any]) -> int:
    """Store a deal (amount in cents); the caller has checked it (``deals.check_deal``)."""
    from leadbook.store import inserted_id

    return inserted_id(conn.execute(deals.insert().values(**values)))
