"""Finding cards: the lists behind `leadbook list` and `leadbook search`.

Kept light (no SQLAlchemy, no card model, no pinyin at import): on a SQLite book at the
current schema both read through ``store.fast`` (the standard sqlite3 module running the
SQL SQLAlchemy compiled), elsewhere through ``book.read()``; the queries are
``store.find``'s either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.models.lines import CardLine
from leadbook.store import fast, find
from leadbook.store.db import Book

SORTS = find.SORTS


def _customers() -> Any:
    from leadbook.store import customers  # the full path: SQLAlchemy

    return customers


def list_lines(
    book: Book,
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
    others are ``find.list_filters``'."""
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
    rows, total = fast.run(
        book,
        lambda reader: find.list_cards(reader, **filters),
        lambda conn: _customers().list_cards(conn, **filters),
    )
    return [find.card_line(r) for r in rows], total


def field_filter(text: str) -> tuple[str, str | None]:
    """`--field 车牌号=京A12345` -> (name, value); `--field 车牌号` -> (name, None: any value)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not name:
        raise InvalidValue(
            _("--field takes NAME=VALUE, or NAME for any value: not {text!r}").format(text=text)
        )
    return name, (value.strip() if sep else None)


def at_head(url: str) -> bool:
    """Whether the book at ``url`` exists at the current schema, asked without creating or
    upgrading it (a shell completion never does either). A SQLite book is asked with the
    sqlite3 module (store.fast), so the question loads no SQLAlchemy."""
    from leadbook.store.db import SCHEMA_HEAD, current_revision, sqlite_path

    path = sqlite_path(url)
    if path is None:
        return current_revision(url) == SCHEMA_HEAD
    return path.is_file() and fast.at_head(path)


def search_lines(book: Book, text: str, limit: int | None = 50) -> tuple[list[CardLine], int]:
    """`leadbook search`: the cards found for ``text`` as lines, and how many were found."""
    rows, total = fast.run(
        book,
        lambda reader: find.search(reader, text, limit),
        lambda conn: _customers().search(conn, text, limit=limit),
    )
    return [find.card_line(r) for r in rows], total
