"""Follow-ups (contacts made) and plans (contacts planned, DOMAIN section 4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, RowMapping

from leadbook.store.agenda import card_key

# Contacts and plans are written by leadbook.store.writes, the same on both paths.
from leadbook.store.writes import add_plan, close_plans, insert_followup, open_plan

__all__ = ["add_plan", "close_plans", "for_customer", "insert_followup", "open_plan"]


def for_customer(conn: Connection, cid: int, limit: int | None = None) -> list[RowMapping]:
    """A card's contacts, newest first (the first ``limit``)."""
    from leadbook.store.calls import statement

    query: Any = statement(card_key("followups"))
    if limit:
        query = query.limit(limit)
    return list(conn.execute(query, {"cid": cid}).mappings())
