"""The whole card as `show` and --json give it, read through a runner: on a SQLite book the
fast path (``leadbook.store.fast``) reads it without SQLAlchemy; elsewhere, and inside the
commands that write, ``leadbook.store.calls.Live`` on the command's connection
(``leadbook.cards.card_model``). The statements are ``leadbook.store.calls``'s, the rows'
readers ``leadbook.store.reads``'."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from leadbook import domain
from leadbook.domain import money
from leadbook.models.card import Card, Change, Complaint, Edit, FollowUp, Indicator, Link, Visit
from leadbook.models.lines import from_row
from leadbook.store import reads
from leadbook.store.find import split_tags
from leadbook.store.reads import Runner

if TYPE_CHECKING:
    from leadbook.store.db import Book

# The card's amounts, kept in cents and shown in the book's currency: the model's field and
# its column (`add`, `edit`, import and export read them from here).
AMOUNT_FIELDS = {"budget": "budget_cents", "turnover": "turnover_cents", "profit": "profit_cents"}


# Card columns the model takes as they are stored.
_PLAIN = (
    "number", "name", "company", "title", "gender", "mobile", "phone", "fax", "email", "wechat",
    "address", "district", "postcode", "industry", "source", "source_detail", "owner", "product",
    "expected", "payment", "customer_type", "decision_maker", "current_product", "purchase_kind",
    "concerns", "usage", "credit", "grade", "stage", "lost_reason", "note", "next_due",
    "next_purpose", "last_contact_at", "last_contact_via", "created_at", "created_by",
    "updated_at",
)  # fmt: skip


def card_model(
    run: Runner,
    row: Any,
    *,
    full: bool = True,
    edits: bool = False,
    today: date | None = None,
) -> Card:
    """The card as `show` and --json give it; ``full``: with everything kept about it (its
    timeline, deals, complaints, visits, SWOT, finance, the cards it referred)."""
    referrer = referrer_name = None
    if row["referrer_id"]:
        ref = reads.card_by_id(run, row["referrer_id"])
        referrer, referrer_name = ref["number"], ref["name"]
    birthday = row["birthday"].isoformat() if row["birthday"] else (row["birthday_md"] or None)
    amounts: dict[str, Any] = {
        field: money(row[column]) if row[column] is not None else None
        for field, column in AMOUNT_FIELDS.items()
    }
    plain: dict[str, Any] = {k: row[k] for k in _PLAIN}
    card = Card(
        **plain,
        **amounts,
        birthday=birthday,
        referrer=referrer,
        referrer_name=referrer_name,
        urgency=domain.urgency(row["expected"], today) if today is not None else None,
        tags=split_tags(row["tags"]),
        extra=json.loads(row["extra"]) if row["extra"] else {},
    )
    cid = row["id"]
    if full:
        card.followups = [from_row(FollowUp, f) for f in reads.of_card(run, "followups", cid)]
        card.history = [from_row(Change, c) for c in reads.of_card(run, "changes", cid)]
        card.deals = reads.deals_of(run, cid)
        card.complaints = [from_row(Complaint, c) for c in reads.of_card(run, "complaints", cid)]
        card.visits = [from_row(Visit, v) for v in reads.of_card(run, "visits", cid)]
        swot = reads.swot_of(run, cid)
        card.swot = {kind: entries for kind, entries in swot.items() if entries}
        card.finance = [
            Indicator(indicator=key, value=Decimal(value), as_of=as_of)
            for key, (value, as_of) in reads.financials_of(run, cid).items()
        ]
        card.referred = [from_row(Link, r) for r in reads.of_card(run, "referred", cid)]
    if edits:
        card.edits = [from_row(Edit, e) for e in reads.of_card(run, "edits", cid)]
    return card


def show(book: Book, number: str, *, today: date, edits: bool = False) -> Card:
    """`leadbook show`: the whole card with its timeline (and its field edits with ``edits``)."""
    from leadbook.store import fast

    def read(run: Runner) -> Card:
        return card_model(run, reads.card_row(run, number), edits=edits, today=today)

    def full(conn: Any) -> Card:
        from leadbook.store.calls import Live

        return read(Live(conn))

    return fast.run(book, read, full)
