"""Customer value and loyalty, referrers, complaints and key accounts (DOMAIN sections 6, 7).

Value is what a customer bought; high value means 12-month purchases at or above the median
of the customers who bought in those 12 months. Loyalty is high for a customer who bought more
than once and whose last purchase is within the last 12 months. The four groups follow.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from leadbook import domain
from leadbook.clock import Clock
from leadbook.domain import money, purchase_cycle
from leadbook.errors import InvalidValue, NotFound
from leadbook.i18n import N_, _
from leadbook.models.card import ComplaintLine
from leadbook.models.lines import from_row
from leadbook.models.reports import CustomerValue, Referrer, ValueGroup, ValueReport
from leadbook.status import entry_moment
from leadbook.store import accounts as accounts_repo
from leadbook.store import customers as repo
from leadbook.store import reads
from leadbook.store.schema import complaints, customers, deals

GROUPS = {
    "strategic": (
        N_("strategic partner 战略伙伴"),
        N_("High value, loyal: invest in the relationship, involve them early, ask for referrals."),
    ),
    "retain": (
        N_("retain 客户保留"),
        N_(
            "High value, not loyal yet: contact often, solve problems fast, give them reasons to stay."
        ),
    ),
    "develop": (
        N_("develop 客户开发"),
        N_("Loyal, small so far: offer more of what they need, bigger or added purchases."),
    ),
    "relationship": (
        N_("build relationship 建立关系"),
        N_("Low value, not loyal: keep in touch at low cost, look for a need."),
    ),
}


def value_report(conn: Connection, today: date) -> ValueReport:
    year_ago = today - timedelta(days=365)
    per = (
        select(
            deals.c.customer_id.label("cid"),
            func.sum(deals.c.amount_cents).label("total"),
            func.sum(case((deals.c.date > year_ago, deals.c.amount_cents), else_=0)).label(
                "recent"
            ),
            func.count().label("n"),
            func.min(deals.c.date).label("first"),
            func.max(deals.c.date).label("last"),
        )
        .group_by(deals.c.customer_id)
        .subquery()
    )
    rows = list(
        conn.execute(
            select(per, customers.c.number, customers.c.name)
            .join(customers, customers.c.id == per.c.cid)
            .order_by(per.c.total.desc(), customers.c.id)
        ).mappings()
    )
    total = sum((money(r["total"]) for r in rows), Decimal("0.00"))
    recent_values = sorted(money(r["recent"]) for r in rows if r["recent"])
    threshold = recent_values[len(recent_values) // 2] if recent_values else Decimal("0.00")
    result: list[CustomerValue] = []
    running = Decimal(0)
    top_count = 0
    for r in rows:
        value, recent = money(r["total"]), money(r["recent"])
        first, last, n = r["first"], r["last"], int(r["n"])
        cycle, next_expected = purchase_cycle(first, last, n) or (None, None)
        high_value = recent > 0 and recent >= threshold
        loyal = n > 1 and last > year_ago
        group = {(True, True): "strategic", (True, False): "retain", (False, True): "develop"}.get(
            (high_value, loyal), "relationship"
        )
        share = float(value / total) if total else 0.0
        top = running < total * Decimal("0.8")
        if top:
            top_count += 1
        running += value
        result.append(
            CustomerValue(
                number=r["number"],
                name=r["name"],
                value=value,
                value_12m=recent,
                purchases=n,
                first=first,
                last=last,
                cycle_days=round(cycle, 1) if cycle else None,
                next_expected=next_expected,
                group=group,
                share=round(share, 4),
                top=top,
            )
        )
    counts = {g: sum(1 for c in result if c.group == g) for g in GROUPS}
    return ValueReport(
        total=total,
        total_12m=sum((c.value_12m for c in result), Decimal("0.00")),
        customers=len(result),
        top_count=top_count,
        top_share=round(top_count / len(result), 4) if result else 0.0,
        value_threshold=threshold,
        groups=[ValueGroup(g, counts[g], _(GROUPS[g][1])) for g in GROUPS],
        rows=result,
    )


def referrers(conn: Connection) -> list[Referrer]:
    referred = customers.alias("referred")
    value = (
        select(deals.c.customer_id, func.sum(deals.c.amount_cents).label("cents"))
        .group_by(deals.c.customer_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            customers.c.number,
            customers.c.name,
            func.count(referred.c.id),
            func.sum(case((referred.c.stage == "won", 1), else_=0)),
            func.sum(func.coalesce(value.c.cents, 0)),
        )
        .join(referred, referred.c.referrer_id == customers.c.id)
        .outerjoin(value, value.c.customer_id == referred.c.id)
        .group_by(customers.c.id, customers.c.number, customers.c.name)
        .order_by(
            func.sum(case((referred.c.stage == "won", 1), else_=0)).desc(),
            func.count(referred.c.id).desc(),
        )
    )
    return [
        Referrer(num, name, int(n), int(won or 0), money(cents))
        for num, name, n, won, cents in rows
    ]


def add_complaint(
    conn: Connection, number: str, note: str, at: datetime | None, by: str, clock: Clock
) -> int:
    """Record a complaint made at ``at`` (None: now)."""
    if not note.strip():
        raise InvalidValue(_('say what the complaint is: --note "..."'))
    row = repo.get(conn, number)
    if at is not None:
        entry_moment(row, at, clock)
    at = at or clock.now
    return accounts_repo.add_complaint(conn, row["id"], note.strip(), at, by)


def resolve_complaint(
    conn: Connection, complaint_id: int, note: str, at: datetime | None, by: str, clock: Clock
) -> None:
    """Resolve a complaint at ``at`` (None: now); its check-back falls due a week later."""
    row = accounts_repo.complaint(conn, complaint_id)
    if row is None:
        raise NotFound(
            _("no complaint numbered {id}: `leadbook complaint list` shows them").format(
                id=complaint_id
            )
        )
    if row["resolved_at"] is not None:
        raise InvalidValue(
            _("complaint {id} was already resolved on {date}").format(
                id=complaint_id, date=row["resolved_at"].date()
            )
        )
    if at is None:  # a clock set back: never before the complaint
        at = max(clock.now, row["opened_at"])
    entry_moment(None, at, clock)
    if at < row["opened_at"]:
        raise InvalidValue(
            _("complaint {id} was made on {opened}: it cannot be resolved before ({at})").format(
                id=complaint_id,
                opened=row["opened_at"].strftime("%Y-%m-%d %H:%M"),
                at=at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    accounts_repo.resolve_complaint(conn, complaint_id, note, at, by)


def complaint_customer(conn: Connection, complaint_id: int) -> str:
    """The customer number a complaint belongs to."""
    number = conn.execute(
        select(customers.c.number)
        .join(complaints, complaints.c.customer_id == customers.c.id)
        .where(complaints.c.id == complaint_id)
    ).scalar()
    if number is None:
        raise NotFound(
            _("no complaint numbered {id}: `leadbook complaint list` shows them").format(
                id=complaint_id
            )
        )
    return str(number)


def list_complaints(conn: Connection, open_only: bool = False) -> list[ComplaintLine]:
    query = (
        select(complaints, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == complaints.c.customer_id)
        .order_by(complaints.c.opened_at.desc(), complaints.c.id.desc())
    )
    if open_only:
        query = query.where(complaints.c.resolved_at.is_(None))
    return [from_row(ComplaintLine, r) for r in conn.execute(query).mappings()]


SWOT_KINDS = domain.SWOT_KINDS
INDICATORS = domain.INDICATORS


def add_swot(conn: Connection, number: str, kind: str, text: str, now: datetime, by: str) -> None:
    kind = kind.strip().lower()[:1]
    if kind not in SWOT_KINDS or not text.strip():
        raise InvalidValue(_('use --add s|w|o|t "text" (strength, weakness, opportunity, threat)'))
    row = repo.get(conn, number)
    accounts_repo.add_swot(conn, row["id"], kind, text.strip(), now, by)


def swot_of(conn: Connection, number: str) -> dict[str, list[str]]:
    return swot_entries(conn, repo.get(conn, number)["id"])


def swot_entries(conn: Connection, cid: int) -> dict[str, list[str]]:
    """A card's SWOT entries by kind (s, w, o, t), as entered (`swot` and the whole card)."""
    from leadbook.store.calls import Live

    return reads.swot_of(Live(conn), cid)


def set_financials(
    conn: Connection,
    number: str,
    values: dict[str, Decimal],
    as_of: date | None,
    now: datetime,
    by: str,
) -> None:
    row = repo.get(conn, number)
    accounts_repo.add_financials(conn, row["id"], values, as_of, now, by)


def financials_of(conn: Connection, number: str) -> dict[str, dict[str, Any]]:
    """The latest value of each indicator."""
    latest = latest_financials(conn, repo.get(conn, number)["id"])
    return {
        key: {"value": value, "as_of": as_of.isoformat() if as_of else None}
        for key, (value, as_of) in latest.items()
    }


def latest_financials(conn: Connection, cid: int) -> dict[str, tuple[str, date | None]]:
    """A card's latest value (kept exact, as text) and date of each indicator, the one
    entered last winning (`finance` and the whole card)."""
    from leadbook.store.calls import Live

    return reads.financials_of(Live(conn), cid)


def plan_visit(
    conn: Connection,
    number: str,
    day: date,
    purpose: str,
    *,
    preparation: str | None,
    expected: str | None,
    followup: str | None,
    now: datetime,
    by: str,
) -> int:
    if not purpose.strip():
        raise InvalidValue(_('a planned visit needs its purpose: --purpose "..."'))
    if day < now.date():
        raise InvalidValue(
            _(
                "{day} has passed: a visit is planned for today or later; log one already made "
                "with `leadbook log {number} --via visit --at {day}`"
            ).format(day=day.isoformat(), number=number)
        )
    row = repo.get(conn, number)
    return accounts_repo.add_visit(
        conn,
        {
            "customer_id": row["id"],
            "day": day,
            "purpose": purpose.strip(),
            "preparation": preparation,
            "expected": expected,
            "followup": followup,
            "at": now,
            "by": by,
        },
    )


# What the account commands call: each does one command's work in the caller's transaction.


def value_view(conn: Connection, today: date) -> tuple[ValueReport, str]:
    """`leadbook value`: the value report and the book's currency to show it in."""
    from leadbook.config import currency

    return value_report(conn, today), currency(conn)


def check_back(
    conn: Connection,
    complaint_id: int,
    *,
    note: str | None,
    at: datetime | None,
    by: str,
    clock: Clock,
) -> str:
    """`leadbook complaint check ID`: log the check-back (回访) of a resolved complaint, which
    closes its reminder; the customer's number."""
    from leadbook.contacts import log_contact

    number = complaint_customer(conn, complaint_id)
    log_contact(conn, number, clock=clock, by=by, note=note, at=at, complaint_id=complaint_id)
    return number


def swot_grid(
    conn: Connection,
    number: str,
    *,
    add: tuple[str, str] | None = None,
    now: datetime,
    by: str,
) -> dict[str, list[str]]:
    """`leadbook swot`: add an entry (``add``: kind and text), then the card's SWOT grid."""
    if add is not None:
        add_swot(conn, number, add[0], add[1], now, by)
    return swot_of(conn, number)


def parse_indicators(given: dict[str, str | None]) -> dict[str, Decimal]:
    """Financial indicators as typed (6.5, 6.5%, 1.8): the ones given, as decimals."""
    from decimal import InvalidOperation

    values: dict[str, Decimal] = {}
    for key, text in given.items():
        if text is None:
            continue
        try:
            values[key] = Decimal(text.strip().rstrip("%"))
        except InvalidOperation:
            raise InvalidValue(
                _("{name} must be a number, not {text!r}").format(
                    name=_(INDICATORS[key]), text=text
                )
            ) from None
    return values


def finance(
    conn: Connection,
    number: str,
    values: dict[str, Decimal],
    *,
    as_of: date | None,
    now: datetime,
    by: str,
) -> dict[str, dict[str, Any]]:
    """`leadbook finance`: store the indicators given, then the latest value of each."""
    if values:
        set_financials(conn, number, values, as_of, now, by)
    return financials_of(conn, number)
