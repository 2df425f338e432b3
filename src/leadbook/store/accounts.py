"""Complaints, SWOT entries, financial indicators and planned visits (DOMAIN section 7): the
writes of the key-account commands and of the reminders that close them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping

from leadbook.store import inserted_id, reads
from leadbook.store.schema import complaints, financials, swot, visits


def complaint(conn: Connection, complaint_id: int) -> RowMapping | None:
    return (
        conn.execute(select(complaints).where(complaints.c.id == complaint_id)).mappings().first()
    )


def add_complaint(conn: Connection, cid: int, note: str, at: datetime, by: str) -> int:
    return inserted_id(
        conn.execute(
            complaints.insert().values(customer_id=cid, note=note, opened_at=at, opened_by=by)
        )
    )


def resolve_complaint(
    conn: Connection, complaint_id: int, resolution: str, at: datetime, by: str
) -> None:
    conn.execute(
        update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(resolved_at=at, resolution=resolution, resolved_by=by)
    )


def add_swot(conn: Connection, cid: int, kind: str, text: str, at: datetime, by: str) -> None:
    conn.execute(swot.insert().values(customer_id=cid, kind=kind, text=text, at=at, by=by))


def add_financials(
    conn: Connection, cid: int, values: dict[str, Any], as_of: date | None, at: datetime, by: str
) -> None:
    if values:
        conn.execute(
            financials.insert(),
            [
                {
                    "customer_id": cid,
                    "indicator": key,
                    "value": str(value),
                    "as_of": as_of,
                    "at": at,
                    "by": by,
                }
                for key, value in values.items()
            ],
        )


def add_visit(conn: Connection, values: dict[str, Any]) -> int:
    return inserted_id(conn.execute(visits.insert().values(**values)))


def of_card(conn: Connection, cid: int) -> dict[str, list[RowMapping]]:
    """A card's complaints (newest first) and planned visits (by day), for the whole card
    `show` prints."""
    from leadbook.store.calls import Live

    live = Live(conn)
    return {what: reads.of_card(live, what, cid) for what in ("complaints", "visits")}
