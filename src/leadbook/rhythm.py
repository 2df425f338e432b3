"""The follow-up rhythm (DOMAIN section 3): when the next contact with a card is due."""

from __future__ import annotations

from datetime import date, timedelta


def next_contact(grade: str, on: date, intervals: dict[str, int | None]) -> date | None:
    """The day after a contact on ``on`` when a card of ``grade`` is due again; None: no rhythm."""
    days = intervals.get(grade)
    if days is None:
        return None
    return on + timedelta(days=days)


def rescheduled(
    grade: str, last_contact: date | None, today: date, intervals: dict[str, int | None]
) -> date | None:
    """Where a rhythm plan moves when the grade changes: the new interval from the last contact,
    never before today. A card never contacted stays due today (its first contact)."""
    if intervals.get(grade) is None:
        return None
    if last_contact is None:
        return today
    due = next_contact(grade, last_contact, intervals)
    return max(due, today) if due else None
