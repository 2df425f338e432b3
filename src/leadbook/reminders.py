"""When each reminder comes and goes: the one home of the rules (the README's table "When a
reminder comes and goes").

A reminder in ``due`` is a plan (a contact planned on a day), a resolved complaint's check-back,
a planned visit, a birthday, a referrer's thank-you or a won customer gone quiet. Plans are
kept in the ``plans`` table and change only here:

- a new card's first contact is due on the day the customer came (``first_contact``);
- a contact closes the card's open plans as done on its day, and plans the next one by the
  grade's rhythm from that day, or on the day given (``after_contact``); a contact typed in
  for an older day leaves the current plan alone unless a next day is given;
- a grade or stage change (``after_change``), dated on the day it happened:
  won closes every plan due on or before that day, whoever set it, and the rhythm's own plan;
  a later plan set by hand (a delivery, say) stays; lost closes every plan; a regrade or a
  move between open stages never hides a plan: an overdue plan stays overdue with its
  purpose, and the rhythm's plan moves only earlier when the new grade's interval says so
  (the new rhythm applies from the next contact); a grade without a rhythm (E) drops the
  rhythm's plan unless it is already missed;
- reopening a lost card plans a contact to win it back on the day it was reopened
  (``after_reopen``);
- a resolved complaint is checked back ``CHECK_BACK_DAYS`` after its resolution, done only by
  a contact that says it is the check-back (``check_back``), never by an unrelated call;
- a visit made on or after a planned visit's day completes it (``visits_done``).

The days of the rhythm per grade are the book's settings (``leadbook config``); the referrer's
thank-you and the other reminders that need no row of their own are read by ``due``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from leadbook.clock import Clock
from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.store import reads, writes
from leadbook.store import settings as settings_repo

if TYPE_CHECKING:
    from leadbook.store.writes import Conn

CHECK_BACK_DAYS = 7  # DOMAIN section 7: a week after a complaint is resolved


def next_contact(grade: str, on: date, intervals: dict[str, int | None]) -> date | None:
    """The day after a contact on ``on`` when a card of ``grade`` is due again; None: no rhythm."""
    days = intervals.get(grade)
    if days is None:
        return None
    return on + timedelta(days=days)


def rescheduled(
    grade: str, last_contact: date | None, today: date, intervals: dict[str, int | None]
) -> date | None:
    """Where a rhythm plan moves when the grade changes: the new interval from the last contact,
    never before today. A card never contacted stays due today (its first contact)."""
    if intervals.get(grade) is None:
        return None
    if last_contact is None:
        return today
    due = next_contact(grade, last_contact, intervals)
    return max(due, today) if due else None


def first_contact(grade: str, stage: str, next_date: date | None, on: date) -> date | None:
    """A new card's first plan: the day given, else the day the customer came for an open card
    with a rhythm (E has none, a closed card needs none)."""
    if next_date is not None:
        return next_date
    if grade == "E" or stage in ("won", "lost"):
        return None
    return on


def next_after_contact(
    conn: Conn, row: Any, at: datetime, next_date: date | None, latest: bool
) -> tuple[date | None, bool]:
    """The next plan after a contact on ``at``, and whether it is the rhythm's: the day given,
    else the grade's rhythm from the contact's day (none for a closed card, or for a contact
    typed in for an older day than the last one)."""
    if next_date is not None:
        return next_date, False
    if latest and row["stage"] not in ("won", "lost"):
        intervals = settings_repo.intervals(settings_repo.load(conn))
        return next_contact(row["grade"], at.date(), intervals), True
    return None, True


def after_contact(
    conn: Conn,
    row: Any,
    at: datetime,
    followup_id: int,
    planned: tuple[date | None, bool],
    purpose: str | None,
    latest: bool,
    clock: Clock,
) -> dict[str, object]:
    """The plans after a contact on ``at`` (``planned``: from ``next_after_contact``); returns
    the card's new next_due/next_purpose (empty: unchanged). ``latest``: no later contact is
    on record."""
    next_date, auto = planned
    if latest:
        writes.close_plans(conn, row["id"], "done", at.date(), followup_id)
    elif next_date is not None:
        writes.close_plans(conn, row["id"], "cancelled", clock.today)
    if not (latest or next_date is not None):
        return {}
    if next_date is not None:
        writes.add_plan(conn, row["id"], next_date, purpose, row["owner"], auto, clock.today)
    return {"next_due": next_date, "next_purpose": purpose if next_date else None}


def after_change(conn: Conn, cid: int, on: date, clock: Clock, by: str) -> None:
    """The plans after a grade or stage change that happened on ``on`` (the module's rules)."""
    fresh = reads.card_by_id(writes.runner(conn), cid)
    plan = writes.open_plan(conn, cid)
    intervals = settings_repo.intervals(settings_repo.load(conn))
    if fresh["stage"] == "lost":
        writes.close_plans(conn, cid, "cancelled", on)
        plan = None
    elif fresh["stage"] == "won":
        writes.close_plans(conn, cid, "cancelled", on, due_by=on)
        writes.close_plans(conn, cid, "cancelled", on, auto_only=True)
        plan = writes.open_plan(conn, cid)
    else:
        last = fresh["last_contact_at"].date() if fresh["last_contact_at"] else None
        due = rescheduled(fresh["grade"], last, clock.today, intervals)
        if due is None and plan is not None and plan["auto"] and plan["due"] >= clock.today:
            # a grade without a rhythm (E) drops the rhythm's plan; a missed one stays missed
            writes.close_plans(conn, cid, "cancelled", clock.today, auto_only=True)
            plan = writes.open_plan(conn, cid)
        elif plan is None and due is not None:
            writes.add_plan(conn, cid, due, None, fresh["owner"], True, clock.today)
            plan = writes.open_plan(conn, cid)
        elif plan is not None and plan["auto"] and due is not None and due < plan["due"]:
            # (``due`` is never before today, so an overdue plan is never moved)
            writes.close_plans(conn, cid, "cancelled", clock.today)
            writes.add_plan(conn, cid, due, plan["purpose"], fresh["owner"], True, clock.today)
            plan = writes.open_plan(conn, cid)
    _show_next(conn, cid, plan, clock, by)


def after_reopen(conn: Conn, cid: int, on: date, clock: Clock, by: str) -> None:
    """A reopened card is due for a contact to win it back on the day it was reopened, unless
    an earlier plan is already open."""
    fresh = reads.card_by_id(writes.runner(conn), cid)
    if fresh["next_due"] is not None and fresh["next_due"] <= on:
        return
    writes.close_plans(conn, cid, "cancelled", on)
    writes.add_plan(conn, cid, on, _("win back"), fresh["owner"], False, on)
    _show_next(conn, cid, writes.open_plan(conn, cid), clock, by)


def _show_next(conn: Conn, cid: int, p: Any, clock: Clock, by: str) -> None:
    values = {
        "next_due": p["due"] if p is not None else None,
        "next_purpose": p["purpose"] if p is not None else None,
    }
    writes.update_fields(
        conn, reads.card_by_id(writes.runner(conn), cid), values, clock.now, by, audited=False
    )


def check_back(conn: Conn, cid: int, at: datetime, complaint_id: int | None) -> None:
    """A contact that says it is a complaint's check-back closes it (the given complaint, or
    every resolved one of the card waiting for it); one that cannot is refused."""
    if not writes.check_back(conn, cid, at, complaint_id):
        raise InvalidValue(
            _(
                "there is no resolved complaint of this customer waiting for its check-back "
                "before {at}: `leadbook complaint list` shows them"
            ).format(at=at.strftime("%Y-%m-%d %H:%M"))
        )


def visits_done(conn: Conn, cid: int, at: datetime) -> None:
    """A visit made on or after a planned visit's day completes it."""
    writes.visits_done(conn, cid, at)
