"""The follow-up journals (DOMAIN sections 3 and 7): daily, weekly, half-monthly, monthly.

What was due on a day is read from plans (the README's "What the numbers mean"): a plan is due
on day D when its date is D or earlier, it existed on D, and it was open at some time of D (open
that morning, or made that day for that day). It is done on D when a contact made on D closed
it. Over a period (a week, a half month, a month, a report's dates, a plan's weeks) each plan
counts once: due when it was due on some day of the period, done when a contact of the period
closed it. Completion = done / due. ``plans_due_done`` is the one reading of it for every
screen. Plans due and done are read from the running totals (leadbook.store.tallies);
``tests/tallies_reference.py`` counts them from the plans, and the tests compare the two.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal_column, or_, select, union_all
from sqlalchemy.engine import Connection

from leadbook.models.journal import ChangeLine, ContactLine, JournalDay, JournalWeek, MissedLine
from leadbook.models.lines import CardLine, from_row
from leadbook.store import tallies
from leadbook.store.customers import LIST_COLUMNS, card_line
from leadbook.store.schema import changes, customers, followups, plans


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _ratio(done: int, due: int) -> float | None:
    return round(done / due, 4) if due else None


def _plan_counts(
    conn: Connection, days: list[date], owner: str | None
) -> dict[date, tuple[int, int]]:
    """{day: (plans due, plans done)}, from the running totals."""
    due = tallies.plans_due(conn, days, owner or None)
    done = tallies.plans_done(conn, min(days), max(days), owner or None)
    return {day: (due[day], done.get(day, 0)) for day in days}


def _counts_for_day(
    conn: Connection, day: date, owner: str | None, plan_counts: tuple[int, int]
) -> dict[str, Any]:
    start, end = _start(day), _start(day + timedelta(days=1))
    fu_where = [followups.c.at >= start, followups.c.at < end]
    if owner:
        fu_where.append(followups.c.by == owner)
    by_channel = {
        via: n
        for via, n in conn.execute(
            select(followups.c.via, func.count()).where(*fu_where).group_by(followups.c.via)
        )
    }
    new_where = [customers.c.created_at >= start, customers.c.created_at < end]
    if owner:
        new_where.append(customers.c.owner == owner)
    new_cards = conn.execute(
        select(func.count()).select_from(customers).where(*new_where)
    ).scalar_one()
    due, done = plan_counts
    return {
        "date": day,
        "contacts": sum(by_channel.values()),
        "by_channel": by_channel,
        "new_cards": new_cards,
        "due": due,
        "done": done,
        "completion": _ratio(done, due),
    }


def _contact_lines(
    conn: Connection, start: datetime, end: datetime, owner: str | None
) -> list[ContactLine]:
    where = [followups.c.at >= start, followups.c.at < end]
    if owner:
        where.append(followups.c.by == owner)
    rows = conn.execute(
        select(
            followups.c.at,
            customers.c.number,
            customers.c.name,
            followups.c.via,
            followups.c.note,
            followups.c.outcome,
            followups.c.next_date,
        )
        .join(customers, customers.c.id == followups.c.customer_id)
        .where(*where)
        .order_by(followups.c.at, followups.c.id)
        .limit(500)
    ).mappings()
    return [from_row(ContactLine, r) for r in rows]


def _change_lines(
    conn: Connection, start: datetime, end: datetime, owner: str | None
) -> list[ChangeLine]:
    where = [changes.c.at >= start, changes.c.at < end, changes.c.old.is_not(None)]
    if owner:
        where.append(changes.c.by == owner)
    rows = conn.execute(
        select(
            changes.c.at,
            customers.c.number,
            customers.c.name,
            changes.c.field,
            changes.c.old,
            changes.c.new,
            changes.c.reason,
        )
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(*where)
        .order_by(changes.c.at, changes.c.id)
        .limit(500)
    ).mappings()
    return [from_row(ChangeLine, r) for r in rows]


def _new_card_lines(
    conn: Connection, start: datetime, end: datetime, owner: str | None
) -> list[CardLine]:
    where = [customers.c.created_at >= start, customers.c.created_at < end]
    if owner:
        where.append(customers.c.owner == owner)
    rows = conn.execute(
        # In creation order through the index on it (by id, PostgreSQL walked every card).
        select(*LIST_COLUMNS)
        .where(*where)
        .order_by(customers.c.created_at, customers.c.id)
        .limit(500)
    ).mappings()
    return [card_line(r) for r in rows]


def day_journal(conn: Connection, day: date, owner: str | None = None) -> JournalDay:
    start, end = _start(day), _start(day + timedelta(days=1))
    journal = JournalDay(**_counts_for_day(conn, day, owner, _plan_counts(conn, [day], owner)[day]))
    journal.contact_lines = _contact_lines(conn, start, end, owner)
    journal.changes = _change_lines(conn, start, end, owner)
    journal.new_card_lines = _new_card_lines(conn, start, end, owner)
    journal.missed = _missed(conn, day, owner)
    return journal


MISSED_SHOWN = 200


def _missed(conn: Connection, day: date, owner: str | None) -> list[MissedLine]:
    """Plans due on the day and not done on it, earliest first: those still open, read in
    date order from the index on open plans, and those closed that day without a contact or
    later, read from the closing dates from the day on. A big book holds many open
    plans: the date of the Nth of each kind bounds the rows that are joined and sorted."""
    due: Any = plans.c.due
    if conn.dialect.name == "sqlite":
        due = literal_column("+plans.due")  # not by the date index: it walks every old plan
    scope = [plans.c.created_on <= day] + ([plans.c.owner == owner] if owner else [])
    not_done = or_(plans.c.closed_on > day, plans.c.status != "done")
    open_ = [plans.c.closed_on.is_(None), *scope]
    later_ = [plans.c.closed_on >= day, not_done, *scope]
    open_bound = conn.execute(
        select(plans.c.due)
        .where(*open_, plans.c.due <= day)
        .order_by(plans.c.closed_on, plans.c.due)  # all NULL: the open-plans index's order
        .limit(1)  # PostgreSQL plans an OFFSET without LIMIT as a sort of every row
        .offset(MISSED_SHOWN - 1)
    ).scalar()
    later = sorted(d for (d,) in conn.execute(select(plans.c.due).where(*later_, due <= day)))
    bounds = [open_bound, later[MISSED_SHOWN - 1] if len(later) >= MISSED_SHOWN else None]
    # One bound on the date per arm (the planner would pick either of two for the index).
    cutoff = min((b for b in bounds if b is not None), default=day)
    columns = (
        customers.c.number,
        customers.c.name,
        customers.c.grade,
        plans.c.due,
        plans.c.purpose,
        customers.c.id,
        plans.c.id.label("plan_id"),
    )
    arms = [
        select(*columns)
        .join(customers, customers.c.id == plans.c.customer_id)
        .where(*where, date_column <= cutoff)
        for where, date_column in ((open_, plans.c.due), (later_, due))
    ]
    both = union_all(*arms).subquery()
    rows = conn.execute(
        select(both.c.number, both.c.name, both.c.grade, both.c.due, both.c.purpose, both.c.id)
        # a card can have missed two plans of one day: the plan's id settles their order
        .order_by(both.c.due, both.c.grade, both.c.id, both.c.plan_id)
        .limit(MISSED_SHOWN)
    ).mappings()
    lines = [dict(r) for r in rows]
    then = grades_on(conn, {line["id"] for line in lines}, day)
    return [from_row(MissedLine, {**r, "grade": then.get(r["id"], r["grade"])}) for r in lines]


def grades_on(conn: Connection, ids: set[int], day: date) -> dict[int, str]:
    """{card id: its grade at the end of ``day``} for the cards regraded since: the grade
    that the first later change replaced (a past day's list shows the grade of that day)."""
    if not ids:
        return {}
    then: dict[int, str] = {}
    for cid, old in conn.execute(
        select(changes.c.customer_id, changes.c.old)
        .where(
            changes.c.customer_id.in_(ids),
            changes.c.field == "grade",
            changes.c.at >= _start(day + timedelta(days=1)),
        )
        .order_by(changes.c.at.desc(), changes.c.id.desc())
    ):
        if old is not None:
            then[cid] = old  # the earliest change after the day comes last
    return then


PERIODS = ("week", "half", "month")


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the period holding ``day``: its week (Monday to Sunday), its
    half month (the 1st to the 15th, or the 16th to the month's end: the 半月志 of C customers)
    or its month (the 月志 of D customers)."""
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == "half" and day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    if period == "half":
        return day.replace(day=16), end
    return day.replace(day=1), end


def week_journal(
    conn: Connection, day: date, owner: str | None = None, today: date | None = None
) -> JournalWeek:
    """The week (Monday to Sunday) holding ``day``: :func:`period_journal` of its week."""
    return period_journal(conn, "week", day, owner, today)


def period_journal(
    conn: Connection,
    period: str,
    day: date,
    owner: str | None = None,
    today: date | None = None,
) -> JournalWeek:
    """The journal of the week, half month or month holding ``day``, day by day, with the
    period's totals.

    Days after ``today`` have not happened: they show what is planned, with no completion, and
    the period's due-against-done stops at ``today``."""
    first, last = period_bounds(period, day)
    period_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plan_counts = _plan_counts(conn, period_days, owner)
    days = [JournalDay(**_counts_for_day(conn, d, owner, plan_counts[d])) for d in period_days]
    if today is not None:
        for d in days:
            if d.date > today:
                d.completion = None
        last_so_far = min(last, max(today, first - timedelta(days=1)))
    else:
        last_so_far = last
    by_channel: dict[str, int] = {}
    for d in days:
        for via, n in d.by_channel.items():
            by_channel[via] = by_channel.get(via, 0) + n
    due, done = _period_plans(conn, first, last_so_far, owner)
    start, end = _start(first), _start(last + timedelta(days=1))
    return JournalWeek(
        period=period,  # type: ignore[arg-type]
        start=first,
        end=last,
        days=days,
        contacts=sum(d.contacts for d in days),
        by_channel=by_channel,
        new_cards=sum(d.new_cards for d in days),
        due=due,
        done=done,
        completion=_ratio(done, due),
        changes=_change_lines(conn, start, end, owner),
        new_card_lines=_new_card_lines(conn, start, end, owner),
    )


def plans_due_done(
    conn: Connection, first: date, last: date, owner: str | None = None
) -> dict[str | None, tuple[int, int]]:
    """{salesperson: (plans due on some day from first to last, of them those done in it)}:
    the follow-up discipline of a period for the week's journal, the report and plan check,
    from the running totals."""
    if last < first:
        return {}
    return tallies.period_plans(conn, first, last, owner or None)


def _period_plans(
    conn: Connection, first: date, last_so_far: date, owner: str | None
) -> tuple[int, int]:
    """Distinct plans due at some point in the period so far, and those of them done in it."""
    counts = plans_due_done(conn, first, last_so_far, owner).values()
    return sum(due for due, _done in counts), sum(done for _due, done in counts)
