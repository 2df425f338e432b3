"""Purchases and the salespeople's report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadbook.i18n import _, ngettext
from leadbook.render import message as done

if TYPE_CHECKING:
    from leadbook.models.card import Deal
    from leadbook.models.reports import Report


def print_deals(rows: list[Deal], currency: str) -> None:
    """`leadbook deals`: the purchases and their total."""
    if not rows:
        done(_("No deals match."))
        return
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    columns = [
        Column(_("Date")),
        Column(_("No."), style="cyan"),
        Column(_("Name"), min_width=6),
        Column(_("Product"), min_width=6),
        Column(_("Amount"), justify="right"),
        Column(_("Contract"), min_width=6),
    ]
    lines = [
        [
            d.date.isoformat(),
            d.number,
            d.name,
            d.product or "",
            f"{d.amount:,.2f}",
            d.contract or "",
        ]
        for d in rows
    ]
    total = sum((d.amount for d in rows), start=rows[0].amount * 0)
    out = grid(columns, lines, width())
    out.append(
        [
            (
                ngettext(
                    "{n} deal, total {total} {currency}",
                    "{n} deals, total {total} {currency}",
                    len(rows),
                ).format(n=len(rows), total=f"{total:,.2f}", currency=currency),
                "bold",
            )
        ]
    )
    write(out)


def print_report(result: Report) -> None:
    """`leadbook report`: a line per salesperson, and the rules of thumb each missed."""
    from leadbook.render import width
    from leadbook.render.grid import Column, cell_width, grid, write

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:.0%}"

    columns = [
        Column(_("Owner"), min_width=6),
        Column(_("New"), justify="right"),
        Column(_("Contacts/day"), justify="right"),
        Column(_("Done/due"), justify="right"),
        Column(_("Adv."), justify="right"),
        Column(_("Won"), justify="right"),
        Column(_("Lost"), justify="right"),
        Column(_("Win rate"), justify="right"),
        Column(_("Won value"), justify="right"),
        Column(_("Days to win"), justify="right"),
    ]
    rows = [
        [
            r.owner,
            str(r.new_cards),
            f"{r.contacts_per_day:.1f}",
            f"{r.done}/{r.due} {pct(r.discipline)}",
            str(r.advances),
            str(r.won),
            str(r.lost),
            pct(r.win_rate),
            f"{r.won_value:,.2f}",
            "-" if r.avg_days_to_win is None else f"{r.avg_days_to_win:.0f}",
        ]
        for r in result.rows
    ]
    title = ngettext(
        "Report {since} to {until} ({days} working day)",
        "Report {since} to {until} ({days} working days)",
        result.working_days,
    ).format(since=result.since, until=result.until, days=result.working_days)
    lines = grid(columns, rows, width(), title=title)
    if max((cell_width("".join(t for t, _s in line)) for line in lines), default=0) > width():
        # Too wide for the terminal (80 columns, or Chinese headers): the work done and what
        # it brought as two tables, each owner on a line in both, rather than wrapped rows.
        work, results = [0, 1, 2, 3, 4], [0, 5, 6, 7, 8, 9]
        lines = grid(
            [columns[i] for i in work], [[r[i] for i in work] for r in rows], width(), title
        )
        lines.append([])
        lines += grid(
            [columns[i] for i in results], [[r[i] for i in results] for r in rows], width()
        )
    flagged = [r for r in result.rows if r.flags]
    if flagged:
        from leadbook.render.grid import wrap

        lines.append([])
        for r in flagged:
            # Each flag carries the figure it is judged on (OwnerReport.new_calls_per_day...).
            who, text = f"⚑ {r.owner}: ", "; ".join(r.flags)
            room = max(width() - cell_width(who), 20)
            parts = [text] if cell_width(text) <= room else wrap(text, room)
            lines.append([(who + parts[0], "yellow")])
            lines.extend([(" " * cell_width(who) + part, "yellow")] for part in parts[1:])
    write(lines)
