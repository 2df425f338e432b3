"""A card, its follow-ups, history and deals; a card as a line of a list."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal


@dataclass(kw_only=True)
class FollowUp:
    id: int
    at: datetime
    via: str
    note: str | None = None
    outcome: str | None = None
    purpose: str | None = None
    next_date: date | None = None
    next_purpose: str | None = None
    by: str | None = None


@dataclass(kw_only=True)
class Change:
    field: Literal["grade", "stage"]
    old: str | None = None
    new: str
    at: datetime
    reason: str | None = None
    by: str | None = None


@dataclass(kw_only=True)
class Edit:
    action: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    at: datetime
    by: str | None = None


@dataclass(kw_only=True)
class Deal:
    id: int
    number: str
    name: str
    amount: Decimal
    product: str | None = None
    date: date
    contract: str | None = None
    payment: str | None = None
    note: str | None = None


@dataclass(kw_only=True)
class Complaint:
    id: int
    note: str
    opened_at: datetime
    opened_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    resolved_by: str | None = None
    checked_at: datetime | None = None


@dataclass(kw_only=True)
class ComplaintLine(Complaint):
    """A complaint in `complaint list`, with its customer."""

    number: str
    name: str


@dataclass(kw_only=True)
class Visit:
    id: int
    day: date
    purpose: str
    preparation: str | None = None
    expected: str | None = None
    followup: str | None = None
    done_at: datetime | None = None
    by: str | None = None


@dataclass(kw_only=True)
class Indicator:
    indicator: str
    value: Decimal
    as_of: date | None = None


@dataclass(kw_only=True)
class Link:
    """Another card named on this one: its referrer, or someone it referred."""

    number: str
    name: str
    stage: str | None = None


@dataclass(kw_only=True)
class Card:
    number: str
    name: str
    company: str | None = None
    title: str | None = None
    gender: str | None = None
    birthday: str | None = None  # YYYY-MM-DD, or MM-DD when the year is unknown
    mobile: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    wechat: str | None = None
    address: str | None = None
    district: str | None = None
    postcode: str | None = None
    industry: str | None = None
    source: str | None = None
    source_detail: str | None = None
    referrer: str | None = None
    referrer_name: str | None = None
    owner: str | None = None
    product: str | None = None
    budget: Decimal | None = None
    expected: date | None = None
    urgency: str | None = None  # the time class the expected date puts it in, today
    payment: str | None = None
    customer_type: str | None = None
    decision_maker: str | None = None
    current_product: str | None = None
    purchase_kind: str | None = None
    concerns: str | None = None
    usage: str | None = None
    credit: str | None = None
    turnover: Decimal | None = None
    profit: Decimal | None = None
    grade: str
    stage: str
    lost_reason: str | None = None
    tags: list[str] = _field(default_factory=list)
    note: str | None = None
    extra: dict[str, Any] = _field(default_factory=dict)
    next_due: date | None = None
    next_purpose: str | None = None
    last_contact_at: datetime | None = None
    last_contact_via: str | None = None
    created_at: datetime
    created_by: str | None = None
    updated_at: datetime
    followups: list[FollowUp] = _field(default_factory=list)
    history: list[Change] = _field(default_factory=list)
    deals: list[Deal] = _field(default_factory=list)
    edits: list[Edit] = _field(default_factory=list)
    complaints: list[Complaint] = _field(default_factory=list)
    visits: list[Visit] = _field(default_factory=list)
    swot: dict[str, list[str]] = _field(default_factory=dict)
    finance: list[Indicator] = _field(default_factory=list)
    referred: list[Link] = _field(default_factory=list)
