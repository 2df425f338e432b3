"""Running totals for the funnel and the reports on SQLite, kept by triggers.

On a book of a million cards the whole-book funnel and a month's report read hundreds of
thousands of rows (every card's stage, a month's stage changes, plans and contacts). These
totals hold the same counts per salesperson and per day, so those commands read a few hundred
rows instead. Triggers keep them in step with every write, whoever makes it (a command, an
import, a migration), inside the same transaction: they can never disagree with the rows they
count, which ``tests/test_tallies.py`` checks against totals recomputed from the rows.

One row per (metric, owner, day, key); ``owner`` and ``key`` are '' for none and ``day`` is ''
for the undated metrics. ``n`` counts, ``total`` sums:

=========  ======================  ===========  ============================================
metric     owner                   day          key, n, total
=========  ======================  ===========  ============================================
stage      the card's              ''           "stage/top_stage"; cards
since      the card's              ''           stage; cards with a stage_since; its seconds
lostwhy    the card's              ''           reason; cards ever lost for that reason
new        the card's              created      cards created
first      the card's              1st contact  cards first contacted
advance    the card's              change       stage changes forward
won        the card's              change       moves to won; days from first contact to them
lost       the card's              change       moves to lost
contact    who made it (``by``)    contact      channel; contacts
due        the plan's              its date     plans that count as due; of them done
pstart     the plan's              first due    plans that were due from that day
pend       the plan's              after        plans no longer due from that day
pdone      the plan's              closed       plans fulfilled that day while due
=========  ======================  ===========  ============================================

PostgreSQL books have the table but no triggers: on a shared server, counters every writer
updates would queue the team's transactions behind each other; there the commands read the
rows, which PostgreSQL's planner does well enough (BENCHMARKS.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from leadbook.domain import FUNNEL_STAGES

TRIGGERS = (
    "tallies_card_insert",
    "tallies_card_delete",
    "tallies_card_update",
    "tallies_card_moved",
    "tallies_change_insert",
    "tallies_change_delete",
    "tallies_change_update",
    "tallies_contact_insert",
    "tallies_contact_delete",
    "tallies_contact_update",
    "tallies_plan_insert",
    "tallies_plan_delete",
    "tallies_plan_update",
)

_UPSERT = (
    "INSERT INTO tallies (metric, owner, day, key, n, total) SELECT * FROM ({rows}) WHERE true "
    "ON CONFLICT (metric, owner, day, key) DO UPDATE "
    "SET n = tallies.n + excluded.n, total = tallies.total + excluded.total;"
)


def _index(column: str) -> str:
    whens = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(FUNNEL_STAGES))
    return f"(CASE {column} {whens} ELSE -1 END)"


def _row(
    metric: str, owner: str, day: str, key: str, n: str, total: str, source: str, *where: str
) -> str:
    """One SELECT of totals; ``source`` is a FROM clause or '' (a trigger's row)."""
    condition = " AND ".join(f"({w})" for w in where if w)
    return (
        f"SELECT '{metric}' AS metric, {owner} AS owner, {day} AS day, {key} AS key, "
        f"{n} AS n, {total} AS total {source}" + (f" WHERE {condition}" if condition else "")
    )


def _card_rows(c: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    """The totals a card's own columns give: its stage, since when, its creation, its first
    contact."""
    owner = f"coalesce({c}.owner, '')"
    seconds = f"CAST(strftime('%s', {c}.stage_since) AS INTEGER)"
    return [
        _row(
            "stage",
            owner,
            "''",
            f"{c}.stage || '/' || coalesce({c}.top_stage, '')",
            sign,
            "0",
            source,
            scope,
        ),
        _row(
            "since",
            owner,
            "''",
            f"{c}.stage",
            sign,
            f"{sign} * {seconds}",
            source,
            scope,
            f"{c}.stage_since IS NOT NULL",
        ),
        _row("new", owner, f"date({c}.created_at)", "''", sign, "0", source, scope),
        _row(
            "first",
            owner,
            f"date({c}.first_contact_at)",
            "''",
            sign,
            "0",
            source,
            scope,
            f"{c}.first_contact_at IS NOT NULL",
        ),
    ]


def _change_rows(ch: str, owner: str, began: str, sign: str, source: str, scope: str) -> list[str]:
    """The totals stage changes give (``ch`` names the changes: a table of them or a trigger's
    row), for the card whose owner and start of contact are given."""
    advanced = (
        f"{ch}.old IS NOT NULL AND {ch}.old != 'lost' AND "
        f"{_index(ch + '.new')} > {_index(ch + '.old')}"
    )
    day = f"date({ch}.at)"
    stage = f"{ch}.field = 'stage'"
    days = f"{sign} * (julianday({ch}.at) - julianday({began}))"
    return [
        _row("advance", owner, day, "''", sign, "0", source, scope, stage, advanced),
        _row("won", owner, day, "''", sign, days, source, scope, stage, f"{ch}.new = 'won'"),
        _row("lost", owner, day, "''", sign, "0", source, scope, stage, f"{ch}.new = 'lost'"),
    ]


def _card_changes(cid: str, owner: str, began: str, sign: str) -> list[str]:
    """Every total the card's stage changes give (its owner or start of contact changed)."""
    reasons = (
        "FROM (SELECT DISTINCT coalesce(reason, '') AS why FROM changes "
        f"WHERE customer_id = {cid} AND field = 'stage' AND new = 'lost')"
    )
    return [
        *_change_rows("ch", owner, began, sign, "FROM changes AS ch", f"ch.customer_id = {cid}"),
        _row("lostwhy", owner, "''", "why", sign, "0", reasons),
    ]


def _one_change(row: str, sign: str, other: str) -> list[str]:
    """The totals of one stage change (a trigger's NEW or OLD), read with its card's owner.
    It counts for its reason only when no ``other`` change already lost the card for it."""
    owner = "coalesce(c.owner, '')"
    began = "coalesce(c.first_contact_at, c.created_at)"
    source = "FROM customers AS c"
    scope = f"c.id = {row}.customer_id"
    first_for_reason = (
        "NOT EXISTS (SELECT 1 FROM changes AS o WHERE o.customer_id = "
        f"{row}.customer_id AND o.field = 'stage' AND o.new = 'lost' AND "
        f"coalesce(o.reason, '') = coalesce({row}.reason, '') AND {other})"
    )
    return [
        *_change_rows(row, owner, began, sign, source, scope),
        _row(
            "lostwhy",
            owner,
            "''",
            f"coalesce({row}.reason, '')",
            sign,
            "0",
            source,
            scope,
            f"{row}.field = 'stage'",
            f"{row}.new = 'lost'",
            first_for_reason,
        ),
    ]


def _contact_rows(f: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    return [
        _row(
            "contact",
            f"coalesce({f}.by, '')",
            f"date({f}.at)",
            f"{f}.via",
            sign,
            "0",
            source,
            scope,
        )
    ]


def _plan_rows(p: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    """A plan is due from ``first`` (its date, or its creation if later) until it is closed:
    through its closing day when a contact fulfilled it, to the day before when it was
    cancelled or moved (journal.py); the report counts plans by their date."""
    owner = f"coalesce({p}.owner, '')"
    first = f"max({p}.due, {p}.created_on)"
    ever_due = (
        f"{p}.closed_on IS NULL OR {p}.closed_on > {first} OR "
        f"({p}.closed_on = {first} AND {p}.status = 'done')"
    )
    no_longer = (
        f"CASE WHEN {p}.status = 'done' THEN date({p}.closed_on, '+1 day') ELSE {p}.closed_on END"
    )
    done = f"{p}.status = 'done' AND {p}.closed_on >= {first}"
    return [
        _row("pstart", owner, first, "''", sign, "0", source, scope, ever_due),
        _row(
            "pend",
            owner,
            no_longer,
            "''",
            sign,
            "0",
            source,
            scope,
            ever_due,
            f"{p}.closed_on IS NOT NULL",
        ),
        _row("pdone", owner, f"{p}.closed_on", "''", sign, "0", source, scope, done),
        _row(
            "due",
            f"coalesce({p}.owner, '')",
            f"{p}.due",
            "''",
            sign,
            f"{sign} * ({p}.status = 'done')",
            source,
            scope,
            f"{p}.status != 'cancelled' OR {p}.closed_on > {p}.due",
        ),
    ]


def _trigger(name: str, when: str, body: list[str]) -> str:
    return f"CREATE TRIGGER {name} {when} BEGIN {' '.join(body)} END"


def _up(rows: list[str]) -> str:
    return _UPSERT.format(rows=" UNION ALL ".join(rows))


def _differ(*columns: str) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def sqlite_triggers() -> list[str]:
    old_began = "coalesce(OLD.first_contact_at, OLD.created_at)"
    new_began = "coalesce(NEW.first_contact_at, NEW.created_at)"
    return [
        _trigger("tallies_card_insert", "AFTER INSERT ON customers", [_up(_card_rows("NEW", "1"))]),
        # Before: the card's changes are still there to be taken off (a cascade deletes them
        # next, and their own trigger no longer finds the card).
        _trigger(
            "tallies_card_delete",
            "BEFORE DELETE ON customers",
            [
                _up(_card_rows("OLD", "-1")),
                _up(_card_changes("OLD.id", "coalesce(OLD.owner, '')", old_began, "-1")),
            ],
        ),
        _trigger(
            "tallies_card_update",
            "AFTER UPDATE OF stage, top_stage, stage_since, owner, created_at, first_contact_at "
            "ON customers WHEN "
            + _differ(
                "stage", "top_stage", "stage_since", "owner", "created_at", "first_contact_at"
            ),
            [_up(_card_rows("OLD", "-1")), _up(_card_rows("NEW", "1"))],
        ),
        # A card handed to someone else takes its stage history along (as the report counts it
        # under its owner); a new first contact changes its days to a win.
        _trigger(
            "tallies_card_moved",
            "AFTER UPDATE OF owner, created_at, first_contact_at ON customers WHEN "
            + _differ("owner", "created_at", "first_contact_at"),
            [
                _up(_card_changes("OLD.id", "coalesce(OLD.owner, '')", old_began, "-1")),
                _up(_card_changes("NEW.id", "coalesce(NEW.owner, '')", new_began, "1")),
            ],
        ),
        _trigger(
            "tallies_change_insert",
            "AFTER INSERT ON changes WHEN NEW.field = 'stage'",
            [_up(_one_change("NEW", "1", "o.id != NEW.id"))],
        ),
        _trigger(
            "tallies_change_delete",
            "AFTER DELETE ON changes WHEN OLD.field = 'stage'",
            [_up(_one_change("OLD", "-1", "o.id != OLD.id"))],
        ),
        _trigger(
            "tallies_change_update",
            "AFTER UPDATE OF customer_id, field, old, new, at, reason ON changes WHEN "
            + _differ("customer_id", "field", "old", "new", "at", "reason"),
            [
                _up(_one_change("OLD", "-1", "o.id != OLD.id")),
                _up(_one_change("NEW", "1", "o.id != NEW.id")),
            ],
        ),
        _trigger(
            "tallies_contact_insert",
            "AFTER INSERT ON followups",
            [_up(_contact_rows("NEW", "1"))],
        ),
        _trigger(
            "tallies_contact_delete",
            "AFTER DELETE ON followups",
            [_up(_contact_rows("OLD", "-1"))],
        ),
        _trigger(
            "tallies_contact_update",
            "AFTER UPDATE OF at, by, via ON followups WHEN " + _differ("at", "by", "via"),
            [_up(_contact_rows("OLD", "-1")), _up(_contact_rows("NEW", "1"))],
        ),
        _trigger("tallies_plan_insert", "AFTER INSERT ON plans", [_up(_plan_rows("NEW", "1"))]),
        _trigger("tallies_plan_delete", "AFTER DELETE ON plans", [_up(_plan_rows("OLD", "-1"))]),
        _trigger(
            "tallies_plan_update",
            "AFTER UPDATE OF due, owner, status, closed_on ON plans WHEN "
            + _differ("due", "owner", "status", "closed_on"),
            [_up(_plan_rows("OLD", "-1")), _up(_plan_rows("NEW", "1"))],
        ),
    ]


def recount_sql(cards: str = "1") -> list[str]:
    """Statements that add the totals of the cards matching ``cards`` (SQL over ``c``), with
    their changes, contacts and plans: the whole book for the migration and the tests. (An
    import could count its new cards this way instead of by trigger: measured, 100k cards,
    no faster.)"""
    owner = "coalesce(c.owner, '')"
    began = "coalesce(c.first_contact_at, c.created_at)"
    joined = "JOIN customers AS c ON c.id = {t}.customer_id"
    changes_of = f"FROM changes AS ch {joined.format(t='ch')}"
    lostwhy = (
        f"SELECT 'lostwhy' AS metric, {owner} AS owner, '' AS day, coalesce(ch.reason, '') AS key, "
        f"count(DISTINCT ch.customer_id) AS n, 0 AS total {changes_of} "
        f"WHERE ({cards}) AND ch.field = 'stage' AND ch.new = 'lost' "
        f"GROUP BY {owner}, coalesce(ch.reason, '')"
    )
    parts = [
        _card_rows("c", "1", "FROM customers AS c", cards),
        [*_change_rows("ch", owner, began, "1", changes_of, cards), lostwhy],
        _contact_rows("f", "1", f"FROM followups AS f {joined.format(t='f')}", cards),
        _plan_rows("p", "1", f"FROM plans AS p {joined.format(t='p')}", cards),
    ]
    grouped = (
        "SELECT metric, owner, day, key, sum(n), sum(total) FROM ({rows}) "
        "GROUP BY metric, owner, day, key"
    )
    return [_UPSERT.format(rows=grouped.format(rows=" UNION ALL ".join(rows))) for rows in parts]


def kept(conn: Connection) -> bool:
    """Whether this book keeps the running totals (SQLite books from schema 0005 on)."""
    return conn.dialect.name == "sqlite"


def read(
    conn: Connection,
    metric: str,
    owner: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[tuple[str | None, str, int, float]]:
    """(owner, key, n, total) of a metric, summed over the days in [since, until] (all days
    when they are not given); owner None means everyone's, and reads back as None for cards
    nobody owns."""
    where = ["metric = ?"]
    params: list[Any] = [metric]
    if owner is not None:
        where.append("owner = ?")
        params.append(owner)
    if since is not None:
        where.append("day >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("day <= ?")
        params.append(until.isoformat())
    rows = conn.exec_driver_sql(
        "SELECT owner, key, sum(n), sum(total) FROM tallies WHERE "
        + " AND ".join(where)
        + " GROUP BY owner, key",
        tuple(params),
    )
    return [(o or None, k, int(n), float(t)) for o, k, n, t in rows if n]


def plans_due(conn: Connection, days: list[date], owner: str | None) -> dict[date, int]:
    """{day: plans due that day} for the journal: those due from that day or before, less
    those no longer due by then; one pass over the plans' running totals."""
    where, params = _owner(owner)
    rows = conn.exec_driver_sql(
        "SELECT day, sum(CASE metric WHEN 'pstart' THEN n ELSE -n END) FROM tallies "
        f"WHERE metric IN ('pstart', 'pend') AND day <= ?{where} GROUP BY day ORDER BY day",
        (max(days).isoformat(), *params),
    )
    by_day = [(date.fromisoformat(d), int(n)) for d, n in rows if d]
    return {day: sum(n for d, n in by_day if d <= day) for day in days}


def plans_due_between(conn: Connection, first: date, last: date, owner: str | None) -> int:
    """Plans due on some day from first to last: due from last or before, less those no
    longer due by first (a plan is due on one unbroken run of days)."""
    where, params = _owner(owner)
    return int(
        conn.exec_driver_sql(
            "SELECT coalesce(sum(CASE WHEN metric = 'pstart' THEN n "
            "WHEN day <= ? THEN -n ELSE 0 END), 0) FROM tallies "
            f"WHERE metric IN ('pstart', 'pend') AND day <= ?{where}",
            (first.isoformat(), last.isoformat(), *params),
        ).scalar_one()
    )


def plans_done(conn: Connection, first: date, last: date, owner: str | None) -> dict[date, int]:
    """{day: plans fulfilled that day while due} for the days from first to last."""
    where, params = _owner(owner)
    rows = conn.exec_driver_sql(
        "SELECT day, sum(n) FROM tallies WHERE metric = 'pdone' AND day >= ? AND day <= ?"
        f"{where} GROUP BY day",
        (first.isoformat(), last.isoformat(), *params),
    )
    return {date.fromisoformat(d): int(n) for d, n in rows if n}


def _owner(owner: str | None) -> tuple[str, tuple[str, ...]]:
    return (" AND owner = ?", (owner,)) if owner is not None else ("", ())
