"""The writes of the daily entries (a new card, a contact, a grade, a stage), through a
runner, without SQLAlchemy: `add`, `log`, `grade`, `stage` and `lost` on a SQLite book run them
with the standard sqlite3 module (``leadbook.store.fast.Writer``), every other caller and
PostgreSQL through SQLAlchemy (``leadbook.store.calls.Live``), and both run the same
statements, named by the keys below and built once, in ``leadbook.store.calls`` (issue 15).

A key is ``w:TABLE:WHAT``; ``variants`` lists every key the fast path may be asked for, which
scripts/compile_sql.py compiles. A card's update names its columns in the key
(``w:customers:update:grade``); one the compiled file does not hold sends the command to
the full path, where any column set is built when asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy.engine import Connection


class Missing(LookupError):
    """A statement the compiled file does not hold, or a step only SQLAlchemy does: the fast
    path rolls back and the whole command runs on the full path."""


class Ran(NamedTuple):
    """What a write did: the key of the row it inserted (None for an update), rows touched."""

    id: int | None
    touched: int


class Runner(Protocol):
    """What ``leadbook.store.reads.Runner`` does, and writes."""

    dialect: str  # "sqlite" or "postgresql"

    def rows(self, key: str, params: dict[str, Any]) -> list[Any]: ...

    def run(self, key: str, params: dict[str, Any]) -> Ran:
        """Execute the write statement ``key`` with ``params``."""
        ...


if TYPE_CHECKING:
    # What the functions here and their callers (leadbook.status, leadbook.contacts,
    # leadbook.reminders) are handed: a SQLAlchemy connection, or a runner.
    Conn: TypeAlias = Connection | Runner


def runner(conn: Conn) -> Runner:
    """A runner for ``conn``: itself if it is one (a reader, on the fast path, only reads),
    else SQLAlchemy's (a Connection)."""
    if hasattr(conn, "rows"):
        return conn  # type: ignore[return-value]
    from leadbook.store.calls import Live

    return Live(conn)


def connection(conn: Conn) -> Connection:
    """The SQLAlchemy connection under ``conn``, for a step the fast path does not take (a
    referrer named by name, the book's own fields): on the fast path, ``Missing``."""
    inner = getattr(conn, "conn", conn)
    if hasattr(inner, "dialect"):
        return inner  # type: ignore[return-value]
    raise Missing("a step for the full path")


@cache
def card_columns() -> frozenset[str]:
    """The columns of a card (table ``customers``): as the compiled insert of a card names
    them where the fast path runs, else from the schema (the two are the same: tests/test_fast.py
    compares the compiled file with what SQLAlchemy compiles)."""
    from leadbook.store import fast

    compiled = fast.statement("w:customers:insert")
    if compiled is not None:
        return frozenset(["id", *(name[len(SET) :] for name, _kind, _v in compiled["params"])])
    from leadbook.store.schema import customers

    return frozenset(customers.c.keys())


# The card's columns a contact changes (with ``updated_at``, always set): the next contact
# and the last one. A grade or a stage (and the reason it was lost) change on their own.
CONTACT_COLUMNS = (
    "next_due",
    "next_purpose",
    "first_contact_at",
    "last_contact_at",
    "last_contact_via",
)
FOLLOWUP_COLUMNS = (
    "customer_id",
    "at",
    "via",
    "note",
    "outcome",
    "purpose",
    "next_date",
    "next_purpose",
    "by",
    "created_at",
)
PLAN_COLUMNS = ("customer_id", "due", "purpose", "owner", "auto", "status", "created_on")
CHANGE_COLUMNS = ("customer_id", "field", "old", "new", "at", "reason", "by", "dwell_days")
AUDIT_COLUMNS = ("customer_id", "action", "field", "old", "new", "at", "by")
KEYS = (
    "w:customers:insert",
    "w:customers:number",
    "w:duplicates:mobile",
    "w:duplicates:email",
    "w:duplicates:name",
    "w:duplicates:mobile:not",
    "w:duplicates:email:not",
    "w:duplicates:name:not",
    "w:plans:open",
    "w:plans:insert",
    "w:plans:close",
    "w:plans:close:due-by",
    "w:plans:close:auto",
    "w:followups:insert",
    "w:changes:insert",
    "w:changes:last-at",
    "w:customers:summary",
    "w:customers:set-summary",
    "w:audit:insert",
    "w:complaints:check-back",
    "w:complaints:check-back:one",
    "w:visits:done",
)


# The binds of the values a write sets are named after their columns with this prefix
# (SQLAlchemy keeps a column's own name for itself in VALUES and SET).
SET = "set_"


def set_values(row: dict[str, Any]) -> dict[str, Any]:
    """The parameters setting each column of ``row`` to its value (``SET``)."""
    return {SET + column: value for column, value in row.items()}


def update_key(columns: list[str] | tuple[str, ...]) -> str:
    """The key of the update of a card's ``columns`` (and ``updated_at``)."""
    return "w:customers:update:" + ",".join(sorted(columns))


def update_columns(key: str) -> list[str]:
    return key[len("w:customers:update:") :].split(",")


def variants() -> Iterator[str]:
    """Every key the daily entries ask for."""
    yield from KEYS
    for group in (("grade",), ("stage", "lost_reason"), CONTACT_COLUMNS):
        for size in range(1, len(group) + 1):
            for columns in combinations(group, size):
                yield update_key(columns)


# ---- plans and contacts -------------------------------------------------------------------


def open_plan(conn: Conn, cid: int) -> Any:
    """The card's earliest open plan, or None."""
    rows = runner(conn).rows("w:plans:open", {"cid": cid})
    return rows[0] if rows else None


def add_plan(
    conn: Conn,
    cid: int,
    due: date,
    purpose: str | None,
    owner: str | None,
    auto: bool,
    created_on: date,
) -> int:
    plan = {
        "customer_id": cid,
        "due": due,
        "purpose": purpose,
        "owner": owner,
        "auto": auto,
        "status": "open",
        "created_on": created_on,
    }
    return _id(runner(conn).run("w:plans:insert", set_values(plan)))


def close_plans(
    conn: Conn,
    cid: int,
    status: str,
    on: date,
    followup_id: int | None = None,
    *,
    due_by: date | None = None,
    auto_only: bool = False,
) -> int:
    """Close the open plans of a card: ``done`` by a contact, or ``cancelled``; only those due
    on or before ``due_by``, or only the rhythm's own, when told so. A plan is never closed
    before it was made (an entry dated before a plan typed in since)."""
    if due_by is not None and auto_only:
        raise ValueError("close_plans: due_by or auto_only, not both")
    key = "w:plans:close" + (":due-by" if due_by is not None else ":auto" if auto_only else "")
    params = {"cid": cid, "on": on, **set_values({"status": status, "followup_id": followup_id})}
    if due_by is not None:
        params["due_by"] = due_by
    return runner(conn).run(key, params).touched


def insert_followup(conn: Conn, contact: dict[str, Any]) -> int:
    """A contact made (``FOLLOWUP_COLUMNS``; a column left out is NULL)."""
    row = {column: contact.get(column) for column in FOLLOWUP_COLUMNS}
    return _id(runner(conn).run("w:followups:insert", set_values(row)))


def check_back(conn: Conn, cid: int, at: datetime, complaint_id: int | None) -> int:
    """Mark the resolved complaints of the card waiting for their check-back (or the one
    given) as checked at ``at``; returns how many."""
    params: dict[str, Any] = {"cid": cid, "at": at}
    key = "w:complaints:check-back"
    if complaint_id is not None:
        key += ":one"
        params["complaint_id"] = complaint_id
    return runner(conn).run(key, params).touched


def visits_done(conn: Conn, cid: int, at: datetime) -> None:
    """The card's planned visits of ``at``'s day or before are done."""
    runner(conn).run(
        "w:visits:done", {"cid": cid, "until": at.date(), **set_values({"done_at": at})}
    )


# ---- the card, its history and the audit trail ----------------------------------------------


def update_fields(
    conn: Conn,
    row: Any,
    fields: dict[str, Any],
    now: datetime,
    by: str,
    audited: bool = True,
) -> dict[str, tuple[Any, Any]]:
    """Change fields of a card; each changed field goes to the audit trail. Returns the changes."""
    changed = {k: (row[k], v) for k, v in fields.items() if row[k] != v}
    if not changed:
        return {}
    new_values = {k: v for k, (_old, v) in changed.items()}
    with_keys(new_values, row)
    key = update_key(list(new_values))
    run = runner(conn)
    run.run(key, {**set_values({**new_values, "updated_at": now}), "cid": row["id"]})
    if audited:
        write_audit(
            run,
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


def with_keys(fields: dict[str, Any], current: Any = None) -> None:
    """Fill pinyin and the search key into ``fields`` (merged over ``current``) when the name
    or another field the search reads is among them (or the card is new)."""
    from leadbook.searchkeys import SEARCH_FIELDS, pinyin_keys, search_key

    if current is not None and "name" not in fields and not any(f in fields for f in SEARCH_FIELDS):
        return
    merged = {**(dict(current) if current else {}), **fields}
    if "name" in fields:
        fields["pinyin"], fields["initials"] = pinyin_keys(fields["name"])
        merged["pinyin"], merged["initials"] = fields["pinyin"], fields["initials"]
    fields["search_key"] = search_key(merged)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def write_audit(conn: Conn, rows: list[dict[str, Any]]) -> None:
    """The one writer of the audit trail (one row at a time: an import writes its rows in
    bulk through ``leadbook.store.history.write_audit``): who did what to which card, and
    when."""
    run = runner(conn)
    for r in rows:
        run.run("w:audit:insert", set_values({column: r.get(column) for column in AUDIT_COLUMNS}))


def record_change(
    conn: Conn,
    cid: int,
    field: str,
    old: str | None,
    new: str,
    at: datetime,
    reason: str | None,
    by: str,
) -> None:
    """Keep a grade or stage change. A stage change also keeps the card's funnel summaries
    (furthest stage reached, since when in the stage) and how long the old stage lasted."""
    from leadbook.domain import STAGE_INDEX

    run = runner(conn)
    dwell = None
    if field == "stage":
        summary = run.rows("w:customers:summary", {"cid": cid})[0]
        since = summary["stage_since"]
        if old is not None and since is not None and at >= since:
            dwell = (at - since).total_seconds() / 86400
        top_stage = summary["top_stage"]
        top = max(top_stage if top_stage is not None else -1, STAGE_INDEX.get(new, -1))
        summary = {"top_stage": top if top >= 0 else None, "stage_since": at}
        run.run("w:customers:set-summary", {"cid": cid, **set_values(summary)})
    change = {"customer_id": cid, **change_row(field, old, new, at, by, reason, dwell)}
    run.run("w:changes:insert", set_values(change))


def change_row(
    field: str,
    old: str | None,
    new: str,
    at: datetime,
    by: str,
    reason: str | None = None,
    dwell: float | None = None,
) -> dict[str, Any]:
    """A grade or stage change as the history keeps it (without its card): ``dwell``, the
    days the card spent in the stage it left."""
    return {
        "field": field,
        "old": old,
        "new": new,
        "at": at,
        "reason": reason,
        "by": by,
        "dwell_days": dwell,
    }


def last_change_at(conn: Conn, cid: int, field: str) -> datetime | None:
    """When the card's ``field`` (grade or stage) last changed."""
    rows = runner(conn).rows("w:changes:last-at", {"cid": cid, "field": field})
    return rows[0]["at"] if rows else None


def _id(ran: Ran) -> int:
    if ran.id is None:  # pragma: no cover - every leadbook table has an integer key
        raise RuntimeError("the database returned no key for the new row")
    return ran.id


# ---- a new card ---------------------------------------------------------------------------


def insert_card(conn: Conn, card: Any, number: str | None) -> str:
    """Store a card built by ``cards.new_card`` with its history, first plan and audit row;
    without ``number`` it is C + its id. Returns the number."""
    import uuid

    from leadbook.parsing import format_number
    from leadbook.searchkeys import search_key

    run = runner(conn)
    row = dict(card.row)
    row["number"] = number or "new-" + uuid.uuid4().hex[:24]  # C + the id, once it has one
    cid = _id(run.run("w:customers:insert", set_values(row)))
    if number is None:
        number = format_number(cid)
        keys = {"number": number, "search_key": search_key({**row, "number": number})}
        run.run("w:customers:number", {"cid": cid, **set_values(keys)})
    history, plan, trail = card.rows_for(cid)
    for change in history:
        run.run("w:changes:insert", set_values({c: change.get(c) for c in CHANGE_COLUMNS}))
    if plan is not None:
        run.run("w:plans:insert", set_values({c: plan.get(c) for c in PLAN_COLUMNS}))
    write_audit(run, [trail])
    return number


def duplicates(
    conn: Conn,
    *,
    mobile: str | None,
    email: str | None,
    name: str | None,
    company: str | None,
    exclude_id: int | None = None,
) -> list[tuple[str, Any]]:
    """Cards that look like the same customer: same mobile, same e-mail, or same name at the
    same company (``exclude_id``: other than that card). Returns (reason, card) pairs."""
    tests: list[tuple[str, dict[str, Any]]] = []
    if mobile:
        tests.append(("mobile", {"mobile": mobile}))
    if email:
        tests.append(("email", {"email": email.lower()}))
    if name and company:
        tests.append(("name", {"name": name, "company": company.lower()}))
    run = runner(conn)
    found: list[tuple[str, Any]] = []
    for reason, params in tests:
        key = f"w:duplicates:{reason}" + (":not" if exclude_id is not None else "")
        rows = run.rows(key, {**params, "exclude_id": exclude_id})
        if rows:
            found.append((reason, rows[0]))
    return found
