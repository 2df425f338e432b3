"""The funnel as a chart that reads at 80 columns: one centred bar per stage, sized by the
cards at that stage now, with the period's flow and conversion beside it."""

from __future__ import annotations

from leadbook.domain import source_label, stage_label, win_rate
from leadbook.i18n import _
from leadbook.models.reports import Funnel, FunnelSplit
from leadbook.render import width
from leadbook.render.grid import Column, Seg, cell_width, grid, wrap, write

BAR_STYLE = {
    "prospect": "cyan",
    "contacted": "cyan",
    "interested": "green",
    "intent": "yellow",
    "ready": "yellow",
    "won": "bold green",
    "lost": "dim",
}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _period(since: object, until: object) -> str:
    return f"{since or '…'} → {until}"


def _rjust(text: str, width: int) -> str:
    return " " * max(width - cell_width(text), 0) + text


def funnel_lines(f: Funnel, columns_wide: int) -> list[list[Seg]]:
    labels = [stage_label(r.stage) for r in f.stages]
    label_w = max(cell_width(x) for x in labels)
    numbers_w = 6 + 2 + 8 + 2 + 9  # now, reached, → next
    bar_w = max(10, min(40, columns_wide - label_w - numbers_w - 6))
    biggest = max([r.count for r in f.stages if r.stage != "lost"] + [1])
    lines: list[list[Seg]] = []
    title = _("Sales funnel")
    if f.owner:
        title += f" · {f.owner}"
    lines.append([(title, "bold"), ("  " + _("period") + " " + _period(f.since, f.until), "dim")])
    head = " " * (label_w + bar_w + 4)
    now, reached, onward = _("now"), _("reached"), _("→ next")
    header = _rjust(now, 6) + "  " + _rjust(reached, 8) + "  " + _rjust(onward, 9)
    lines.append([(head + header, "bold")])
    for r, label in zip(f.stages, labels, strict=True):
        size = 0 if r.count == 0 else max(1, round(bar_w * r.count / biggest))
        if r.stage == "lost":
            size = min(size, bar_w)
        left = (bar_w - size) // 2
        bar = " " * left + "█" * size + " " * (bar_w - size - left)
        pad = " " * (label_w - cell_width(label))
        numbers = (
            f"{r.count:>6}  {r.reached if r.stage != 'lost' else '':>8}  {_pct(r.conversion):>9}"
        )
        lines.append(
            [(label + pad, ""), ("  ", ""), (bar, BAR_STYLE[r.stage]), ("  " + numbers, "")]
        )
    lines.append([])
    lines.append([(_("Won in the period: {value}").format(value=f"{f.won_value:,.2f}"), "")])
    if f.lost_reasons:
        reasons = ", ".join(f"{k} {v}" for k, v in list(f.lost_reasons.items())[:5])
        lines.append([(_("Lost in the period: {reasons}").format(reasons=reasons), "")])
    if f.diagnosis:
        lines.append([])
        lines.append([(_("What the shape says"), "bold")])
        for d in f.diagnosis:
            lines.extend([(part, "")] for part in wrap("• " + d.message, columns_wide, "  "))
            lines.extend([(part, "dim")] for part in wrap("  → " + d.advice, columns_wide, "    "))
    return lines


def print_funnel(f: Funnel) -> None:
    write(funnel_lines(f, width()))


def _group_label(by: str, group: str | None) -> str:
    """A row of `funnel --by`: a source channel in the interface's language (外拓, not
    outbound); an industry, a district or an owner as the cards have it."""
    if not group:
        return _("(none)")
    return source_label(group) if by == "source" else group


def print_split(s: FunnelSplit, label: str) -> None:
    stages = [r.stage for r in s.groups[0].stages if r.stage != "lost"] if s.groups else []
    columns = [Column(label, min_width=6)]
    for stage in stages:
        columns.append(Column(stage_label(stage), justify="right"))
    columns.append(Column(_("lost"), justify="right"))
    columns.append(Column(_("win rate"), justify="right"))
    rows = []
    for g in s.groups:
        reached = {r.stage: r.reached for r in g.stages}
        won = reached.get("won", 0)
        lost = next(r.count for r in g.stages if r.stage == "lost")
        rate = win_rate(won, lost)
        rate_text = _pct(rate) if rate is not None else "-"
        rows.append(
            [_group_label(s.by, g.group)]
            + [str(reached[st]) for st in stages]
            + [str(lost), rate_text]
        )
    title = _("Funnel by {field}: cards that reached each stage, {period}").format(
        field=label, period=_period(s.since, s.until)
    )
    write(grid(columns, rows, width(), title=title))
