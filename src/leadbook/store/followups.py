"""Follow-ups (contacts made) and plans (contacts planned, DOMAIN section 4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.engine import Connection, RowMapping

from leadbook.store import inserted_id
from leadbook.store.agenda import card_key
from leadbook.store.schema import followups, plans


def insert_followup(conn: Connection, values: dict[str, Any]) -> int:
    return inserted_id(conn.execute(followups.insert().values(**values)))


def for_customer(conn: Connection, cid: int, limit: int | None = None) -> list[RowMapping]:
    """A card's contacts, newest first (the first ``limit``)."""
    from leadbook.store.calls import statement

    query: Any = statement(card_key("followups"))
    if limit:
        query = query.limit(limit)
    return list(conn.execute(query, {"cid": cid}).mappings())


def open_plan(conn: Connection, cid: int) -> RowMapping | None:
    return (
        conn.execute(
            select(plans)
            .where(plans.c.customer_id == cid, plans.c.status == "open")
            .order_by(plans.c.due, plans.c.id)
        )
        .mappings()
        .first()
    )


def add_plan(
    conn: Connection,
    cid: int,
    due: date,
    purpose: str | None,
    owner: str | None,
    auto: bool,
    created_on: date,
) -> int:
    return inserted_id(
        conn.execute(
            plans.insert().values(
                customer_id=cid,
                due=due,
                purpose=purpose,
                owner=owner,
                auto=auto,
                status="open",
                created_on=created_on,
            )
        )
    )


def close_plans(
    conn: Connection,
    cid: int,
    status: str,
    on: date,
    followup_id: int | None = None,
    *,
    due_by: date | None = None,
    auto_only: bool = False,
) -> int:
    """Close the open plans of a card: ``done`` by a contact, or ``cancelled``; only those due
    on or before ``due_by``, or only the rhythm's own, when told so."""
    where = [plans.c.customer_id == cid, plans.c.status == "open"]
    if due_by is not None:
        where.append(plans.c.due <= due_by)
    if auto_only:
        where.append(plans.c.auto.is_(True))
    # never closed before it was made (an entry dated before a plan typed in since)
    closed_on = case((plans.c.created_on > on, plans.c.created_on), else_=on)
    result = conn.execute(
        update(plans)
        .where(*where)
        .values(status=status, closed_on=closed_on, followup_id=followup_id)
    )
    return int(result.rowcount or 0)
