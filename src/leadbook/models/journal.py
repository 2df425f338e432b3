"""The daily and weekly journals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from leadbook.models.lines import CardLine


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
    changes: list[ChangeLine] = Field(default_factory=list)
    new_card_lines: list[CardLine] = Field(default_factory=list)
