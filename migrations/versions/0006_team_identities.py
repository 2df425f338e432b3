"""real identities on a team book (PostgreSQL): salespeople are database logins; row-level
security lets each read and change their own cards, managers everything; the running totals
are written by their triggers whoever writes; the audit trail records the real login

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:00:00

On SQLite (one person's book) nothing changes: the name given with --as is a label.

On PostgreSQL, two group roles, cluster-wide and shared by every book of the cluster:
``leadbook_sales`` (the table privileges) and ``leadbook_manager`` (a member of
``leadbook_sales``; sees and changes every card, writes the settings). ``leadbook team add``
creates logins in them. The book's owner and superusers bypass row-level security, as
PostgreSQL always lets them; leadbook treats them as the book's administrator.

This revision carries its own SQL: it means the same thing whatever leadbook becomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SALES = "leadbook_sales"
MANAGER = "leadbook_manager"

# The tables whose rows hang off a card, at this revision.
CARD_ROWS = (
    "followups",
    "plans",
    "changes",
    "deals",
    "complaints",
    "swot",
    "financials",
    "visits",
)
# The running totals' trigger functions as migration 0005 made them.
TALLY_FUNCTIONS = (
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

LOGIN = "CAST(session_user AS text)"
# Evaluated once per statement (an InitPlan), not once per row.
IS_MANAGER = "(SELECT leadbook_is_manager())"
OWN_CARD = (
    "EXISTS (SELECT 1 FROM customers AS own WHERE own.id = {table}.customer_id "
    f"AND own.owner = {LOGIN})"
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _roles() -> list[str]:
    """The group roles, made once per cluster. Two books upgraded at once may race to make
    them: the loser finds them made. An owner who may not create roles still gets the
    policies (a book nobody else logs in to loses nothing); ``team add`` then says why it
    cannot add anyone."""
    statements = []
    for role in (SALES, MANAGER):
        statements.append(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
            f"WHEN insufficient_privilege THEN RAISE NOTICE 'leadbook: cannot create role {role}'; "
            "END $$"
        )
    statements.append(
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MANAGER}') "
        f"AND NOT pg_has_role('{MANAGER}', '{SALES}', 'MEMBER') THEN "
        f"GRANT {SALES} TO {MANAGER}; END IF; "
        "EXCEPTION WHEN insufficient_privilege OR undefined_object OR unique_violation "
        "THEN NULL; END $$"
    )
    return statements


def _grants(schema: str) -> list[str]:
    """Table privileges, granted when the roles exist."""
    card_tables = ", ".join(("customers", *CARD_ROWS))
    grants = [
        f"GRANT USAGE ON SCHEMA {schema} TO {SALES}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {card_tables} TO {SALES}",
        # The trail is appended to; forget may clear what an edit changed, nothing else.
        f"GRANT SELECT, INSERT ON audit TO {SALES}",
        f"GRANT UPDATE (old, new) ON audit TO {SALES}",
        f"GRANT SELECT, INSERT ON sales_plans TO {SALES}",
        # Written by the triggers (as the book's owner) and by a manager's recount; anyone
        # may clear their own empty counts (below).
        f"GRANT SELECT, DELETE ON tallies TO {SALES}",
        f"GRANT INSERT, UPDATE, DELETE ON tallies TO {MANAGER}",
        # Settings change everyone's follow-up rhythm: a manager's decision.
        f"GRANT SELECT ON settings, alembic_version TO {SALES}",
        f"GRANT INSERT, UPDATE, DELETE ON settings TO {MANAGER}",
        # UPDATE: an import moves the card numbers' sequence past a file's own numbers
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {SALES}",
    ]
    return [_if_roles(grants)]


def _if_roles(statements: list[str]) -> str:
    body = " ".join(f"{s};" for s in statements)
    return (
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SALES}') "
        f"AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MANAGER}') THEN {body} END IF; "
        "END $$"
    )


def _functions() -> list[str]:
    owner_of_book = (
        "pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')"
    )
    return [
        # Whether the login is a manager: false, not an error, where the role does not exist.
        "CREATE FUNCTION leadbook_is_manager() RETURNS boolean LANGUAGE sql STABLE "
        "SET search_path = pg_catalog, pg_temp AS $$ "
        "SELECT coalesce((SELECT pg_has_role(session_user, oid, 'USAGE') FROM pg_roles "
        f"WHERE rolname = '{MANAGER}'), false) $$",
        # The audit trail names the login that wrote it, whatever name it was given; the
        # book's owner (and a superuser) is not limited by the database, and keeps its label.
        "CREATE FUNCTION leadbook_audit_login() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
        f"IF NOT coalesce({owner_of_book}, false) THEN "
        f'NEW."by" := left({LOGIN}, 100); END IF; '
        "RETURN NEW; END $$",
        "CREATE TRIGGER leadbook_audit_login BEFORE INSERT ON audit FOR EACH ROW "
        "EXECUTE FUNCTION leadbook_audit_login()",
        # A manager adds logins without holding CREATEROLE: this runs as the book's owner, for
        # leadbook_manager only. A new login only, with a password already hashed (SCRAM).
        "CREATE FUNCTION leadbook_add_member(member text, verifier text, manager boolean) "
        "RETURNS void LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
        f"EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE {SALES}', member, verifier); "
        f"IF manager THEN EXECUTE format('GRANT {MANAGER} TO %I', member); END IF; "
        "END $$",
        "REVOKE ALL ON FUNCTION leadbook_add_member(text, text, boolean) FROM PUBLIC",
        _if_roles(
            [f"GRANT EXECUTE ON FUNCTION leadbook_add_member(text, text, boolean) TO {MANAGER}"]
        ),
    ]


def _tally_triggers(schema: str) -> list[str]:
    """The running totals are kept whoever writes: their triggers run as the book's owner
    (who owns the totals), with the book's schema fixed so nobody can slip in a table."""
    return [
        f"ALTER FUNCTION {name}() SECURITY DEFINER SET search_path = {schema}, pg_temp"
        for name in TALLY_FUNCTIONS
    ]


def _search(schema: str) -> list[str]:
    """Search through the trigram index for a login that row-level security limits.

    PostgreSQL checks a policy before any condition that might leak what it reads (LIKE is
    not "leakproof"), so under row-level security the planner may not use the trigram index
    for search's LIKE: it reads every card the login may see and tries the pattern on each
    (33 ms at 50,000 cards, growing with the book). This function runs as the book's owner,
    who may use the index, and applies the policy's own rule itself: every card for a manager
    or the book's administrator, otherwise the cards the login owns. It returns only card ids
    the caller could select anyway; search still reads the cards themselves under the policy.
    The book's schema is fixed so nobody can slip in a table or function of their own."""
    administrator = (
        "pg_has_role(session_user, (SELECT relowner FROM pg_class "
        "WHERE oid = 'customers'::regclass), 'USAGE')"
    )
    return [
        "CREATE FUNCTION leadbook_search_ids(pattern text) RETURNS integer[] "
        "LANGUAGE plpgsql STABLE SECURITY DEFINER "
        f"SET search_path = {schema}, pg_temp AS $$ BEGIN "
        f"IF leadbook_is_manager() OR {administrator} THEN "
        "RETURN ARRAY(SELECT id FROM customers WHERE search_key LIKE pattern); END IF; "
        "RETURN ARRAY(SELECT id FROM customers WHERE search_key LIKE pattern "
        f"AND owner = {LOGIN}); END $$",
        "REVOKE ALL ON FUNCTION leadbook_search_ids(text) FROM PUBLIC",
        _if_roles([f"GRANT EXECUTE ON FUNCTION leadbook_search_ids(text) TO {SALES}"]),
    ]


def _policies() -> list[str]:
    own = f"{IS_MANAGER} OR owner = {LOGIN}"
    statements = [
        "ALTER TABLE customers ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY leadbook_own_cards ON customers USING ({own}) WITH CHECK ({own})",
    ]
    for table in (*CARD_ROWS, "audit"):
        rule = f"{IS_MANAGER} OR {OWN_CARD.format(table=table)}"
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY leadbook_own_cards ON {table} USING ({rule}) WITH CHECK ({rule})",
        ]
    statements += [
        # Plans for the whole team (no owner) are for everyone to read.
        "ALTER TABLE sales_plans ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY leadbook_read_plans ON sales_plans FOR SELECT "
        f"USING ({own} OR owner IS NULL)",
        f"CREATE POLICY leadbook_own_plans ON sales_plans FOR INSERT WITH CHECK ({own})",
        "ALTER TABLE tallies ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY leadbook_read_totals ON tallies FOR SELECT USING ({own})",
        # A count of nothing tells nothing: forget clears its own (the reason's text with it).
        f"CREATE POLICY leadbook_clear_totals ON tallies FOR DELETE USING (n = 0 AND ({own}))",
        f"CREATE POLICY leadbook_write_totals ON tallies USING ({IS_MANAGER}) "
        f"WITH CHECK ({IS_MANAGER})",
    ]
    return statements


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = _quote(str(bind.exec_driver_sql("SELECT current_schema()").scalar()))
        for statement in [
            *_roles(),
            *_functions(),
            *_tally_triggers(schema),
            *_search(schema),
            *_policies(),
            *_grants(schema),
        ]:
            bind.execute(sa.text(statement))
    # Both engines: where an imported card came from (the source's own id, or a fingerprint
    # of its row), so that importing the same file again matches every row.
    op.add_column("customers", sa.Column("origin", sa.String(200), nullable=True))
    op.create_index(
        "ix_customers_origin",
        "customers",
        ["origin"],
        unique=False,
        sqlite_where=sa.text("origin IS NOT NULL"),
    )


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index("ix_customers_origin", table_name="customers")
    # Plain SQL on SQLite too (3.35+): a batch operation would copy the table and lose its
    # search triggers.
    bind.exec_driver_sql("ALTER TABLE customers DROP COLUMN origin")
    if bind.dialect.name != "postgresql":
        return
    schema = _quote(str(bind.exec_driver_sql("SELECT current_schema()").scalar()))
    statements = []
    for table in ("customers", *CARD_ROWS, "audit", "sales_plans", "tallies"):
        statements.append(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for table in ("customers", *CARD_ROWS, "audit"):
        statements.append(f"DROP POLICY IF EXISTS leadbook_own_cards ON {table}")
    statements += [
        "DROP POLICY IF EXISTS leadbook_read_plans ON sales_plans",
        "DROP POLICY IF EXISTS leadbook_own_plans ON sales_plans",
        "DROP POLICY IF EXISTS leadbook_read_totals ON tallies",
        "DROP POLICY IF EXISTS leadbook_clear_totals ON tallies",
        "DROP POLICY IF EXISTS leadbook_write_totals ON tallies",
        *(
            f"ALTER FUNCTION {name}() SECURITY INVOKER RESET search_path"
            for name in TALLY_FUNCTIONS
        ),
        "DROP TRIGGER IF EXISTS leadbook_audit_login ON audit",
        "DROP FUNCTION IF EXISTS leadbook_audit_login()",
        "DROP FUNCTION IF EXISTS leadbook_add_member(text, text, boolean)",
        "DROP FUNCTION IF EXISTS leadbook_search_ids(text)",
        "DROP FUNCTION IF EXISTS leadbook_is_manager()",
        # The group roles are the cluster's, shared with other books: they stay; this
        # schema's privileges go.
        _if_roles(
            [
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {SALES}, {MANAGER}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {SALES}",
                f"REVOKE USAGE ON SCHEMA {schema} FROM {SALES}",
            ]
        ),
    ]
    for statement in statements:
        bind.execute(sa.text(statement))
