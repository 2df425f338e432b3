"""The sales funnel (DOMAIN section 5): stage counts, flow and conversion from the stage
history, and the shape diagnosis the method teaches. All counting is done in SQL; the
whole-book figures (cards per stage, how far each got, days in the stage, lost reasons) are
read from the running totals (leadbook.store.tallies), which ``tests/tallies_reference.py``
counts from the rows for the tests to compare.

A card *reaches* a stage in the period when a stage change in the period moves it into that
stage or past it: a jump from prospect to intent passes through contacted and interested, and
a new card reaches every stage up to the one it starts in. Its *conversion* is the share of the
cards that reached a stage in the period which reached the next one by the period's end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from leadbook.clock import day_start
from leadbook.domain import FUNNEL_STAGES, STAGE_INDEX, STAGES, money
from leadbook.i18n import _, ngettext
from leadbook.models.reports import Diagnosis, Funnel, FunnelSplit, StageFlow
from leadbook.store.agenda import SPLITS, funnel_key
from leadbook.store.reads import totals
from leadbook.store.writes import runner

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.writes import Conn

BY_FIELDS = SPLITS


def _end(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def flows(
    conn: Conn,
    since: date | None,
    until: date,
    owner: str | None = None,
    by: str | None = None,
    today: date | None = None,
) -> dict[tuple[str | None, int], tuple[int, int]]:
    """{(group, stage index): (reached, went on)}.

    Over the whole book up to today this reads the cards' summaries alone: every card reached
    the stages up to the furthest it ever got (``top_stage``), counted by the running totals
    for everyone or per salesperson. For a period, the stage changes in it give each card the
    range of stages it moved through; whether it went further is its furthest stage by the
    period's end. A period that ends today (no stage change dated after it) reads that from
    the running totals too (``_reached_since``); a past one or one split by a field, from the
    stage changes."""
    run = runner(conn)
    current = today is None or until >= today
    if since is None and current:
        tops: dict[str | None, dict[int, int]] = {}
        if by in (None, "owner"):
            for o, key, n, _t in totals(run, "stage", owner):
                top = key.partition("/")[2]
                if top:
                    group = o if by else None
                    tops.setdefault(group, {}).setdefault(int(top), 0)
                    tops[group][int(top)] += n
        else:  # split by another field of the card
            rows = run.rows(funnel_key("tops", by, owner=bool(owner)), {"owner": owner})
            for r in rows:
                tops.setdefault(r["grp"], {})[int(r["stage"])] = int(r["n"])
        return _reached(tops)
    if since is not None and current and by is None:
        latest = run.rows(funnel_key("latest"), {})[0]["at"]
        if latest is None or latest < _end(until):  # every stage change is in the totals
            return _reached_since(run, since, owner)
    params = {"owner": owner, "since": day_start(since) if since else None, "until": _end(until)}
    flags = {"owner": bool(owner), "since": since is not None, "past": not current}
    result = {}
    for row in run.rows(funnel_key("flows", by, **flags), params):
        for i in range(len(FUNNEL_STAGES)):
            reached, went_on = row[f"reached{i}"], row[f"went_on{i}"]
            result[(row["grp"] if by else None, i)] = (int(reached or 0), int(went_on or 0))
    return result


def _reached_since(
    run: Any, since: date, owner: str | None
) -> dict[tuple[str | None, int], tuple[int, int]]:
    """(reached, went on) per stage from ``since`` to today, from the running totals: a card
    reached stage i in the period when its ``reach_i`` falls in it (leadbook.store.tallies),
    and went on when its furthest stage is past i."""
    result: dict[tuple[str | None, int], tuple[int, int]] = {
        (None, i): (0, 0) for i in range(len(FUNNEL_STAGES))
    }
    for _o, key, n, _t in totals(run, "reach", owner, since=since):
        stage, _, on = key.partition("/")
        reached, went_on = result[(None, int(stage))]
        result[(None, int(stage))] = (reached + n, went_on + (n if on == "1" else 0))
    return result


def _reached(
    tops: dict[str | None, dict[int, int]],
) -> dict[tuple[str | None, int], tuple[int, int]]:
    """(reached, went on) per group and stage, from the cards' furthest stages."""
    result = {}
    for g, by_top in tops.items():
        for i in range(len(FUNNEL_STAGES)):
            reached = sum(n for t, n in by_top.items() if t >= i)
            went_on = sum(n for t, n in by_top.items() if t > i)
            result[(g, i)] = (reached, went_on)
    return result


def current_counts(
    conn: Conn, owner: str | None = None, by: str | None = None
) -> dict[tuple[str | None, str], int]:
    """{(group, stage): cards at it now}: from the running totals for everyone or per
    salesperson, from the cards for a split by another field."""
    run = runner(conn)
    if by in (None, "owner"):
        counts: dict[tuple[str | None, str], int] = {}
        for o, key, n, _t in totals(run, "stage", owner):
            group_stage = (o if by else None, key.partition("/")[0])
            counts[group_stage] = counts.get(group_stage, 0) + n
        return counts
    rows = run.rows(funnel_key("counts", by, owner=bool(owner)), {"owner": owner})
    return {(r["grp"], r["stage"]): int(r["n"]) for r in rows}


def stage_now(
    conn: Conn, today: date, owner: str | None = None
) -> dict[str, tuple[int, float | None]]:
    """{stage: (cards in it now, their average days in it so far)}, from the running totals."""
    run = runner(conn)
    now = datetime.combine(today, time.max)
    counts = current_counts(run, owner)
    seconds = (now - datetime(1970, 1, 1)).total_seconds()
    since: dict[str, tuple[int, float]] = {}
    for _o, key, n, total in totals(run, "since", owner):
        m, seconds_sum = since.get(key, (0, 0.0))
        since[key] = (m + n, seconds_sum + total)
    result: dict[str, tuple[int, float | None]] = {}
    for (_g, stage), n in counts.items():
        m, total = since.get(stage, (0, 0.0))
        result[stage] = (n, (seconds - total / m) / 86400 if m else None)
    return result


DWELL_SAMPLE = 5000  # the latest moves out of a stage that say how long cards usually stay


def usual_dwell(conn: Conn, today: date, owner: str | None = None) -> dict[str, float]:
    """{stage: average days cards stayed in it before moving}, over the latest DWELL_SAMPLE
    moves out of each stage in the last year: plenty for an average, and the cost stays the
    same however big the book (the whole year was 1.3M moves in the 1M-card bench book)."""
    run = runner(conn)
    year_ago = day_start(today - timedelta(days=365))
    key = funnel_key("dwell", owner=bool(owner))
    result = {}
    for stage in FUNNEL_STAGES[:-1]:  # won is never left for another funnel stage
        params = {"stage": stage, "since": year_ago, "sample": DWELL_SAMPLE, "owner": owner}
        average = run.rows(key, params)[0]["days"]
        if average is not None:
            result[stage] = float(average)
    return result


def lost_reasons(
    conn: Conn,
    since: date | None,
    until: date,
    owner: str | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """{reason: cards lost for it}, from the reason on each move to lost (``lost`` requires
    one; migration 0005 gave older moves their card's). Over the whole book up to today this
    reads the running totals; for a period, the moves in it."""
    run = runner(conn)
    found: dict[str, int] = {}
    if since is None and (today is None or until >= today):
        for _o, key, n, _t in totals(run, "lostwhy", owner):
            found[key] = found.get(key, 0) + n
    else:
        key = funnel_key("lost", owner=bool(owner), since=since is not None)
        params = {
            "owner": owner,
            "since": day_start(since) if since else None,
            "until": _end(until),
        }
        found = {r["reason"]: int(r["n"]) for r in run.rows(key, params)}
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return {r or _("(no reason given)"): n for r, n in ordered}


def won_value(conn: Conn, since: date | None, until: date, owner: str | None = None) -> Decimal:
    key = funnel_key("won", owner=bool(owner), since=since is not None)
    rows = runner(conn).rows(key, {"owner": owner, "first": since, "last": until})
    return money(rows[0]["cents"])


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
            reached, went_on = flow.get((group, STAGE_INDEX[stage]), (0, 0))
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
    conn: Conn,
    today: date,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
) -> Funnel:
    until = until or today
    flow = flows(conn, since, until, owner, today=today)
    now = stage_now(conn, today, owner)
    counts: dict[tuple[str | None, str], int] = {(None, st): n for st, (n, _d) in now.items()}
    stages = _stage_rows(None, flow, counts)
    usual = usual_dwell(conn, today, owner)
    for row in stages:
        if row.stage not in ("won", "lost"):
            current = now.get(row.stage, (0, None))[1]
            row.avg_days = round(current, 1) if current is not None else None
            row.usual_days = round(usual[row.stage], 1) if row.stage in usual else None
    result = Funnel(
        since=since,
        until=until,
        owner=owner,
        stages=stages,
        lost_reasons=lost_reasons(conn, since, until, owner, today),
        won_value=won_value(conn, since, until, owner),
    )
    result.diagnosis = diagnose(result)
    return result


def split(
    conn: Conn,
    by: str,
    today: date,
    since: date | None = None,
    until: date | None = None,
    owner: str | None = None,
) -> FunnelSplit:
    """The funnel per value of a card field (source, industry, district, owner)."""
    until = until or today
    flow = flows(conn, since, until, owner, by=by, today=today)
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


# The funnel's shapes (DOMAIN section 5, from seed 003), read from the cards at each open level
# now. Every threshold the shape rules use is here, in one place.
SHAPE_RULES: dict[str, float] = {
    # fewer cards than this at prospect: the top is thin (the method: 5 new customers a month)
    "top_min": 5,
    # a level below contacted holding more cards than the level above it, and at least this
    # many, is a pile (堆积); a single card is not
    "pile_min": 2,
    # a level with at least this many cards promises the next one some (青黄不接 needs it)
    "full_min": 5,
    # a level holding less than this share of what the level above promises by its
    # conversion rate is thin
    "thin_share": 0.5,
    # cards further down (or won) that a thin level leaves with nothing behind them
    "behind_min": 3,
}
LEVELS = FUNNEL_STAGES[:-1]  # prospect ... ready: the open levels the shape is read from


@dataclass(frozen=True)
class Shape:
    """One finding of ``shapes``: its code, the level it is at and that level's cards, the
    level it is measured against and its cards, and (thin levels) the cards further down."""

    code: str
    stage: str | None = None
    n: int = 0
    other: str | None = None
    other_n: int = 0
    behind: tuple[tuple[str, int], ...] = ()


def shapes(
    counts: Mapping[str, int],
    won: int,
    rates: Mapping[str, float],
    rules: Mapping[str, float] = SHAPE_RULES,
) -> list[Shape]:
    """The shapes the method tells apart, from the cards at each open level now (``counts``),
    the deals won in the period (``won``) and each level's conversion rate to the next:

    - ``empty-top`` / ``thin-top``: nobody at prospect; fewer than ``top_min``, or fewer than
      at contacted below it. Refill the top.
    - ``pile-at-<stage>`` (堆积): interested, intent or ready holds at least ``pile_min`` cards
      and more than the nearest level above it that has any and is not thin. Close them quickly.
    - ``thin-<stage>`` (青黄不接): a level below the top holds less than ``thin_share`` of what
      the level above it (with at least ``full_min``) promises by its rate, while at least
      ``behind_min`` cards are further down or won. Move cards down now.
    - ``healthy``: none of these: each level is smaller than the one above by its rate.
    """
    c = {s: int(counts.get(s, 0)) for s in LEVELS}
    found: list[Shape] = []
    top, below = c["prospect"], c["contacted"]
    if top == 0:
        found.append(Shape("empty-top", "prospect", 0, "contacted", below))
    elif top < below or top < rules["top_min"]:
        found.append(Shape("thin-top", "prospect", top, "contacted", below))
    thin: set[str] = set()
    for i in range(1, len(LEVELS)):
        stage, above = LEVELS[i], LEVELS[i - 1]
        if stage != "contacted":  # more at contacted than at prospect is the thin top
            # measured against the nearest level above that is neither empty nor thin: cards
            # under a hole are what 青黄不接 leaves, not a pile
            held = [LEVELS[k] for k in range(i - 1, -1, -1) if c[LEVELS[k]]]
            nearest = next((s for s in held if s not in thin), above)
            if c[stage] >= rules["pile_min"] and c[stage] > c[nearest]:
                found.append(Shape("pile-at-" + stage, stage, c[stage], nearest, c[nearest]))
                continue
        behind = tuple((s, c[s]) for s in LEVELS[i + 1 :] if c[s])
        if won:
            behind += (("won", won),)
        if (
            c[above] >= rules["full_min"]
            and c[stage] < rules["thin_share"] * c[above] * rates[above]
            and sum(n for _s, n in behind) >= rules["behind_min"]
        ):
            found.append(Shape("thin-" + stage, stage, c[stage], above, c[above], behind))
            thin.add(stage)
    return found or [Shape("healthy")]


# Reverse planning's steps and rates (leadbook.planning), which the shapes read too.
STEPS = FUNNEL_STAGES[:-1]  # prospect ... ready: each converts to the next
# Used when the book's history is too thin to measure a step (fewer than MIN_REACHED cards).
DEFAULT_RATES = {"prospect": 0.6, "contacted": 0.5, "interested": 0.5, "intent": 0.6, "ready": 0.7}
MIN_REACHED = 20


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


def _shape_rates(f: Funnel) -> dict[str, float]:
    """Each level's rate to the next as the plan takes it: the funnel's own where enough cards
    reached the level, the method's default otherwise."""
    observed = {r.stage: (r.conversion, r.reached) for r in f.stages if r.stage in LEVELS}
    return choose_rates(observed, None)[0]


def _advice(shape: Shape) -> Diagnosis:
    """A shape in words, with the real names of the stages its numbers belong to."""
    stage, other = _stage(shape.stage), _stage(shape.other)
    refill = _(
        "Refill the top ({stage}): at least 5 calls a day to new prospects, at least 5 new "
        "customers a month."
    ).format(stage=stage)
    if shape.code == "empty-top":
        message = _("Nobody at {stage}: the top of the funnel is empty.").format(stage=stage)
        return Diagnosis(shape.code, message, refill, shape.stage)
    if shape.code == "thin-top":
        if shape.n < shape.other_n:
            message = _(
                "Only {n} at {stage}, fewer than the {below} at {next} below it: the top of the "
                "funnel is thin."
            ).format(n=shape.n, stage=stage, below=shape.other_n, next=other)
        else:
            message = _("Only {n} at {stage}: the top of the funnel is thin.").format(
                n=shape.n, stage=stage
            )
        return Diagnosis(shape.code, message, refill, shape.stage)
    if shape.code.startswith("pile-at-"):
        message = ngettext(
            "{n} card sits at {stage}, more than the {above_n} at {above} above it: the funnel "
            "is piled up in the middle.",
            "{n} cards sit at {stage}, more than the {above_n} at {above} above it: the funnel "
            "is piled up in the middle.",
            shape.n,
        ).format(n=shape.n, stage=stage, above_n=shape.other_n, above=other)
        advice = _(
            "Close them quickly: agree the next step and its date with each of the {n}, before "
            "they go cold."
        ).format(n=shape.n)
        return Diagnosis(shape.code, message, advice, shape.stage)
    if shape.code.startswith("thin-"):
        behind = _(", ").join(
            _("{stage} {n}").format(stage=_stage(s), n=n) for s, n in shape.behind
        )
        if shape.n:
            text = _(
                "{above_n} at {above} but {n} at {stage}, with {behind} further down: thin "
                "below the top."
            )
        else:
            text = _(
                "{above_n} at {above} but none at {stage}, with {behind} further down: thin "
                "below the top."
            )
        message = text.format(
            above_n=shape.other_n, above=other, n=shape.n, stage=stage, behind=behind
        )
        advice = _(
            "Move cards from {above} down to {stage} now: the deals will dry up when the current "
            "ones close."
        ).format(above=other, stage=stage)
        return Diagnosis(shape.code, message, advice, shape.stage)
    return Diagnosis(
        "healthy",
        _("Each level is smaller than the one above it by its conversion rate."),
        _("Healthy: keep topping up every level in proportion."),
    )


def diagnose(f: Funnel) -> list[Diagnosis]:
    """The shapes DOMAIN section 5 tells apart, and what else the numbers make obvious; "healthy"
    only when nothing else is found."""
    counts = {r.stage: r.count for r in f.stages}
    won = next(r.reached for r in f.stages if r.stage == "won")
    found = [_advice(s) for s in shapes(counts, won, _shape_rates(f)) if s.code != "healthy"]
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
    return found or [_advice(Shape("healthy"))]


def _stage(stage: str | None) -> str:
    from leadbook.domain import stage_label

    return stage_label(stage)


def of_book(
    book: Book,
    today: date,
    since: date | None,
    until: date | None,
    owner: str | None,
    by: str | None = None,
) -> Funnel | FunnelSplit:
    """`leadbook funnel` on ``book``: the funnel, or split ``by`` a card field; without
    SQLAlchemy on a SQLite book (``leadbook.store.fast``)."""
    from leadbook.store import fast

    def work(conn: Any) -> Funnel | FunnelSplit:
        if by:
            return split(conn, by, today, since, until, owner)
        return funnel(conn, today, since, until, owner)

    result: Funnel | FunnelSplit = fast.run(book, work, work)
    return result
