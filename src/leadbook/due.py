"""The due list (DOMAIN sections 3 and 7): follow-ups due, birthdays, and won customers gone quiet.

Indexed queries; nothing is loaded that is not shown. The queries are written once, in
``leadbook.store.calls``, and asked for here by key through a runner (``Runner``): on a SQLite
book the fast path (``leadbook.store.fast``) runs their compiled text without SQLAlchemy; on
PostgreSQL, or a book the fast path does not read, ``calls.Live`` runs them.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from leadbook.clock import day_start
from leadbook.domain import purchase_cycle
from leadbook.models.lines import DueItem, DueList
from leadbook.store.agenda import key

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.reads import Runner

BIRTHDAYS_SHOWN = 20  # on screen; the rest are counted
COUNT_CAP = 10_000  # follow-ups beyond those shown are counted up to this many


def _item(row: Any, kind: str, due: date, day: date, purpose: str | None = None) -> DueItem:
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
    run: Runner,
    day: date,
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
    care_days: int = 90,
) -> DueList:
    """Everything due on or before ``day`` (+ ``days``): overdue first, then by grade and date."""
    until = day + timedelta(days=days)
    who = {"owner": owner} if owner else {}
    items: list[DueItem] = []
    # Overdue, then due in the window; each ordered by grade then date, served by an index.
    for what in ("followups:overdue", "followups:window"):
        params: dict[str, Any] = {"day": day, "until": until, **who}
        if limit is not None:
            if len(items) >= limit:
                break
            params["limit"] = limit - len(items)
        rows = run.rows(key(what, owner=bool(owner), limit=limit is not None), params)
        items.extend(_item(r, "follow-up", r["next_due"], day) for r in rows)
    shown = len(items)
    total, counted_all = shown, True
    if limit is not None and shown >= limit:
        # Counted up to a cap: past it the exact number changes nothing on screen, and a team
        # book can hold hundreds of thousands of overdue cards to count one by one.
        found = run.rows(
            key("count", owner=bool(owner)), {"until": until, "cap": shown + COUNT_CAP + 1, **who}
        )
        total = found[0]["total"]
        counted_all = total <= shown + COUNT_CAP
        total = min(total, shown + COUNT_CAP)
    items.extend(planned_visits(run, day, until, owner))
    items.extend(complaint_items(run, day, until, owner))
    # On screen a big team book can have hundreds of birthdays a day: read the first few and
    # count the rest; JSON (no limit) lists them all.
    birthday_items, more_birthdays = birthdays(
        run, day, until, owner, BIRTHDAYS_SHOWN if limit is not None else None
    )
    items.extend(birthday_items)
    items.extend(thank_yous(run, day, owner))
    items.extend(care(run, day, care_days, owner))
    items.extend(repurchases(run, day, until, owner))
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


def _md_runs(keys: dict[str, date]) -> list[tuple[str, str]]:
    """The MM-DD keys of a window as at most two runs (first, last) in calendar order: one,
    or two when the window passes New Year (a whole year is one run)."""
    runs: list[tuple[str, str]] = []
    previous = None  # the day before, when it is in the window
    for md in _CALENDAR:
        if md in keys:
            if runs and runs[-1][1] == previous:
                runs[-1] = (runs[-1][0], md)
            else:
                runs.append((md, md))
            previous = md
        else:
            previous = None
    return runs


# Every MM-DD of a leap year, in order.
_CALENDAR = [
    f"{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, calendar.monthrange(2024, m)[1] + 1)
]


def birthdays(
    run: Runner, day: date, until: date, owner: str | None, limit: int | None = None
) -> tuple[list[DueItem], int]:
    """Birthdays in the window, the first ``limit`` of them, and how many more there are."""
    keys = _month_days(day, until)
    runs = _md_runs(keys)
    assert 1 <= len(runs) <= 2, runs  # a window of at most a year is one arc of the calendar
    (from1, to1), (from2, to2) = runs[0], runs[-1]
    params: dict[str, Any] = {"from1": from1, "to1": to1, "from2": from2, "to2": to2}
    if owner:
        params["owner"] = owner
    if limit is not None:
        params["limit"] = limit
    items = []
    for r in run.rows(key("birthdays", owner=bool(owner), limit=limit is not None), params):
        when = keys[r["birthday_md"]]
        item = _item(r, "birthday", when, day)
        if r["birthday"] is not None:
            item.age = when.year - r["birthday"].year
        items.append(item)
    items.sort(key=lambda i: (i.due, i.number))
    more = 0
    if limit is not None and len(items) >= limit:
        params.pop("limit")
        total = run.rows(key("birthdays-count", owner=bool(owner)), params)[0]["total"]
        more = total - len(items)
    return items, more


def care(run: Runner, day: date, care_days: int, owner: str | None) -> list[DueItem]:
    """Won customers with no contact for more than ``care_days`` and nothing planned."""
    since = day_start(day - timedelta(days=care_days))
    rows = run.rows(key("care", owner=bool(owner)), {"since": since, **_who(owner)})
    items = []
    for r in rows:
        last = r["last_contact_at"] or r["created_at"]
        due = last.date() + timedelta(days=care_days)
        item = _item(r, "care", due, day)
        item.silent_days = (day - last.date()).days
        items.append(item)
    return items


def _who(owner: str | None) -> dict[str, str]:
    return {"owner": owner} if owner else {}


def planned_visits(run: Runner, day: date, until: date, owner: str | None) -> list[DueItem]:
    """Planned visits (走访计划) on their day, and overdue until a visit is logged."""
    rows = run.rows(key("visits", owner=bool(owner)), {"until": until, **_who(owner)})
    items = []
    for r in rows:
        item = _item(r, "visit", r["day"], day, r["purpose"])
        item.ref = r["visit_id"]
        items.append(item)
    return items


def complaint_items(run: Runner, day: date, until: date, owner: str | None) -> list[DueItem]:
    """Open complaints, and resolved ones due for their check-back a week after."""
    week_before = day_start(until - timedelta(days=6))
    rows = run.rows(
        key("complaints", owner=bool(owner)), {"week_before": week_before, **_who(owner)}
    )
    items = []
    for r in rows:
        if r["resolved_at"] is None:
            item = _item(r, "complaint", r["opened_at"].date(), day)
        else:
            item = _item(r, "check-back", r["resolved_at"].date() + timedelta(days=7), day)
        item.about, item.ref = r["complaint"], r["complaint_id"]
        items.append(item)
    return items


def thank_yous(run: Runner, day: date, owner: str | None) -> list[DueItem]:
    """A referrer to thank, not contacted since: for a customer they referred who was added in
    the last 30 days, and again for one who bought in them."""
    params = {
        "since": day_start(day - timedelta(days=30)),
        "before": day_start(day + timedelta(days=1)),
        **_who(owner),
    }
    items = []
    for r in run.rows(key("thanks-won", owner=bool(owner)), params):
        item = _item(r, "thank-you", r["won_at"].date(), day)
        item.about = f"{r['r_number']} {r['r_name']}"
        items.append(item)
    # The seeds thank a referrer as soon as the referred customer comes, deal or not.
    for r in run.rows(key("thanks-added", owner=bool(owner)), params):
        item = _item(r, "thank-referral", r["added_at"].date(), day)
        item.about = f"{r['r_number']} {r['r_name']}"
        items.append(item)
    return items


def repurchases(run: Runner, day: date, until: date, owner: str | None) -> list[DueItem]:
    """Repeat buyers within two weeks of their next purchase (by their purchase cycle), with
    nothing planned: a care call just before they run out."""
    items = []
    for r in run.rows(key("repurchases", owner=bool(owner)), _who(owner)):
        cycle = purchase_cycle(r["first"], r["last"], r["n"])
        if cycle is None:
            continue
        expected = cycle[1]
        if expected - timedelta(days=14) <= until:
            last = r["last_contact_at"]
            if last is not None and last.date() >= expected - timedelta(days=14):
                continue  # already called about it
            item = _item(r, "care", expected - timedelta(days=14), day)
            item.expected_purchase = expected
            items.append(item)
    return sorted(items, key=lambda i: i.due)[:100]


def due_for(
    run: Runner,
    day: date,
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
) -> DueList:
    """:func:`due_list` with the book's own care days (config care_days), its festival
    greetings, and its home country, whose mobiles the call sheet shows in national form
    (phone.region)."""
    from leadbook.store.settings import merged, phone_region

    values = merged(run.rows(key("settings"), {}))
    result = due_list(
        run, day, days=days, owner=owner, limit=limit, care_days=int(values["care_days"])
    )
    result.region = phone_region(values)
    from leadbook.festivals import greetings  # 节日问候: greet.grades, greet.days, festival.*

    greeted, result.more_greetings = greetings(
        run, day, values, days=days, owner=owner, limit=BIRTHDAYS_SHOWN if limit else None
    )
    result.items.extend(greeted)
    return result


def call_sheet(
    book: Book,
    day: date,
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
) -> DueList:
    """`leadbook due` on ``book``: read without SQLAlchemy where the fast path can read the
    book (leadbook.store.fast), else through ``calls.Live`` on the full stack."""
    from leadbook.store import fast

    def full(conn: Any) -> DueList:
        from leadbook.store.calls import Live

        return due_for(Live(conn), day, days=days, owner=owner, limit=limit)

    return fast.run(
        book, lambda reader: due_for(reader, day, days=days, owner=owner, limit=limit), full
    )
