"""Pydantic models: what services return and what ``--json`` prints (``model_dump(mode="json")``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field


class FollowUp(BaseModel):
    id: int
    at: datetime
    via: str
    note: str | None = None
    outcome: str | None = None
    purpose: str | None = None
    next_date: date | None = None
    next_purpose: str | None = None
    by: str | None = None


class Change(BaseModel):
    field: Literal["grade", "stage"]
    old: str | None = None
    new: str
    at: datetime
    reason: str | None = None
    by: str | None = None


class Edit(BaseModel):
    action: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    at: datetime
    by: str | None = None


class Deal(BaseModel):
    id: int
    number: str
    name: str
    amount: Decimal
    product: str | None = None
    date: date
    contract: str | None = None
    payment: str | None = None
    note: str | None = None


class Card(BaseModel):
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
    payment: str | None = None
    grade: str
    stage: str
    lost_reason: str | None = None
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    next_due: date | None = None
    next_purpose: str | None = None
    last_contact_at: datetime | None = None
    last_contact_via: str | None = None
    created_at: datetime
    created_by: str | None = None
    updated_at: datetime
    followups: list[FollowUp] = Field(default_factory=list)
    history: list[Change] = Field(default_factory=list)
    deals: list[Deal] = Field(default_factory=list)
    edits: list[Edit] = Field(default_factory=list)


class CardLine(BaseModel):
    """One card in a list or search result."""

    number: str
    name: str
    company: str | None = None
    mobile: str | None = None
    grade: str
    stage: str
    owner: str | None = None
    source: str | None = None
    tags: list[str] = Field(default_factory=list)
    next_due: date | None = None
    last_contact_at: datetime | None = None
    created_at: datetime


class DueItem(BaseModel):
    kind: Literal["follow-up", "birthday", "care"]
    number: str
    name: str
    company: str | None = None
    grade: str
    stage: str
    due: date
    overdue_days: int
    purpose: str | None = None
    last_contact: date | None = None
    last_via: str | None = None
    owner: str | None = None
    mobile: str | None = None
    age: int | None = None  # birthdays with a known year
    silent_days: int | None = None  # care reminders: days since the last contact


class DueList(BaseModel):
    date: date
    items: list[DueItem]
    total_followups: int
    shown_followups: int


class ContactLine(BaseModel):
    at: datetime
    number: str
    name: str
    via: str
    note: str | None = None
    outcome: str | None = None
    next_date: date | None = None


class ChangeLine(BaseModel):
    at: datetime
    number: str
    name: str
    field: str
    old: str | None = None
    new: str
    reason: str | None = None


class MissedLine(BaseModel):
    number: str
    name: str
    grade: str
    due: date
    purpose: str | None = None


class JournalDay(BaseModel):
    date: date
    contacts: int
    by_channel: dict[str, int]
    new_cards: int
    due: int
    done: int
    completion: float | None
    contact_lines: list[ContactLine] = Field(default_factory=list)
    changes: list[ChangeLine] = Field(default_factory=list)
    new_card_lines: list[CardLine] = Field(default_factory=list)
    missed: list[MissedLine] = Field(default_factory=list)


class JournalWeek(BaseModel):
    start: date
    end: date
    days: list[JournalDay]
    contacts: int
    by_channel: dict[str, int]
    new_cards: int
    due: int
    done: int
    completion: float | None
    changes: list[ChangeLine] = Field(default_factory=list)
    new_card_lines: list[CardLine] = Field(default_factory=list)
