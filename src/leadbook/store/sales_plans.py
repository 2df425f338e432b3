"""Reverse plans (DOMAIN section 5): a target worked back into weekly quotas, kept as made."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from leadbook.store import inserted_id
from leadbook.store.schema import sales_plans


def insert_plan(conn: Connection, values: dict[str, Any]) -> int:
    return inserted_id(conn.execute(sales_plans.insert().values(**values)))
