"""The one place that reads the clock.

Services take ``today``/``now`` as arguments; the CLI asks this module. Tests and the demo pin
time with the ``LEADBOOK_NOW`` environment variable (ISO date or datetime).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass
class Clock:
    """The moment a command runs, handed to the services (they never read the clock)."""

    today: date
    now: datetime


def day_start(day: date) -> datetime:
    """The first moment of ``day``: a day's entries are those from it to the next day's."""
    return datetime.combine(day, time.min)


def current() -> Clock:
    moment = now()
    return Clock(today=moment.date(), now=moment)


def now() -> datetime:
    pinned = os.environ.get("LEADBOOK_NOW")
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError:
            from leadbook.errors import InvalidValue
            from leadbook.i18n import _

            raise InvalidValue(
                _(
                    "LEADBOOK_NOW is {value!r}: pin the clock with an ISO date or date and time "
                    "(2026-11-23, 2026-11-23T17:30), or unset it"
                ).format(value=pinned)
            ) from None
        if len(pinned) <= 10:
            value = value.replace(hour=9)
        return value.replace(microsecond=0, tzinfo=None)
    return datetime.now().replace(microsecond=0)


def today() -> date:
    return now().date()
