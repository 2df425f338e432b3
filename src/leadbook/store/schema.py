"""The book's tables, in SQLAlchemy Core.

leadbook uses Core, not the ORM: commands stay fast to start (sqlalchemy.orm costs ~50 ms of
imports and mapper set-up) and bulk paths can use executemany. Migrations in ``migrations/``
create exactly these tables; ``tests/test_book.py`` checks that they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from leadbook.domain import CARD_LIMITS, FUNNEL_STAGES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(CARD_LIMITS["number"]), nullable=False, unique=True),
    Column("name", String(CARD_LIMITS["name"]), nullable=False),
    Column("pinyin", String(CARD_LIMITS["pinyin"])),
    Column("initials", String(CARD_LIMITS["initials"])),
    Column("search_key", Text, nullable=False, default=""),
    Column("company", String(CARD_LIMITS["company"])),
    Column("title", String(CARD_LIMITS["title"])),
    Column("gender", String(CARD_LIMITS["gender"])),
    Column("birthday", Date),
    Column("birthday_md", String(CARD_LIMITS["birthday_md"])),
    Column("mobile", String(CARD_LIMITS["mobile"])),
    Column("phone", String(CARD_LIMITS["phone"])),
    Column("fax", String(CARD_LIMITS["fax"])),
    Column("email", String(CARD_LIMITS["email"])),
    Column("wechat", String(CARD_LIMITS["wechat"])),
    Column("address", Text),
    Column("district", String(CARD_LIMITS["district"])),
    Column("postcode", String(CARD_LIMITS["postcode"])),
    Column("industry", String(CARD_LIMITS["industry"])),
    Column("source", String(CARD_LIMITS["source"])),
    Column("source_detail", String(CARD_LIMITS["source_detail"])),
    Column("referrer_id", Integer, ForeignKey("customers.id", ondelete="SET NULL")),
    Column("owner", String(CARD_LIMITS["owner"])),
    Column("product", String(CARD_LIMITS["product"])),
    Column("budget_cents", BigInteger),
    Column("expected", Date),
    Column("payment", String(CARD_LIMITS["payment"])),
    # The rest of the seed's card (migration 0008): a person or an organisation, who decides
    # the purchase, what they use now, first/additional/replacement purchase, what they care
    # about, what for, their credit, and a key account's expected turnover and profit.
    Column("customer_type", String(CARD_LIMITS["customer_type"])),
    Column("decision_maker", String(CARD_LIMITS["decision_maker"])),
    Column("current_product", String(CARD_LIMITS["current_product"])),
    Column("purchase_kind", String(CARD_LIMITS["purchase_kind"])),
    Column("concerns", String(CARD_LIMITS["concerns"])),
    Column("usage", String(CARD_LIMITS["usage"])),
    Column("credit", String(CARD_LIMITS["credit"])),
    Column("turnover_cents", BigInteger),
    Column("profit_cents", BigInteger),
    # For `funnel --since` (leadbook.store.tallies.reach_of): the last day the card's stage
    # changes took it through funnel stage i, so it reached i in a period from that day on.
    *(Column(f"reach_{i}", Date) for i in range(len(FUNNEL_STAGES))),
    Column("grade", String(CARD_LIMITS["grade"]), nullable=False),
    Column("stage", String(CARD_LIMITS["stage"]), nullable=False),
    Column("lost_reason", Text),
    Column("tags", Text),
    Column("note", Text),
    Column("extra", Text),
    Column("next_due", Date),
    Column("next_purpose", Text),
    Column("last_contact_at", DateTime),
    Column("last_contact_via", String(CARD_LIMITS["last_contact_via"])),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(CARD_LIMITS["created_by"])),
    Column("updated_at", DateTime, nullable=False),
    # Funnel summaries kept as the history is written, so the funnel and reports need not
    # scan it: the furthest funnel stage ever reached (0 prospect ... 5 won), since when the
    # card is in its stage, and its first contact.
    Column("top_stage", Integer),
    Column("stage_since", DateTime),
    Column("first_contact_at", DateTime),
    # Where an imported card came from: the source's own id ("opportunityid:1C1I7A6R") or a
    # fingerprint of its row ("row:…"), so importing the same file again matches every row.
    Column("origin", String(CARD_LIMITS["origin"])),
    Index("ix_customers_next_due", "next_due"),
    Index("ix_customers_grade_next_due", "grade", "next_due"),
    Index("ix_customers_owner_grade_next_due", "owner", "grade", "next_due"),
    Index("ix_customers_stage_last_contact", "stage", "last_contact_at"),
    Index("ix_customers_birthday_md", "birthday_md"),
    # Partial on SQLite: most cards lack one or the other, and an index of the filled ones
    # keeps the planner's statistics about them (a full one made SQLite scan for a duplicate
    # check). PostgreSQL's statistics count the empty ones apart already.
    Index(
        "ix_customers_mobile",
        "mobile",
        sqlite_where=text("mobile IS NOT NULL"),
    ),
    Index(
        "ix_customers_email",
        "email",
        sqlite_where=text("email IS NOT NULL"),
    ),
    Index("ix_customers_name_company", "name", "company"),
    Index("ix_customers_origin", "origin", sqlite_where=text("origin IS NOT NULL")),
    Index("ix_customers_referrer_id", "referrer_id"),
    Index("ix_customers_created_at", "created_at"),
    Index("ix_customers_top_stage", "top_stage"),
    Index("ix_customers_first_contact_at", "first_contact_at"),
    Index("ix_customers_stage_since", "stage", "stage_since"),
)

followups = Table(
    "followups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("via", String(16), nullable=False),
    Column("note", Text),
    Column("outcome", Text),
    Column("purpose", Text),
    Column("next_date", Date),
    Column("next_purpose", Text),
    Column("by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Index("ix_followups_customer_at", "customer_id", "at"),
    Index("ix_followups_at", "at"),
    Index("ix_followups_at_by_via", "at", "by", "via"),
)

# A planned next contact (DOMAIN section 4): opened when a contact sets the next one, closed by
# the contact that fulfils it. Journals and reports read what was due and what was done here.
plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("due", Date, nullable=False),
    Column("purpose", Text),
    Column("owner", String(100)),
    Column("auto", Boolean, nullable=False, default=False),
    Column("status", String(10), nullable=False, default="open"),
    Column("created_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("followup_id", Integer, ForeignKey("followups.id", ondelete="SET NULL")),
    Index("ix_plans_customer_status", "customer_id", "status"),
    Index("ix_plans_due", "due"),
    # Open plans (closed_on IS NULL) in date order: the day journal's missed contacts.
    Index("ix_plans_closed_on_due", "closed_on", "due"),
    Index("ix_plans_due_owner_status", "due", "owner", "status", "closed_on"),
)

# Every change of grade or stage, with its date and reason (DOMAIN sections 2 and 5).
changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("field", String(10), nullable=False),
    Column("old", String(16)),
    Column("new", String(16), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("reason", Text),
    Column("by", String(100)),
    Column("dwell_days", Float),  # stage changes: days the card spent in the stage it left
    Index("ix_changes_customer_at", "customer_id", "at"),
    Index("ix_changes_field_at", "field", "at"),
    # Covers the funnel's lost reasons and due's thank-yous: no row read per change.
    Index("ix_changes_field_new_at_card_reason", "field", "new", "at", "customer_id", "reason"),
    Index("ix_changes_field_old_at_dwell", "field", "old", "at", "dwell_days"),
)

# Edits of other card fields: field, old, new, when, by whom.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="SET NULL")),
    Column("action", String(16), nullable=False),
    Column("field", String(40)),
    Column("old", Text),
    Column("new", Text),
    Column("at", DateTime, nullable=False),
    Column("by", String(100)),
    Index("ix_audit_customer_id", "customer_id"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("product", String(200)),
    Column("date", Date, nullable=False),
    Column("contract", String(100)),
    Column("payment", String(20)),
    Column("note", Text),
    Column("by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Index("ix_deals_customer_id", "customer_id"),
    Index("ix_deals_date", "date"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# A reverse plan (倒推法): a deal target by a date, the conversion rates it was planned with,
# and the weekly new-prospect quota; `plan check` compares the weeks with what happened.
sales_plans = Table(
    "sales_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(100)),
    Column("target", Integer, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("rates", Text, nullable=False),  # JSON: {"prospect": 0.6, ...} stage -> next
    Column("rates_source", Text, nullable=False),  # JSON: stage -> observed, given or default
    Column("weekly", Text, nullable=False),  # JSON: [{"week": "2026-03-16", "new": 12}, ...]
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100)),
    Index("ix_sales_plans_owner", "owner"),
)

# Complaints (DOMAIN section 7): recorded, solved, and checked again a week after.
complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("note", Text, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("opened_by", String(100)),
    Column("resolved_at", DateTime),
    Column("resolution", Text),
    Column("resolved_by", String(100)),
    Column("checked_at", DateTime),
    Index("ix_complaints_customer_id", "customer_id"),
    Index("ix_complaints_resolved_at", "resolved_at"),
)

# Key accounts (大客户): SWOT entries, financial indicators, planned visits (走访计划).
swot = Table(
    "swot",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(1), nullable=False),  # s, w, o, t
    Column("text", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("by", String(100)),
    Index("ix_swot_customer_id", "customer_id"),
)

financials = Table(
    "financials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("value", String(40), nullable=False),  # a decimal, kept exact as text
    Column("as_of", Date),
    Column("at", DateTime, nullable=False),
    Column("by", String(100)),
    Index("ix_financials_customer_id", "customer_id"),
)

visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("preparation", Text),
    Column("expected", Text),
    Column("followup", Text),
    Column("done_at", DateTime),
    Column("at", DateTime, nullable=False),
    Column("by", String(100)),
    Index("ix_visits_day", "day"),
    Index("ix_visits_customer_id", "customer_id"),
)


# Running totals per salesperson and day for the funnel and the reports (leadbook.store.tallies):
# kept by triggers on both engines, installed by the SQL the migrations carry (migrations/sql/).
tallies = Table(
    "tallies",
    metadata,
    Column("metric", String(10), primary_key=True),
    Column("owner", String(100), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, or '' for the undated metrics
    Column("key", String(200), primary_key=True),
    Column("n", BigInteger, nullable=False),
    Column("total", Float, nullable=False),
)


# The search index lives outside these tables: an FTS5 table and its triggers on SQLite, a
# pg_trgm index on PostgreSQL (migration 0004). Comparing the book with this file skips them.
SEARCH_INDEX_NAMES = ("customers_fts", "ix_customers_search_key_trgm")


def in_models(name: str | None, _type: str, _parent: object) -> bool:
    """Alembic's include_name: False for the search index objects made by migrations alone."""
    return not (name or "").startswith(SEARCH_INDEX_NAMES)
