"""Customer cards: insert, fetch by number, update with an audit trail, list, search, duplicates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from leadbook.errors import NotFound
from leadbook.i18n import _
from leadbook.models.lines import CardLine
from leadbook.parsing import format_number, parse_number
from leadbook.searchkeys import SEARCH_FIELDS, pinyin_keys, query_terms, search_key
from leadbook.store import inserted_id
from leadbook.store.history import write_audit
from leadbook.store.schema import customers


def with_keys(values: dict[str, Any], current: RowMapping | dict[str, Any] | None = None) -> None:
    """Fill pinyin and the search key into ``values`` (merged over ``current``)."""
    merged = {**(dict(current) if current else {}), **values}
    if "name" in values:
        values["pinyin"], values["initials"] = pinyin_keys(values["name"])
        merged["pinyin"], merged["initials"] = values["pinyin"], values["initials"]
    if current is None or any(f in values for f in SEARCH_FIELDS):
        values["search_key"] = search_key(merged)


def insert_new_card(conn: Connection, card: Any, number: str | None) -> str:
    """Store a card built by ``cards.new_card`` with its history, first plan and audit row;
    without ``number`` it is C + its id. Returns the number."""
    from leadbook.store.schema import changes, plans

    row = dict(card.row)
    row["number"] = number or "new-" + uuid.uuid4().hex[:24]  # C + the id, once it has one
    cid = inserted_id(conn.execute(customers.insert().values(**row)))
    if number is None:
        number = format_number(cid)
        conn.execute(
            update(customers)
            .where(customers.c.id == cid)
            .values(number=number, search_key=search_key({**row, "number": number}))
        )
    history, plan, trail = card.rows_for(cid)
    conn.execute(changes.insert(), history)
    if plan is not None:
        conn.execute(plans.insert().values(**plan))
    write_audit(conn, [trail])
    return number


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
    canonical = parse_number(number)
    row = conn.execute(select(customers).where(customers.c.number == canonical)).mappings().first()
    if row is None:
        raise NotFound(
            _(
                "no customer numbered {number}: `leadbook search` finds a card by name or phone"
            ).format(number=canonical)
        )
    return row


def get_by_id(conn: Connection, cid: int) -> RowMapping:
    return conn.execute(select(customers).where(customers.c.id == cid)).mappings().one()


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


def extra_matches(key: str, value: str | None, dialect: str, n: int = 0) -> ColumnElement[bool]:
    """Cards whose own field ``key`` holds ``value`` (any value when None); ``n`` numbers the
    query's parameters when several such tests are joined."""
    k, v = f"xk{n}", f"xv{n}"
    if dialect == "sqlite":
        found = f"SELECT 1 FROM json_each(customers.extra) AS j WHERE j.key = :{k}"
        if value is not None:
            found += f" AND CAST(j.value AS TEXT) = :{v}"
        clause = sql(f"EXISTS ({found})")
    elif value is None:
        clause = sql(f"(customers.extra::jsonb ->> :{k}) IS NOT NULL")
    else:
        clause = sql(f"(customers.extra::jsonb ->> :{k}) = :{v}")
    params = {k: key} if value is None else {k: key, v: value}
    return clause.bindparams(**params)  # type: ignore[return-value]


def referred_by(conn: Connection, cid: int) -> list[RowMapping]:
    """The cards that name ``cid`` as their referrer, oldest first."""
    return list(
        conn.execute(
            select(customers.c.number, customers.c.name, customers.c.stage)
            .where(customers.c.referrer_id == cid)
            .order_by(customers.c.id)
        ).mappings()
    )


def find_by_name(conn: Connection, name: str) -> list[RowMapping]:
    return list(conn.execute(select(customers).where(customers.c.name == name).limit(5)).mappings())


def update_fields(
    conn: Connection,
    row: RowMapping,
    values: dict[str, Any],
    now: datetime,
    by: str,
    audited: bool = True,
) -> dict[str, tuple[Any, Any]]:
    """Change fields of a card; each changed field goes to the audit trail. Returns the changes."""
    changed = {k: (row[k], v) for k, v in values.items() if row[k] != v}
    if not changed:
        return {}
    new_values = {k: v for k, (_old, v) in changed.items()}
    with_keys(new_values, row)
    new_values["updated_at"] = now
    conn.execute(update(customers).where(customers.c.id == row["id"]).values(**new_values))
    if audited:
        write_audit(
            conn,
            [
                {
                    "customer_id": row["id"],
                    "action": "edit",
                    "field": field,
                    "old": _text(old),
                    "new": _text(new),
                    "at": now,
                    "by": by,
                }
                for field, (old, new) in changed.items()
            ],
        )
    return changed


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def duplicates(
    conn: Connection,
    *,
    mobile: str | None,
    email: str | None,
    name: str | None,
    company: str | None,
    exclude_id: int | None = None,
) -> list[tuple[str, RowMapping]]:
    """Cards that look like the same customer: same mobile, same e-mail, or same name at the same
    company. Returns (reason, card) pairs."""
    tests = []
    if mobile:
        tests.append(("mobile", customers.c.mobile == mobile))
    if email:
        tests.append(("email", customers.c.email == email.lower()))
    if name and company:
        tests.append(
            (
                "name",
                and_(customers.c.name == name, func.lower(customers.c.company) == company.lower()),
            )
        )
    found: list[tuple[str, RowMapping]] = []
    for reason, test in tests:
        query = select(customers).where(test)
        if exclude_id is not None:
            query = query.where(customers.c.id != exclude_id)
        row = conn.execute(query.limit(1)).mappings().first()
        if row is not None:
            found.append((reason, row))
    return found


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


def list_cards(
    conn: Connection,
    *,
    grades: Sequence[str] = (),
    stages: Sequence[str] = (),
    owner: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    source_detail: str | None = None,
    customer_type: str | None = None,
    purchase_kind: str | None = None,
    expected_after: date | None = None,
    expected_until: date | None = None,
    fields: Sequence[tuple[str, str | None]] = (),
    overdue_on: date | None = None,
    sort: str = "number",
    limit: int | None = None,
) -> tuple[list[RowMapping], int]:
    """Cards matching the filters, and how many match in all. ``source``: a channel (or a
    detail of the user's own, matched as either); ``expected_*``: the time-class window;
    ``fields``: (name, value or None for any) of the book's own fields."""
    conditions: list[ColumnElement[bool]] = []
    if grades:
        conditions.append(customers.c.grade.in_(grades))
    if stages:
        conditions.append(customers.c.stage.in_(stages))
    if owner:
        conditions.append(customers.c.owner == owner)
    if tag:
        conditions.append(customers.c.tags.like(f"%,{_escape(tag)},%", escape="\\"))
    if source:
        conditions.append(or_(customers.c.source == source, customers.c.source_detail == source))
    if source_detail:
        conditions.append(customers.c.source_detail == source_detail)
    if customer_type:
        conditions.append(customers.c.customer_type == customer_type)
    if purchase_kind:
        conditions.append(customers.c.purchase_kind == purchase_kind)
    if expected_after is not None or expected_until is not None:
        conditions.append(customers.c.expected.is_not(None))
    if expected_after is not None:
        conditions.append(customers.c.expected > expected_after)
    if expected_until is not None:
        conditions.append(customers.c.expected <= expected_until)
    for n, (name, value) in enumerate(fields):
        conditions.append(extra_matches(name, value, conn.dialect.name, n))
    if overdue_on is not None:
        conditions.append(customers.c.next_due < overdue_on)
    where = and_(*conditions) if conditions else None
    query = select(*LIST_COLUMNS)
    count = select(func.count()).select_from(customers)
    if where is not None:
        query, count = query.where(where), count.where(where)
    query = query.order_by(*SORTS[sort])
    if limit:
        query = query.limit(limit)
    rows = list(conn.execute(query).mappings())
    total = len(rows) if not limit or len(rows) < limit else conn.execute(count).scalar_one()
    return rows, total


def split_tags(value: str | None) -> list[str]:
    """The tags of a card, stored as ",a,b," so one tag can be matched with LIKE."""
    return [t for t in (value or "").split(",") if t]


def card_line(row: RowMapping) -> CardLine:
    return CardLine(
        number=row["number"],
        name=row["name"],
        grade=row["grade"],
        stage=row["stage"],
        created_at=row["created_at"],
        company=row["company"],
        mobile=row["mobile"],
        owner=row["owner"],
        source=row["source"],
        tags=split_tags(row["tags"]),
        next_due=row["next_due"],
        last_contact_at=row["last_contact_at"],
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Search reads a trigram index where the book has one (migration 0004): FTS5 on SQLite, pg_trgm
# on PostgreSQL, where the planner uses it for the same LIKE by itself.
_TWO_CHAR_GRAMS = 200  # a two-character term spread over more trigrams than this is scanned


def _has_trigram_table(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    return (
        conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customers_fts'"
        ).first()
        is not None
    )


def _matches(conn: Connection, term: str, indexed: bool) -> ColumnElement[bool]:
    """Cards whose search key contains the term: through the trigram index for a term of two
    characters or more, by scanning the keys otherwise."""
    scan = customers.c.search_key.like(f"%{_escape(term)}%", escape="\\")
    if not indexed or len(term) < 2:
        return scan
    if len(term) == 2:
        # Every place a two-character term occurs starts a trigram (a key ends with "|"), so
        # it matches the cards holding any trigram that begins with it.
        grams = [
            g
            for (g,) in conn.execute(
                sql(
                    "SELECT term FROM customers_fts_terms WHERE term >= :low AND term < :high "
                    "LIMIT :most"
                ),
                {"low": term, "high": term + "\U0010ffff", "most": _TWO_CHAR_GRAMS + 1},
            )
        ]
        if len(grams) > _TWO_CHAR_GRAMS:
            return scan
        if not grams:
            return false()
        query = " OR ".join(_phrase(g) for g in grams)
    else:
        query = _phrase(term)
    found: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(sql("customers_fts"))
        .where(literal_column("customers_fts").op("MATCH")(query))
    )
    return customers.c.id.in_(found)


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _limited_by_policy(conn: Connection) -> bool:
    """Whether row-level security limits this PostgreSQL login's cards (a salesperson or a
    manager, not the book's owner) and the book has the search function of migration 0006."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(
        conn.exec_driver_sql(
            "SELECT row_security_active('customers') "
            "AND to_regprocedure('leadbook_search_ids(text)') IS NOT NULL"
        ).scalar()
    )


def _through_index(term: str) -> ColumnElement[bool]:
    """Cards holding ``term``, found by the book's owner through the trigram index and limited
    to the cards this login may see (``leadbook_search_ids``, migration 0006). Under
    row-level security the planner may not use the index for LIKE itself: it would read
    every card the login sees. The ids come back as one array (a subquery, computed once)
    and are read through the primary key, under the policy as ever."""
    ids = select(func.leadbook_search_ids(f"%{_escape(term)}%")).scalar_subquery()
    # A cast, so ANY reads the array the subquery returns, not the subquery's rows.
    return customers.c.id == any_(cast(ids, ARRAY(Integer)))


def search(conn: Connection, text: str, limit: int | None = 50) -> tuple[list[RowMapping], int]:
    terms = query_terms(text)
    if not terms:
        return [], 0
    indexed = _has_trigram_table(conn)
    conditions = [_matches(conn, t, indexed) for t in terms]
    longest = max(terms, key=len)
    if len(longest) >= 3 and _limited_by_policy(conn):
        # A trigram index needs three characters. The LIKE of every term stays: it filters
        # the cards the index found.
        conditions.append(_through_index(longest))
    whole = text.strip().lower()
    rank = case(
        (
            or_(
                func.lower(customers.c.name) == whole,
                func.lower(customers.c.number) == whole,
                customers.c.pinyin == whole.replace(" ", ""),
                customers.c.initials == whole,
            ),
            0,
        ),
        (customers.c.search_key.like(f"%|{_escape(terms[0])}%", escape="\\"), 1),
        else_=2,
    )
    # The number of matches comes with the rows (a window count): one pass over them, not two.
    query = (
        select(*LIST_COLUMNS, func.count().over().label("matches"))
        .where(and_(*conditions))
        .order_by(rank, customers.c.id)
    )
    if limit:
        query = query.limit(limit)
    rows = list(conn.execute(query).mappings())
    return rows, (int(rows[0]["matches"]) if rows else 0)


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
