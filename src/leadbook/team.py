"""Team work (DOMAIN section 8): hand cards over, see each salesperson's book, and erase a
person's data on request (PIPL/GDPR) while the counts stay right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection

from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.searchkeys import search_key
from leadbook.store import customers as repo
from leadbook.store.schema import (
    customers,
)

if TYPE_CHECKING:
    from leadbook.store.db import Book


@dataclass
class Member:
    owner: str
    cards: int
    grade_a: int
    grade_b: int
    open: int
    overdue: int
    due_today: int
    won: int
    lost: int
    last_contact: datetime | None


def reassign(
    conn: Connection,
    source: str,
    target: str,
    *,
    grades: list[str],
    stages: list[str],
    now: datetime,
    by: str,
) -> int:
    """Hand the cards of ``source`` (matching the filters) to ``target``, with their history;
    each card's audit trail records the hand-over."""
    if source == target:
        raise InvalidValue(_("--from and --to are the same salesperson"))
    from leadbook.identity import require_manager

    require_manager(conn, _("hand cards over to another salesperson"))
    where = [customers.c.owner == source]
    if grades:
        where.append(customers.c.grade.in_(grades))
    if stages:
        where.append(customers.c.stage.in_(stages))
    ids = [r[0] for r in conn.execute(select(customers.c.id).where(*where))]
    if not ids:
        return 0
    repo.reassign(conn, ids, source, target, now, by)
    return len(ids)


def members(conn: Connection, today: date) -> list[Member]:
    open_stage = customers.c.stage.notin_(("won", "lost"))
    rows = conn.execute(
        select(
            customers.c.owner,
            func.count(),
            func.sum(case((and_(customers.c.grade == "A", open_stage), 1), else_=0)),
            func.sum(case((and_(customers.c.grade == "B", open_stage), 1), else_=0)),
            func.sum(case((open_stage, 1), else_=0)),
            func.sum(case((customers.c.next_due < today, 1), else_=0)),
            func.sum(case((customers.c.next_due == today, 1), else_=0)),
            func.sum(case((customers.c.stage == "won", 1), else_=0)),
            func.sum(case((customers.c.stage == "lost", 1), else_=0)),
            func.max(customers.c.last_contact_at),
        )
        .group_by(customers.c.owner)
        .order_by(func.count().desc())
    )
    result = []
    for row in rows:
        counts = [int(x or 0) for x in row[1:9]]
        result.append(
            Member(
                row[0] or _("(nobody)"),
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                counts[4],
                counts[5],
                counts[6],
                counts[7],
                row[9],
            )
        )
    return result


PERSONAL = (
    "company",
    "title",
    "gender",
    "birthday",
    "birthday_md",
    "mobile",
    "phone",
    "fax",
    "email",
    "wechat",
    "address",
    "district",
    "postcode",
    "budget_cents",
    "expected",
    "payment",
    "customer_type",
    "decision_maker",
    "current_product",
    "purchase_kind",
    "concerns",
    "usage",
    "credit",
    "turnover_cents",
    "profit_cents",
    "tags",
    "note",
    "extra",
    "pinyin",
    "initials",
    "lost_reason",
    "next_purpose",
    "referrer_id",
)


# Every table forget writes: what scrub cleans afterwards (PostgreSQL's VACUUM).
FORGET_TABLES = (
    "customers",
    "followups",
    "plans",
    "changes",
    "deals",
    "complaints",
    "visits",
    "swot",
    "financials",
    "audit",
    "tallies",
)


def forget(conn: Connection, number: str, now: datetime, by: str) -> str:
    """Erase a person's personal data; keep the card's number, grade, stage, dates and deal
    amounts so the funnel and reports stay right. The audit trail says that it happened."""
    row = repo.get(conn, number)
    cid = row["id"]
    name = _("(forgotten {number})").format(number=row["number"])
    values: dict[str, Any] = dict.fromkeys(PERSONAL)
    values.update(name=name, updated_at=now)
    values["search_key"] = search_key({"number": row["number"]})
    from leadbook.store import erasure

    erasure.erase_card(conn, cid, values, now, by)
    return str(row["number"])


def erase(book: Book, number: str, now: datetime, rewrite: bool = False) -> tuple[str, str | None]:
    """`leadbook forget`: erase the card's personal data in one write, then leave no copy in the
    write-ahead log or in PostgreSQL's dead rows (``rewrite``: VACUUM FULL). The customer
    number, and what is still pending and who finishes it (None when it is done)."""
    with book.write() as conn:
        kept = forget(conn, number, now, book.user)
    return kept, book.scrub(FORGET_TABLES, rewrite=rewrite)
