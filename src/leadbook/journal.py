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
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from leadbook.clock import day_start
from leadbook.models.journal import ChangeLine, ContactLine, JournalDay, JournalWeek, MissedLine
from leadbook.models.lines import CardLine, from_row
from leadbook.store.agenda import journal_key
from leadbook.store.find import card_line
from leadbook.store.writes import runner

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.writes import Conn, Runner


def _rows(run: Runner, what: str, owner: str | None, **params: Any) -> list[Any]:
    """The rows of the journal statement ``what``, for one salesperson when ``owner``."""
    key = journal_key(what, owner=bool(owner), dialect=run.dialect)
    return run.rows(key, {**params, "owner": owner} if owner else params)


def _ratio(done: int, due: int) -> float | None:
    return round(done / due, 4) if due else None


def _plan_counts(run: Runner, days: list[date], owner: str | None) -> dict[date, tuple[int, int]]:
    """{day: (plans due, plans done)}, from the running totals: a day's plans due are those
    due from that day or before, less those no longer due by then (one pass over them)."""
    first, last = min(days).isoformat(), max(days).isoformat()
    started = [
        (date.fromisoformat(r["day"]), int(r["n"]))
        for r in _rows(run, "plans-due", owner, last=last)
        if r["day"]
    ]
    done = {
        date.fromisoformat(r["day"]): int(r["n"])
        for r in _rows(run, "plans-done", owner, first=first, last=last)
        if r["n"]
    }
    return {day: (sum(n for d, n in started if d <= day), done.get(day, 0)) for day in days}


def _counts_for_day(
    run: Runner, day: date, owner: str | None, plan_counts: tuple[int, int]
) -> dict[str, Any]:
    span = {"start": day_start(day), "end": day_start(day + timedelta(days=1))}
    by_channel = {r["via"]: r["n"] for r in _rows(run, "channels", owner, **span)}
    new_cards = _rows(run, "new-count", owner, **span)[0]["n"]
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
    run: Runner, start: datetime, end: datetime, owner: str | None
) -> list[ContactLine]:
    rows = _rows(run, "contacts", owner, start=start, end=end)
    return [from_row(ContactLine, r) for r in rows]


def _change_lines(
    run: Runner, start: datetime, end: datetime, owner: str | None
) -> list[ChangeLine]:
    rows = _rows(run, "changes", owner, start=start, end=end)
    return [from_row(ChangeLine, r) for r in rows]


def _new_card_lines(
    run: Runner, start: datetime, end: datetime, owner: str | None
) -> list[CardLine]:
    return [card_line(r) for r in _rows(run, "new-cards", owner, start=start, end=end)]


def day_journal(conn: Conn, day: date, owner: str | None = None) -> JournalDay:
    run = runner(conn)
    start, end = day_start(day), day_start(day + timedelta(days=1))
    journal = JournalDay(**_counts_for_day(run, day, owner, _plan_counts(run, [day], owner)[day]))
    journal.contact_lines = _contact_lines(run, start, end, owner)
    journal.changes = _change_lines(run, start, end, owner)
    journal.new_card_lines = _new_card_lines(run, start, end, owner)
    journal.missed = _missed(run, day, owner)
    return journal


MISSED_SHOWN = 200


def _missed(run: Runner, day: date, owner: str | None) -> list[MissedLine]:
    """Plans due on the day and not done on it, earliest first: those still open, read in
    date order from the index on open plans, and those closed that day without a contact or
    later, read from the closing dates from the day on. A big book holds many open
    plans: the date of the Nth of each kind bounds the rows that are joined and sorted."""
    nth = _rows(run, "missed-open-bound", owner, day=day, nth=MISSED_SHOWN - 1)
    later = sorted(r["due"] for r in _rows(run, "missed-later", owner, day=day))
    bounds = [nth[0]["due"] if nth else None]
    bounds.append(later[MISSED_SHOWN - 1] if len(later) >= MISSED_SHOWN else None)
    # One bound on the date per arm (the planner would pick either of two for the index).
    cutoff = min((b for b in bounds if b is not None), default=day)
    lines = _rows(run, "missed", owner, day=day, cutoff=cutoff, shown=MISSED_SHOWN)
    then = grades_on(run, {line["id"] for line in lines}, day)
    return [from_row(MissedLine, {**r, "grade": then.get(r["id"], r["grade"])}) for r in lines]


def grades_on(conn: Conn, ids: set[int], day: date) -> dict[int, str]:
    """{card id: its grade at the end of ``day``} for the cards regraded since: the grade
    that the first later change replaced (a past day's list shows the grade of that day)."""
    run = runner(conn)
    after = day_start(day + timedelta(days=1))
    then: dict[int, str] = {}
    for cid in sorted(ids):
        rows = run.rows(journal_key("grade-after"), {"cid": cid, "after": after})
        if rows:
            then[cid] = rows[0]["old"]
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
    conn: Conn, day: date, owner: str | None = None, today: date | None = None
) -> JournalWeek:
    """The week (Monday to Sunday) holding ``day``: :func:`period_journal` of its week."""
    return period_journal(conn, "week", day, owner, today)


def period_journal(
    conn: Conn,
    period: str,
    day: date,
    owner: str | None = None,
    today: date | None = None,
) -> JournalWeek:
    """The journal of the week, half month or month holding ``day``, day by day, with the
    period's totals.

    Days after ``today`` have not happened: they show what is planned, with no completion, and
    the period's due-against-done stops at ``today``."""
    run = runner(conn)
    first, last = period_bounds(period, day)
    period_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plan_counts = _plan_counts(run, period_days, owner)
    days = [JournalDay(**_counts_for_day(run, d, owner, plan_counts[d])) for d in period_days]
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
    due, done = _period_plans(run, first, last_so_far, owner)
    start, end = day_start(first), day_start(last + timedelta(days=1))
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
        changes=_change_lines(run, start, end, owner),
        new_card_lines=_new_card_lines(run, start, end, owner),
    )


def plans_due_done(
    conn: Conn, first: date, last: date, owner: str | None = None
) -> dict[str | None, tuple[int, int]]:
    """{salesperson: (plans due on some day from first to last, of them those done in it)}:
    the follow-up discipline of a period for the week's journal, the report and plan check,
    from the running totals: due from ``last`` or before, less those no longer due by
    ``first`` (a plan is due on one unbroken run of days); done on their closing day."""
    if last < first:
        return {}
    rows = _rows(
        runner(conn), "period-plans", owner, first=first.isoformat(), last=last.isoformat()
    )
    return {
        r["owner"] or None: (int(r["due"]), int(r["done"])) for r in rows if r["due"] or r["done"]
    }


def _period_plans(
    run: Runner, first: date, last_so_far: date, owner: str | None
) -> tuple[int, int]:
    """Distinct plans due at some point in the period so far, and those of them done in it."""
    counts = plans_due_done(run, first, last_so_far, owner).values()
    return sum(due for due, _done in counts), sum(done for _due, done in counts)


def journal_of(
    book: Book, period: str | None, day: date, owner: str | None, today: date
) -> JournalDay | JournalWeek:
    """`leadbook journal` on ``book``: the day's journal, or the period's (week, half,
    month) holding ``day``; without SQLAlchemy on a SQLite book (``leadbook.store.fast``)."""
    from leadbook.store import fast

    def work(conn: Any) -> JournalDay | JournalWeek:
        if period:
            return period_journal(conn, period, day, owner, today=today)
        return day_journal(conn, day, owner)

    result: JournalDay | JournalWeek = fast.run(book, work, work)
    return result
