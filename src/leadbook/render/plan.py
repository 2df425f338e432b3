"""A reverse plan: what each stage needs, and the weeks."""

from __future__ import annotations

from datetime import timedelta

from leadbook.domain import stage_label
from leadbook.i18n import _, ngettext
from leadbook.models.reports import Plan
from leadbook.render import width
from leadbook.render.grid import Column, Seg, cell_width, grid, wrap, write

SOURCES = {"observed": "", "given": "*", "default": "†", "planned": "‡"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _line(text: str, style: str = "") -> list[Seg]:
    return [(text, style)]


def _wrapped(text: str, wide: int, style: str = "") -> list[list[Seg]]:
    """The text on one line if it fits, else wrapped (wrap spaces out Latin inside Chinese)."""
    if cell_width(text) <= wide:
        return [_line(text, style)]
    return [_line(part, style) for part in wrap(text, wide)]


def print_plan(plan: Plan, checking: bool = False) -> None:
    wide = width()
    lines: list[list[Seg]] = []
    who = f" · {plan.owner}" if plan.owner else ""
    title = ngettext(
        "Plan: {target} deal by {end}{who}", "Plan: {target} deals by {end}{who}", plan.target
    ).format(target=plan.target, end=plan.end, who=who)
    lines.append(_line(title, "bold"))
    if checking:
        lines.append(
            _line(
                _("Won since {start}: {won} of {target}").format(
                    start=plan.start, won=plan.won_so_far, target=plan.target
                )
            )
        )
    if plan.finished:
        lines.append(_line(_("The plan's period is over."), "bold"))
    else:
        lines.append(
            _line(
                _("The cards you have now should bring about {n} deals.").format(
                    n=f"{plan.expected_from_pipeline:.1f}"
                )
            )
        )
        # The one figure for what is still needed: the gap at prospect in the table below.
        lines.append(_line(_("New prospects still needed: {n}").format(n=plan.new_needed), "bold"))
    if plan.stages:
        lines.append([])
        lines.extend(_stage_table(plan, wide))
    lines.append([])
    lines.extend(_week_table(plan, checking, wide))
    if plan.finished:
        lines.append([])
        heading = _(
            "The plan's average conversion rates (of the cards at each stage during it, the "
            "share that went further):"
        )
        lines.extend(_wrapped(heading, wide, "bold"))
        for stage, rate in plan.average_rates.items():
            lines.append(_line(f"  {stage_label(stage)} → {_pct(rate)}"))
    for note in _week_notes(plan, checking) + plan.notes:
        lines.append([])
        lines.extend(_wrapped(note, wide, "yellow"))
    write(lines)


def _stage_table(plan: Plan, wide: int) -> list[list[Seg]]:
    columns = [
        Column(_("Stage")),
        Column(_("→ next"), justify="right"),
        Column(_("→ won"), justify="right"),
        Column(_("Need"), justify="right"),
        Column(_("Have"), justify="right"),
        Column(_("Gap"), justify="right"),
    ]
    rows = [
        [
            stage_label(s.stage),
            _pct(s.rate) + SOURCES.get(s.rate_source, ""),
            _pct(s.to_won),
            str(s.need),
            str(s.have),
            str(s.gap),
        ]
        for s in plan.stages
    ]
    lines = grid(
        columns, rows, wide, title=_("What each stage needs, working back from the target")
    )
    lines.append(
        _line(_("* your rate  † default rate  ‡ the plan's rate (too little history yet)"), "dim")
    )
    legend = _(
        "Need: cards that must still pass through the stage. Have: cards at it now. Gap: still "
        "to come from the stage above; at prospect, the new prospects still needed."
    )
    lines.extend(_wrapped(legend, wide, "dim"))
    return lines


def _week_table(plan: Plan, checking: bool, wide: int) -> list[list[Seg]]:
    columns = [
        Column(_("Week of")),
        Column(_("Days"), justify="right"),
        Column(_("New planned"), justify="right"),
    ]
    replanning = checking and not plan.finished
    if checking:
        columns += [
            Column(_("New made"), justify="right"),
            Column(_("Won"), justify="right"),
            Column(_("Completion"), justify="right"),
        ]
    if replanning:
        columns.append(Column(_("Re-planned"), justify="right"))
    rows = []
    for w in plan.weeks:
        row = [w.week.isoformat(), str(w.days), str(w.new_planned)]
        if checking:
            row += [
                "-" if w.new_actual is None else str(w.new_actual),
                "-" if w.won_actual is None else str(w.won_actual),
                _pct(w.completion),
            ]
        if replanning:
            row.append("-" if w.replanned is None else str(w.replanned))
        rows.append(row)
    lines = grid(columns, rows, wide, title=_("Week by week"))
    if not checking:
        return lines
    if plan.average_completion is not None:
        lines.append(
            _line(_("Average weekly completion: {rate}").format(rate=_pct(plan.average_completion)))
        )
    if plan.finished:
        planned = sum(w.new_planned for w in plan.weeks)
        made = sum(w.new_actual or 0 for w in plan.weeks)
        total = _("New prospects over the period: {made} made of {planned} planned ({rate}).")
        rate = _pct(made / planned if planned else None)
        lines.extend(_wrapped(total.format(made=made, planned=planned, rate=rate), wide))
    return lines


def _week_notes(plan: Plan, checking: bool) -> list[str]:
    """Say where the plan's weeks are not whole ones: the pro rata first and last weeks."""
    if not plan.weeks or plan.finished:
        return []
    notes = []
    first = plan.weeks[0]
    if first.week > plan.start:
        notes.append(
            _(
                "No working day was left in the week the plan was made ({start}): it begins on "
                "Monday {first}."
            ).format(start=plan.start, first=first.week)
        )
    partial = [w for w in plan.weeks if w.days < 5]
    for w in partial:
        lo = max(w.week, plan.start)
        hi = min(w.week + timedelta(days=6), plan.end)
        notes.append(
            _(
                "The week of {week} counts from {lo} to {hi}: {days} of its 5 working days "
                "(Monday to Friday), so its share of the new prospects is {days}/5 of a full "
                "week's."
            ).format(week=w.week, lo=lo, hi=hi, days=w.days)
        )
    if checking and not plan.finished:
        notes.append(
            _(
                "Completion is against the quota the plan gave each week. Re-planned: the weeks "
                "not begun share the new prospects still needed, less what is left of this "
                "week's quota."
            )
        )
    return notes
