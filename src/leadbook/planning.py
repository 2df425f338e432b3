"""Reverse planning (倒推法, DOMAIN section 5): from a deal target and the conversion rates, how
many cards each stage needs, how many new prospects a week; saved, then checked week by week
and re-planned from the rates actually achieved."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, RowMapping

from leadbook.domain import FUNNEL_STAGES, stage_label
from leadbook.errors import InvalidValue, NotFound
from leadbook.funnel import flows
from leadbook.i18n import _
from leadbook.models.reports import Plan, StageNeed, WeekPlan
from leadbook.repository import inserted_id
from leadbook.schema import changes, customers, sales_plans

STEPS = FUNNEL_STAGES[:-1]  # prospect ... ready: each converts to the next
# Used when the book's history is too thin to measure a step (fewer than MIN_REACHED cards).
DEFAULT_RATES = {"prospect": 0.6, "contacted": 0.5, "interested": 0.5, "intent": 0.6, "ready": 0.7}
MIN_REACHED = 20
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


def choose_rates(
    observed: dict[str, tuple[float | None, int]], given: dict[str, float] | None
) -> tuple[dict[str, float], dict[str, str]]:
    rates, sources = {}, {}
    for stage in STEPS:
        value, reached = observed.get(stage, (None, 0))
        if given is not None:
            rates[stage], sources[stage] = given[stage], "given"
        elif value is not None and value > 0 and reached >= MIN_REACHED:
            rates[stage], sources[stage] = value, "observed"
        else:
            rates[stage], sources[stage] = DEFAULT_RATES[stage], "default"
    return rates, sources


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


def compute(
    target: int,
    won_so_far: int,
    pipeline: dict[str, int],
    rates: dict[str, float],
    sources: dict[str, str],
    weeks: list[date],
) -> tuple[list[StageNeed], float, int, list[WeekPlan]]:
    """The arithmetic of the plan: pure, so it is tested on its own."""
    remaining = max(target - won_so_far, 0)
    to_won: dict[str, float] = {}
    chance = 1.0
    for stage in reversed(STEPS):
        chance *= rates[stage]
        to_won[stage] = chance
    expected = sum(pipeline.get(s, 0) * to_won[s] for s in STEPS)
    needs = []
    have = 0
    for stage in reversed(STEPS):
        have += pipeline.get(stage, 0)
        needs.append(
            StageNeed(
                stage=stage,
                rate=round(rates[stage], 4),
                rate_source=sources[stage],
                to_won=round(to_won[stage], 4),
                need=math.ceil(remaining / to_won[stage]) if remaining else 0,
                have=have,
            )
        )
    needs.reverse()
    shortfall = max(remaining - expected, 0.0)
    new_needed = math.ceil(shortfall / to_won["prospect"] - 1e-9) if shortfall else 0
    plan_weeks = []
    if weeks:
        base, extra = divmod(new_needed, len(weeks))
        plan_weeks = [
            WeekPlan(week=w, new_planned=base + (1 if i < extra else 0))
            for i, w in enumerate(weeks)
        ]
    return needs, round(expected, 2), new_needed, plan_weeks


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
    observed = observed_rates(conn, today - timedelta(days=window), today, owner, today)
    rates, sources = choose_rates(observed, given)
    pipeline = open_pipeline(conn, owner)
    weeks = mondays(today, end)
    needs, expected, new_needed, plan_weeks = compute(target, 0, pipeline, rates, sources, weeks)
    plan = Plan(
        id=None,
        owner=owner,
        target=target,
        start=today,
        end=end,
        won_so_far=0,
        expected_from_pipeline=expected,
        new_needed=new_needed,
        weeks=plan_weeks,
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
    plan.id = inserted_id(
        conn.execute(
            sales_plans.insert().values(
                owner=plan.owner,
                target=plan.target,
                start=plan.start,
                end=plan.end,
                rates=json.dumps({s.stage: s.rate for s in plan.stages}),
                rates_source=json.dumps({s.stage: s.rate_source for s in plan.stages}),
                weekly=json.dumps(
                    [{"week": w.week.isoformat(), "new": w.new_planned} for w in plan.weeks]
                ),
                created_at=now,
                created_by=by,
            )
        )
    )
    return plan.id


def latest(conn: Connection, owner: str | None) -> RowMapping:
    query = select(sales_plans).order_by(sales_plans.c.id.desc()).limit(1)
    query = query.where(sales_plans.c.owner == owner if owner else sales_plans.c.owner.is_(None))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(_("no plan yet: make one with leadbook plan --target N --by DATE"))
    return row


def check(conn: Connection, today: date, owner: str | None) -> Plan:
    """Compare each week so far with the plan, re-plan the weeks left from the rates achieved
    since the plan began, and at the end summarise the average rates and completion."""
    row = latest(conn, owner)
    start, end, target = row["start"], row["end"], int(row["target"])
    planned_rates = json.loads(str(row["rates"]))
    weekly = {date.fromisoformat(w["week"]): int(w["new"]) for w in json.loads(str(row["weekly"]))}
    finished = today > end
    last_day = min(today, end)
    weeks: list[WeekPlan] = []
    for monday in mondays(start, end):
        week = WeekPlan(week=monday, new_planned=weekly.get(monday, 0))
        if monday <= last_day:
            lo, hi = max(monday, start), min(monday + timedelta(days=6), last_day)
            week.new_actual = new_between(conn, lo, hi, owner)
            week.won_actual = won_between(conn, lo, hi, owner)
            if week.new_planned:
                week.completion = round(week.new_actual / week.new_planned, 4)
        weeks.append(week)
    won = won_between(conn, start, last_day, owner)
    observed = observed_rates(conn, start, last_day, owner, today)
    measured = {
        s: v for s, (v, reached) in observed.items() if v is not None and reached >= MIN_REACHED
    }
    rates = {s: measured.get(s, planned_rates[s]) for s in STEPS}
    sources = {s: ("observed" if s in measured else "planned") for s in STEPS}
    ahead = (
        [w for w in weeks if w.week > last_day - timedelta(days=last_day.weekday())]
        if not finished
        else []
    )
    needs, expected, new_needed, replanned = compute(
        target, won, open_pipeline(conn, owner), rates, sources, [w.week for w in ahead]
    )
    for week, new in zip(ahead, replanned, strict=True):
        week.new_planned = new.new_planned
    done_weeks = [w.completion for w in weeks if w.completion is not None]
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
        s: (round(v, 4) if v is not None else None) for s, (v, _n) in observed.items()
    }
    plan.average_completion = round(sum(done_weeks) / len(done_weeks), 4) if done_weeks else None
    return plan
