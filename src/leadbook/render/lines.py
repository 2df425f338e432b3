"""Cards as aligned lines: `list`, `search` and the new cards of a journal."""

from __future__ import annotations

from collections.abc import Sequence

from leadbook import domain
from leadbook.i18n import _
from leadbook.models.lines import CardLine
from leadbook.parsing import display_phone
from leadbook.render import GRADE_STYLE, width
from leadbook.render.grid import Cell, Column, Seg, grid, write


def cards_lines(
    rows: Sequence[CardLine], columns_wide: int, title: str | None = None
) -> list[list[Seg]]:
    owners = {r.owner for r in rows}
    columns = [
        Column(_("No."), style="cyan"),
        Column(_("Name"), min_width=6),
        Column(_("Company"), min_width=8),
        Column(_("Mobile")),
        Column(_("Gr.")),
        Column(_("Stage")),
        Column(_("Next")),
    ]
    if len(owners) > 1:  # a one-person book needs no owner column
        columns.append(Column(_("Owner"), min_width=5))
    lines: list[list[Cell]] = []
    for r in rows:
        cells: list[Cell] = [
            r.number,
            r.name,
            r.company or "",
            display_phone(r.mobile),
            (r.grade, GRADE_STYLE.get(r.grade, "")),
            domain.stage_label(r.stage),
            r.next_due.isoformat() if r.next_due else "",
        ]
        if len(owners) > 1:
            cells.append(r.owner or "")
        lines.append(cells)
    return grid(columns, lines, columns_wide, title=title)


def print_cards(rows: Sequence[CardLine], title: str | None = None) -> None:
    write(cards_lines(rows, width(), title))
