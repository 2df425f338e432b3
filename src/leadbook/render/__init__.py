"""Rich rendering of leadbook's models. Data goes to stdout, messages to stderr."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def _width() -> int | None:
    value = os.environ.get("COLUMNS")
    return int(value) if value and value.isdigit() else None


def width() -> int:
    """The terminal's width in columns ($COLUMNS wins), without building a Rich console."""
    import shutil

    return _width() or shutil.get_terminal_size((100, 24)).columns


@cache
def out() -> Console:
    from rich.console import Console

    class Out(Console):
        def on_broken_pipe(self) -> None:
            # `leadbook journal | head`: the reader had enough. Rich exits 1 here; like any
            # Unix tool, end quietly with 0 (the CLI points stdout at /dev/null).
            self.quiet = True
            raise BrokenPipeError

    return Out(width=_width(), highlight=False, soft_wrap=False)


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, width=_width(), highlight=False, soft_wrap=True)


def reset() -> None:
    """Forget the consoles (tests swap stdout between runs)."""
    out.cache_clear()
    err.cache_clear()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def message(text: str) -> None:
    """A line for the user on stderr, as it is: a name like "[/]", "[bold red]" or ":fire:" is
    the customer's, not Rich markup or an emoji code (and the daily commands print it without
    importing Rich)."""
    from leadbook.text import visible

    sys.stderr.write(visible(text) + "\n")
    sys.stderr.flush()


GRADE_STYLE = {"A": "bold red", "B": "bold yellow", "C": "green", "D": "cyan", "E": "dim"}


def escape(text: object) -> str:
    """A value for a Rich cell: markup escaped, control characters written out."""
    from rich.markup import escape as _escape

    from leadbook.text import visible

    return _escape(visible("" if text is None else str(text)))
