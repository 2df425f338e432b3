"""A reverse plan: what each stage needs, and the weeks."""

from __future__ import annotations

from leadbook.domain import stage_label
from leadbook.i18n import _
from leadbook.models.reports import Plan
from leadbook.render import width
from leadbook.render.grid import Column, Seg, grid, wrap, write

SOURCES = {"observed": "", "given": "*", "default": "†", "planned": "‡"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_plan(plan: Plan, checking: bool = False) -> None:
    wide = width()
    lines: list[list[Seg]] = []
    who = f" · {plan.owner}" if plan.owner else ""
    title = _("Plan: {target} deals by {end}{who}").format(
        target=plan.target, end=plan.end, who=who
    )
    lines.append([(title, "bold")])
    if checking:
        lines.append(
            [
                (
                    _("Won since {start}: {won} of {target}").format(
                        start=plan.start, won=plan.won_so_far, target=plan.target
                    ),
                    "",
                )
            ]
        )
    lines.append(
        [
            (
                _("The cards you have now should bring about {n} deals.").format(
                    n=f"{plan.expected_from_pipeline:.1f}"
                ),
                "",
            )
        ]
    )
    lines.append([(_("New prospects still needed: {n}").format(n=plan.new_needed), "bold")])
    lines.append([])
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
            str(max(s.need - s.have, 0)),
        ]
        for s in plan.stages
    ]
    lines.extend(
        grid(columns, rows, wide, title=_("What each stage needs (cards at it or beyond)"))
    )
    lines.append(
        [(_("* your rate  † default rate  ‡ the plan's rate (too little history yet)"), "dim")]
    )
    lines.append([])
    week_columns = [Column(_("Week of")), Column(_("New planned"), justify="right")]
    if checking:
        week_columns += [
            Column(_("New made"), justify="right"),
            Column(_("Won"), justify="right"),
            Column(_("Completion"), justify="right"),
        ]
    week_rows = []
    for w in plan.weeks:
        row = [w.week.isoformat(), str(w.new_planned)]
        if checking:
            row += [
                "-" if w.new_actual is None else str(w.new_actual),
                "-" if w.won_actual is None else str(w.won_actual),
                _pct(w.completion),
            ]
        week_rows.append(row)
    lines.extend(grid(week_columns, week_rows, wide, title=_("Week by week")))
    if checking and plan.average_completion is not None:
        lines.append(
            [
                (
                    _("Average weekly completion: {rate}").format(
                        rate=_pct(plan.average_completion)
                    ),
                    "",
                )
            ]
        )
    if plan.finished:
        lines.append([])
        lines.append([(_("The plan's period is over. Average conversion rates over it:"), "bold")])
        for stage, rate in plan.average_rates.items():
            lines.append([(f"  {stage_label(stage)} → {_pct(rate)}", "")])
    for note in plan.notes:
        lines.append([])
        lines.extend([(part, "yellow")] for part in wrap(note, wide))
    write(lines)
