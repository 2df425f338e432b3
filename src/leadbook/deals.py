"""Recording a purchase (DOMAIN section 6): the deal, and the card becomes won."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Connection

from leadbook.cards import set_stage
from leadbook.clock import Clock
from leadbook.domain import cents
from leadbook.repository import customers as repo
from leadbook.repository import inserted_id
from leadbook.schema import deals


def check_deal(amount: Decimal, day: date, today: date) -> None:
    """The rules every deal keeps, whether `leadbook deal` or an import records it: an amount
    above zero, and a day that has come."""
    from leadbook.errors import InvalidValue
    from leadbook.i18n import _

    if amount <= 0:
        raise InvalidValue(_("a deal's amount must be more than zero"))
    if day > today:
        raise InvalidValue(_("a deal cannot be dated in the future ({date})").format(date=day))


def won_at(day: date, now: datetime, since: datetime | None) -> datetime:
    """When a card becomes won by a deal on ``day``: now for today's deal, else the start of
    that day, but never before the card entered the stage it leaves (``since``)."""
    if day >= now.date():
        return now
    start = datetime.combine(day, datetime.min.time())
    return max(start, since) if since is not None else start


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
    day = on or clock.today
    check_deal(amount, day, clock.today)
    row = repo.get(conn, number)
    deal_id = inserted_id(
        conn.execute(
            deals.insert().values(
                customer_id=row["id"],
                amount_cents=cents(amount),
                product=product or row["product"],
                date=day,
                contract=contract,
                payment=payment or row["payment"],
                note=note,
                by=by,
                created_at=clock.now,
            )
        )
    )
    if row["stage"] != "won":
        set_stage(
            conn,
            number,
            "won",
            reason=note or contract or None,
            clock=clock,
            by=by,
            at=won_at(day, clock.now, max(t for t in (row["stage_since"], row["created_at"]) if t)),
        )
    return deal_id
