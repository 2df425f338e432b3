"""Purchases (DOMAIN section 6). Amounts are stored as integer cents: exact, and summable in SQL."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.engine import Connection

from leadbook.models.card import Deal
from leadbook.schema import customers, deals


def for_customer(conn: Connection, cid: int) -> list[Deal]:
    rows = conn.execute(
        select(deals, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == deals.c.customer_id)
        .where(deals.c.customer_id == cid)
        .order_by(deals.c.date, deals.c.id)
    ).mappings()
    return [
        Deal(
            id=r["id"],
            number=r["number"],
            name=r["name"],
            amount=Decimal(r["amount_cents"]).scaleb(-2),
            product=r["product"],
            date=r["date"],
            contract=r["contract"],
            payment=r["payment"],
            note=r["note"],
        )
        for r in rows
    ]
