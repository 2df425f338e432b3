"""Finding cards: the lists behind `leadbook list` and `leadbook search`.

Kept light (the store and the line model only, no card model, no pinyin at import): both
commands start in a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from leadbook.models.lines import CardLine
from leadbook.store import customers

SORTS = tuple(customers.SORTS)


def list_lines(conn: Connection, **filters: Any) -> tuple[list[CardLine], int]:
    """`leadbook list`: the cards matching ``customers.list_cards``' filters as lines, and how
    many match in all."""
    rows, total = customers.list_cards(conn, **filters)
    return [customers.card_line(r) for r in rows], total


def search_lines(conn: Connection, text: str, limit: int | None = 50) -> tuple[list[CardLine], int]:
    """`leadbook search`: the cards found for ``text`` as lines, and how many were found."""
    rows, total = customers.search(conn, text, limit=limit)
    return [customers.card_line(r) for r in rows], total
