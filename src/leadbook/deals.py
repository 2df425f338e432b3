"""Recording a purchase (DOMAIN section 6): the deal, and the card becomes won."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Connection

from leadbook.cards import set_stage
from leadbook.clock import Clock
from leadbook.repository import customers as repo
from leadbook.repository import inserted_id
from leadbook.schema import deals


def record_deal(
    conn: Connection,
    number: str,
    amount: Decimal,
    *,
    clock: Clock,
    by: str,
    product: str | None = None,
    on: date | None = None,
    contract: str | None = None,
    payment: str | None = None,
    note: str | None = None,
) -> int:
    from leadbook.errors import InvalidValue
    from leadbook.i18n import _

    for label, text, limit in (("product", product, 200), ("contract", contract, 100)):
        if text and len(text) > limit:
            raise InvalidValue(
                _("{field} is too long: {n} characters, at most {limit}").format(
                    field=label, n=len(text), limit=limit
                )
            )
    row = repo.get(conn, number)
    deal_id = inserted_id(
        conn.execute(
            deals.insert().values(
                customer_id=row["id"],
                amount_cents=int(amount * 100),
                product=product or row["product"],
                date=on or clock.today,
                contract=contract,
                payment=payment or row["payment"],
                note=note,
                by=by,
                created_at=clock.now,
            )
        )
    )
    if row["stage"] != "won":
        set_stage(conn, number, "won", reason=note or contract or None, clock=clock, by=by)
    return deal_id
