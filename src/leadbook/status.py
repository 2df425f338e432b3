"""A card's grade and stage: changing them (DOMAIN section 3), and when an entry or a change
may be dated. No SQLAlchemy here: `grade`, `stage`, `lost` and `log` run these on a SQLite book
through ``leadbook.store.fast.Writer``, every other caller through a SQLAlchemy connection
(``leadbook.store.writes.runner`` takes either)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from leadbook import reminders
from leadbook.clock import Clock
from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.store import reads, writes

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.writes import Conn


def not_in_future(at: datetime, clock: Clock) -> None:
    """An entry's --at is when it happened: a later day is refused."""
    if at.date() > clock.today:
        raise InvalidValue(
            _("{day} is in the future: --at is when it happened").format(day=at.date().isoformat())
        )


def entry_moment(row: Any, at: datetime, clock: Clock) -> None:
    """An entry (a contact, a complaint, a change) dated ``at`` happened neither in the future
    nor before the card existed (a card typed in late is dated with `add --at`)."""
    not_in_future(at, clock)
    if row is not None and at.date() < row["created_at"].date():
        raise InvalidValue(
            _(
                "{number} was added on {added}: an entry cannot be dated before it ({at}); "
                "a card typed in late takes `add --at`"
            ).format(
                number=row["number"],
                added=row["created_at"].date().isoformat(),
                at=at.date().isoformat(),
            )
        )


def change_moment(
    conn: Conn,
    row: Any,
    field: str,
    at: datetime | None,
    clock: Clock,
    clamp: bool = False,
) -> datetime:
    """When a grade or stage change happened: ``at`` for an entry typed after the fact (the
    audit trail still records when it was typed), else now. It cannot be in the future,
    before the card existed, or before the card's last change of the same field (the history
    stays in order, and so do the stage's summaries)."""
    if at is None or at >= clock.now:
        if at is not None:
            not_in_future(at, clock)
        return clock.now
    last = writes.last_change_at(conn, row["id"], field)
    if last is not None and at < last and clamp:
        return last
    if last is not None and at < last:
        raise InvalidValue(
            _(
                "{number}'s {field} last changed on {last}: a change cannot be dated before "
                "it ({at})"
            ).format(
                number=row["number"],
                field=_(field),
                last=last.strftime("%Y-%m-%d %H:%M"),
                at=at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    return at


def set_grade(
    conn: Conn,
    number: str,
    grade: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    replan: bool = True,
    at: datetime | None = None,
    clamp: bool = False,
) -> tuple[str, str]:
    """Change the grade; ``at`` is when it happened (default now: see ``change_moment``)."""
    row = reads.card_row(writes.runner(conn), number)
    old = row["grade"]
    if old != grade:
        when = change_moment(conn, row, "grade", at, clock, clamp)
        writes.record_change(conn, row["id"], "grade", old, grade, when, reason, by)
        writes.update_fields(conn, row, {"grade": grade}, clock.now, by, audited=False)
        if replan:
            reminders.after_change(conn, row["id"], when.date(), clock, by)
    return old, grade


def set_stage(
    conn: Conn,
    number: str,
    stage: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    lost_reason: str | None = None,
    replan: bool = True,
    at: datetime | None = None,
    clamp: bool = False,
) -> tuple[str, str]:
    """Move the card to a stage; ``at`` is when it happened (default now)."""
    row = reads.card_row(writes.runner(conn), number)
    old = row["stage"]
    if stage == "lost" and not (lost_reason or reason):
        raise InvalidValue(_("say why the customer was lost: leadbook lost NUMBER --reason ..."))
    if old == stage and stage != "lost":
        return old, stage
    values: dict[str, Any] = {"stage": stage}
    if stage == "lost":
        values["lost_reason"] = lost_reason or reason
    elif row["lost_reason"]:
        values["lost_reason"] = None
    when = clock.now
    if old != stage:
        when = change_moment(conn, row, "stage", at, clock, clamp)
        writes.record_change(conn, row["id"], "stage", old, stage, when, reason or lost_reason, by)
    writes.update_fields(conn, row, values, clock.now, by, audited=False)
    if replan:
        reminders.after_change(conn, row["id"], when.date(), clock, by)
    return old, stage


@dataclass
class StatusChange:
    """A grade or stage change as the command reports it."""

    number: str
    name: str
    old: str
    new: str
    next_due: date | None


def status_change(conn: Conn, number: str, old: str, new: str) -> StatusChange:
    row = reads.card_row(writes.runner(conn), number)
    return StatusChange(row["number"], row["name"], old, new, row["next_due"])


def change_grade(
    conn: Conn,
    number: str,
    grade: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    at: datetime | None = None,
) -> StatusChange:
    """`leadbook grade NUMBER GRADE`."""
    old, new = set_grade(conn, number, grade, reason=reason, clock=clock, by=by, at=at)
    return status_change(conn, number, old, new)


def change_stage(
    conn: Conn,
    number: str,
    stage: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    lost_reason: str | None = None,
    at: datetime | None = None,
) -> StatusChange:
    """`leadbook stage` and `leadbook lost`."""
    old, new = set_stage(
        conn, number, stage, reason=reason, lost_reason=lost_reason, clock=clock, by=by, at=at
    )
    return status_change(conn, number, old, new)


def regrade(
    book: Book, number: str, grade: str, *, reason: str | None, clock: Clock, at: datetime | None
) -> StatusChange:
    """`leadbook grade NUMBER GRADE` on ``book``, in one write transaction (on a SQLite book
    without SQLAlchemy: ``leadbook.store.fast.write``)."""
    from leadbook.store import fast

    return fast.write(
        book,
        lambda run: change_grade(
            run, number, grade, reason=reason, clock=clock, by=book.user, at=at
        ),
    )


def move(
    book: Book,
    number: str,
    stage: str,
    *,
    reason: str | None,
    clock: Clock,
    at: datetime | None,
    lost_reason: str | None = None,
) -> StatusChange:
    """`leadbook stage` and `leadbook lost` on ``book``, in one write transaction."""
    from leadbook.store import fast

    return fast.write(
        book,
        lambda run: change_stage(
            run,
            number,
            stage,
            reason=reason,
            lost_reason=lost_reason,
            clock=clock,
            by=book.user,
            at=at,
        ),
    )
