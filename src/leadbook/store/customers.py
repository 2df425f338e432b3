"""Customer cards: insert, fetch by number, update with an audit trail, list, search, duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql import Executable, Select
from sqlalchemy.sql.elements import ColumnElement

from leadbook.store import find, reads
from leadbook.store.history import write_audit
from leadbook.store.schema import customers

# A card is written by leadbook.store.writes, the same on both paths.
from leadbook.store.writes import duplicates as duplicates
from leadbook.store.writes import update_fields as update_fields


def reassign(
    conn: Connection, ids: list[int], source: str, target: str, now: datetime, by: str
) -> None:
    """Hand the cards ``ids`` from one salesperson to another with their open plans; each
    card's audit trail records the hand-over."""
    from leadbook.store.schema import plans

    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(
            update(customers).where(customers.c.id.in_(chunk)).values(owner=target, updated_at=now)
        )
        conn.execute(
            update(plans)
            .where(plans.c.customer_id.in_(chunk), plans.c.status == "open")
            .values(owner=target)
        )
        write_audit(
            conn,
            [
                {
                    "customer_id": cid,
                    "action": "edit",
                    "field": "owner",
                    "old": source,
                    "new": target,
                    "at": now,
                    "by": by,
                }
                for cid in chunk
            ],
        )


def get(conn: Connection, number: str) -> RowMapping:
    """The card numbered ``number`` (NotFound when there is none)."""
    from leadbook.store.calls import Live

    return reads.card_row(Live(conn), number)


def get_by_id(conn: Connection, cid: int) -> RowMapping:
    from leadbook.store.calls import Live

    return reads.card_by_id(Live(conn), cid)


def extra_keys(conn: Connection) -> list[str]:
    """The names of the fields the cards keep beyond leadbook's own (an import's columns that
    matched no field, the book's declared fields once set), by name."""
    if conn.dialect.name == "sqlite":
        query = (
            "SELECT DISTINCT j.key FROM customers, json_each(customers.extra) AS j "
            "WHERE customers.extra IS NOT NULL ORDER BY 1"
        )
    else:
        query = (
            "SELECT DISTINCT jsonb_object_keys(extra::jsonb) FROM customers "
            "WHERE extra IS NOT NULL ORDER BY 1"
        )
    return [str(key) for (key,) in conn.exec_driver_sql(query)]


def extra_matches(n: int, valued: bool, dialect: str) -> ColumnElement[bool]:
    """Cards whose own field ``:xk{n}`` holds the value ``:xv{n}`` (``valued``) or any value;
    ``n`` numbers the query's parameters when several such tests are joined."""
    k, v = f"xk{n}", f"xv{n}"
    if dialect == "sqlite":
        found = f"SELECT 1 FROM json_each(customers.extra) AS j WHERE j.key = :{k}"
        if valued:
            found += f" AND CAST(j.value AS TEXT) = :{v}"
        return sql(f"EXISTS ({found})")  # type: ignore[return-value]
    if not valued:
        return sql(f"(customers.extra::jsonb ->> :{k}) IS NOT NULL")  # type: ignore[return-value]
    return sql(f"(customers.extra::jsonb ->> :{k}) = :{v}")  # type: ignore[return-value]


def referred_by(conn: Connection, cid: int) -> list[RowMapping]:
    """The cards that name ``cid`` as their referrer, oldest first."""
    from leadbook.store.calls import Live

    return reads.of_card(Live(conn), "referred", cid)


def find_by_name(conn: Connection, name: str) -> list[RowMapping]:
    return list(conn.execute(select(customers).where(customers.c.name == name).limit(5)).mappings())


LIST_COLUMNS = (
    customers.c.number,
    customers.c.name,
    customers.c.company,
    customers.c.mobile,
    customers.c.grade,
    customers.c.stage,
    customers.c.owner,
    customers.c.source,
    customers.c.tags,
    customers.c.next_due,
    customers.c.last_contact_at,
    customers.c.created_at,
)
SORTS = {
    "number": (customers.c.id,),
    "name": (customers.c.name, customers.c.id),
    "grade": (customers.c.grade, customers.c.next_due, customers.c.id),
    "stage": (customers.c.stage, customers.c.grade, customers.c.id),
    "next": (customers.c.next_due.is_(None), customers.c.next_due, customers.c.grade),
    "created": (customers.c.created_at.desc(), customers.c.id.desc()),
    "last": (customers.c.last_contact_at.is_(None), customers.c.last_contact_at.desc()),
    "company": (customers.c.company, customers.c.name),
}
assert tuple(SORTS) == find.SORTS


class Live:
    """A ``find.Runner`` on a SQLAlchemy connection: each key's statement built here."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def rows(self, key: str, params: dict[str, Any]) -> list[Any]:
        return list(self.conn.execute(statement(key, self.dialect), params).mappings())


def statement(key: str, dialect: str) -> Executable:
    """The statement of a ``leadbook.store.find`` key, with its parameters as named binds:
    the one place the queries of `list` and `search` are written."""
    family, parts = find.parse_key(key)
    if key == find.FTS_TABLE:
        return sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customers_fts'")
    if key == find.FTS_GRAMS:
        return sql(
            "SELECT term FROM customers_fts_terms WHERE term >= :low AND term < :high LIMIT :most"
        )
    if key == find.POLICY:
        return sql(
            "SELECT row_security_active('customers') "
            "AND to_regprocedure('leadbook_search_ids(text)') IS NOT NULL AS limited"
        )
    if family == "search":
        return _search_statement(parts[0].split(","), parts[1] == "limit", "policy" in parts)
    if family == "list":
        query = select(*LIST_COLUMNS).where(*_list_conditions(parts[0], dialect))
        query = query.order_by(*SORTS[parts[1]])
        return query.limit(_LIMIT) if parts[2] == "limit" else query
    if family == "count":
        return (
            select(func.count().label("total"))
            .select_from(customers)
            .where(*_list_conditions(parts[0], dialect))
        )
    raise KeyError(key)


_LIMIT = bindparam("limit", type_=Integer)


def _list_conditions(tokens: str, dialect: str) -> list[ColumnElement[bool]]:
    """The conditions of ``find.list_filters``' tokens (``grade2+owner``), in their order."""
    c = customers.c
    conditions: list[ColumnElement[bool]] = []
    fields, expected = 0, False
    for token in tokens.split("+") if tokens else []:
        if token.startswith("grade"):
            conditions.append(c.grade.in_([bindparam(f"g{n}") for n in range(int(token[5:]))]))
        elif token.startswith("stage"):
            conditions.append(c.stage.in_([bindparam(f"s{n}") for n in range(int(token[5:]))]))
        elif token == "owner":
            conditions.append(c.owner == bindparam("owner"))
        elif token == "tag":
            conditions.append(c.tags.like(bindparam("tag"), escape="\\"))
        elif token == "source":
            source = bindparam("source", type_=String)
            conditions.append(or_(c.source == source, c.source_detail == source))
        elif token == "detail":
            conditions.append(c.source_detail == bindparam("detail"))
        elif token == "type":
            conditions.append(c.customer_type == bindparam("type"))
        elif token == "kind":
            conditions.append(c.purchase_kind == bindparam("kind"))
        elif token in ("after", "until"):
            if not expected:  # the time-class window: cards with an expected date
                conditions.append(c.expected.is_not(None))
                expected = True
            bound = bindparam(token, type_=Date)
            conditions.append(c.expected > bound if token == "after" else c.expected <= bound)
        elif token in ("field", "fieldvalue"):
            conditions.append(extra_matches(fields, token == "fieldvalue", dialect))
            fields += 1
        elif token == "overdue":
            conditions.append(c.next_due < bindparam("overdue"))
        else:
            raise KeyError(token)
    return conditions


def _search_statement(kinds: Sequence[str], limited: bool, policy: bool) -> Select[Any]:
    """`search` for terms matched as ``kinds`` (``fts`` through the trigram index, ``scan``
    over the keys), the ``n``th term's LIKE pattern or MATCH query as ``:t{n}``."""
    c = customers.c
    conditions: list[ColumnElement[bool]] = []
    for n, kind in enumerate(kinds):
        term = bindparam(f"t{n}", type_=String)
        if kind == "scan":
            conditions.append(c.search_key.like(term, escape="\\"))
        else:
            found: Select[Any] = (
                select(literal_column("rowid"))
                .select_from(sql("customers_fts"))
                .where(literal_column("customers_fts").op("MATCH")(term))
            )
            conditions.append(c.id.in_(found))
    if policy:
        conditions.append(_through_index())
    whole = bindparam("whole", type_=String)
    rank = case(
        (
            or_(
                func.lower(c.name) == whole,
                func.lower(c.number) == whole,
                c.pinyin == bindparam("joined", type_=String),
                c.initials == whole,
            ),
            0,
        ),
        (c.search_key.like(bindparam("first", type_=String), escape="\\"), 1),
        else_=2,
    )
    # The number of matches comes with the rows (a window count): one pass over them, not two.
    query = (
        select(*LIST_COLUMNS, func.count().over().label("matches"))
        .where(and_(*conditions))
        .order_by(rank, c.id)
    )
    return query.limit(_LIMIT) if limited else query


def _through_index() -> ColumnElement[bool]:
    """Cards holding the longest term (``:policy``), found by the book's owner through the
    trigram index and limited to the cards this login may see (``leadbook_search_ids``,
    migration 0006). Under row-level security the planner may not use the index for LIKE
    itself: it would read every card the login sees. The ids come back as one array (a
    subquery, computed once) and are read through the primary key, under the policy as ever."""
    ids = select(func.leadbook_search_ids(bindparam("policy", type_=String))).scalar_subquery()
    # A cast, so ANY reads the array the subquery returns, not the subquery's rows.
    return customers.c.id == any_(cast(ids, ARRAY(Integer)))


def _has_trigram_table(conn: Connection) -> bool:
    return find.has_trigram_table(Live(conn))


def search(conn: Connection, text: str, limit: int | None = 50) -> tuple[list[RowMapping], int]:
    """``find.search`` on a connection."""
    return find.search(Live(conn), text, limit, indexed=_has_trigram_table(conn))


def list_cards(conn: Connection, **filters: Any) -> tuple[list[RowMapping], int]:
    """``find.list_cards`` on a connection."""
    return find.list_cards(Live(conn), **filters)


split_tags = find.split_tags
card_line = find.card_line


def update_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Set columns of many cards in one executemany: each row is {"cid": id, column: value,
    ...}, every row with the same columns (the import's bulk path, search keys made again)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "cid"]
    conn.execute(
        update(customers)
        .where(customers.c.id == bindparam("cid"))
        .values({c: bindparam(f"v_{c}") for c in columns}),
        [{"cid": r["cid"], **{f"v_{c}": r[c] for c in columns}} for r in rows],
    )
