"""Plain aligned tables for the lists a salesperson runs all day (due, list, search).

Rich's Table measures and wraps every cell (about 1.5 ms a row), measuring Chinese text loads
its Unicode width tables (about 30 ms), and its console costs 20 ms of imports: too much for
`leadbook due`. This lays out one line per row, aligned by display columns (a Chinese character
counts two, by the standard library's East Asian width data), truncates with … to fit the
terminal, and writes ANSI styles itself when stdout is a colour terminal.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TextIO

from leadbook.text import visible

Seg = tuple[str, str]  # text and a style such as "bold red"
Cell = str | Seg | list[Seg]

_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


@lru_cache(maxsize=8192)
def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (cached: a table measures each cell three times,
    and names, companies and labels repeat)."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in … when cut."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = cell_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` broken into lines of at most ``width`` columns, at spaces where it can (Chinese
    text breaks between any two characters); lines after the first start with ``indent``."""
    lines: list[str] = []
    body = text.replace("\n", " ").lstrip(" ")
    lead = text[: len(text) - len(text.lstrip(" "))]
    line, used, room = lead, len(lead), width
    for word in body.split(" "):
        # Latin words stay whole, unless one is wider than a line (an e-mail address, a
        # URL): it is cut where the line ends; Chinese may break between any two characters.
        pieces = [word] if word.isascii() else re.findall(r"[A-Za-z0-9.,:%/+\-]+|.", word)
        pieces = [cut for piece in pieces for cut in _cut(piece, width)]
        for n, piece in enumerate(pieces):
            sep = " " if line.strip() and n == 0 else ""  # between words, never inside one
            w = cell_width(sep + piece)
            if used + w > room and line.strip():
                lines.append(line)
                line, used, room = indent + piece, cell_width(indent + piece), width
                continue
            line, used = line + sep + piece, used + w
    if line:
        lines.append(line)
    return lines or [""]


def _cut(piece: str, width: int) -> list[str]:
    """``piece`` in runs of at most ``width`` columns."""
    if width < 1 or cell_width(piece) <= width:
        return [piece]
    runs, run, used = [], "", 0
    for char in piece:
        w = cell_width(char)
        if used + w > width and run:
            runs.append(run)
            run, used = "", 0
        run, used = run + char, used + w
    return [*runs, run] if run else runs


@dataclass
class Column:
    header: str
    min_width: int = 0  # a column that may shrink to fit; 0: never shrinks
    justify: str = "left"
    style: str = ""
    fold: bool = False  # a text cell wider than its column goes on over the next lines


def _segs(cell: Cell, style: str) -> list[Seg]:
    # Control characters are written out (\x1b) before a cell is measured: a name holding
    # an escape sequence neither drives the terminal nor breaks the columns.
    if isinstance(cell, str):
        return [(visible(cell), style)]
    if isinstance(cell, tuple):
        return [(visible(cell[0]), cell[1])]
    return [(visible(t), s) for t, s in cell]


def _fit(cell: Cell, width: int, justify: str, style: str) -> list[Seg]:
    segs = _segs(cell, style)
    plain = "".join(t for t, _ in segs)
    cut = truncate(plain, width)
    if cut != plain:  # keep each segment's style on what is left of it
        keep, left = cut[:-1], []
        for text, st in segs:
            piece, keep = keep[: len(text)], keep[len(text) :]
            if piece:
                left.append((piece, st))
        last_style = left[-1][1] if left else style
        segs = [*left, ("…", last_style)]
    pad = (" " * (width - cell_width(cut)), "")
    return [pad, *segs] if justify == "right" else [*segs, pad]


def grid(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    title: str | None = None,
    sections: Sequence[int] = (),
    rule: bool = False,
) -> list[list[Seg]]:
    """The table as lines of styled segments. ``sections``: row indexes preceded by a blank;
    ``rule``: the line under the headers runs the whole ``width`` (a table inside a frame)."""
    widths = _widths(columns, rows)
    gap = "  "
    total = sum(widths) + len(gap) * (len(columns) - 1)
    while total > width:
        shrinkable = [i for i, c in enumerate(columns) if c.min_width and widths[i] > c.min_width]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        step = min(widths[widest] - columns[widest].min_width, total - width)
        widths[widest] -= step
        total -= step
    lines: list[list[Seg]] = []
    if title:
        lines.append([(title, "bold")])
    lines.append(
        _join([_fit(c.header, widths[i], c.justify, "bold") for i, c in enumerate(columns)], gap)
    )
    lines.append([("─" * (width if rule else min(total, width)), "dim")])
    breaks = set(sections)
    for n, row in enumerate(rows):
        if n in breaks:
            lines.append([])
        folded = {
            i: wrap(_plain(row[i]), widths[i])
            for i, c in enumerate(columns)
            if c.fold and cell_width(_plain(row[i])) > widths[i]
        }
        cells = [
            _fit(folded[i][0] if i in folded else row[i], widths[i], c.justify, c.style)
            for i, c in enumerate(columns)
        ]
        lines.append(_join(cells, gap))
        for k in range(1, max((len(f) for f in folded.values()), default=0)):
            more = [
                _fit(
                    folded[i][k] if i in folded and k < len(folded[i]) else "",
                    widths[i],
                    c.justify,
                    c.style,
                )
                for i, c in enumerate(columns)
            ]
            lines.append(_join(more, gap))
    return lines


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> list[int]:
    return [
        max([cell_width(c.header)] + [cell_width(_plain(r[i])) for r in rows])
        for i, c in enumerate(columns)
    ]


def measure(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> int:
    """The columns the table takes before any column shrinks to fit."""
    return sum(_widths(columns, rows)) + 2 * (len(columns) - 1)


def _plain(cell: Cell) -> str:
    return "".join(t for t, _ in _segs(cell, ""))


def _join(cells: list[list[Seg]], gap: str) -> list[Seg]:
    line: list[Seg] = []
    for i, segs in enumerate(cells):
        if i:
            line.append((gap, ""))
        line.extend(segs)
    while line and not line[-1][0].strip():  # no trailing blanks
        line.pop()
    if line:
        text, st = line[-1]
        line[-1] = (text.rstrip(), st)
    return line


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _sgr(style: str) -> str:
    codes = [_SGR[w] for w in style.split() if w in _SGR]
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def write(lines: Sequence[Sequence[Seg]], stream: TextIO | None = None) -> None:
    """Write the lines, styled when the stream is a colour terminal."""
    stream = stream or sys.stdout
    color = use_color(stream)
    out = []
    for line in lines:
        for text, style in line:
            text = visible(text)  # titles and notes that did not pass through a cell
            code = _sgr(style) if color and style else ""
            out.append(f"{code}{text}\x1b[0m" if code else text)
        out.append("\n")
    stream.write("".join(out))
