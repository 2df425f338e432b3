"""The SQL expression every screen reading stages needs, written once for the queries of the
services (the running totals' triggers carry their own text: leadbook.store.tallies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement

from leadbook.domain import STAGE_INDEX


def stage_index(column: Any) -> ColumnElement[int]:
    """A stage's place in the funnel (prospect 0 ... won 5); lost and unknown -1."""
    return case(dict(STAGE_INDEX), value=column, else_=-1)
