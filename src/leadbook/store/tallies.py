"""Running totals for the funnel, the reports and the journals, kept by triggers.

On a book of a million cards the whole-book funnel and a month's report read hundreds of
thousands of rows (every card's stage, a month's stage changes, plans and contacts). These
totals hold the same counts per salesperson and per day, so those commands read a few hundred
rows instead. Triggers keep them in step with every write, whoever makes it (a command, an
import, a migration), inside the same transaction: they can never disagree with the rows they
count. ``tests/test_tallies.py`` checks them against a recount from scratch, and what
the commands read from them against ``tests/tallies_reference.py``, which counts the same
figures from the rows.

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
pstart     the plan's              first due    plans that were due from that day
pend       the plan's              after        plans no longer due from that day
pdone      the plan's              closed       plans fulfilled that day while due
reach      the card's              reach_i      "i/1", "i/0": furthest stage past i or not; cards
=========  ======================  ===========  ============================================

``reach`` answers `funnel --since` for a period that ends today without reading the
period's stage changes (a million cards: 2.4 s). A card reaches stage i in a period when a
change in it moves the card from i or below and one moves it to i or beyond (``stage_range``;
a card's range of stages is what its changes in the period span). ``reach_i``, kept on the
card by the change triggers, is the earlier of the last day of either kind, so the card
reached i in a period from a day to today exactly when ``reach_i`` is that day or later.

The same triggers exist on both engines (SQLite triggers; PL/pgSQL functions on
PostgreSQL), written once here with the few functions that differ. On SQLite the totals of
each kind of row (a card, its reach, its stage changes, one change, a contact, a plan) are
written once, in the trigger of a view of that kind (``tallies_card_rows`` ...), and a
table's triggers insert the row's old values into it with the sign -1 and its new ones with
+1: SQLite parses the book's whole schema each time a connection opens it (migration 0009:
10.9 KB instead of 22.9 KB; with 0010's reach 16.5 KB, and opening a book and reading a row
takes 2.5 ms). On PostgreSQL, writers update the same counter rows, and two transactions
that lock them in opposite orders would deadlock: ``Book.write`` takes one advisory lock
per write transaction there, so writers queue as they do on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leadbook.domain import STAGE_INDEX

# Rows with the same key are summed first: PostgreSQL refuses to update a row twice in one
# INSERT ... ON CONFLICT.
_UPSERT = (
    "INSERT INTO tallies (metric, owner, day, key, n, total) "
    "SELECT metric, owner, day, key, sum(n), sum(total) FROM ({rows}) AS t "
    "GROUP BY metric, owner, day, key "
    "ON CONFLICT (metric, owner, day, key) DO UPDATE "
    "SET n = tallies.n + excluded.n, total = tallies.total + excluded.total;"
)


@dataclass(frozen=True)
class _Sql:
    """The SQL that differs between the engines. Days are kept as 'YYYY-MM-DD' text."""

    name: str

    @property
    def pg(self) -> bool:
        return self.name == "postgresql"

    def day(self, moment: str) -> str:
        return f"to_char({moment}, 'YYYY-MM-DD')" if self.pg else f"date({moment})"

    def date(self, moment: str) -> str:
        return f"CAST({moment} AS DATE)" if self.pg else f"date({moment})"

    def earlier(self, a: str, b: str) -> str:
        """The earlier of two days, or NULL when either is (PostgreSQL's least skips NULLs)."""
        if self.pg:
            return f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE least({a}, {b}) END"
        return f"min({a}, {b})"

    def unindexed(self, column: str) -> str:
        """``column``, which the engine is not to look up by an index (both would read every
        stage change through (field, ...) instead of a card's own through (customer_id, at))."""
        return f"{column} || ''"

    def date_text(self, day: str) -> str:
        return f"to_char({day}, 'YYYY-MM-DD')" if self.pg else day

    def day_after(self, day: str) -> str:
        return f"to_char({day} + 1, 'YYYY-MM-DD')" if self.pg else f"date({day}, '+1 day')"

    def seconds(self, moment: str) -> str:
        if self.pg:
            return f"CAST(floor(extract(epoch FROM {moment})) AS BIGINT)"  # whole seconds
        return f"CAST(strftime('%s', {moment}) AS INTEGER)"  # whole seconds: sums stay exact

    def days(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"(extract(epoch FROM ({later}) - ({earlier})) / 86400.0)"
        return f"(julianday({later}) - julianday({earlier}))"

    def greatest(self, a: str, b: str) -> str:
        return f"greatest({a}, {b})" if self.pg else f"max({a}, {b})"

    def differ(self, *columns: str) -> str:
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in columns)


SQLITE, POSTGRESQL = _Sql("sqlite"), _Sql("postgresql")


def _sql(dialect: str) -> _Sql:
    return POSTGRESQL if dialect == "postgresql" else SQLITE


def _index(column: str) -> str:
    whens = " ".join(f"WHEN '{s}' THEN {i}" for s, i in STAGE_INDEX.items())
    return f"(CASE {column} {whens} ELSE -1 END)"


def stage_range(ch: str) -> tuple[str, str, str]:
    """(lo, hi, moved) of a stage change ``ch``: the funnel stages it moves a card through. A
    new card's first stage passes through every stage before it; a move forward, the stages
    after the old one up to the new; a reopened card, its new stage. A move back or to lost
    passes through none (``moved`` is false). The funnel over a period (store.calls) and
    ``reach_i`` read it."""
    hi = _index(f"{ch}.new")
    after_old = f"{_index(ch + '.old')} + 1"
    lo = (
        f"(CASE WHEN {ch}.old IS NULL THEN 0 WHEN {ch}.old = 'lost' THEN {hi} ELSE {after_old} END)"
    )
    return lo, hi, _moved(lo, hi)


def _moved(lo: str, hi: str) -> str:
    return f"({lo} <= {hi} AND {hi} >= 0)"


def _reach_select(d: _Sql, where: str) -> str:
    """Each card's ``reach_0`` ... as the stage changes matching ``where`` (SQL over ``ch``)
    give them: for stage i, the earlier of the last day a change moved the card from i or
    below and the last day one moved it to i or beyond, none when either never happened.
    Cards none of whose changes moved them through a stage have no row."""
    lo, hi, _ = stage_range("ch")
    values = ", ".join(
        d.earlier(
            f"max(CASE WHEN lo <= {i} THEN day END)", f"max(CASE WHEN hi >= {i} THEN day END)"
        )
        + f" AS {column}"
        for i, column in enumerate(REACH)
    )
    return (
        f"SELECT customer_id, {values} FROM (SELECT customer_id, {d.date('at')} AS day, lo, hi "
        f"FROM (SELECT ch.customer_id, ch.at, {lo} AS lo, {hi} AS hi FROM changes AS ch "
        f"WHERE {d.unindexed('ch.field')} = 'stage' AND {where}) AS m "
        f"WHERE {_moved('lo', 'hi')}) AS moves "
        "GROUP BY customer_id"
    )


def reach_sql(dialect: str, where: str) -> str:
    """The statement that sets ``reach_0`` ... of the cards whose changes match ``where``
    (SQL over ``ch``), reading those changes once: for cards whose reach is still unset (a
    migration, an import's new cards)."""
    sets = ", ".join(f"{c} = r.{c}" for c in REACH)
    return (
        f"UPDATE customers SET {sets} FROM ({_reach_select(_sql(dialect), where)}) AS r "
        "WHERE r.customer_id = customers.id;"
    )


def _reach_update(d: _Sql, cards: str, added: bool = False) -> list[str]:
    """Set the reach_0 ... of the cards ``cards`` (a list for IN) again from their stage
    changes, taking their totals off before and adding them after: once for all the cards
    (on PostgreSQL a statement's), not card by card through the card's own trigger (which
    does not watch these columns). ``added``: the changes were only added, which can only
    move a card's reach later: the cards are read together, and one none of whose changes
    moved it keeps its reach (none)."""
    columns = ", ".join(REACH)
    cards_of = ("FROM customers AS c", f"c.id IN ({cards})")
    if added:
        update = reach_sql(d.name, f"ch.customer_id IN ({cards})")
    else:
        each = _reach_select(d, "ch.customer_id = customers.id")
        update = (
            f"UPDATE customers SET ({columns}) = (SELECT {columns} FROM ({each}) AS r) "
            f"WHERE id IN ({cards});"
        )
    if d.pg:
        return [
            _up(_reach_rows(d, "c", "-1", *cards_of)),
            update,
            _up(_reach_rows(d, "c", "1", *cards_of)),
        ]
    # SQLite: through the view that counts a card's reach (the statement written once)
    reach = f"owner, top_stage, {columns} FROM customers WHERE id IN ({cards});"
    return [
        f"INSERT INTO tallies_card_reach_rows SELECT -1, {reach}",
        update,
        f"INSERT INTO tallies_card_reach_rows SELECT 1, {reach}",
    ]


def _reach(d: _Sql, rows: str) -> str:
    """What a change trigger runs for the cards of its ``rows``: on SQLite the row NEW or OLD,
    through the view ``tallies_reach_cards``, whose trigger holds the statement once; on
    PostgreSQL the statement's transition tables (new_rows, old_rows), once a statement: an
    import's rows, inserted in one statement (store.bulk_insert), set every card's reach in
    one go."""
    if d.pg:
        stage = " UNION ".join(
            f"SELECT customer_id FROM {t} WHERE field = 'stage'" for t in rows.split()
        )
        return " ".join(_reach_update(d, stage, added=rows == "new_rows"))
    return f"INSERT INTO tallies_reach_cards VALUES ({rows}.customer_id);"


REACH = tuple(f"reach_{i}" for i in range(len(STAGE_INDEX)))


def _row(
    metric: str, owner: str, day: str, key: str, n: str, total: str, source: str, *where: str
) -> str:
    """One SELECT of totals; ``source`` is a FROM clause or '' (a trigger's row)."""
    condition = " AND ".join(f"({w})" for w in where if w)
    return (
        f"SELECT '{metric}' AS metric, {owner} AS owner, {day} AS day, {key} AS key, "
        f"{n} AS n, {total} AS total {source}" + (f" WHERE {condition}" if condition else "")
    )


def _reach_rows(d: _Sql, c: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    """The totals a card's reach_0 ... give (with its owner and furthest stage)."""
    return [
        _row(
            "reach",
            f"coalesce({c}.owner, '')",
            d.date_text(f"{c}.{column}"),
            f"'{i}/' || (CASE WHEN {c}.top_stage > {i} THEN '1' ELSE '0' END)",
            sign,
            "0",
            source,
            scope,
            f"{c}.{column} IS NOT NULL",
        )
        for i, column in enumerate(REACH)
    ]


def _card_rows(d: _Sql, c: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    """The totals a card's own columns give: its stage, since when, its creation, its first
    contact."""
    owner = f"coalesce({c}.owner, '')"
    seconds = d.seconds(f"{c}.stage_since")
    return [
        _row(
            "stage",
            owner,
            "''",
            f"{c}.stage || '/' || coalesce(CAST({c}.top_stage AS TEXT), '')",
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
        _row("new", owner, d.day(f"{c}.created_at"), "''", sign, "0", source, scope),
        _row(
            "first",
            owner,
            d.day(f"{c}.first_contact_at"),
            "''",
            sign,
            "0",
            source,
            scope,
            f"{c}.first_contact_at IS NOT NULL",
        ),
    ]


def _change_rows(
    d: _Sql, ch: str, owner: str, began: str, sign: str, source: str, scope: str
) -> list[str]:
    """The totals stage changes give (``ch`` names the changes: a table of them or a trigger's
    row), for the card whose owner and start of contact are given."""
    advanced = (
        f"{ch}.old IS NOT NULL AND {ch}.old != 'lost' AND "
        f"{_index(ch + '.new')} > {_index(ch + '.old')}"
    )
    day = d.day(f"{ch}.at")
    stage = f"{ch}.field = 'stage'"
    days = f"{sign} * {d.days(f'{ch}.at', began)}"
    return [
        _row("advance", owner, day, "''", sign, "0", source, scope, stage, advanced),
        _row("won", owner, day, "''", sign, days, source, scope, stage, f"{ch}.new = 'won'"),
        _row("lost", owner, day, "''", sign, "0", source, scope, stage, f"{ch}.new = 'lost'"),
    ]


def _card_changes(d: _Sql, cid: str, owner: str, began: str, sign: str) -> list[str]:
    """Every total the card's stage changes give (its owner or start of contact changed)."""
    reasons = (
        "FROM (SELECT DISTINCT coalesce(l.reason, '') AS why FROM changes AS l "
        f"WHERE l.customer_id = {cid} AND l.field = 'stage' AND l.new = 'lost') AS reasons"
    )
    return [
        *_change_rows(d, "ch", owner, began, sign, "FROM changes AS ch", f"ch.customer_id = {cid}"),
        _row("lostwhy", owner, "''", "why", sign, "0", reasons),
    ]


def _one_change(d: _Sql, row: str, sign: str, other: str) -> list[str]:
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
        *_change_rows(d, row, owner, began, sign, source, scope),
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


def _contact_rows(d: _Sql, f: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    return [
        _row(
            "contact",
            f"coalesce({f}.\"by\", '')",
            d.day(f"{f}.at"),
            f"{f}.via",
            sign,
            "0",
            source,
            scope,
        )
    ]


def _plan_rows(d: _Sql, p: str, sign: str, source: str = "", scope: str = "") -> list[str]:
    """A plan is due from ``first`` (its date, or its creation if later) through the day it is
    closed, however it was closed; done on its closing day when a contact fulfilled it. A plan
    closed before it fell due (moved, dropped) was never due. The definitions are in the
    README ("What the numbers mean") and ``plans_due_done`` reads them."""
    owner = f"coalesce({p}.owner, '')"
    first = d.greatest(f"{p}.due", f"{p}.created_on")
    ever_due = f"{p}.closed_on IS NULL OR {p}.closed_on >= {first}"
    done = f"{p}.status = 'done' AND {p}.closed_on >= {first}"
    return [
        _row("pstart", owner, d.date_text(first), "''", sign, "0", source, scope, ever_due),
        _row(
            "pend",
            owner,
            d.day_after(f"{p}.closed_on"),
            "''",
            sign,
            "0",
            source,
            scope,
            ever_due,
            f"{p}.closed_on IS NOT NULL",
        ),
        _row("pdone", owner, d.date_text(f"{p}.closed_on"), "''", sign, "0", source, scope, done),
    ]


def _up(rows: list[str]) -> str:
    return _UPSERT.format(rows=" UNION ALL ".join(rows))


def _card_history(d: _Sql, row: str, sign: str) -> list[str]:
    """The totals of a card's stage changes, read with the card ``row``."""
    began = f"coalesce({row}.first_contact_at, {row}.created_at)"
    return _card_changes(d, f"{row}.id", f"coalesce({row}.owner, '')", began, sign)


def _a_change(d: _Sql, row: str, sign: str) -> list[str]:
    return _one_change(d, row, sign, f"o.id != {row}.id")


# Each kind of row whose values give totals: the columns they are read from, and the totals.
_KINDS: dict[str, tuple[tuple[str, ...], Callable[[_Sql, str, str], list[str]]]] = {
    "card": (
        ("owner", "stage", "top_stage", "stage_since", "created_at", "first_contact_at"),
        _card_rows,
    ),
    "card_reach": (("owner", "top_stage", *REACH), _reach_rows),
    "card_history": (("id", "owner", "first_contact_at", "created_at"), _card_history),
    "change": (("id", "customer_id", "field", "old", "new", "at", "reason"), _a_change),
    "contact": (('"by"', "at", "via"), _contact_rows),
    "plan": (("owner", "due", "created_on", "status", "closed_on"), _plan_rows),
}


def _count(d: _Sql, kind: str, row: str, sign: str) -> str:
    """The statement a trigger runs to add (sign 1) or take off (-1) the totals of its
    ``row`` (NEW or OLD) of ``kind``: on SQLite, the row's values inserted into the kind's
    view, whose own trigger counts them (see the module's docstring)."""
    columns, rows = _KINDS[kind]
    if d.pg:
        return _up(rows(d, row, sign))
    values = ", ".join(f"{row}.{c}" for c in columns)
    return f"INSERT INTO tallies_{kind}_rows VALUES ({sign}, {values});"


def _views() -> list[str]:
    """SQLite: a view of each kind with no rows, and the trigger that counts what is inserted
    into it (with the sign it is given)."""
    statements = []
    for kind, (columns, rows) in _KINDS.items():
        nothing = ", ".join("NULL" for _ in range(len(columns) + 1))
        statements.append(
            f"CREATE VIEW tallies_{kind}_rows (sign, {', '.join(columns)}) "
            f"AS SELECT {nothing} WHERE 0"
        )
        statements.append(
            f"CREATE TRIGGER tallies_{kind}_count INSTEAD OF INSERT ON tallies_{kind}_rows "
            f"BEGIN {_up(rows(SQLITE, 'NEW', 'NEW.sign'))} END"
        )
    statements.append("CREATE VIEW tallies_reach_cards (customer_id) AS SELECT NULL WHERE 0")
    statements.append(
        "CREATE TRIGGER tallies_reach_count INSTEAD OF INSERT ON tallies_reach_cards "
        f"BEGIN {' '.join(_reach_update(SQLITE, 'NEW.customer_id'))} END"
    )
    return statements


@dataclass(frozen=True)
class _Trigger:
    name: str
    timing: str  # AFTER or BEFORE
    event: str  # INSERT, DELETE, UPDATE OF ...
    table: str
    when: str | None
    body: list[str]
    # PostgreSQL: FOR EACH STATEMENT with these transition tables ("NEW TABLE AS new_rows")
    referencing: tuple[str, ...] = ()


def _row_triggers(
    d: _Sql, what: str, table: str, columns: tuple[str, ...], inserted: str | None = None
) -> list[_Trigger]:
    """Insert, delete and update triggers of a table whose rows give their totals alone (a
    new row only when ``inserted`` holds, if given)."""
    return [
        _Trigger(
            f"tallies_{what}_insert",
            "AFTER",
            "INSERT",
            table,
            inserted,
            [_count(d, what, "NEW", "1")],
        ),
        _Trigger(
            f"tallies_{what}_delete", "AFTER", "DELETE", table, None, [_count(d, what, "OLD", "-1")]
        ),
        _Trigger(
            f"tallies_{what}_update",
            "AFTER",
            "UPDATE OF " + ", ".join(columns),
            table,
            d.differ(*columns),
            [_count(d, what, "OLD", "-1"), _count(d, what, "NEW", "1")],
        ),
    ]


def _specs(d: _Sql) -> list[_Trigger]:
    card_columns = ("stage", "top_stage", "stage_since", "owner", "created_at", "first_contact_at")
    moved_columns = ("owner", "created_at", "first_contact_at")
    change_columns = ("customer_id", "field", "old", "new", "at", "reason")
    T = _Trigger
    # A move to lost counts for its reason only if no other move of the card already did:
    # each row's trigger must see the rows before it in the same statement as they now are
    # (forget clears every reason of a card at once). SQLite runs AFTER triggers row by row;
    # PostgreSQL runs them when the statement ends, and only BEFORE triggers row by row.
    row_by_row = "BEFORE" if d.pg else "AFTER"
    return [
        T(
            "tallies_card_insert",
            "AFTER",
            "INSERT",
            "customers",
            None,
            [_count(d, "card", "NEW", "1")],
        ),
        # Before: the card's changes are still there to be taken off (a cascade deletes them
        # next, and their own trigger no longer finds the card).
        T(
            "tallies_card_delete",
            "BEFORE",
            "DELETE",
            "customers",
            None,
            [_count(d, "card", "OLD", "-1"), _count(d, "card_history", "OLD", "-1")],
        ),
        T(
            "tallies_card_update",
            "AFTER",
            "UPDATE OF " + ", ".join(card_columns),
            "customers",
            d.differ(*card_columns),
            [_count(d, "card", "OLD", "-1"), _count(d, "card", "NEW", "1")],
        ),
        # A card handed to someone else takes its stage history along (as the report counts it
        # under its owner); a new first contact changes its days to a win.
        T(
            "tallies_card_moved",
            "AFTER",
            "UPDATE OF " + ", ".join(moved_columns),
            "customers",
            d.differ(*moved_columns),
            [_count(d, "card_history", "OLD", "-1"), _count(d, "card_history", "NEW", "1")],
        ),
        T(
            "tallies_change_insert",
            row_by_row,
            "INSERT",
            "changes",
            "NEW.field = 'stage'",
            [_count(d, "change", "NEW", "1")],
        ),
        T(
            "tallies_change_delete",
            row_by_row,
            "DELETE",
            "changes",
            "OLD.field = 'stage'",
            [_count(d, "change", "OLD", "-1")],
        ),
        T(
            "tallies_change_update",
            row_by_row,
            "UPDATE OF " + ", ".join(change_columns),
            "changes",
            d.differ(*change_columns),
            [_count(d, "change", "OLD", "-1"), _count(d, "change", "NEW", "1")],
        ),
        *_reach_triggers(d, ("customer_id", "field", "old", "new", "at")),
        *_row_triggers(d, "contact", "followups", ("at", '"by"', "via")),
        *_row_triggers(d, "plan", "plans", ("due", "owner", "status", "closed_on")),
    ]


def _reach_triggers(d: _Sql, columns: tuple[str, ...]) -> list[_Trigger]:
    """A card's reach totals follow its owner and furthest stage, and go with it; its reach_i
    are set again when its stage changes are written (and counted by the statement that sets
    them, _reach_update): on SQLite after each row; on PostgreSQL once a statement, for the
    cards of all its rows. A new card has none (an import sets and counts them in one go)."""
    reached = " OR ".join(f"NEW.{c} IS NOT NULL" for c in REACH)
    cards = _row_triggers(d, "card_reach", "customers", ("owner", "top_stage"), reached)
    return cards + _reach_change_triggers(d, columns)


def _reach_change_triggers(d: _Sql, columns: tuple[str, ...]) -> list[_Trigger]:
    if d.pg:
        new, old = "NEW TABLE AS new_rows", "OLD TABLE AS old_rows"
        return [
            _Trigger(
                "tallies_reach_insert", "AFTER", "INSERT", "changes", None,
                [_reach(d, "new_rows")], (new,),
            ),
            _Trigger(
                "tallies_reach_delete", "AFTER", "DELETE", "changes", None,
                [_reach(d, "old_rows")], (old,),
            ),
            _Trigger(
                "tallies_reach_update", "AFTER", "UPDATE", "changes", None,
                [_reach(d, "old_rows new_rows")], (old, new),
            ),
        ]  # fmt: skip
    return [
        _Trigger(
            "tallies_reach_insert", "AFTER", "INSERT", "changes", "NEW.field = 'stage'",
            [_reach(d, "NEW")],
        ),
        _Trigger(
            "tallies_reach_delete", "AFTER", "DELETE", "changes", "OLD.field = 'stage'",
            [_reach(d, "OLD")],
        ),
        _Trigger(
            "tallies_reach_update", "AFTER", "UPDATE OF " + ", ".join(columns), "changes",
            d.differ(*columns), [_reach(d, "OLD"), _reach(d, "NEW")],
        ),
    ]  # fmt: skip


TRIGGERS = tuple(t.name for t in _specs(SQLITE))


def create_triggers(dialect: str) -> list[str]:
    """The statements that create the triggers (on SQLite with their views, on PostgreSQL
    with their functions)."""
    d = _sql(dialect)
    statements = [] if d.pg else _views()
    for t in _specs(d):
        when = f" WHEN ({t.when})" if t.when else ""
        if not d.pg:
            statements.append(
                f"CREATE TRIGGER {t.name} {t.timing} {t.event} ON {t.table}{when} "
                f"BEGIN {' '.join(t.body)} END"
            )
            continue
        returned = "NULL"
        if t.timing == "BEFORE":  # what a BEFORE trigger returns is what gets written
            returned = "OLD" if t.event == "DELETE" else "NEW"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {t.name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(t.body)} RETURN {returned}; END $$"
        )
        each = " FOR EACH ROW"
        if t.referencing:
            each = f" REFERENCING {' '.join(t.referencing)} FOR EACH STATEMENT"
        statements.append(
            f"CREATE TRIGGER {t.name} {t.timing} {t.event} ON {t.table}{each}{when} "
            f"EXECUTE FUNCTION {t.name}()"
        )
    return statements


def recount_sql(dialect: str, cards: str = "1 = 1", only: str = "") -> list[str]:
    """Statements that add the totals of the cards matching ``cards`` (SQL over ``c``), with
    their changes, contacts and plans: the whole book for the migration and the tests, and
    the new cards of an import on SQLite (importer._in_one_go)."""
    d = _sql(dialect)
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
        _card_rows(d, "c", "1", "FROM customers AS c", cards),
        _reach_rows(d, "c", "1", "FROM customers AS c", cards),
        [*_change_rows(d, "ch", owner, began, "1", changes_of, cards), lostwhy],
        _contact_rows(d, "f", "1", f"FROM followups AS f {joined.format(t='f')}", cards),
        _plan_rows(d, "p", "1", f"FROM plans AS p {joined.format(t='p')}", cards),
    ]
    if only == "plan":
        parts = parts[-1:]
    elif only == "reach":
        parts = parts[1:2]
    return [_up(rows) for rows in parts]
