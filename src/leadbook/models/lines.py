"""Lines of lists (due, list, search), and the two helpers every model shares: ``to_json`` and
``from_row`` (see models/__init__)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

T = TypeVar("T")


def from_row(cls: type[T], row: Mapping[Any, Any]) -> T:
    """A model from a row (or dict) holding its fields and perhaps other columns."""
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return cls(**{k: row[k] for k in names if k in row})


def to_json(value: Any) -> Any:
    """Dataclasses (and lists of them) as JSON-ready dicts: ISO dates, decimals as strings."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(v) for k, v in asdict(value).items()}
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class CardLine:
    """One card in a list or search result."""

    number: str
    name: str
    grade: str
    stage: str
    created_at: datetime
    company: str | None = None
    mobile: str | None = None
    owner: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    next_due: date | None = None
    last_contact_at: datetime | None = None


@dataclass
class DueItem:
    kind: Literal[
        "follow-up",
        "birthday",
        "care",
        "visit",
        "complaint",
        "check-back",
        "thank-you",
        "thank-referral",
        "festival",
    ]
    number: str
    name: str
    grade: str
    stage: str
    due: date
    overdue_days: int
    company: str | None = None
    purpose: str | None = None
    last_contact: date | None = None
    last_via: str | None = None
    owner: str | None = None
    mobile: str | None = None
    age: int | None = None  # birthdays with a known year
    silent_days: int | None = None  # care reminders: days since the last contact
    expected_purchase: date | None = None  # care for a repeat buyer: their next purchase
    about: str | None = None  # thank-you/-referral: the referred customer; complaints: the note
    ref: int | None = None  # complaint id, visit id
    festival: str | None = None  # festival greetings: the festival (国庆、中秋 on one day)


@dataclass
class DueList:
    date: date
    items: list[DueItem]
    total_followups: int
    shown_followups: int
    more_birthdays: int = 0  # on screen: birthdays counted but not read
    more_greetings: int = 0  # on screen: festival greetings counted but not read
    total_is_lower_bound: bool = False  # more follow-ups are due than were counted
    region: str = "CN"  # the book's home country: its mobiles are shown in national form
