"""The statements of the call sheet (`leadbook due`) and of the card (`leadbook show` and the
repositories that read a card), one per key, written once.

``leadbook.due`` asks a runner for rows by key (``due:followups:overdue:owner:limit``) and
parameters; ``Live`` builds the statement here and runs it on a SQLAlchemy connection (every
engine), and ``leadbook.store.fast.Reader`` runs the SQLite text SQLAlchemy compiled from the
same statement (``compiled_sql.jsonl``, by scripts/compile_sql.py), so `due` on a SQLite book
does not import SQLAlchemy (issue 15). The keys, and which of them a book may be asked
for, are ``leadbook.store.agenda``'s.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Executable

from leadbook.store import agenda, writes
from leadbook.store import settings as settings_repo
from leadbook.store.schema import (
    audit,
    changes,
    complaints,
    customers,
    deals,
    financials,
    followups,
    plans,
    swot,
    visits,
)
from leadbook.store.writes import Ran

# The columns of a line of the call sheet (leadbook.due._item reads them).
COLUMNS = (
    customers.c.number,
    customers.c.name,
    customers.c.company,
    customers.c.grade,
    customers.c.stage,
    customers.c.next_due,
    customers.c.next_purpose,
    customers.c.last_contact_at,
    customers.c.last_contact_via,
    customers.c.owner,
    customers.c.mobile,
)


class Live:
    """A runner on a SQLAlchemy connection (the full path: PostgreSQL, and a SQLite book the
    fast path does not read)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def rows(self, key: str, params: dict[str, Any]) -> list[Any]:
        return list(self.conn.execute(statement(key), params).mappings())

    def run(self, key: str, params: dict[str, Any]) -> Ran:
        result: Any = self.conn.execute(statement(key), params)
        inserted = result.inserted_primary_key if result.is_insert else None
        return Ran(int(inserted[0]) if inserted else None, int(result.rowcount or 0))


_LIMIT = bindparam("limit", type_=Integer)


@cache
def statement(key: str) -> Executable:
    """The statement of a key, with its parameters as named binds (made once a process: a
    statement is never changed, and SQLAlchemy caches its compiled form by it)."""
    if key.startswith("card:"):
        return card_statement(key[len("card:") :])
    if key.startswith("w:"):
        return write_statement(key)
    if key.startswith("journal:"):
        return journal_statement(key)
    if key.startswith("funnel:"):
        return funnel_statement(key)
    what, flags, grades = agenda.parse(key)
    c = customers.c
    owned = [c.owner == bindparam("owner", type_=String)] if "owner" in flags else []
    query: Any
    if what == "settings":
        return settings_repo.load_statement()
    if what.startswith("followups"):
        if what.endswith("overdue"):
            bounds = [c.next_due < bindparam("day", type_=Date)]
        else:
            bounds = [
                c.next_due >= bindparam("day", type_=Date),
                c.next_due <= bindparam("until", type_=Date),
            ]
        query = select(*COLUMNS).where(*bounds, *owned).order_by(c.grade, c.next_due, c.id)
    elif what == "count":
        capped = (
            select(c.id)
            .where(c.next_due <= bindparam("until", type_=Date), *owned)
            .limit(bindparam("cap", type_=Integer))
            .subquery()
        )
        return select(func.count().label("total")).select_from(capped)
    elif what == "visits":
        query = (
            select(*COLUMNS, visits.c.id.label("visit_id"), visits.c.day, visits.c.purpose)
            .join(customers, c.id == visits.c.customer_id)
            .where(
                visits.c.day <= bindparam("until", type_=Date),
                visits.c.done_at.is_(None),
                *owned,
            )
            .order_by(visits.c.day, visits.c.id)
            .limit(200)
        )
    elif what == "complaints":
        query = (
            select(
                *COLUMNS,
                complaints.c.id.label("complaint_id"),
                complaints.c.note.label("complaint"),
                complaints.c.opened_at,
                complaints.c.resolved_at,
            )
            .join(customers, c.id == complaints.c.customer_id)
            .where(
                or_(
                    complaints.c.resolved_at.is_(None),
                    and_(
                        complaints.c.checked_at.is_(None),
                        complaints.c.resolved_at < bindparam("week_before", type_=DateTime),
                    ),
                ),
                *owned,
            )
            .order_by(complaints.c.opened_at, complaints.c.id)
            .limit(200)
        )
    elif what.startswith("birthdays"):
        # The window's days as MM-DD: at most two runs of them (one past New Year).
        on_day = [
            or_(
                c.birthday_md.between(
                    bindparam("from1", type_=String), bindparam("to1", type_=String)
                ),
                c.birthday_md.between(
                    bindparam("from2", type_=String), bindparam("to2", type_=String)
                ),
            ),
            *owned,
        ]
        if what == "birthdays-count":
            return select(func.count().label("total")).select_from(customers).where(*on_day)
        query = (
            select(*COLUMNS, c.birthday, c.birthday_md).where(*on_day).order_by(c.birthday_md, c.id)
        )
    elif what == "care":
        since = bindparam("since", type_=DateTime)
        query = (
            select(*COLUMNS, c.created_at)
            .where(
                c.stage == "won",
                c.next_due.is_(None),
                or_(
                    c.last_contact_at < since,
                    and_(c.last_contact_at.is_(None), c.created_at < since),
                ),
                *owned,
            )
            .order_by(c.last_contact_at, c.id)
            .limit(200)
        )
    elif what.startswith("thanks"):
        query = _thanks(what, owned)
    elif what == "repurchases":
        per = (
            select(
                deals.c.customer_id.label("cid"),
                func.count().label("n"),
                func.min(deals.c.date).label("first"),
                func.max(deals.c.date).label("last"),
            )
            .group_by(deals.c.customer_id)
            .having(func.count() > 1)
            .subquery()
        )
        query = (
            select(*COLUMNS, per.c.n, per.c.first, per.c.last)
            .join(customers, c.id == per.c.cid)
            .where(c.next_due.is_(None), *owned)
        )
    else:  # greet, greet-count: festival greetings (leadbook.festivals.greetings)
        chosen: list[ColumnElement[bool]] = []
        if grades:
            chosen.append(c.grade.in_([bindparam(f"g{n}", type_=String) for n in range(grades)]))
        if "won" in flags:
            chosen.append(c.stage == "won")
        opened = bindparam("opened", type_=DateTime)
        where = [
            or_(*chosen),
            or_(c.last_contact_at.is_(None), c.last_contact_at < opened),
            *owned,
        ]
        if what == "greet-count":
            return select(func.count().label("total")).select_from(customers).where(*where)
        query = select(*COLUMNS).where(*where).order_by(c.grade, c.number)
    if "limit" in flags:
        query = query.limit(_LIMIT)
    return query


def _thanks(what: str, owned: list[ColumnElement[bool]]) -> Any:
    """A referrer to thank: for a referred customer who bought (thanks-won) or came
    (thanks-added) from ``since`` to before ``before``, and not contacted since."""
    c = customers.c
    referred = customers.alias("referred")
    since = bindparam("since", type_=DateTime)
    before = bindparam("before", type_=DateTime)
    if what == "thanks-won":
        return (
            select(
                *COLUMNS,
                referred.c.number.label("r_number"),
                referred.c.name.label("r_name"),
                changes.c.at.label("won_at"),
            )
            .select_from(changes)
            .join(referred, referred.c.id == changes.c.customer_id)
            .join(customers, c.id == referred.c.referrer_id)
            .where(
                changes.c.field == "stage",
                changes.c.new == "won",
                # From the referred cards: few in a book, while wins in a month can be many.
                changes.c.customer_id.in_(select(c.id).where(c.referrer_id.is_not(None))),
                changes.c.at >= since,
                changes.c.at < before,
                or_(c.last_contact_at.is_(None), c.last_contact_at < changes.c.at),
                *owned,
            )
            .order_by(changes.c.at)
            .limit(100)
        )
    return (
        select(
            *COLUMNS,
            referred.c.number.label("r_number"),
            referred.c.name.label("r_name"),
            referred.c.created_at.label("added_at"),
        )
        .select_from(referred)
        .join(customers, c.id == referred.c.referrer_id)
        .where(
            referred.c.referrer_id.is_not(None),
            referred.c.created_at >= since,
            referred.c.created_at < before,
            or_(c.last_contact_at.is_(None), c.last_contact_at < referred.c.created_at),
            *owned,
        )
        .order_by(referred.c.created_at)
        .limit(100)
    )


def card_statement(what: str) -> Any:
    """A card's statement ``card:WHAT``: the card by ``number`` or ``cid``, or its rows of
    ``what`` (parameter ``cid``), in the order `show` prints them."""
    cid = bindparam("cid", type_=Integer)
    c = customers.c
    if what == "number":
        return select(customers).where(c.number == bindparam("number", type_=String))
    if what == "id":
        return select(customers).where(c.id == cid)
    if what == "followups":
        return (
            select(followups)
            .where(followups.c.customer_id == cid)
            .order_by(followups.c.at.desc(), followups.c.id.desc())
        )
    if what == "changes":
        return (
            select(changes).where(changes.c.customer_id == cid).order_by(changes.c.at, changes.c.id)
        )
    if what == "edits":
        return select(audit).where(audit.c.customer_id == cid).order_by(audit.c.at, audit.c.id)
    if what == "deals":
        return (
            select(deals, c.number, c.name)
            .join(customers, c.id == deals.c.customer_id)
            .where(deals.c.customer_id == cid)
            .order_by(deals.c.date, deals.c.id)
        )
    if what == "complaints":
        return (
            select(complaints)
            .where(complaints.c.customer_id == cid)
            .order_by(complaints.c.opened_at.desc(), complaints.c.id.desc())
        )
    if what == "visits":
        return select(visits).where(visits.c.customer_id == cid).order_by(visits.c.day, visits.c.id)
    if what == "swot":
        return select(swot.c.kind, swot.c.text).where(swot.c.customer_id == cid).order_by(swot.c.id)
    if what == "financials":
        return (
            select(financials.c.indicator, financials.c.value, financials.c.as_of)
            .where(financials.c.customer_id == cid)
            .order_by(financials.c.id)
        )
    if what == "referred":
        return select(c.number, c.name, c.stage).where(c.referrer_id == cid).order_by(c.id)
    raise KeyError(f"card:{what}")


def _binds(table: Any, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """A bind of each column named, typed as the column (``SET col = :col``)."""
    return {name: bindparam(writes.SET + name, type_=table.c[name].type) for name in names}


def write_statement(key: str) -> Any:
    """The statement of a write key of ``leadbook.store.writes`` (``w:TABLE:WHAT``)."""
    cid = bindparam("cid", type_=Integer)
    if key.startswith("w:customers:update:"):
        columns = writes.update_columns(key)
        values = _binds(customers, [*columns, "updated_at"])
        return update(customers).where(customers.c.id == cid).values(values)
    if key == "w:customers:insert":
        names = [column.key for column in customers.c if column.key != "id"]
        binds = {
            name: bindparam(writes.SET + name, value=None, type_=customers.c[name].type)
            for name in names
        }
        return customers.insert().values(binds)
    if key == "w:customers:number":
        return (
            update(customers)
            .where(customers.c.id == cid)
            .values(_binds(customers, ("number", "search_key")))
        )
    if key.startswith("w:duplicates:"):
        c = customers.c
        reason = key.split(":")[2]
        test: Any
        if reason == "mobile":
            test = c.mobile == bindparam("mobile", type_=String)
        elif reason == "email":
            test = c.email == bindparam("email", type_=String)
        else:
            test = and_(
                c.name == bindparam("name", type_=String),
                func.lower(c.company) == bindparam("company", type_=String),
            )
        query = select(customers).where(test)
        if key.endswith(":not"):
            query = query.where(c.id != bindparam("exclude_id", type_=Integer))
        return query.limit(1)
    if key == "w:customers:summary":
        return select(customers.c.top_stage, customers.c.stage_since).where(customers.c.id == cid)
    if key == "w:customers:set-summary":
        return (
            update(customers)
            .where(customers.c.id == cid)
            .values(_binds(customers, ("top_stage", "stage_since")))
        )
    if key == "w:plans:open":
        return (
            select(plans)
            .where(plans.c.customer_id == cid, plans.c.status == "open")
            .order_by(plans.c.due, plans.c.id)
            .limit(1)
        )
    if key == "w:plans:insert":
        return plans.insert().values(_binds(plans, writes.PLAN_COLUMNS))
    if key.startswith("w:plans:close"):
        on = bindparam("on", type_=Date)
        where = [plans.c.customer_id == cid, plans.c.status == "open"]
        if key.endswith(":due-by"):
            where.append(plans.c.due <= bindparam("due_by", type_=Date))
        elif key.endswith(":auto"):
            where.append(plans.c.auto.is_(True))
        return (
            update(plans)
            .where(*where)
            .values(
                status=bindparam(writes.SET + "status", type_=String),
                closed_on=case((plans.c.created_on > on, plans.c.created_on), else_=on),
                followup_id=bindparam(writes.SET + "followup_id", type_=Integer),
            )
        )
    if key == "w:followups:insert":
        return followups.insert().values(_binds(followups, writes.FOLLOWUP_COLUMNS))
    if key == "w:changes:insert":
        return changes.insert().values(_binds(changes, writes.CHANGE_COLUMNS))
    if key == "w:changes:last-at":
        return (
            select(changes.c.at)
            .where(
                changes.c.customer_id == cid, changes.c.field == bindparam("field", type_=String)
            )
            .order_by(changes.c.at.desc())
            .limit(1)
        )
    if key == "w:audit:insert":
        return audit.insert().values(_binds(audit, writes.AUDIT_COLUMNS))
    if key.startswith("w:complaints:check-back"):
        at = bindparam("at", type_=DateTime)
        where = [
            complaints.c.customer_id == cid,
            complaints.c.resolved_at.is_not(None),
            complaints.c.resolved_at <= at,
            complaints.c.checked_at.is_(None),
        ]
        if key.endswith(":one"):
            where.append(complaints.c.id == bindparam("complaint_id", type_=Integer))
        return update(complaints).where(*where).values(checked_at=at)
    if key == "w:visits:done":
        return (
            update(visits)
            .where(
                visits.c.customer_id == cid,
                visits.c.done_at.is_(None),
                visits.c.day <= bindparam("until", type_=Date),
            )
            .values(done_at=bindparam(writes.SET + "done_at", type_=DateTime))
        )
    raise KeyError(key)


# ---- the journals (leadbook.journal) ------------------------------------------------------

# Plans due and done, read from the running totals (leadbook.store.tallies keeps them): a
# day's plans due are those started on it or before, less those ended by then.
_PLANS_DUE = (
    "SELECT day, sum(CASE metric WHEN 'pstart' THEN n ELSE -n END) AS n FROM tallies "
    "WHERE metric IN ('pstart', 'pend') AND day <= :last{owner} GROUP BY day"
)
_PLANS_DONE = (
    "SELECT day, sum(n) AS n FROM tallies WHERE metric = 'pdone' AND day >= :first "
    "AND day <= :last{owner} GROUP BY day"
)
_PERIOD_PLANS = (
    "SELECT owner, coalesce(sum(CASE WHEN metric = 'pstart' THEN n "
    "WHEN metric = 'pend' AND day <= :first THEN -n ELSE 0 END), 0) AS due, "
    "coalesce(sum(CASE WHEN metric = 'pdone' AND day >= :first THEN n ELSE 0 END), 0) AS done "
    "FROM tallies WHERE metric IN ('pstart', 'pend', 'pdone') AND day <= :last{owner} "
    "GROUP BY owner"
)


def journal_statement(key: str) -> Any:
    """The statement of a journal key (``agenda.journal_key``)."""
    from sqlalchemy import literal_column, text, union_all

    from leadbook.store.customers import LIST_COLUMNS

    parts = key.split(":")
    what, flags = parts[1], set(parts[2:])
    owner = "owner" in flags
    start, end = bindparam("start", type_=DateTime), bindparam("end", type_=DateTime)
    day = bindparam("day", type_=Date)
    if what in ("plans-due", "plans-done", "period-plans"):
        sql = {"plans-due": _PLANS_DUE, "plans-done": _PLANS_DONE, "period-plans": _PERIOD_PLANS}
        typed = {"day": String, "owner": String, "n": Integer, "due": Integer, "done": Integer}
        statement = text(sql[what].format(owner=" AND owner = :owner" if owner else ""))
        names = {"plans-due": ("day", "n"), "plans-done": ("day", "n")}.get(
            what, ("owner", "due", "done")
        )
        return statement.columns(**{name: typed[name] for name in names})
    if what in ("channels", "contacts"):
        where = [followups.c.at >= start, followups.c.at < end]
        if owner:
            where.append(followups.c.by == bindparam("owner", type_=String))
        if what == "channels":
            return (
                select(followups.c.via, func.count().label("n"))
                .where(*where)
                .group_by(followups.c.via)
            )
        return (
            select(
                followups.c.at,
                customers.c.number,
                customers.c.name,
                followups.c.via,
                followups.c.note,
                followups.c.outcome,
                followups.c.next_date,
            )
            .join(customers, customers.c.id == followups.c.customer_id)
            .where(*where)
            .order_by(followups.c.at, followups.c.id)
            .limit(500)
        )
    if what in ("new-count", "new-cards"):
        where = [customers.c.created_at >= start, customers.c.created_at < end]
        if owner:
            where.append(customers.c.owner == bindparam("owner", type_=String))
        if what == "new-count":
            return select(func.count().label("n")).select_from(customers).where(*where)
        # In creation order through the index on it (by id, PostgreSQL walked every card).
        return (
            select(*LIST_COLUMNS)
            .where(*where)
            .order_by(customers.c.created_at, customers.c.id)
            .limit(500)
        )
    if what == "changes":
        where = [changes.c.at >= start, changes.c.at < end, changes.c.old.is_not(None)]
        if owner:
            where.append(changes.c.by == bindparam("owner", type_=String))
        return (
            select(
                changes.c.at,
                customers.c.number,
                customers.c.name,
                changes.c.field,
                changes.c.old,
                changes.c.new,
                changes.c.reason,
            )
            .join(customers, customers.c.id == changes.c.customer_id)
            .where(*where)
            .order_by(changes.c.at, changes.c.id)
            .limit(500)
        )
    if what == "grade-after":
        # the grade the first change after a day replaced (a past day shows that day's grade)
        return (
            select(changes.c.old)
            .where(
                changes.c.customer_id == bindparam("cid", type_=Integer),
                changes.c.field == "grade",
                changes.c.at >= bindparam("after", type_=DateTime),
                changes.c.old.is_not(None),
            )
            .order_by(changes.c.at, changes.c.id)
            .limit(1)
        )
    # The missed plans of a day (leadbook.journal.missed): due on it or before, created by
    # then, and still open, or closed that day without a contact or later.
    due: Any = plans.c.due
    if "sqlite" in flags:
        due = literal_column("+plans.due")  # not by the date index: it walks every old plan
    scope = [plans.c.created_on <= day]
    if owner:
        scope.append(plans.c.owner == bindparam("owner", type_=String))
    not_done = or_(plans.c.closed_on > day, plans.c.status != "done")
    open_ = [plans.c.closed_on.is_(None), *scope]
    later_ = [plans.c.closed_on >= day, not_done, *scope]
    if what == "missed-open-bound":
        return (
            select(plans.c.due)
            .where(*open_, plans.c.due <= day)
            .order_by(plans.c.closed_on, plans.c.due)  # all NULL: the open-plans index's order
            .limit(1)  # PostgreSQL plans an OFFSET without LIMIT as a sort of every row
            .offset(bindparam("nth", type_=Integer))
        )
    if what == "missed-later":
        return select(plans.c.due.label("due")).where(*later_, due <= day)
    if what != "missed":
        raise KeyError(key)
    cutoff = bindparam("cutoff", type_=Date)
    columns = (
        customers.c.number,
        customers.c.name,
        customers.c.grade,
        plans.c.due,
        plans.c.purpose,
        customers.c.id,
        plans.c.id.label("plan_id"),
    )
    arms = [
        select(*columns)
        .join(customers, customers.c.id == plans.c.customer_id)
        .where(*where, date_column <= cutoff)
        for where, date_column in ((open_, plans.c.due), (later_, due))
    ]
    both = union_all(*arms).subquery()
    return (
        select(both.c.number, both.c.name, both.c.grade, both.c.due, both.c.purpose, both.c.id)
        # a card can have missed two plans of one day: the plan's id settles their order
        .order_by(both.c.due, both.c.grade, both.c.id, both.c.plan_id)
        .limit(bindparam("shown", type_=Integer))
    )


# ---- the funnel (leadbook.funnel) and the running totals' reading -----------------------


def funnel_statement(key: str) -> Any:
    """The statement of a funnel key (``agenda.funnel_key``)."""
    from sqlalchemy import literal_column, text

    from leadbook.domain import FUNNEL_STAGES
    from leadbook.store.tallies import stage_range

    parts = key.split(":")
    what, flags = parts[1], set(parts[2:])
    by = next((p[3:] for p in parts[2:] if p.startswith("by-")), None)
    grouped: list[Any] = [customers.c[by]] if by else []  # funnel --by FIELD
    group = [column.label("grp") for column in grouped]
    owner = bindparam("owner", type_=String)
    owned = [customers.c.owner == owner] if "owner" in flags else []
    since, until = bindparam("since", type_=DateTime), bindparam("until", type_=DateTime)
    if what == "totals":
        # (owner, key, n, total) of a metric of leadbook.store.tallies, summed over its days
        where = " AND owner = :owner" if "owner" in flags else ""
        where += " AND day >= :since" if "since" in flags else ""
        where += " AND day <= :until" if "until" in flags else ""
        sql = (
            "SELECT owner, key, sum(n) AS n, sum(total) AS total FROM tallies "
            f"WHERE metric = :metric{where} GROUP BY owner, key"
        )
        return text(sql).columns(owner=String, key=String, n=Integer, total=Float)
    if what == "latest":
        # the day of the latest stage change (a period ending today reads the totals when no
        # change is dated after it)
        return select(func.max(changes.c.at).label("at")).where(changes.c.field == "stage")
    if what == "flows":
        # each card's range of stages moved through by the period's stage changes, and whether
        # it went further by the period's end (leadbook.funnel.flows)
        lo_sql, hi_sql, moved_sql = stage_range(changes.name)
        lo, hi = literal_column(lo_sql, Integer), literal_column(hi_sql, Integer)
        moved = literal_column(moved_sql, Boolean)
        period = [changes.c.field == "stage", changes.c.at < until]
        if "since" in flags:
            period.append(changes.c.at >= since)
        per_card = (
            select(
                changes.c.customer_id.label("cid"),
                func.min(case((moved, lo))).label("lo"),
                func.max(case((moved, hi))).label("hi"),
            )
            .where(*period)
            .group_by(changes.c.customer_id)
            .subquery()
        )
        top_col: Any = customers.c.top_stage
        source: Any = per_card.join(customers, customers.c.id == per_card.c.cid)
        if "past" in flags:  # the furthest stage as it stood at the end of a past period
            tops_then = (
                select(changes.c.customer_id.label("cid"), func.max(hi).label("top"))
                .where(changes.c.field == "stage", changes.c.at < until)
                .group_by(changes.c.customer_id)
                .subquery()
            )
            top_col = tops_then.c.top
            source = source.join(tops_then, tops_then.c.cid == per_card.c.cid)
        columns: list[Any] = [*group]
        for i in range(len(FUNNEL_STAGES)):
            inside = and_(per_card.c.lo <= i, per_card.c.hi >= i)
            columns.append(func.sum(case((inside, 1), else_=0)).label(f"reached{i}"))
            went_on = func.sum(case((and_(inside, top_col > i), 1), else_=0))
            columns.append(went_on.label(f"went_on{i}"))
        query = select(*columns).select_from(source).where(*owned)
        # (grouping by a constant instead made SQLite sort every row in a temporary tree)
        return query.group_by(*grouped)
    if what in ("tops", "counts"):
        # the whole book split by a card field: how far its cards got, or where they are
        column = customers.c.top_stage if what == "tops" else customers.c.stage
        present = [column.is_not(None)] if what == "tops" else []
        return (
            select(*group, column.label("stage"), func.count().label("n"))
            .where(*present, *owned)
            .group_by(*grouped, column)
        )
    if what == "dwell":
        # the latest moves out of a stage in the last year (leadbook.funnel.usual_dwell)
        latest = (
            select(changes.c.dwell_days.label("days"))
            .where(
                changes.c.field == "stage",
                changes.c.old == bindparam("stage", type_=String),
                changes.c.at >= since,
                changes.c.dwell_days.is_not(None),
            )
            .order_by(changes.c.at.desc())
            .limit(bindparam("sample", type_=Integer))
        )
        if owned:
            latest = latest.join(customers, customers.c.id == changes.c.customer_id).where(*owned)
        sample = latest.subquery()
        return select(func.avg(sample.c.days).label("days"))
    if what == "lost":
        reason = func.coalesce(changes.c.reason, "").label("reason")
        query = (
            select(reason, func.count(func.distinct(changes.c.customer_id)).label("n"))
            .where(changes.c.field == "stage", changes.c.new == "lost", changes.c.at < until)
            .group_by(reason)
        )
        if owned:
            query = query.join(customers, customers.c.id == changes.c.customer_id).where(*owned)
        if "since" in flags:
            query = query.where(changes.c.at >= since)
        return query
    if what == "won":
        first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
        query = (
            select(func.coalesce(func.sum(deals.c.amount_cents), 0).label("cents"))
            .join(customers, customers.c.id == deals.c.customer_id)
            .where(deals.c.date <= last, *owned)
        )
        if "since" in flags:
            query = query.where(deals.c.date >= first)
        return query
    raise KeyError(key)
