"""Per-salesperson reports (DOMAIN section 8): new cards, contacts, follow-up discipline,
stage advances, won and lost, win rate, won value, days to close; the method's rules of thumb
flagged where missed. The counts are read from the running totals (leadbook.store.tallies), a
few rows per salesperson and day; ``tests/tallies_reference.py`` counts them from the rows for
the tests to compare, and both make the report with :func:`from_counts`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from leadbook.domain import money, win_rate
from leadbook.i18n import _
from leadbook.journal import period_bounds, plans_due_done
from leadbook.models.reports import OwnerReport, Report
from leadbook.store.reads import totals
from leadbook.store.schema import customers, deals

MIN_NEW_CALLS_A_DAY = 5
MIN_NEW_CUSTOMERS_A_MONTH = 5


def report_period(
    period: str, since: date | None, until: date | None, today: date
) -> tuple[date, date]:
    """The days `leadbook report` covers: the week or month holding ``until`` (default today),
    cut at ``until`` when given; ``since`` overrides the period's start."""
    from leadbook.errors import InvalidValue

    if period not in ("week", "month"):
        raise InvalidValue(_("--period is week or month, not {value!r}").format(value=period))
    end = until or today
    start, period_end = period_bounds(period, end)
    if since:
        start, period_end = since, end
    elif until:
        period_end = end
    if start > period_end:
        raise InvalidValue(
            _("--since ({since}) is after --until ({until})").format(since=start, until=period_end)
        )
    return start, period_end


def working_days(since: date, until: date) -> int:
    days = (until - since).days + 1
    return sum(1 for i in range(days) if (since + timedelta(days=i)).weekday() < 5) or 1


Rows = dict[str | None, dict[str, Any]]


def report(
    conn: Connection, since: date, until: date, today: date, owner: str | None = None
) -> Report:
    rows = _from_tallies(conn, since, until, min(until, today), owner)
    return from_counts(_with_won_value(conn, rows, since, until, owner), since, until, today)


def from_counts(rows: Rows, since: date, until: date, today: date) -> Report:
    """The report of the counts per salesperson (new_cards, new_calls, contacts, by_channel,
    due, done, advances, won, lost, avg_days, won_value; a missing count is 0) of the days
    from ``since`` to ``until``, with the rules of thumb judged on the days lived by
    ``today``."""
    # Days not yet lived do not count against anyone.
    lived_until = min(until, today)
    workdays = working_days(since, lived_until) if lived_until >= since else 1
    months = max((lived_until - since).days + 1, 1) / 30.4
    result = []
    for o in sorted(rows, key=lambda x: (x is None, str(x))):
        r = rows[o]
        won, lost = r.get("won", 0), r.get("lost", 0)
        due, done = r.get("due", 0), r.get("done", 0)
        # Each rule of thumb is judged on the figure its flag shows, rounded as shown.
        calls_a_day = round(r.get("new_calls", 0) / workdays, 1)
        new_a_month = round(r.get("new_cards", 0) / months, 1)
        flags = []
        if calls_a_day < MIN_NEW_CALLS_A_DAY:
            flags.append(
                _("{rate} calls a day to new prospects, fewer than {n}").format(
                    rate=f"{calls_a_day:.1f}", n=MIN_NEW_CALLS_A_DAY
                )
            )
        if new_a_month < MIN_NEW_CUSTOMERS_A_MONTH:
            flags.append(
                _("{rate} new customers a month, fewer than {n}").format(
                    rate=f"{new_a_month:.1f}", n=MIN_NEW_CUSTOMERS_A_MONTH
                )
            )
        result.append(
            OwnerReport(
                owner=o or _("(nobody)"),
                new_cards=r.get("new_cards", 0),
                contacts=r.get("contacts", 0),
                contacts_per_day=round(r.get("contacts", 0) / workdays, 2),
                by_channel=dict(r.get("by_channel", {})),
                due=due,
                done=done,
                discipline=round(done / due, 4) if due else None,
                advances=r.get("advances", 0),
                won=won,
                lost=lost,
                win_rate=win_rate(won, lost),
                won_value=r.get("won_value", Decimal("0.00")),
                avg_days_to_win=round(r["avg_days"], 1) if r.get("avg_days") is not None else None,
                flags=flags,
                new_calls_per_day=calls_a_day,
                new_cards_per_month=new_a_month,
            )
        )
    return Report(since=since, until=until, working_days=workdays, rows=result)


def _from_tallies(
    conn: Connection, since: date, until: date, lived: date, owner: str | None
) -> Rows:
    """The report's counts from the running totals (leadbook.store.tallies): a few rows per
    salesperson and day."""
    rows: Rows = defaultdict(lambda: defaultdict(int))
    for metric, name in (
        ("new", "new_cards"),
        ("first", "new_calls"),
        ("advance", "advances"),
        ("lost", "lost"),
    ):
        for o, _k, n, _t in totals(conn, metric, owner, since, until):
            rows[o][name] += n
    for o, via, n, _t in totals(conn, "contact", owner, since, until):
        rows[o]["contacts"] += n
        rows[o].setdefault("by_channel", {})[via] = n
    _discipline(conn, rows, since, lived, owner)
    for o, _k, n, days in totals(conn, "won", owner, since, until):
        rows[o]["won"] += n
        rows[o]["avg_days"] = days / n
    return rows


def _discipline(conn: Connection, rows: Rows, since: date, lived: date, owner: str | None) -> None:
    """Follow-ups due and done in the period so far, as the journal counts them."""
    for o, (due, done) in plans_due_done(conn, since, lived, owner).items():
        rows[o]["due"] = due
        rows[o]["done"] = done


def _with_won_value(
    conn: Connection, rows: Rows, since: date, until: date, owner: str | None
) -> Rows:
    who = customers.c.owner
    owner_filter = [who == owner] if owner else []
    for o, cents in conn.execute(
        select(who, func.sum(deals.c.amount_cents))
        .join(customers, customers.c.id == deals.c.customer_id)
        .where(deals.c.date >= since, deals.c.date <= until, *owner_filter)
        .group_by(who)
    ):
        rows[o]["won_value"] = money(cents)
    return rows
