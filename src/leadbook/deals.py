"""Recording a purchase (DOMAIN section 6): the deal, and the card becomes won."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, RowMapping

from leadbook.clock import Clock
from leadbook.domain import cents, stage_label
from leadbook.status import entry_moment, set_stage
from leadbook.store import customers as repo
from leadbook.store import deals as deals_repo

if TYPE_CHECKING:
    from leadbook.models.card import Deal


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


def _not_before_the_card(row: RowMapping, day: date, clock: Clock) -> None:
    """A deal typed in late happened after the card existed and, for a card not yet won,
    after its last move (the move to won is dated with the deal, and the history stays in
    order)."""
    from leadbook.errors import InvalidValue
    from leadbook.i18n import _

    entry_moment(row, datetime.combine(day, datetime.min.time()), clock)
    since = row["stage_since"]
    if row["stage"] != "won" and since is not None and day < since.date():
        raise InvalidValue(
            _(
                "{number} moved to {stage} on {since}: a deal cannot be dated before it "
                "({day}); date it {since} or later"
            ).format(
                number=row["number"],
                stage=stage_label(row["stage"]),
                since=since.date().isoformat(),
                day=day.isoformat(),
            )
        )


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
    written: str | None = None,
) -> int:
    """Store a purchase; the card becomes won on its day. ``written``: the amount as the user
    typed it, whose currency must be the book's."""
    from leadbook.errors import InvalidValue
    from leadbook.i18n import _

    if written is not None:
        from leadbook.config import currency
        from leadbook.parsing import check_currency

        check_currency(written, currency(conn))

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
    if day < clock.today:
        _not_before_the_card(row, day, clock)
    deal_id = deals_repo.insert_deal(
        conn,
        {
            "customer_id": row["id"],
            "amount_cents": cents(amount),
            "product": product or row["product"],
            "date": day,
            "contract": contract,
            "payment": payment or row["payment"],
            "note": note,
            "by": by,
            "created_at": clock.now,
        },
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


def record(conn: Connection, number: str, amount: Decimal, **options: Any) -> Deal:
    """`leadbook deal`: ``record_deal`` with the same options, returning the deal as stored."""
    from leadbook.store.deals import for_customer

    deal_id = record_deal(conn, number, amount, **options)
    return next(d for d in for_customer(conn, repo.get(conn, number)["id"]) if d.id == deal_id)


def listing(
    conn: Connection,
    *,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
    number: str | None = None,
) -> tuple[list[Deal], str]:
    """`leadbook deals`: the purchases, newest first, and the book's currency."""
    from leadbook.config import currency
    from leadbook.store.deals import list_deals

    rows = list_deals(conn, since=since, until=until, owner=owner, number=number)
    return rows, currency(conn)
