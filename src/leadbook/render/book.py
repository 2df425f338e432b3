"""The book's settings and its salespeople."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadbook.i18n import _

if TYPE_CHECKING:
    from leadbook.team import Member


def print_settings(values: dict[str, str]) -> None:
    """`leadbook config`: each setting, its value and what it means."""
    from rich import box
    from rich.table import Table

    from leadbook.config import describe
    from leadbook.render import out

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column(_("Setting"), style="bold")
    table.add_column(_("Value"))
    table.add_column(_("Meaning"))
    for key, value in values.items():
        meaning = describe(key)
        table.add_row(key, value or _("none"), _(meaning) if meaning else "")
    out().print(table)


def print_team(rows: list[Member]) -> None:
    """`leadbook team`: each salesperson's book at a glance."""
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    columns = [
        Column(_("Owner"), min_width=6),
        Column(_("Cards"), justify="right"),
        Column("A", justify="right"),
        Column("B", justify="right"),
        Column(_("Open"), justify="right"),
        Column(_("Overdue"), justify="right"),
        Column(_("Today"), justify="right"),
        Column(_("Won"), justify="right"),
        Column(_("Lost"), justify="right"),
        Column(_("Last contact")),
    ]
    lines = [
        [
            m.owner,
            str(m.cards),
            str(m.grade_a),
            str(m.grade_b),
            str(m.open),
            str(m.overdue),
            str(m.due_today),
            str(m.won),
            str(m.lost),
            m.last_contact.date().isoformat() if m.last_contact else "",
        ]
        for m in rows
    ]
    write(grid(columns, lines, width()))
