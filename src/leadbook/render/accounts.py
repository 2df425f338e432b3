"""Customer value, referrers, complaints, a key account's SWOT and financial indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadbook.i18n import _, ngettext
from leadbook.render import message as done

if TYPE_CHECKING:
    from leadbook.models.card import ComplaintLine
    from leadbook.models.reports import Referrer, ValueReport


def print_value(result: ValueReport, currency: str, limit: int) -> None:
    """`leadbook value`: the totals, the 80/20 line, the value x loyalty groups, the customers
    by value (the first ``limit``, 0: all)."""
    from leadbook.accounts import GROUPS
    from leadbook.render import width
    from leadbook.render.grid import Column, cell_width, grid, wrap, write

    def para(text: str, style: str) -> list[list[tuple[str, str]]]:
        """A sentence on as many lines as the terminal needs, broken between words."""
        fitted = [text] if cell_width(text) <= width() else wrap(text, width())
        return [[(line, style)] for line in fitted]

    lines = [
        [(_("Customer value"), "bold")],
        *para(
            ngettext(
                "All purchases: {total} {cur}; last 12 months: {recent} {cur}; {n} paying "
                "customer.",
                "All purchases: {total} {cur}; last 12 months: {recent} {cur}; {n} paying "
                "customers.",
                result.customers,
            ).format(
                total=f"{result.total:,.2f}",
                recent=f"{result.total_12m:,.2f}",
                cur=currency,
                n=result.customers,
            ),
            "",
        ),
        *para(
            ngettext(
                "{k} customer ({share:.0%}) brings {part} of the value.",
                "{k} customers ({share:.0%}) bring {part} of the value.",
                result.top_count,
            ).format(part="80%", k=result.top_count, share=result.top_share),
            "bold",
        ),
        [],
    ]
    group_rows = [[_(GROUPS[g.group][0]), str(g.count), g.treatment] for g in result.groups]
    lines += grid(
        [
            Column(_("Group")),
            Column(_("Customers"), justify="right"),
            Column(_("Treatment"), min_width=20),
        ],
        group_rows,
        width(),
        title=_("Value x loyalty"),
    )
    lines.append([])
    rows = result.rows[: limit or None]
    lines += grid(
        [
            Column(_("No."), style="cyan"),
            Column(_("Name"), min_width=6),
            Column(_("Bought, all time"), justify="right"),
            Column(_("12 months"), justify="right"),
            Column(_("Buys"), justify="right"),
            Column(_("Cycle"), justify="right"),
            Column(_("Next buy")),
            Column("80%"),
        ],
        [
            [
                r.number,
                r.name,
                f"{r.value:,.2f}",
                f"{r.value_12m:,.2f}",
                str(r.purchases),
                "-" if r.cycle_days is None else f"{r.cycle_days:.0f}",
                r.next_expected.isoformat() if r.next_expected else "",
                "★" if r.top else "",
            ]
            for r in rows
        ],
        width(),
        title=_("Customers by value"),
    )
    write(lines)


def print_referrers(rows: list[Referrer]) -> None:
    if not rows:
        done(_("No referrals yet: give --referrer when you add a referred customer."))
        return
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    write(
        grid(
            [
                Column(_("No."), style="cyan"),
                Column(_("Referrer"), min_width=6),
                Column(_("Referred"), justify="right"),
                Column(_("Bought"), justify="right"),
                Column(_("Their value"), justify="right"),
            ],
            [
                [r.number, r.name, str(r.referred), str(r.won), f"{r.referred_value:,.2f}"]
                for r in rows
            ],
            width(),
        )
    )


def print_complaints(rows: list[ComplaintLine]) -> None:
    for r in rows:
        status = (
            _("resolved {date}").format(date=r.resolved_at.date()) if r.resolved_at else _("open")
        )
        print(f"#{r.id}  {r.opened_at.date()}  {r.number} {r.name}  {r.note}  [{status}]")
    if not rows:
        done(_("No complaints."))


def print_swot(grid_: dict[str, list[str]]) -> None:
    """A key account's SWOT as a 2x2 grid."""
    from rich import box
    from rich.table import Table

    from leadbook.accounts import SWOT_KINDS
    from leadbook.render import escape, out

    label = {key: _(text) for key, text in SWOT_KINDS.items()}
    table = Table(box=box.SQUARE, show_header=True, expand=True)
    table.add_column(label["s"], ratio=1)
    table.add_column(label["w"], ratio=1)
    table.add_row(
        escape("\n".join(f"• {t}" for t in grid_["s"])),
        escape("\n".join(f"• {t}" for t in grid_["w"])),
    )
    table.add_section()
    table.add_row(f"[bold]{label['o']}[/]", f"[bold]{label['t']}[/]")
    table.add_row(
        escape("\n".join(f"• {t}" for t in grid_["o"])),
        escape("\n".join(f"• {t}" for t in grid_["t"])),
    )
    out().print(table)


def print_finance(shown: dict[str, dict[str, Any]]) -> None:
    from leadbook.accounts import INDICATORS

    if not shown:
        done(
            _(
                "No financial indicators yet: give --current-ratio, --net-margin, --roa, "
                "--receivable-days or --inventory-days."
            )
        )
        return
    for key, entry in shown.items():
        as_of_text = f" ({entry['as_of']})" if entry["as_of"] else ""
        print(f"{_(INDICATORS.get(key, key))}: {entry['value']}{as_of_text}")
