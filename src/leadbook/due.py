"""The due list (DOMAIN sections 3 and 7): follow-ups due, birthdays, and won customers gone quiet.

Three indexed queries; nothing is loaded that is not shown.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from leadbook.domain import purchase_cycle
from leadbook.models.lines import DueItem, DueList
from leadbook.store.schema import changes, complaints, customers, deals, visits

BIRTHDAYS_SHOWN = 20  # on screen; the rest are counted
COUNT_CAP = 10_000  # follow-ups beyond those shown are counted up to this many

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
    total, counted_all = shown, True
    if limit is not None and shown >= limit:
        # Counted up to a cap: past it the exact number changes nothing on screen, and a team
        # book can hold hundreds of thousands of overdue cards to count one by one.
        capped = (
            select(customers.c.id)
            .where(customers.c.next_due <= until, *owned)
            .limit(shown + COUNT_CAP + 1)
            .subquery()
        )
        total = conn.execute(select(func.count()).select_from(capped)).scalar_one()
        counted_all = total <= shown + COUNT_CAP
        total = min(total, shown + COUNT_CAP)
    items.extend(planned_visits(conn, day, until, owned))
    items.extend(complaint_items(conn, day, until, owned))
    # On screen a big team book can have hundreds of birthdays a day: read the first few and
    # count the rest; JSON (no limit) lists them all.
    birthday_items, more_birthdays = birthdays(
        conn, day, until, owned, BIRTHDAYS_SHOWN if limit is not None else None
    )
    items.extend(birthday_items)
    items.extend(thank_yous(conn, day, owned))
    items.extend(care(conn, day, care_days, owned))
    items.extend(repurchases(conn, day, until, owned))
    return DueList(
        date=day,
        items=items,
        total_followups=total,
        shown_followups=shown,
        more_birthdays=more_birthdays,
        total_is_lower_bound=not counted_all,
    )


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


def birthdays(
    conn: Connection, day: date, until: date, owned: list, limit: int | None = None
) -> tuple[list[DueItem], int]:
    """Birthdays in the window, the first ``limit`` of them, and how many more there are."""
    keys = _month_days(day, until)
    on_day = [customers.c.birthday_md.in_(list(keys)), *owned]
    query = (
        select(*_COLUMNS, customers.c.birthday, customers.c.birthday_md)
        .where(*on_day)
        .order_by(customers.c.birthday_md, customers.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    items = []
    for r in conn.execute(query).mappings():
        when = keys[r["birthday_md"]]
        item = _item(dict(r), "birthday", when, day)
        if r["birthday"] is not None:
            item.age = when.year - r["birthday"].year
        items.append(item)
    items.sort(key=lambda i: (i.due, i.number))
    more = 0
    if limit is not None and len(items) >= limit:
        total = conn.execute(
            select(func.count()).select_from(customers).where(*on_day)
        ).scalar_one()
        more = total - len(items)
    return items, more


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


def planned_visits(conn: Connection, day: date, until: date, owned: list) -> list[DueItem]:
    """Planned visits (走访计划) on their day, and overdue until a visit is logged."""
    rows = conn.execute(
        select(*_COLUMNS, visits.c.id.label("visit_id"), visits.c.day, visits.c.purpose)
        .join(customers, customers.c.id == visits.c.customer_id)
        .where(visits.c.day <= until, visits.c.done_at.is_(None), *owned)
        .order_by(visits.c.day, visits.c.id)
        .limit(200)
    ).mappings()
    items = []
    for r in rows:
        item = _item(dict(r), "visit", r["day"], day, r["purpose"])
        item.ref = r["visit_id"]
        items.append(item)
    return items


def complaint_items(conn: Connection, day: date, until: date, owned: list) -> list[DueItem]:
    """Open complaints, and resolved ones due for their check-back a week after."""
    week_before = datetime.combine(until - timedelta(days=6), time.min)
    rows = conn.execute(
        select(
            *_COLUMNS,
            complaints.c.id.label("complaint_id"),
            complaints.c.note.label("complaint"),
            complaints.c.opened_at,
            complaints.c.resolved_at,
        )
        .join(customers, customers.c.id == complaints.c.customer_id)
        .where(
            or_(
                complaints.c.resolved_at.is_(None),
                and_(complaints.c.checked_at.is_(None), complaints.c.resolved_at < week_before),
            ),
            *owned,
        )
        .order_by(complaints.c.opened_at, complaints.c.id)
        .limit(200)
    ).mappings()
    items = []
    for r in rows:
        if r["resolved_at"] is None:
            item = _item(dict(r), "complaint", r["opened_at"].date(), day)
        else:
            item = _item(dict(r), "check-back", r["resolved_at"].date() + timedelta(days=7), day)
        item.about, item.ref = r["complaint"], r["complaint_id"]
        items.append(item)
    return items


def thank_yous(conn: Connection, day: date, owned: list) -> list[DueItem]:
    """A referrer to thank, not contacted since: for a customer they referred who was added in
    the last 30 days, and again for one who bought in them."""
    referred = customers.alias("referred")
    since = datetime.combine(day - timedelta(days=30), time.min)
    rows = conn.execute(
        select(
            *_COLUMNS,
            referred.c.number.label("r_number"),
            referred.c.name.label("r_name"),
            changes.c.at.label("won_at"),
        )
        .select_from(changes)
        .join(referred, referred.c.id == changes.c.customer_id)
        .join(customers, customers.c.id == referred.c.referrer_id)
        .where(
            changes.c.field == "stage",
            changes.c.new == "won",
            # From the referred cards: few in a book, while wins in a month can be thousands.
            changes.c.customer_id.in_(
                select(customers.c.id).where(customers.c.referrer_id.is_not(None))
            ),
            changes.c.at >= since,
            changes.c.at < datetime.combine(day + timedelta(days=1), time.min),
            or_(customers.c.last_contact_at.is_(None), customers.c.last_contact_at < changes.c.at),
            *owned,
        )
        .order_by(changes.c.at)
        .limit(100)
    ).mappings()
    items = []
    for r in rows:
        item = _item(dict(r), "thank-you", r["won_at"].date(), day)
        item.about = f"{r['r_number']} {r['r_name']}"
        items.append(item)
    # The seeds thank a referrer as soon as the referred customer comes, deal or not.
    added = conn.execute(
        select(
            *_COLUMNS,
            referred.c.number.label("r_number"),
            referred.c.name.label("r_name"),
            referred.c.created_at.label("added_at"),
        )
        .select_from(referred)
        .join(customers, customers.c.id == referred.c.referrer_id)
        .where(
            referred.c.referrer_id.is_not(None),
            referred.c.created_at >= since,
            referred.c.created_at < datetime.combine(day + timedelta(days=1), time.min),
            or_(
                customers.c.last_contact_at.is_(None),
                customers.c.last_contact_at < referred.c.created_at,
            ),
            *owned,
        )
        .order_by(referred.c.created_at)
        .limit(100)
    ).mappings()
    for r in added:
        item = _item(dict(r), "thank-referral", r["added_at"].date(), day)
        item.about = f"{r['r_number']} {r['r_name']}"
        items.append(item)
    return items


def repurchases(conn: Connection, day: date, until: date, owned: list) -> list[DueItem]:
    """Repeat buyers within two weeks of their next purchase (by their purchase cycle), with
    nothing planned: a care call just before they run out."""
    per = (
        select(
            deals.c.customer_id.label("cid"),
            func.count().label("n"),
            func.min(deals.c.date).label("first"),
            func.max(deals.c.date).label("last"),
        )
        .group_by(deals.c.customer_id)
        .having(func.count() > 1)
        .subquery()
    )
    rows = conn.execute(
        select(*_COLUMNS, per.c.n, per.c.first, per.c.last)
        .join(customers, customers.c.id == per.c.cid)
        .where(customers.c.next_due.is_(None), *owned)
    ).mappings()
    items = []
    for r in rows:
        cycle = purchase_cycle(r["first"], r["last"], r["n"])
        if cycle is None:
            continue
        expected = cycle[1]
        if expected - timedelta(days=14) <= until:
            last = r["last_contact_at"]
            if last is not None and last.date() >= expected - timedelta(days=14):
                continue  # already called about it
            item = _item(dict(r), "care", expected - timedelta(days=14), day)
            item.expected_purchase = expected
            items.append(item)
    return sorted(items, key=lambda i: i.due)[:100]


def due_for(
    conn: Connection,
    day: date,
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
) -> DueList:
    """`leadbook due`: :func:`due_list` with the book's own care days (config care_days), and
    its home country, whose mobiles the call sheet shows in national form (phone.region)."""
    from leadbook.config import settings
    from leadbook.store.settings import phone_region

    values = settings(conn)
    result = due_list(
        conn, day, days=days, owner=owner, limit=limit, care_days=int(values["care_days"])
    )
    result.region = phone_region(values)
    from leadbook.festivals import greetings  # 节日问候: greet.grades, greet.days, festival.*

    greeted, result.more_greetings = greetings(
        conn, day, values, days=days, owner=owner, limit=BIRTHDAYS_SHOWN if limit else None
    )
    result.items.extend(greeted)
    return result
