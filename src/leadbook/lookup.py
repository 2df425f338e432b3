"""Finding cards: the lists behind `leadbook list` and `leadbook search`.

Kept light (the store and the line model only, no card model, no pinyin at import): both
commands start in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.models.lines import CardLine
from leadbook.store import customers

SORTS = tuple(customers.SORTS)


def list_lines(
    conn: Connection,
    *,
    today: date,
    source: str | None = None,
    customer_type: str | None = None,
    purchase_kind: str | None = None,
    urgency: str | None = None,
    fields: Sequence[str] = (),
    **filters: Any,
) -> tuple[list[CardLine], int]:
    """`leadbook list`: the cards matching the filters as lines, and how many match in all.
    The filters as typed: ``source`` a channel or a detail (展会), ``urgency`` a time class
    (紧急 ...), ``fields`` NAME=VALUE (or NAME: any value) of the book's own fields; the
    others are ``customers.list_cards``'."""
    from leadbook import domain, parsing

    if source:
        try:
            channel, detail = parsing.parse_source(source)
        except InvalidValue:  # a detail of the user's own: a campaign's name
            channel, detail = source.strip(), None
        if detail is not None:
            filters["source_detail"] = detail
        else:
            filters["source"] = channel
    if customer_type:
        filters["customer_type"] = parsing.parse_customer_type(customer_type)
    if purchase_kind:
        filters["purchase_kind"] = parsing.parse_purchase_kind(purchase_kind)
    if urgency:
        after, until = domain.urgency_window(parsing.parse_urgency(urgency), today)
        filters["expected_after"], filters["expected_until"] = after, until
    if fields:
        filters["fields"] = [field_filter(text) for text in fields]
    rows, total = customers.list_cards(conn, **filters)
    return [customers.card_line(r) for r in rows], total


def field_filter(text: str) -> tuple[str, str | None]:
    """`--field 车牌号=京A12345` -> (name, value); `--field 车牌号` -> (name, None: any value)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not name:
        raise InvalidValue(
            _("--field takes NAME=VALUE, or NAME for any value: not {text!r}").format(text=text)
        )
    return name, (value.strip() if sep else None)


def search_lines(conn: Connection, text: str, limit: int | None = 50) -> tuple[list[CardLine], int]:
    """`leadbook search`: the cards found for ``text`` as lines, and how many were found."""
    rows, total = customers.search(conn, text, limit=limit)
    return [customers.card_line(r) for r in rows], total
