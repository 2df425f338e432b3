"""The daily and weekly follow-up journals (DOMAIN sections 3 and 7).

What was due on a day is read from plans: a plan is due on day D when its date is D or earlier,
it existed on D, and it was still open that morning. It is done when the contact that closed it
was made on D. Completion = done / due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leadbook.models.journal import ChangeLine, ContactLine, JournalDay, JournalWeek, MissedLine
from leadbook.models.lines import CardLine
from leadbook.repository.customers import LIST_COLUMNS, card_line
from leadbook.schema import changes, customers, followups, plans


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _greatest(conn: Connection, *args: Any) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return func.max(*args)  # SQLite's max() with several arguments is scalar
    return func.greatest(*args)


def _due_on(day: date) -> ColumnElement[bool]:
    return and_(
        plans.c.due <= day,
        plans.c.created_on <= day,
        or_(
            plans.c.closed_on.is_(None),
            plans.c.closed_on > day,
            and_(plans.c.closed_on == day, plans.c.status == "done"),
        ),
    )


def _done_on(day: date) -> ColumnElement[bool]:
    return and_(
        plans.c.status == "done",
        plans.c.closed_on == day,
        plans.c.due <= day,
        plans.c.created_on <= day,
    )


def _ratio(done: int, due: int) -> float | None:
    return round(done / due, 4) if due else None


def _counts_for_day(conn: Connection, day: date, owner: str | None) -> dict[str, Any]:
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
    plan_owner = [plans.c.owner == owner] if owner else []
    due = conn.execute(
        select(func.count()).select_from(plans).where(_due_on(day), *plan_owner)
    ).scalar_one()
    done = conn.execute(
        select(func.count()).select_from(plans).where(_done_on(day), *plan_owner)
    ).scalar_one()
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
    return [ContactLine.model_validate(dict(r)) for r in rows]


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
    return [ChangeLine.model_validate(dict(r)) for r in rows]


def _new_card_lines(
    conn: Connection, start: datetime, end: datetime, owner: str | None
) -> list[CardLine]:
    where = [customers.c.created_at >= start, customers.c.created_at < end]
    if owner:
        where.append(customers.c.owner == owner)
    rows = conn.execute(
        select(*LIST_COLUMNS).where(*where).order_by(customers.c.id).limit(500)
    ).mappings()
    return [card_line(r) for r in rows]


def day_journal(conn: Connection, day: date, owner: str | None = None) -> JournalDay:
    start, end = _start(day), _start(day + timedelta(days=1))
    journal = JournalDay(**_counts_for_day(conn, day, owner))
    journal.contact_lines = _contact_lines(conn, start, end, owner)
    journal.changes = _change_lines(conn, start, end, owner)
    journal.new_card_lines = _new_card_lines(conn, start, end, owner)
    missed_where = [_due_on(day), ~_done_on(day)]
    if owner:
        missed_where.append(plans.c.owner == owner)
    rows = conn.execute(
        select(
            customers.c.number, customers.c.name, customers.c.grade, plans.c.due, plans.c.purpose
        )
        .join(customers, customers.c.id == plans.c.customer_id)
        .where(*missed_where)
        .order_by(plans.c.due, customers.c.grade, customers.c.id)
        .limit(200)
    ).mappings()
    journal.missed = [MissedLine.model_validate(dict(r)) for r in rows]
    return journal


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def week_journal(
    conn: Connection, day: date, owner: str | None = None, today: date | None = None
) -> JournalWeek:
    """The week (Monday to Sunday) holding ``day``, day by day, with the week's totals.

    Days after ``today`` have not happened: they show what is planned, with no completion, and
    the week's due-against-done stops at ``today``."""
    monday, sunday = week_bounds(day)
    days = [
        JournalDay(**_counts_for_day(conn, monday + timedelta(days=i), owner)) for i in range(7)
    ]
    if today is not None:
        for d in days:
            if d.date > today:
                d.completion = None
        sunday_so_far = min(sunday, max(today, monday - timedelta(days=1)))
    else:
        sunday_so_far = sunday
    by_channel: dict[str, int] = {}
    for d in days:
        for via, n in d.by_channel.items():
            by_channel[via] = by_channel.get(via, 0) + n
    # Distinct plans due at some point in the week, and those of them done in the week.
    first = _greatest(conn, plans.c.due, plans.c.created_on, monday)
    due_in_week = and_(
        first <= sunday_so_far,
        or_(
            plans.c.closed_on.is_(None),
            plans.c.closed_on > first,
            and_(plans.c.closed_on == first, plans.c.status == "done"),
        ),
    )
    done_in_week = and_(due_in_week, plans.c.status == "done", plans.c.closed_on <= sunday_so_far)
    plan_owner = [plans.c.owner == owner] if owner else []
    due = conn.execute(
        select(func.count()).select_from(plans).where(due_in_week, *plan_owner)
    ).scalar_one()
    done = conn.execute(
        select(func.count()).select_from(plans).where(done_in_week, *plan_owner)
    ).scalar_one()
    start, end = _start(monday), _start(sunday + timedelta(days=1))
    return JournalWeek(
        start=monday,
        end=sunday,
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
