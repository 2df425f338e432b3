"""The sales funnel (DOMAIN section 5): stage counts, flow and conversion from the stage
history, and the shape diagnosis the method teaches. All counting is done in SQL.

A card *reaches* a stage in the period when a stage change in the period moves it into that
stage or past it: a jump from prospect to intent passes through contacted and interested, and
a new card reaches every stage up to the one it starts in. Its *conversion* is the share of the
cards that reached a stage in the period which reached the next one by the period's end.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leadbook.domain import FUNNEL_STAGES, STAGES
from leadbook.i18n import _
from leadbook.models.reports import Diagnosis, Funnel, FunnelSplit, StageFlow
from leadbook.schema import changes, customers, deals

BY_FIELDS = ("source", "source_detail", "industry", "district", "owner")
INDEX = {s: i for i, s in enumerate(FUNNEL_STAGES)}  # prospect 0 ... won 5


def _index(column: Any) -> ColumnElement[int]:
    return case({s: i for s, i in INDEX.items()}, value=column, else_=-1)


def _end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


def _scope(owner: str | None, by: str | None, group: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if owner:
        where.append(customers.c.owner == owner)
    if by and group is not None:
        column = customers.c[by]
        where.append(column == group if group else column.is_(None))
    return where


def flows(
    conn: Connection,
    since: date | None,
    until: date,
    owner: str | None = None,
    by: str | None = None,
) -> dict[tuple[str | None, int], tuple[int, int]]:
    """{(group, stage index): (reached, went on)} in one query."""
    hi = _index(changes.c.new)
    lo = case(
        (changes.c.old.is_(None), literal(0)),
        (changes.c.old == "lost", hi),
        else_=_index(changes.c.old) + 1,
    )
    scoped = _scope(owner, None, None)
    group_col = customers.c[by] if by else literal(None)
    history = (
        select(
            changes.c.customer_id.label("cid"),
            changes.c.at.label("at"),
            lo.label("lo"),
            hi.label("hi"),
            group_col.label("grp"),
        )
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(changes.c.field == "stage", changes.c.at < _end(until), *scoped)
        .cte("history")
    )
    top = (
        select(history.c.cid, func.max(history.c.hi).label("top"))
        .group_by(history.c.cid)
        .cte("top")
    )
    stages = union_all(
        *[select(literal(i, Integer).label("idx")) for i in range(len(FUNNEL_STAGES))]
    ).cte("stages")
    in_period = [history.c.at >= datetime.combine(since, time.min)] if since else []
    query = (
        select(
            history.c.grp,
            stages.c.idx,
            func.count(func.distinct(history.c.cid)),
            func.count(func.distinct(case((top.c.top > stages.c.idx, history.c.cid)))),
        )
        .select_from(history)
        .join(stages, and_(stages.c.idx >= history.c.lo, stages.c.idx <= history.c.hi))
        .join(top, top.c.cid == history.c.cid)
        .where(*in_period)
        .group_by(history.c.grp, stages.c.idx)
    )
    return {(g, int(i)): (int(r), int(w)) for g, i, r, w in conn.execute(query)}


def current_counts(
    conn: Connection, owner: str | None = None, by: str | None = None
) -> dict[tuple[str | None, str], int]:
    group_col = customers.c[by] if by else literal(None)
    query = select(group_col, customers.c.stage, func.count()).group_by(
        group_col, customers.c.stage
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    return {(g, s): int(n) for g, s, n in conn.execute(query)}


def dwell(
    conn: Connection, today: date, owner: str | None = None
) -> dict[str, tuple[float | None, float | None]]:
    """{stage: (average days open cards have sat in it, average days cards stayed in it)}."""
    nxt = func.lead(changes.c.at).over(
        partition_by=changes.c.customer_id, order_by=(changes.c.at, changes.c.id)
    )
    steps = (
        select(changes.c.customer_id, changes.c.new, changes.c.at, nxt.label("left_at"))
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(changes.c.field == "stage", *_scope(owner, None, None))
        .subquery()
    )
    days = _days_between(conn, steps.c.at, steps.c.left_at)
    rows = conn.execute(
        select(steps.c.new, func.avg(days))
        .where(steps.c.left_at.is_not(None))
        .group_by(steps.c.new)
    )
    usual = {s: float(v) for s, v in rows if v is not None}
    now = datetime.combine(today, time.max)
    open_rows = conn.execute(
        select(steps.c.new, func.avg(_days_between(conn, steps.c.at, literal(now))))
        .join(
            customers, and_(customers.c.id == steps.c.customer_id, customers.c.stage == steps.c.new)
        )
        .where(steps.c.left_at.is_(None))
        .group_by(steps.c.new)
    )
    current = {s: float(v) for s, v in open_rows if v is not None}
    return {s: (current.get(s), usual.get(s)) for s in STAGES}


def _days_between(conn: Connection, start: Any, end: Any) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def lost_reasons(
    conn: Connection, since: date | None, until: date, owner: str | None = None
) -> dict[str, int]:
    reason = func.coalesce(changes.c.reason, customers.c.lost_reason, "")
    query = (
        select(reason, func.count(func.distinct(changes.c.customer_id)))
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(changes.c.field == "stage", changes.c.new == "lost", changes.c.at < _end(until))
        .where(*_scope(owner, None, None))
        .group_by(reason)
        .order_by(func.count(func.distinct(changes.c.customer_id)).desc())
    )
    if since:
        query = query.where(changes.c.at >= datetime.combine(since, time.min))
    return {r or _("(no reason given)"): int(n) for r, n in conn.execute(query)}


def won_value(
    conn: Connection, since: date | None, until: date, owner: str | None = None
) -> Decimal:
    query = (
        select(func.coalesce(func.sum(deals.c.amount_cents), 0))
        .join(customers, customers.c.id == deals.c.customer_id)
        .where(deals.c.date <= until, *_scope(owner, None, None))
    )
    if since:
        query = query.where(deals.c.date >= since)
    return Decimal(int(conn.execute(query).scalar_one())).scaleb(-2)


def _stage_rows(
    group: str | None,
    flow: dict[tuple[str | None, int], tuple[int, int]],
    counts: dict[tuple[str | None, str], int],
) -> list[StageFlow]:
    rows = []
    for stage in STAGES:
        if stage == "lost":
            reached = went_on = 0
        else:
            reached, went_on = flow.get((group, INDEX[stage]), (0, 0))
        conversion = None
        if stage not in ("won", "lost") and reached:
            conversion = round(went_on / reached, 4)
        rows.append(
            StageFlow(
                stage=stage,
                count=counts.get((group, stage), 0),
                reached=reached,
                went_on=went_on if stage not in ("won", "lost") else 0,
                conversion=conversion,
            )
        )
    return rows


def funnel(
    conn: Connection,
    today: date,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
) -> Funnel:
    until = until or today
    flow = flows(conn, since, until, owner)
    counts = current_counts(conn, owner)
    stages = _stage_rows(None, flow, counts)
    for row in stages:
        row.avg_days, row.usual_days = None, None
    for stage, (current, usual) in dwell(conn, today, owner).items():
        row = next(r for r in stages if r.stage == stage)
        if stage not in ("won", "lost"):
            row.avg_days = round(current, 1) if current is not None else None
            row.usual_days = round(usual, 1) if usual is not None else None
    result = Funnel(
        since=since,
        until=until,
        owner=owner,
        stages=stages,
        lost_reasons=lost_reasons(conn, since, until, owner),
        won_value=won_value(conn, since, until, owner),
    )
    result.diagnosis = diagnose(result)
    return result


def split(
    conn: Connection,
    by: str,
    today: date,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
) -> FunnelSplit:
    """The funnel per value of a card field (source, industry, district, owner)."""
    until = until or today
    flow = flows(conn, since, until, owner, by=by)
    counts = current_counts(conn, owner, by=by)
    groups = sorted(
        {g for g, _ in flow} | {g for g, _ in counts},
        key=lambda g: (-flow.get((g, 0), (0, 0))[0], g is None, str(g)),
    )
    funnels = []
    for group in groups:
        stages = _stage_rows(group, flow, counts)
        funnels.append(
            Funnel(
                since=since,
                until=until,
                owner=owner,
                stages=stages,
                lost_reasons={},
                won_value=Decimal(0),
                group=group,
            )
        )
    return FunnelSplit(by=by, since=since, until=until, groups=funnels)


def diagnose(f: Funnel) -> list[Diagnosis]:
    """The shapes DOMAIN section 5 tells apart, and what else the numbers make obvious."""
    now = {r.stage: r.count for r in f.stages}
    top = now["prospect"] + now["contacted"]
    middle = now["interested"]
    near = now["intent"] + now["ready"]
    won = next(r.reached for r in f.stages if r.stage == "won")
    found: list[Diagnosis] = []
    if middle >= 3 and middle > top and middle > 2 * max(near, won):
        found.append(
            Diagnosis(
                "pile-at-interested",
                _(
                    "{n} cards sit at interested, more than the top of the funnel ({top}) and far more "
                    "than are near a deal ({near})."
                ).format(n=middle, top=top, near=near),
                _(
                    "Close the interested ones quickly: push each to a purchase date. Then refill "
                    "the top with new prospects."
                ),
                "interested",
            )
        )
    if top >= 5 and (near + won) >= 3 and middle * 3 < min(top, near + won):
        found.append(
            Diagnosis(
                "thin-interested",
                _(
                    "Only {n} cards at interested under {top} prospects and {deals} near or at a deal."
                ).format(n=middle, top=top, deals=near + won),
                _(
                    "The deals will dry up when the current ones close: move prospects down to "
                    "interested now."
                ),
                "interested",
            )
        )
    if top < 5:
        found.append(
            Diagnosis(
                "empty-top",
                _("Only {n} cards at the top of the funnel.").format(n=top),
                _(
                    "Refill it: at least 5 calls a day to new prospects, at least 5 new customers a "
                    "month."
                ),
                "prospect",
            )
        )
    rates = [
        (r.stage, r.conversion) for r in f.stages if r.conversion is not None and r.reached >= 5
    ]
    if len(rates) >= 3:
        ordered = sorted(v for _, v in rates)
        median = ordered[len(ordered) // 2]
        for stage, value in rates:
            if value < median / 2:
                found.append(
                    Diagnosis(
                        "weak-step",
                        _(
                            "Only {rate:.0%} of the cards that reached {stage} went further (the "
                            "other steps: about {median:.0%})."
                        ).format(rate=value, stage=_stage(stage), median=median),
                        _("This is the step to work on: look at why cards stop at {stage}.").format(
                            stage=_stage(stage)
                        ),
                        stage,
                    )
                )
    for r in f.stages:
        if (
            r.avg_days is not None
            and r.usual_days is not None
            and r.count >= 3
            and r.usual_days >= 1
            and r.avg_days > 2 * r.usual_days
        ):
            found.append(
                Diagnosis(
                    "slow-stage",
                    _(
                        "Cards at {stage} have sat there {days:.0f} days on average; cards usually "
                        "move on after {usual:.0f}."
                    ).format(stage=_stage(r.stage), days=r.avg_days, usual=r.usual_days),
                    _("Call them this week: move each forward, or grade it down honestly."),
                    r.stage,
                )
            )
    if not found:
        found.append(
            Diagnosis(
                "healthy",
                _("Each level is smaller than the one above it by its conversion rate."),
                _("Healthy: keep topping up every level in proportion."),
            )
        )
    elif _is_tapering(f) and not any(
        d.code in ("pile-at-interested", "thin-interested") for d in found
    ):
        found.insert(
            0,
            Diagnosis(
                "healthy",
                _("Each level is smaller than the one above it by its conversion rate."),
                _("Healthy: keep topping up every level in proportion."),
            ),
        )
    return found


def _is_tapering(f: Funnel) -> bool:
    reached = [r.reached for r in f.stages if r.stage in FUNNEL_STAGES]
    return all(a >= b for a, b in itertools.pairwise(reached)) and reached[0] > 0


def _stage(stage: str) -> str:
    from leadbook.domain import stage_label

    return stage_label(stage)
