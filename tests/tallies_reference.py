"""The funnel, the report and the journals counted from the rows: the independent reference the
running totals (leadbook.store.tallies) are tested against in tests/test_tallies.py.

The services read their counts from the totals the triggers keep. This module counts the same
figures from the cards, stage changes, plans and contacts themselves, each with its own query
written from the definitions (README "What the numbers mean", DOMAIN sections 5, 7 and 8): it
reads no totals, uses none of the triggers' SQL and none of the services' counting functions
(``journal.plans_due_done`` reads the totals: the plans due and done are counted here).

What it shares with the code under test, and why:

- the pure helpers that turn counts into what a screen shows, which read nothing:
  ``funnel._stage_rows`` (reached, went on, conversion per stage), ``funnel.diagnose``,
  ``report.from_counts`` (per-day rates and the rules of thumb) and ``journal.period_bounds``;
  they are the rules themselves, tested on their own, and the same whether the counts come from
  the totals or from here;
- the parts of the screens the services read from the rows and not from the totals, so there
  is no second source to compare: how long cards usually stay in a stage
  (``funnel.usual_dwell``), the won value (``funnel.won_value``, ``report._with_won_value``)
  and the lines of the journals (``journal._contact_lines``, ``_change_lines``,
  ``_new_card_lines``). The missed contacts are the exception: the service reads a bounded
  slice of the plans, and :func:`missed` reads them all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leadbook import funnel as funnels
from leadbook import journal as journals
from leadbook import report as reports
from leadbook.domain import FUNNEL_STAGES, STAGE_INDEX
from leadbook.i18n import _
from leadbook.models.journal import JournalDay, JournalWeek, MissedLine
from leadbook.models.lines import from_row
from leadbook.models.reports import Funnel, FunnelSplit, Report
from leadbook.store.schema import changes, customers, followups, plans
from leadbook.store.writes import runner

Counts = dict[str | None, dict[str, Any]]


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _days_between(conn: Connection, start: Any, end: Any) -> ColumnElement[Any]:
    """Days (with their fraction) from ``start`` to ``end``."""
    if conn.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def _greatest(conn: Connection, *args: Any) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return func.max(*args)  # max() with several arguments is scalar in SQLite
    return func.greatest(*args)


def _index(column: Any) -> ColumnElement[int]:
    return case(dict(STAGE_INDEX), value=column, else_=-1)


# --- the funnel -----------------------------------------------------------------------------


def _flows(conn: Connection, owner: str | None, by_owner: bool) -> dict[Any, tuple[int, int]]:
    """{(group, stage index): (reached, went on)} over the whole book: every card reached the
    stages up to the furthest it ever got, and went on from those before it."""
    query = select(customers.c.owner, customers.c.top_stage, func.count()).where(
        customers.c.top_stage.is_not(None)
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    tops: dict[str | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for o, top, n in conn.execute(query.group_by(customers.c.owner, customers.c.top_stage)):
        tops[o if by_owner else None][int(top)] += int(n)
    result = {}
    for group, by_top in tops.items():
        for i in range(len(FUNNEL_STAGES)):
            reached = sum(n for top, n in by_top.items() if top >= i)
            went_on = sum(n for top, n in by_top.items() if top > i)
            result[(group, i)] = (reached, went_on)
    return result


def period_flows(
    conn: Connection, since: date, until: date, owner: str | None
) -> dict[Any, tuple[int, int]]:
    """{(None, stage index): (reached, went on)} over the days ``since`` to ``until``: the
    period's stage changes of a card span a range of stages (a new card's first stage passes
    through every stage before it, a move forward through those after the old stage up to the
    new, a reopened card its new stage; a move back or to lost through none), and the card
    reached each stage of its range; it went on when its furthest stage is past it."""
    query = (
        select(changes.c.customer_id, changes.c.old, changes.c.new, customers.c.top_stage)
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(
            changes.c.field == "stage",
            changes.c.at >= _start(since),
            changes.c.at < _start(until + timedelta(days=1)),
        )
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    spans: dict[int, tuple[int, int, int]] = {}
    for cid, old, new, top in conn.execute(query):
        hi = STAGE_INDEX.get(new, -1)
        lo = 0 if old is None else hi if old == "lost" else STAGE_INDEX.get(old, -1) + 1
        if hi < 0 or lo > hi:
            continue
        low, high, _top = spans.get(cid, (lo, hi, top))
        spans[cid] = (min(low, lo), max(high, hi), -1 if top is None else int(top))
    result = {}
    for i in range(len(FUNNEL_STAGES)):
        inside = [top for low, high, top in spans.values() if low <= i <= high]
        result[(None, i)] = (len(inside), sum(1 for top in inside if top > i))
    return result


def _stage_now(
    conn: Connection, today: date, owner: str | None
) -> dict[str, tuple[int, float | None]]:
    """{stage: (cards at it now, their average days at it by the end of today)}."""
    now = datetime.combine(today, time.max)
    days = _days_between(conn, customers.c.stage_since, literal(now))
    query = select(customers.c.stage, func.count(), func.avg(days)).group_by(customers.c.stage)
    if owner:
        query = query.where(customers.c.owner == owner)
    return {s: (int(n), float(d) if d is not None else None) for s, n, d in conn.execute(query)}


def _lost_reasons(conn: Connection, owner: str | None) -> dict[str, int]:
    """{reason: cards ever lost for it}, most first; a card lost twice for one reason counts
    once."""
    reason = func.coalesce(changes.c.reason, "")
    query = (
        select(reason, func.count(func.distinct(changes.c.customer_id)))
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(changes.c.field == "stage", changes.c.new == "lost")
        .group_by(reason)
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    found = sorted(((r, int(n)) for r, n in conn.execute(query)), key=lambda x: (-x[1], x[0]))
    return {r or _("(no reason given)"): n for r, n in found}


def funnel(conn: Connection, today: date, owner: str | None = None) -> Funnel:
    """``funnel.funnel(conn, today, owner=owner)``: the whole book up to today."""
    flow = _flows(conn, owner, by_owner=False)
    now = _stage_now(conn, today, owner)
    stages = funnels._stage_rows(None, flow, {(None, s): n for s, (n, _d) in now.items()})
    usual = funnels.usual_dwell(conn, today, owner)
    for row in stages:
        if row.stage not in ("won", "lost"):
            days = now.get(row.stage, (0, None))[1]
            row.avg_days = round(days, 1) if days is not None else None
            row.usual_days = round(usual[row.stage], 1) if row.stage in usual else None
    result = Funnel(
        since=None,
        until=today,
        owner=owner,
        stages=stages,
        lost_reasons=_lost_reasons(conn, owner),
        won_value=funnels.won_value(conn, None, today, owner),
    )
    result.diagnosis = funnels.diagnose(result)
    return result


def split_by_owner(conn: Connection, today: date) -> FunnelSplit:
    """``funnel.split(conn, "owner", today)``: the whole book's funnel per salesperson,
    most cards first."""
    flow = _flows(conn, None, by_owner=True)
    counts: dict[tuple[str | None, str], int] = {}
    query = select(customers.c.owner, customers.c.stage, func.count()).group_by(
        customers.c.owner, customers.c.stage
    )
    for o, stage, n in conn.execute(query):
        counts[(o, stage)] = int(n)
    groups = sorted(
        {g for g, _i in flow} | {g for g, _s in counts},
        key=lambda g: (-flow.get((g, 0), (0, 0))[0], g is None, str(g)),
    )
    return FunnelSplit(
        by="owner",
        since=None,
        until=today,
        groups=[
            Funnel(
                since=None,
                until=today,
                owner=None,
                stages=funnels._stage_rows(g, flow, counts),
                lost_reasons={},
                won_value=Decimal(0),
                group=g,
            )
            for g in groups
        ],
    )


# --- plans due and done ---------------------------------------------------------------------


def _due_on(plan: Any, day: date) -> bool:
    """Due on the day: dated that day or before, existing on it, open at some time of it."""
    return (
        plan.due <= day
        and plan.created_on <= day
        and (plan.closed_on is None or plan.closed_on >= day)
    )


def _done_on(plan: Any, day: date) -> bool:
    """Done on the day: due on it, and closed by a contact of that day."""
    return (
        plan.status == "done"
        and plan.closed_on == day
        and plan.due <= day
        and plan.created_on <= day
    )


PLAN_DAYS = (plans.c.due, plans.c.created_on, plans.c.closed_on, plans.c.status)


def plans_on(conn: Connection, days: list[date], owner: str | None) -> list[tuple[int, int]]:
    """[(plans due on the day, plans done on it)] for each of ``days``: each count reads every
    plan."""
    scope = [plans.c.owner == owner] if owner else []
    every = conn.execute(select(*PLAN_DAYS).where(*scope)).all()
    return [
        (sum(_due_on(p, day) for p in every), sum(_done_on(p, day) for p in every)) for day in days
    ]


def plans_due_done(
    conn: Connection, first: date, last: date, owner: str | None
) -> dict[str | None, tuple[int, int]]:
    """{salesperson: (plans due on some day from first to last, of them those done in it)}:
    a plan is due on every day from its date (or its making, if later) to its closing."""
    if last < first:
        return {}
    start = _greatest(conn, plans.c.due, plans.c.created_on, first)
    due_in = and_(start <= last, or_(plans.c.closed_on.is_(None), plans.c.closed_on >= start))
    done_in = and_(due_in, plans.c.status == "done", plans.c.closed_on <= last)
    scope = [plans.c.owner == owner] if owner else []
    rows = conn.execute(
        select(plans.c.owner, func.count(), func.count(case((done_in, 1))))
        .where(due_in, *scope)
        .group_by(plans.c.owner)
    )
    return {o: (int(due), int(done)) for o, due, done in rows}


# --- the report -----------------------------------------------------------------------------


def _report_counts(
    conn: Connection, since: date, until: date, lived: date, owner: str | None
) -> Counts:
    """The counts per salesperson ``report.from_counts`` takes, one GROUP BY each."""
    start, end = _start(since), _start(until + timedelta(days=1))
    rows: Counts = defaultdict(lambda: defaultdict(int))
    who = customers.c.owner
    mine = [who == owner] if owner else []
    for o, n in conn.execute(
        select(who, func.count())
        .where(customers.c.created_at >= start, customers.c.created_at < end, *mine)
        .group_by(who)
    ):
        rows[o]["new_cards"] = n
    # Contacts made by each salesperson, by channel.
    for o, via, n in conn.execute(
        select(followups.c.by, followups.c.via, func.count())
        .where(
            followups.c.at >= start,
            followups.c.at < end,
            *([followups.c.by == owner] if owner else []),
        )
        .group_by(followups.c.by, followups.c.via)
    ):
        rows[o]["contacts"] += n
        rows[o].setdefault("by_channel", {})[via] = n
    # Calls to new prospects: first contacts made in the period, on each salesperson's cards.
    for o, n in conn.execute(
        select(who, func.count())
        .where(customers.c.first_contact_at >= start, customers.c.first_contact_at < end, *mine)
        .group_by(who)
    ):
        rows[o]["new_calls"] = n
    for o, (due, done) in plans_due_done(conn, since, lived, owner).items():
        rows[o]["due"], rows[o]["done"] = due, done
    # Stage changes in the period, on each salesperson's cards.
    advanced = and_(
        changes.c.old.is_not(None),
        changes.c.old != "lost",
        _index(changes.c.new) > _index(changes.c.old),
    )
    stage_in = [changes.c.field == "stage", changes.c.at >= start, changes.c.at < end, *mine]
    for o, adv, won, lost in conn.execute(
        select(
            who,
            func.count(case((advanced, 1))),
            func.count(case((changes.c.new == "won", 1))),
            func.count(case((changes.c.new == "lost", 1))),
        )
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(*stage_in)
        .group_by(who)
    ):
        if adv or won or lost:  # only moves back: nothing to report
            rows[o]["advances"], rows[o]["won"], rows[o]["lost"] = adv, won, lost
    # Days from first contact (or the card's creation) to each win in the period.
    began = func.coalesce(customers.c.first_contact_at, customers.c.created_at)
    for o, days in conn.execute(
        select(who, func.avg(_days_between(conn, began, changes.c.at)))
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(*stage_in, changes.c.new == "won")
        .group_by(who)
    ):
        rows[o]["avg_days"] = float(days) if days is not None else None
    return rows


def report(
    conn: Connection, since: date, until: date, today: date, owner: str | None = None
) -> Report:
    """``report.report(conn, since, until, today, owner)``."""
    rows = _report_counts(conn, since, until, min(until, today), owner)
    return reports.from_counts(
        reports._with_won_value(conn, rows, since, until, owner), since, until, today
    )


# --- the journals ---------------------------------------------------------------------------


def _completion(done: int, due: int) -> float | None:
    return round(done / due, 4) if due else None


def _days(conn: Connection, days: list[date], owner: str | None) -> list[JournalDay]:
    """Each day's contacts (by channel) made and cards created in it, and its plans due and
    done (as :func:`plans_on` counts them), from the rows of all the days."""
    start, end = _start(days[0]), _start(days[-1] + timedelta(days=1))
    made = [followups.c.by == owner] if owner else []
    by_channel: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for via, at in conn.execute(
        select(followups.c.via, followups.c.at).where(
            followups.c.at >= start, followups.c.at < end, *made
        )
    ):
        by_channel[at.date()][via] += 1
    created = [customers.c.owner == owner] if owner else []
    new_cards: dict[date, int] = defaultdict(int)
    for (at,) in conn.execute(
        select(customers.c.created_at).where(
            customers.c.created_at >= start, customers.c.created_at < end, *created
        )
    ):
        new_cards[at.date()] += 1
    return [
        JournalDay(
            date=day,
            contacts=sum(by_channel[day].values()),
            by_channel=dict(by_channel[day]),
            new_cards=new_cards[day],
            due=due,
            done=done,
            completion=_completion(done, due),
        )
        for day, (due, done) in zip(days, plans_on(conn, days, owner), strict=True)
    ]


def missed(conn: Connection, day: date, owner: str | None) -> list[MissedLine]:
    """The day's missed contacts as one query over every plan, earliest first, at most
    ``journal.MISSED_SHOWN`` (the service reads a slice bounded by the date of the Nth of each
    kind), with the grade each card had that day: what its first regrade after the day
    replaced (a card's first grade replaced none: steps run on shuffled days can add a card
    after a day its plan was made on)."""
    where = [plans.c.owner == owner] if owner else []
    then = (
        select(changes.c.old)
        .where(
            changes.c.customer_id == customers.c.id,
            changes.c.field == "grade",
            changes.c.old.is_not(None),
            changes.c.at >= _start(day + timedelta(days=1)),
        )
        .order_by(changes.c.at, changes.c.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            customers.c.number,
            customers.c.name,
            func.coalesce(then, customers.c.grade).label("grade"),
            plans.c.purpose,
            *PLAN_DAYS,
        )
        .join(customers, customers.c.id == plans.c.customer_id)
        .where(*where)
        .order_by(plans.c.due, customers.c.grade, customers.c.id, plans.c.id)
    )
    missed = [r._mapping for r in rows if _due_on(r, day) and not _done_on(r, day)]
    return [from_row(MissedLine, r) for r in missed[: journals.MISSED_SHOWN]]


def day_journal(conn: Connection, day: date, owner: str | None = None) -> JournalDay:
    """``journal.day_journal(conn, day, owner)``."""
    start, end = _start(day), _start(day + timedelta(days=1))
    (result,) = _days(conn, [day], owner)
    result.contact_lines = journals._contact_lines(runner(conn), start, end, owner)
    result.changes = journals._change_lines(runner(conn), start, end, owner)
    result.new_card_lines = journals._new_card_lines(runner(conn), start, end, owner)
    result.missed = missed(conn, day, owner)
    return result


def _activity(days: list[JournalDay]) -> dict[str, Any]:
    """A period's contacts (by channel) and new cards: those of its days."""
    by_channel: Counter[str] = Counter()
    for d in days:
        by_channel.update(d.by_channel)
    return {
        "contacts": sum(d.contacts for d in days),
        "by_channel": dict(by_channel),
        "new_cards": sum(d.new_cards for d in days),
    }


def period_journal(
    conn: Connection, period: str, day: date, owner: str | None = None, today: date | None = None
) -> JournalWeek:
    """``journal.period_journal(conn, period, day, owner, today)``: days after today show what
    is planned, with no completion, and the period's due and done stop at today."""
    first, last = journals.period_bounds(period, day)
    days = _days(conn, [first + timedelta(days=i) for i in range((last - first).days + 1)], owner)
    so_far = last
    if today is not None:
        for d in days:
            if d.date > today:
                d.completion = None
        so_far = min(last, today)
    counts = plans_due_done(conn, first, so_far, owner).values()
    due, done = sum(c[0] for c in counts), sum(c[1] for c in counts)
    start, end = _start(first), _start(last + timedelta(days=1))
    return JournalWeek(
        period=period,
        start=first,
        end=last,
        days=days,
        **_activity(days),
        due=due,
        done=done,
        completion=_completion(done, due),
        changes=journals._change_lines(runner(conn), start, end, owner),
        new_card_lines=journals._new_card_lines(runner(conn), start, end, owner),
    )


def week_journal(
    conn: Connection, day: date, owner: str | None = None, today: date | None = None
) -> JournalWeek:
    """``journal.week_journal(conn, day, owner, today)``."""
    return period_journal(conn, "week", day, owner, today)
