"""The method's vocabulary: grades, stages, contact channels and sources, with their Chinese terms.

Keys (``"A"``, ``"interested"``, ``"phone"``) are what the book stores and what JSON carries.
Labels go through gettext, so the Chinese interface says 等级 B, 认同客户, 电话.
Synonyms are what a user may type (English or Chinese).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from leadbook.i18n import N_, _

GRADES = ("A", "B", "C", "D", "E")
GRADE_MEANING = {
    "A": N_("closes within 1 month"),
    "B": N_("closes within 3 months"),
    "C": N_("closes within 6 months"),
    "D": N_("potential need, or 6 months or more"),
    "E": N_("no need or no chance"),
}
# Days between follow-ups for each grade (DOMAIN section 3); None: no rhythm.
DEFAULT_INTERVALS: dict[str, int | None] = {"A": 1, "B": 7, "C": 15, "D": 30, "E": None}
DEFAULT_CARE_DAYS = 90

STAGES = ("prospect", "contacted", "interested", "intent", "ready", "won", "lost")
FUNNEL_STAGES = STAGES[:-1]
STAGE_INDEX = {s: i for i, s in enumerate(FUNNEL_STAGES)}  # prospect 0 ... won 5; lost has none
STAGE_LABELS = {
    "prospect": N_("prospect"),
    "contacted": N_("contacted"),
    "interested": N_("interested"),
    "intent": N_("intent"),
    "ready": N_("ready"),
    "won": N_("won"),
    "lost": N_("lost"),
}
STAGE_SYNONYMS = {
    "prospect": ("潜在客户", "潜在", "潜客", "new", "lead"),
    "contacted": ("联系客户", "已联系", "联系"),
    "interested": ("认同客户", "认同", "interest"),
    "intent": ("意向客户", "意向", "intention"),
    "ready": ("准备购买", "准备购买未办手续", "待成交"),
    "won": ("成交", "已成交", "成交客户", "closed won", "deal"),
    "lost": ("流失", "战败", "流失客户", "closed lost"),
}

VIAS = ("phone", "visit", "showroom", "email", "sms", "wechat", "fax", "other")
VIA_LABELS = {
    "phone": N_("phone"),
    "visit": N_("visit"),
    "showroom": N_("showroom"),
    "email": N_("email"),
    "sms": N_("SMS"),
    "wechat": N_("WeChat"),
    "fax": N_("fax"),
    "other": N_("other"),
}
VIA_SYNONYMS = {
    "phone": ("电话", "call", "tel", "打电话"),
    "visit": ("拜访", "上门", "走访"),
    "showroom": ("来店", "展厅", "到店", "walk-in"),
    "email": ("邮件", "e-mail", "mail", "邮箱"),
    "sms": ("短信", "text"),
    "wechat": ("微信", "weixin"),
    "fax": ("传真",),
    "other": ("其他", "其它"),
}

SOURCES = ("showroom", "repeat", "referral", "outbound")
SOURCE_LABELS = {
    "showroom": N_("showroom/walk-in"),
    "repeat": N_("repeat purchase"),
    "referral": N_("referral"),
    "outbound": N_("outbound"),
}
SOURCE_SYNONYMS = {
    "showroom": ("展厅", "展厅客源", "walk-in"),
    "repeat": ("续购", "续购客源"),
    "referral": ("介绍", "介绍客源", "转介绍", "refer"),
    "outbound": ("外拓", "外拓客源", "cold call"),
}
# The seed's first source (第一来源) under its channel (结构来源): `--source 展会` keeps both
# the channel (outbound) and the detail (展会). Detail -> (channel, English words for it).
SOURCE_DETAILS: dict[str, tuple[str, tuple[str, ...]]] = {
    "来电": ("showroom", ("phone-in", "call-in")),
    "来店": ("showroom", ("walk in",)),
    "路过": ("showroom", ("passing by",)),
    "老客户续购": ("repeat", ("repeat customer",)),
    "老客户介绍": ("referral", ("customer referral",)),
    "亲友介绍": ("referral", ("friend referral", "family referral")),
    "中介": ("referral", ("intermediary", "agent")),
    "市场活动": ("outbound", ("event", "marketing event", "campaign")),
    "外拓宣传": ("outbound", ("promotion", "outbound promotion")),
    "总部潜客": ("outbound", ("head office", "head-office lead")),
    "数据库": ("outbound", ("database",)),
    "网络": ("outbound", ("web", "internet", "online")),
    "微信链接": ("outbound", ("wechat link",)),
    "展会": ("outbound", ("trade show", "exhibition", "fair")),
}

# Customer type (客户类型): a person or an organisation (个人/单位).
CUSTOMER_TYPES = ("person", "organisation")
CUSTOMER_TYPE_LABELS = {"person": N_("person"), "organisation": N_("organisation")}
CUSTOMER_TYPE_SYNONYMS = {
    "person": ("个人", "个人客户", "individual", "personal", "private"),
    "organisation": ("单位", "单位客户", "企业", "公司", "organization", "company", "business"),
}

# Kind of purchase (购买类型): first, additional or replacement (首次/增购/换购).
PURCHASE_KINDS = ("first", "additional", "replacement")
PURCHASE_KIND_LABELS = {
    "first": N_("first purchase"),
    "additional": N_("additional"),
    "replacement": N_("replacement"),
}
PURCHASE_KIND_SYNONYMS = {
    "first": ("首次", "首购", "首次购买", "new", "first purchase"),
    "additional": ("增购", "加购", "add-on", "additional purchase"),
    "replacement": ("换购", "置换", "trade-in", "replace"),
}

# Time classes (DOMAIN section 3, seed 000) by the expected purchase date: urgent 紧急 within a
# week, soon 缓急 a week to a month, not urgent 不紧急 one to three months, slow 可慢反应 later.
# (class, the last day it covers counted from today; None: no end).
URGENCY_DAYS: tuple[tuple[str, int | None], ...] = (
    ("urgent", 7),
    ("soon", 31),
    ("not_urgent", 92),
    ("slow", None),
)
URGENCIES = tuple(name for name, _days in URGENCY_DAYS)
URGENCY_LABELS = {
    "urgent": N_("urgent"),
    "soon": N_("soon"),
    "not_urgent": N_("not urgent"),
    "slow": N_("slow"),
}
URGENCY_SYNONYMS = {
    "urgent": ("紧急",),
    "soon": ("缓急",),
    "not_urgent": ("不紧急", "not urgent", "not-urgent"),
    "slow": ("可慢反应", "慢", "later"),
}


def urgency(expected: date | None, today: date) -> str | None:
    """The time class of a card whose purchase is expected on ``expected`` (a date already
    past counts as urgent); None without a date."""
    if expected is None:
        return None
    days = (expected - today).days
    for name, last in URGENCY_DAYS:
        if last is None or days <= last:
            return name
    return None  # pragma: no cover - the last class has no end


def urgency_window(name: str, today: date) -> tuple[date | None, date | None]:
    """The expected dates of a time class: (after this day, up to this day), None for open."""
    after: date | None = None
    for key, last in URGENCY_DAYS:
        until = today + timedelta(days=last) if last is not None else None
        if key == name:
            return after, until
        after = until
    raise KeyError(name)


GENDERS = ("male", "female")
GENDER_SYNONYMS = {"male": ("m", "男", "man", "先生"), "female": ("f", "女", "woman", "女士")}
GENDER_LABELS = {"male": N_("male"), "female": N_("female")}

PAYMENTS = ("full", "instalment")
PAYMENT_SYNONYMS = {
    "full": ("全款", "cash", "一次性"),
    "instalment": ("按揭", "分期", "installment", "loan", "贷款"),
}
PAYMENT_LABELS = {"full": N_("full"), "instalment": N_("instalment")}


def stage_label(stage: str | None) -> str:
    return _(STAGE_LABELS[stage]) if stage in STAGE_LABELS else (stage or "-")


def via_label(via: str | None) -> str:
    return _(VIA_LABELS[via]) if via in VIA_LABELS else (via or "-")


def source_label(source: str | None) -> str:
    return _(SOURCE_LABELS[source]) if source in SOURCE_LABELS else (source or "")


def label(labels: dict[str, str], key: str | None) -> str:
    """A stored key shown in the interface's language ("" for none)."""
    return _(labels[key]) if key in labels else (key or "")


def suggest_grade(expected: date | None, today: date) -> str | None:
    """The grade the expected purchase date suggests (DOMAIN section 2); None without a date."""
    if expected is None:
        return None
    days = (expected - today).days
    if days <= 31:
        return "A"
    if days <= 92:
        return "B"
    if days <= 183:
        return "C"
    return "D"


def purchase_cycle(first: date, last: date, purchases: int) -> tuple[float, date] | None:
    """A repeat buyer's average days between purchases and the day the next one is expected
    (the value report and `due`'s care calls); None for one purchase, or several within a
    day (no cycle to speak of)."""
    if purchases < 2:
        return None
    cycle = (last - first).days / (purchases - 1)
    if cycle < 1:
        return None
    return cycle, last + timedelta(days=round(cycle))


def money(cents: int | None) -> Decimal:
    """An amount kept in cents, as the Decimal the screens show (none: 0.00)."""
    return Decimal(int(cents or 0)).scaleb(-2)


def cents(amount: Decimal) -> int:
    """An amount (checked to whole cents by parsing.parse_amount) as the cents kept."""
    return int(amount * 100)


def win_rate(won: int, lost: int) -> float | None:
    """Of the cards closed, the share won (none closed: None)."""
    return round(won / (won + lost), 4) if won + lost else None


# The four kinds of a SWOT entry (`swot`, the whole card), and the financial indicators
# `finance` keeps: their labels.
SWOT_KINDS = {
    "s": N_("Strengths"),
    "w": N_("Weaknesses"),
    "o": N_("Opportunities"),
    "t": N_("Threats"),
}
INDICATORS = {
    "current_ratio": N_("current ratio"),
    "net_margin": N_("net margin"),
    "roa": N_("return on assets"),
    "receivable_days": N_("receivables days"),
    "inventory_days": N_("inventory days"),
}


# The card fields a user can set with `add`/`edit`, in the order `show` lists them.
CARD_FIELDS = (
    "name",
    "company",
    "title",
    "gender",
    "birthday",
    "mobile",
    "phone",
    "fax",
    "email",
    "wechat",
    "address",
    "district",
    "postcode",
    "industry",
    "source",
    "source_detail",
    "referrer",
    "owner",
    "product",
    "budget",
    "expected",
    "payment",
    "customer_type",
    "decision_maker",
    "current_product",
    "purchase_kind",
    "concerns",
    "usage",
    "credit",
    "turnover",
    "profit",
    "tags",
    "note",
)

# The longest text each of a card's text columns holds, in characters (the schema's home of
# them: leadbook.store.schema builds the columns from it; `add`, `edit` and `import` refuse
# longer text, which PostgreSQL would and SQLite would quietly keep).
CARD_LIMITS = {
    "number": 32,
    "name": 200,
    "pinyin": 400,
    "initials": 100,
    "company": 200,
    "title": 100,
    "gender": 10,
    "birthday_md": 5,
    "mobile": 32,
    "phone": 32,
    "fax": 32,
    "email": 254,
    "wechat": 100,
    "district": 100,
    "postcode": 20,
    "industry": 100,
    "source": 20,
    "source_detail": 100,
    "owner": 100,
    "product": 200,
    "payment": 20,
    "customer_type": 16,
    "decision_maker": 100,
    "current_product": 200,
    "purchase_kind": 16,
    "concerns": 200,
    "usage": 200,
    "credit": 100,
    "grade": 1,
    "stage": 16,
    "last_contact_via": 16,
    "created_by": 100,
    "origin": 200,
}
