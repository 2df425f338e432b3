"""A plain aligned table for long lists (due, list, search).

Rich's Table measures and wraps every cell: about 1.5 ms a row, too slow for a command a
salesperson runs dozens of times a day. This lays out one line per row, aligned by display
cells (a Chinese character counts two), truncating with … to fit the terminal, and hands Rich
one Text to print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text

Cell = str | Text


@dataclass
class Column:
    header: str
    min_width: int = 0  # a column that may shrink to fit; 0: never shrinks
    justify: str = "left"
    style: str = ""


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def _fit(cell: Cell, width: int, justify: str, style: str) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(cell, style=style)
    size = text.cell_len
    if size > width:
        plain = set_cell_size(text.plain, max(width - 1, 0)) + "…"
        text = Text(plain, style=text.style if isinstance(text.style, str) else "")
        if isinstance(cell, Text) and cell.spans:
            text.stylize(cell.spans[0].style, 0, len(plain))
        size = text.cell_len
    pad = " " * (width - size)
    return Text(pad) + text if justify == "right" else text + pad


def grid(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    title: str | None = None,
    sections: Sequence[int] = (),
) -> Text:
    """The table as one Text. ``sections`` are row indexes before which a blank line goes."""
    widths = [max([_width(c.header)] + [_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    gap = 2
    total = sum(widths) + gap * (len(columns) - 1)
    while total > width:
        shrinkable = [i for i, c in enumerate(columns) if c.min_width and widths[i] > c.min_width]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        step = min(widths[widest] - columns[widest].min_width, total - width)
        widths[widest] -= step
        total -= step
    out = Text()
    if title:
        out.append(title + "\n", style="bold")
    sep = " " * gap
    header = Text(sep).join(
        _fit(c.header, widths[i], c.justify, "bold") for i, c in enumerate(columns)
    )
    out.append_text(header)
    out.append("\n" + "─" * min(total, width) + "\n", style="dim")
    breaks = set(sections)
    for n, row in enumerate(rows):
        if n in breaks:
            out.append("\n")
        line = Text(sep).join(
            _fit(row[i], widths[i], c.justify, c.style) for i, c in enumerate(columns)
        )
        line.rstrip()
        out.append_text(line)
        out.append("\n")
    out.rstrip()
    return out
