"""The daily and weekly journals."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime
from typing import Literal

from leadbook.models.lines import CardLine


@dataclass(kw_only=True)
class ContactLine:
    at: datetime
    number: str
    name: str
    via: str
    note: str | None = None
    outcome: str | None = None
    next_date: date | None = None


@dataclass(kw_only=True)
class ChangeLine:
    at: datetime
    number: str
    name: str
    field: str
    old: str | None = None
    new: str
    reason: str | None = None


@dataclass(kw_only=True)
class MissedLine:
    number: str
    name: str
    grade: str
    due: date
    purpose: str | None = None


@dataclass(kw_only=True)
class JournalDay:
    date: date
    contacts: int
    by_channel: dict[str, int]
    new_cards: int
    due: int
    done: int
    completion: float | None
    contact_lines: list[ContactLine] = _field(default_factory=list)
    changes: list[ChangeLine] = _field(default_factory=list)
    new_card_lines: list[CardLine] = _field(default_factory=list)
    missed: list[MissedLine] = _field(default_factory=list)


@dataclass(kw_only=True)
class JournalWeek:
    """The journal of a period, day by day: a week (周志), a half month (半月志) or a month (月志)."""

    period: Literal["week", "half", "month"] = "week"
    start: date
    end: date
    days: list[JournalDay]
    contacts: int
    by_channel: dict[str, int]
    new_cards: int
    due: int
    done: int
    completion: float | None
    changes: list[ChangeLine] = _field(default_factory=list)
    new_card_lines: list[CardLine] = _field(default_factory=list)
