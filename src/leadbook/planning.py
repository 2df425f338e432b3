"""Reverse planning (倒推法, DOMAIN section 5): from a deal target and the conversion rates, how
many cards each stage needs, how many new prospects a week; saved, then checked week by week
and re-planned from the rates actually achieved.

The definitions, written once here:

- *Still needed* (``still_needed``): work back from the deals still to win. The cards ``ready``
  needs are the deals over its rate; the cards at ``ready`` now count against that, and the
  rest (its gap) must come from ``intent``: ``intent`` needs that gap over its rate, and so on
  up. The gap at ``prospect`` is the number of new prospects still needed, the one figure both
  ``plan`` and ``plan check`` show. It is zero exactly when the cards you have are expected to
  bring the deals (each card counted at its stage's chance to be won).
- *The plan's weeks* (``plan_weeks``): Monday to Sunday, from the day the plan is made to its
  end date. A week's share of the new prospects is in proportion to its working days (Monday
  to Friday, as ``report`` counts them) inside the plan: a plan made on a Wednesday gives that
  week 3/5 of a full week, one made at the weekend begins the next Monday, and a last week
  ending on a Wednesday gets 3/5 too. By the end of each week the plan asks for the share of
  the new prospects its working days so far make, rounded up (``spread``).
- *A week's completion*: new cards added in the week's days of the plan over the quota the
  plan gave it. ``plan check`` re-plans the weeks not yet begun: they share what is still
  needed, less what is left of the quota of the week under way. A week is over once its last
  working day in the plan is past; the average weekly completion is over the weeks that are.
- *Achieved rates* (``achieved_rates``): of the cards at a stage at some time in the plan's
  period (there when it began, or reaching it during it: a jump passes through), the share
  that reached a further stage by the period's end (or today).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection, RowMapping

from leadbook.domain import STAGE_INDEX, stage_label
from leadbook.errors import InvalidValue, NotFound
from leadbook.funnel import DEFAULT_RATES, MIN_REACHED, STEPS, choose_rates, flows
from leadbook.i18n import _
from leadbook.models.reports import Plan, StageNeed, WeekPlan
from leadbook.parsing import add_months
from leadbook.sqlexpr import stage_index
from leadbook.store.schema import changes, customers, sales_plans

DEFAULT_WINDOW = 180


def parse_rates(text: str) -> dict[str, float]:
    """Five rates, prospect→contacted ... ready→won, as 0.6 or 60%."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if len(parts) != len(STEPS):
        raise InvalidValue(
            _(
                "--rates needs {n} rates (prospect→contacted, contacted→interested, "
                "interested→intent, intent→ready, ready→won), e.g. 0.6,0.5,0.5,0.6,0.7"
            ).format(n=len(STEPS))
        )
    rates = {}
    for stage, part in zip(STEPS, parts, strict=True):
        try:
            value = float(part[:-1]) / 100 if part.endswith("%") else float(part)
        except ValueError:
            raise InvalidValue(
                _("{text!r} is not a rate: write 0.6 or 60%").format(text=part)
            ) from None
        if not 0 < value <= 1:
            raise InvalidValue(
                _("a rate must be above 0 and at most 1 (100%), not {text!r}").format(text=part)
            )
        rates[stage] = value
    return rates


def observed_rates(
    conn: Connection, since: date, until: date, owner: str | None, today: date
) -> dict[str, tuple[float | None, int]]:
    """{stage: (conversion to the next stage, cards that reached it)} over the window."""
    flow = flows(conn, since, until, owner, today=today)
    result = {}
    for i, stage in enumerate(STEPS):
        reached, went_on = flow.get((None, i), (0, 0))
        result[stage] = (went_on / reached if reached else None, reached)
    return result


def open_pipeline(conn: Connection, owner: str | None) -> dict[str, int]:
    query = select(customers.c.stage, func.count()).where(customers.c.stage.in_(STEPS))
    if owner:
        query = query.where(customers.c.owner == owner)
    return {s: int(n) for s, n in conn.execute(query.group_by(customers.c.stage))}


def won_between(conn: Connection, start: date, end: date, owner: str | None) -> int:
    query = select(func.count(func.distinct(changes.c.customer_id))).where(
        changes.c.field == "stage",
        changes.c.new == "won",
        changes.c.at >= datetime.combine(start, time.min),
        changes.c.at < datetime.combine(end + timedelta(days=1), time.min),
    )
    if owner:
        query = query.join(customers, customers.c.id == changes.c.customer_id).where(
            customers.c.owner == owner
        )
    return int(conn.execute(query).scalar_one())


def new_between(conn: Connection, start: date, end: date, owner: str | None) -> int:
    query = select(func.count()).where(
        customers.c.created_at >= datetime.combine(start, time.min),
        customers.c.created_at < datetime.combine(end + timedelta(days=1), time.min),
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    return int(conn.execute(query.select_from(customers)).scalar_one())


def mondays(start: date, end: date) -> list[date]:
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(days=7 * i) for i in range((end - first).days // 7 + 1)]


def working_days_in(start: date, end: date) -> int:
    """Monday to Friday from start to end, both included (0 if end is before start)."""
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(i)).weekday() < 5)


def plan_weeks(start: date, end: date) -> list[tuple[date, int]]:
    """(Monday, working days of that week inside start..end) for each week the plan covers: a
    week with no working day left in it (a plan made at the weekend) is not one of them."""
    weeks = []
    for monday in mondays(start, end):
        days = working_days_in(max(monday, start), min(monday + timedelta(days=6), end))
        if days:
            weeks.append((monday, days))
    return weeks


def spread(total: int, days: list[int]) -> list[int]:
    """Share total over weeks in proportion to their working days: by the end of each week, the
    share its working days so far make, rounded up (the early weeks carry any odd one)."""
    whole = sum(days)
    if not whole:
        return [0] * len(days)
    result, given, so_far = [], 0, 0
    for d in days:
        so_far += d
        by_now = -(-total * so_far // whole)  # ceil in integers
        result.append(by_now - given)
        given = by_now
    return result


def _up(value: float) -> int:
    """Round a count up, forgiving float dust (2.0000000001 cards is 2)."""
    return max(math.ceil(value - 1e-9), 0)


def still_needed(
    remaining: int,
    pipeline: dict[str, int],
    rates: dict[str, float],
    sources: dict[str, str],
) -> list[StageNeed]:
    """What each stage needs, working back from the deals still to win (倒推法): the one place
    the figure "new prospects still needed" (the gap at prospect) is computed.

    ready needs remaining / rate(ready) cards; the cards at ready now count against that, and
    the rest (its gap) must come up from intent, which needs that gap over its rate; and so on
    to prospect, whose gap is the new prospects to find. Counts are rounded up only when shown,
    so on every row Gap = Need - Have, or 0 when the stage has enough."""
    rows = []
    chance = 1.0
    gap = float(remaining)
    for stage in reversed(STEPS):
        chance *= rates[stage]
        need = gap / rates[stage]
        have = pipeline.get(stage, 0)
        gap = max(need - have, 0.0)
        rows.append(
            StageNeed(
                stage=stage,
                rate=round(rates[stage], 4),
                rate_source=sources[stage],
                to_won=round(chance, 4),
                need=_up(need),
                have=have,
                gap=_up(gap),
            )
        )
    rows.reverse()
    return rows


def compute(
    target: int,
    won_so_far: int,
    pipeline: dict[str, int],
    rates: dict[str, float],
    sources: dict[str, str],
    weeks: list[date],
    days: list[int] | None = None,
) -> tuple[list[StageNeed], float, int, list[WeekPlan]]:
    """The arithmetic of the plan: pure, so it is tested on its own. ``days`` are the weeks'
    working days in the plan (a full week, 5, when not given)."""
    remaining = max(target - won_so_far, 0)
    needs = still_needed(remaining, pipeline, rates, sources)
    expected = sum(pipeline.get(n.stage, 0) * _chance(rates, n.stage) for n in needs)
    new_needed = needs[0].gap
    week_days = days if days is not None else [5] * len(weeks)
    weekly = [
        WeekPlan(week=w, new_planned=n, days=d)
        for w, n, d in zip(weeks, spread(new_needed, week_days), week_days, strict=True)
    ]
    return needs, round(expected, 2), new_needed, weekly


def _chance(rates: dict[str, float], stage: str) -> float:
    """The chance a card at stage becomes a deal: the product of the rates from it to won."""
    chance = 1.0
    for s in STEPS[STEPS.index(stage) :]:
        chance *= rates[s]
    return chance


MAX_PLAN_YEARS = 3  # a reverse plan looks months ahead; 2199 printed 9,000 weekly lines


def make_plan(
    conn: Connection,
    *,
    target: int,
    end: date,
    today: date,
    owner: str | None,
    given: dict[str, float] | None,
    window: int = DEFAULT_WINDOW,
) -> Plan:
    if target <= 0:
        raise InvalidValue(_("the target is a number of deals above zero"))
    if end < today:
        raise InvalidValue(_("--by {date} is in the past").format(date=end))
    if end > add_months(today, 12 * MAX_PLAN_YEARS):
        raise InvalidValue(
            _(
                "--by {date} is more than {years} years away: plan a year or a quarter, and "
                "plan again as it goes (倒推法)"
            ).format(date=end, years=MAX_PLAN_YEARS)
        )
    weeks = plan_weeks(today, end)
    if not weeks:
        raise InvalidValue(
            _(
                "from {start} to {end} there is no working day (Monday to Friday) to plan: "
                "give a later --by"
            ).format(start=today, end=end)
        )
    observed = observed_rates(conn, today - timedelta(days=window), today, owner, today)
    rates, sources = choose_rates(observed, given)
    pipeline = open_pipeline(conn, owner)
    needs, expected, new_needed, weekly = compute(
        target, 0, pipeline, rates, sources, [w for w, _d in weeks], [d for _w, d in weeks]
    )
    plan = Plan(
        id=None,
        owner=owner,
        target=target,
        start=today,
        end=end,
        won_so_far=0,
        expected_from_pipeline=expected,
        new_needed=new_needed,
        weeks=weekly,
        stages=needs,
        window_days=window,
    )
    plan.notes = _notes(sources, observed, window)
    return plan


def _notes(
    sources: dict[str, str], observed: dict[str, tuple[float | None, int]], window: int
) -> list[str]:
    thin = [s for s in STEPS if sources[s] == "default"]
    if not thin:
        return []
    return [
        _(
            "History is too thin to measure {steps} (fewer than {n} cards reached them in the last "
            "{days} days): the plan uses the default rates {defaults}. Give your own with --rates."
        ).format(
            steps=", ".join(stage_label(s) for s in thin),
            n=MIN_REACHED,
            days=window,
            defaults=", ".join(f"{DEFAULT_RATES[s]:.0%}" for s in thin),
        )
    ]


def save(conn: Connection, plan: Plan, now: datetime, by: str) -> int:
    from leadbook.store.sales_plans import insert_plan

    plan.id = insert_plan(
        conn,
        {
            "owner": plan.owner,
            "target": plan.target,
            "start": plan.start,
            "end": plan.end,
            "rates": json.dumps({s.stage: s.rate for s in plan.stages}),
            "rates_source": json.dumps({s.stage: s.rate_source for s in plan.stages}),
            "weekly": json.dumps(
                [
                    {"week": w.week.isoformat(), "new": w.new_planned, "days": w.days}
                    for w in plan.weeks
                ]
            ),
            "created_at": now,
            "created_by": by,
        },
    )
    return plan.id


def latest(conn: Connection, owner: str | None) -> RowMapping:
    query = select(sales_plans).order_by(sales_plans.c.id.desc()).limit(1)
    query = query.where(sales_plans.c.owner == owner if owner else sales_plans.c.owner.is_(None))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(_("no plan yet: make one with leadbook plan --target N --by DATE"))
    return row


def achieved_rates(
    conn: Connection, start: date, until: date, owner: str | None
) -> dict[str, tuple[float | None, int]]:
    """{stage: (share that went further, cards at it during start..until)}.

    A card was at a stage during the period if it was there when the period began or reached it
    during the period (a jump passes through the stages between); it went further if it reached
    a later funnel stage by the period's end. A stage nobody was at has no rate (None).

    A card's stage when the period began is the old stage of its first stage change since then,
    or its stage now if it has none; cards added in the period start nowhere and reach the
    stages up to the one they were added at."""
    begin = datetime.combine(start, time.min)
    stop = datetime.combine(until + timedelta(days=1), time.min)
    hi = stage_index(changes.c.new)
    lo = case(
        (changes.c.old.is_(None), literal(0)),
        (changes.c.old == "lost", hi),
        else_=stage_index(changes.c.old) + 1,
    )
    forward = and_(lo <= hi, hi >= 0, changes.c.at < stop)
    order = func.row_number().over(
        partition_by=changes.c.customer_id, order_by=(changes.c.at, changes.c.id)
    )
    since_begin = (
        select(
            changes.c.customer_id.label("cid"),
            func.coalesce(changes.c.old, "").label("old"),
            case((forward, lo)).label("lo"),
            case((forward, hi)).label("hi"),
            order.label("n"),
        )
        .where(changes.c.field == "stage", changes.c.at >= begin)
        .subquery()
    )
    per_card = (
        select(
            since_begin.c.cid,
            func.max(case((since_begin.c.n == 1, since_begin.c.old))).label("first_old"),
            func.min(since_begin.c.lo).label("lo"),
            func.max(since_begin.c.hi).label("hi"),
        )
        .group_by(since_begin.c.cid)
        .subquery()
    )
    at_start = case(
        (per_card.c.cid.is_(None), customers.c.stage), else_=per_card.c.first_old
    ).label("at_start")
    query = (
        select(at_start, per_card.c.lo, per_card.c.hi, func.count())
        .select_from(customers.outerjoin(per_card, per_card.c.cid == customers.c.id))
        .where(or_(customers.c.created_at < begin, per_card.c.cid.is_not(None)))
        .group_by(at_start, per_card.c.lo, per_card.c.hi)
    )
    if owner:
        query = query.where(customers.c.owner == owner)
    reached = dict.fromkeys(STEPS, 0)
    went_on = dict.fromkeys(STEPS, 0)
    for first, low, high, n in conn.execute(query):
        began = STAGE_INDEX.get(first)
        for i, stage in enumerate(STEPS):
            moved_through = low is not None and int(low) <= i <= int(high)
            if began == i or moved_through:
                reached[stage] += int(n)
                if high is not None and int(high) > i:
                    went_on[stage] += int(n)
    return {s: (went_on[s] / reached[s] if reached[s] else None, reached[s]) for s in STEPS}


def check(conn: Connection, today: date, owner: str | None) -> Plan:
    """Compare each week so far with the plan, re-plan the weeks after this one from what is
    still needed and the rates achieved since the plan began, and after the end date summarise
    the period: the average rates achieved and each week's completion."""
    row = latest(conn, owner)
    start, end, target = row["start"], row["end"], int(row["target"])
    planned_rates = json.loads(str(row["rates"]))
    weekly = {date.fromisoformat(w["week"]): int(w["new"]) for w in json.loads(str(row["weekly"]))}
    finished = today > end
    last_day = min(today, end)
    weeks: list[WeekPlan] = []
    open_quota = 0  # what is left of the quota of the week under way
    for monday, days in plan_weeks(start, end):
        week = WeekPlan(week=monday, new_planned=weekly.get(monday, 0), days=days)
        if monday <= last_day:
            lo, hi = max(monday, start), min(monday + timedelta(days=6), last_day)
            week.new_actual = new_between(conn, lo, hi, owner)
            week.won_actual = won_between(conn, lo, hi, owner)
            if week.new_planned:
                week.completion = round(week.new_actual / week.new_planned, 4)
            if not _over(week, end, today):
                open_quota = max(week.new_planned - week.new_actual, 0)
        weeks.append(week)
    won = won_between(conn, start, last_day, owner)
    achieved = achieved_rates(conn, start, last_day, owner)
    measured = {
        s: v for s, (v, reached) in achieved.items() if v is not None and reached >= MIN_REACHED
    }
    rates = {s: measured.get(s, planned_rates[s]) for s in STEPS}
    sources = {s: ("observed" if s in measured else "planned") for s in STEPS}
    needs, expected, new_needed, _weekly = compute(
        target, won, open_pipeline(conn, owner), rates, sources, []
    )
    if finished:
        needs, new_needed = [], 0
    # Every week keeps the quota the plan gave it (what its completion is measured against);
    # the weeks not begun also get their share of what is still needed, less what is left of
    # the quota of the week under way: the re-plan.
    ahead = [w for w in weeks if w.week > today]
    later = spread(new_needed - min(open_quota, new_needed), [w.days for w in ahead])
    for week, quota in zip(ahead, later, strict=True):
        week.replanned = quota
    over = [w.completion for w in weeks if w.completion is not None and _over(w, end, today)]
    plan = Plan(
        id=int(row["id"]),
        owner=owner,
        target=target,
        start=start,
        end=end,
        won_so_far=won,
        expected_from_pipeline=expected,
        new_needed=new_needed,
        weeks=weeks,
        stages=needs,
        window_days=(last_day - start).days + 1,
        finished=finished,
    )
    plan.average_rates = {
        s: (round(v, 4) if v is not None else None) for s, (v, _n) in achieved.items()
    }
    plan.average_completion = round(sum(over) / len(over), 4) if over else None
    return plan


def _over(week: WeekPlan, end: date, today: date) -> bool:
    """A week is over once its last working day in the plan is behind us."""
    return min(week.week + timedelta(days=4), end) < today


def plan(
    conn: Connection,
    *,
    target: int,
    end: date,
    today: date,
    now: datetime,
    by: str,
    owner: str | None = None,
    given: dict[str, float] | None = None,
    window: int = DEFAULT_WINDOW,
    dry_run: bool = False,
) -> Plan:
    """`leadbook plan`: the plan for ``target`` deals by ``end``, saved unless ``dry_run``."""
    if not 7 <= window <= 3650:
        raise InvalidValue(_("--window is a number of days from 7 to 3650"))
    made = make_plan(
        conn, target=target, end=end, today=today, owner=owner, given=given, window=window
    )
    if not dry_run:
        save(conn, made, now, by)
    return made
