"""Logging a contact (DOMAIN section 4): the follow-up, the plan it fulfils, and the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from leadbook import reminders
from leadbook.clock import Clock
from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.status import entry_moment, set_grade, set_stage
from leadbook.store import reads, writes

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.writes import Conn


@dataclass
class Logged:
    """A contact as `log` reports it (and its --json)."""

    number: str
    name: str
    at: datetime
    next_due: date | None
    next_purpose: str | None
    grade: str
    stage: str


def log_contact(
    conn: Conn,
    number: str,
    *,
    clock: Clock,
    by: str,
    via: str = "phone",
    at: datetime | None = None,
    note: str | None = None,
    outcome: str | None = None,
    next_date: date | None = None,
    purpose: str | None = None,
    grade: str | None = None,
    stage: str | None = None,
    check_back: bool = False,
    complaint_id: int | None = None,
) -> Logged:
    """Record a contact. Without ``next_date`` the next one follows the grade's rhythm from the
    contact's day; an explicit date wins. A contact with a prospect makes it contacted."""
    typed_late = at is not None
    at = at or clock.now
    if at.date() > clock.today:
        raise InvalidValue(
            _(
                "the contact date {day} is in the future: --at is when the contact happened, "
                "--next is when the next one is due"
            ).format(day=at.date().isoformat())
        )
    run = writes.runner(conn)
    row = reads.card_row(run, number)
    if typed_late:
        entry_moment(row, at, clock)
    if next_date is not None and next_date < at.date():
        raise InvalidValue(
            _("the next contact ({next}) cannot be before this one ({at})").format(
                next=next_date.isoformat(), at=at.date().isoformat()
            )
        )
    reason = note or outcome
    if grade is not None and grade != row["grade"]:
        set_grade(
            run, number, grade, reason=reason, clock=clock, by=by, replan=False, at=at, clamp=True
        )
    if stage is None and row["stage"] == "prospect":
        stage = "contacted"
    if stage is not None and stage != row["stage"]:
        if stage == "lost" and not reason:
            raise InvalidValue(_("say why the customer was lost with --note or --outcome"))
        set_stage(
            run,
            number,
            stage,
            reason=reason,
            clock=clock,
            by=by,
            lost_reason=reason,
            replan=False,
            at=at,
            clamp=True,
        )
    row = reads.card_by_id(run, row["id"])
    plan = writes.open_plan(run, row["id"])
    # A late entry for an older contact does not move the current plan unless told to.
    latest = row["last_contact_at"] is None or at >= row["last_contact_at"]
    planned = reminders.next_after_contact(run, row, at, next_date, latest)
    followup_id = writes.insert_followup(
        run,
        {
            "customer_id": row["id"],
            "at": at,
            "via": via,
            "note": note,
            "outcome": outcome,
            "purpose": plan["purpose"] if plan is not None and latest else None,
            "next_date": planned[0],
            "next_purpose": purpose,
            "by": by,
            "created_at": clock.now,
        },
    )
    values = reminders.after_contact(run, row, at, followup_id, planned, purpose, latest, clock)
    if row["first_contact_at"] is None or at < row["first_contact_at"]:
        values["first_contact_at"] = at
    if latest:
        values.update(last_contact_at=at, last_contact_via=via)
    writes.update_fields(run, row, values, clock.now, by, audited=False)
    if check_back or complaint_id is not None:
        reminders.check_back(run, row["id"], at, complaint_id)
    if via == "visit":
        reminders.visits_done(run, row["id"], at)
    fresh = reads.card_by_id(run, row["id"])
    return Logged(
        number=fresh["number"],
        name=fresh["name"],
        at=at,
        next_due=fresh["next_due"],
        next_purpose=fresh["next_purpose"],
        grade=fresh["grade"],
        stage=fresh["stage"],
    )


def log(book: Book, number: str, **options: Any) -> Logged:
    """`leadbook log` on ``book``: ``log_contact`` by the book's user, in one write transaction
    (on a SQLite book without SQLAlchemy: ``leadbook.store.fast.write``)."""
    from leadbook.store import fast

    return fast.write(book, lambda run: log_contact(run, number, by=book.user, **options))
