"""The due list (DOMAIN sections 3 and 7): follow-ups due, birthdays, and won customers gone quiet.

Three indexed queries; nothing is loaded that is not shown.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from leadbook.models.lines import DueItem, DueList
from leadbook.schema import customers

_COLUMNS = (
    customers.c.number,
    customers.c.name,
    customers.c.company,
    customers.c.grade,
    customers.c.stage,
    customers.c.next_due,
    customers.c.next_purpose,
    customers.c.last_contact_at,
    customers.c.last_contact_via,
    customers.c.owner,
    customers.c.mobile,
)


def _item(row: dict, kind: str, due: date, day: date, purpose: str | None = None) -> DueItem:
    last = row["last_contact_at"]
    return DueItem(
        kind=kind,  # type: ignore[arg-type]
        number=row["number"],
        name=row["name"],
        company=row["company"],
        grade=row["grade"],
        stage=row["stage"],
        due=due,
        overdue_days=(day - due).days,
        purpose=purpose if kind != "follow-up" else row["next_purpose"],
        last_contact=last.date() if isinstance(last, datetime) else last,
        last_via=row["last_contact_via"],
        owner=row["owner"],
        mobile=row["mobile"],
    )


def due_list(
    conn: Connection,
    day: date,
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
    care_days: int = 90,
) -> DueList:
    """Everything due on or before ``day`` (+ ``days``): overdue first, then by grade and date."""
    until = day + timedelta(days=days)
    owned = [customers.c.owner == owner] if owner else []
    items: list[DueItem] = []
    # Overdue, then due in the window; each ordered by grade then date, served by an index.
    for bounds in (
        [customers.c.next_due < day],
        [customers.c.next_due >= day, customers.c.next_due <= until],
    ):
        query = (
            select(*_COLUMNS)
            .where(*bounds, *owned)
            .order_by(customers.c.grade, customers.c.next_due, customers.c.id)
        )
        if limit is not None:
            query = query.limit(max(limit - len(items), 0))
        if limit is not None and len(items) >= limit:
            break
        rows = conn.execute(query).mappings()
        items.extend(_item(dict(r), "follow-up", r["next_due"], day) for r in rows)
    shown = len(items)
    total = shown
    if limit is not None and shown >= limit:
        total = conn.execute(
            select(func.count()).select_from(customers).where(customers.c.next_due <= until, *owned)
        ).scalar_one()
    items.extend(birthdays(conn, day, until, owned))
    items.extend(care(conn, day, care_days, owned))
    return DueList(date=day, items=items, total_followups=total, shown_followups=shown)


def _month_days(start: date, until: date) -> dict[str, date]:
    """MM-DD keys of the days in the window; 02-29 birthdays fall on 02-28 in common years."""
    keys: dict[str, date] = {}
    current = start
    while current <= until and len(keys) < 366:
        keys[current.strftime("%m-%d")] = current
        if current.month == 2 and current.day == 28 and not calendar.isleap(current.year):
            keys["02-29"] = current
        current += timedelta(days=1)
    return keys


def birthdays(conn: Connection, day: date, until: date, owned: list) -> list[DueItem]:
    keys = _month_days(day, until)
    rows = conn.execute(
        select(*_COLUMNS, customers.c.birthday, customers.c.birthday_md)
        .where(customers.c.birthday_md.in_(list(keys)), *owned)
        .order_by(customers.c.birthday_md, customers.c.id)
    ).mappings()
    items = []
    for r in rows:
        when = keys[r["birthday_md"]]
        item = _item(dict(r), "birthday", when, day)
        if r["birthday"] is not None:
            item.age = when.year - r["birthday"].year
        items.append(item)
    items.sort(key=lambda i: (i.due, i.number))
    return items


def care(conn: Connection, day: date, care_days: int, owned: list) -> list[DueItem]:
    """Won customers with no contact for more than ``care_days`` and nothing planned."""
    since = datetime.combine(day - timedelta(days=care_days), time.min)
    rows = conn.execute(
        select(*_COLUMNS, customers.c.created_at)
        .where(
            customers.c.stage == "won",
            customers.c.next_due.is_(None),
            or_(
                customers.c.last_contact_at < since,
                and_(customers.c.last_contact_at.is_(None), customers.c.created_at < since),
            ),
            *owned,
        )
        .order_by(customers.c.last_contact_at, customers.c.id)
        .limit(200)
    ).mappings()
    items = []
    for r in rows:
        last = r["last_contact_at"] or r["created_at"]
        due = last.date() + timedelta(days=care_days)
        item = _item(dict(r), "care", due, day)
        item.silent_days = (day - last.date()).days
        items.append(item)
    return items
