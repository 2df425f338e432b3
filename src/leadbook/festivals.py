"""Festival greetings (节日问候, DOMAIN section 7): which festivals fall on or near a day, and
which customers to greet for them.

The festivals: 春节, 元宵, 端午 and 中秋 by the lunar calendar (borax's, imported only when the
days looked at touch the season a lunar festival can fall in), 元旦 and 国庆 on fixed days, and
the book's own dates (``config set festival.店庆 06-18``). A greeting shows in
``due`` from ``greet.days`` days before the festival (to send a card or a gift) through the
day itself, for the customers ``greet.grades`` names (default grades A and B, and won
customers), until they are contacted.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from leadbook import domain
from leadbook.errors import InvalidValue
from leadbook.i18n import N_, _

if TYPE_CHECKING:
    from leadbook.models.lines import DueItem
    from leadbook.store.reads import Runner

PREFIX = "festival."  # festival.NAME = MM-DD: the book's own dates; festival.元旦 = off
OFF = "off"
NOTICE_MAX = 30

# The built-in festivals: (month, day) of the lunar or the solar calendar.
LUNAR = {"春节": (1, 1), "元宵": (1, 15), "端午": (5, 5), "中秋": (8, 15)}
SOLAR = {"元旦": (1, 1), "国庆": (10, 1)}
# What a built-in festival is called on screen: the Chinese name, with an English gloss in the
# English interface (the Chinese catalog gives the name alone).
LABELS = {
    "元旦": N_("元旦 (New Year's Day)"),
    "春节": N_("春节 (Spring Festival)"),
    "元宵": N_("元宵 (Lantern Festival)"),
    "端午": N_("端午 (Dragon Boat Festival)"),
    "中秋": N_("中秋 (Mid-Autumn Festival)"),
    "国庆": N_("国庆 (National Day)"),
}
# The solar days each lunar festival can fall on, with a day to spare (tests/test_festivals.py
# checks every year the calendar knows, 1900-2100). Outside these no lunar date is worked out
# and the calendar is not imported.
SEASONS = {
    "春节": ((1, 20), (2, 21)),
    "元宵": ((2, 3), (3, 7)),
    "端午": ((5, 26), (6, 27)),
    "中秋": ((9, 6), (10, 9)),
}


class Festival(NamedTuple):  # not a dataclass: `due` imports this module on every run
    names: tuple[str, ...]  # festivals on the same day share one greeting (国庆、中秋 in 2020)
    day: date


def label(name: str) -> str:
    """A festival's name on screen: a built-in one glossed in English, the book's own as set."""
    return _(LABELS[name]) if name in LABELS else name


# --- settings ---------------------------------------------------------------------------------


def parse_grades(value: str) -> str:
    """``greet.grades``: grades A-E and ``won`` (成交), comma-separated, as stored ("A,B,won");
    "none" greets nobody."""
    tokens = [t for t in re.split(r"[\s,，、;/]+", value.strip()) if t]
    if len(tokens) == 1 and tokens[0].lower() in ("none", "off", "无"):
        return ""
    grades: set[str] = set()
    won = False
    for token in tokens:
        if token.upper() in domain.GRADES:
            grades.add(token.upper())
        elif token.lower() in ("won", "成交"):
            won = True
        else:
            raise InvalidValue(
                _(
                    "greet.grades takes grades A-E and won, comma-separated (such as A,B,won), "
                    "not {value!r}"
                ).format(value=token)
            )
    if not tokens:
        raise InvalidValue(_('greet.grades needs grades such as A,B,won (or "none")'))
    return ",".join([*sorted(grades), *(["won"] if won else [])])


def parse_notice(value: str) -> str:
    """``greet.days``: how many days before a festival its greetings show (0: on the day)."""
    value = value.strip()
    if not value.isdigit() or int(value) > NOTICE_MAX:
        raise InvalidValue(
            _("greet.days must be a number of days from 0 to {max}, not {value!r}").format(
                max=NOTICE_MAX, value=value
            )
        )
    return str(int(value))


def parse_festival(key: str, value: str) -> str:
    """``festival.NAME``: the book's own festival on a day of the year (MM-DD, stored so), or
    "none" to remove it (stored as ""); a built-in festival can only be turned off or on."""
    name = key[len(PREFIX) :].strip()
    value = value.strip()
    removing = value.lower() in ("", "none", "off", "无")
    if name in LABELS:
        if removing:
            return OFF
        if value.lower() in ("on", "开"):
            return ""
        raise InvalidValue(
            _(
                "{name} is built in and found by its calendar: set {key} off to skip it, or on"
            ).format(name=name, key=key)
        )
    if not name or len(name) > 20 or re.search(r"\s", name):
        raise InvalidValue(
            _(
                "a festival needs a short name without spaces: festival.店庆 06-18, not {key!r}"
            ).format(key=key)
        )
    if removing:
        return ""
    match = re.fullmatch(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", value)
    try:
        if match is None:
            raise ValueError(value)
        # 2000 is a leap year: 02-29 is a day a festival can be on (02-28 in other years).
        day = date(2000, int(match[1]), int(match[2]))
    except ValueError:
        raise InvalidValue(
            _("{key} must be a day of the year as MM-DD, such as 06-18, not {value!r}").format(
                key=key, value=value
            )
        ) from None
    return day.strftime("%m-%d")


# --- which festivals ----------------------------------------------------------------------------


def _safe_add(day: date, days: int) -> date:
    return day + timedelta(days=days) if date.max - day > timedelta(days=days) else date.max


def _lunar_to_solar(year: int, month: int, day: int) -> date | None:
    """The solar day of a lunar one (not a leap month); None past the calendar's years."""
    # About 3 ms to import once SQLAlchemy is loaded: only when a lunar festival may be near.
    from borax.calendars.lunardate import LunarDate

    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:  # InvalidLunarDateError: borax knows 1900 to 2100
        return None


def festivals_between(start: date, end: date, values: dict[str, str]) -> list[Festival]:
    """The festivals on a day from ``start`` to ``end``, in date order; each once (the first
    time it falls in the days given). ``values`` are the book's settings."""
    from leadbook.due import _month_days

    found: dict[str, date] = {}
    # 元旦, 国庆 and the book's own days, by MM-DD (02-29 on 02-28 in a common year).
    days = _month_days(start, end)
    fixed = {name: f"{m:02d}-{d:02d}" for name, (m, d) in SOLAR.items()}
    fixed.update(
        {k[len(PREFIX) :]: v for k, v in values.items() if k.startswith(PREFIX) and v != OFF}
    )
    for name, md in fixed.items():
        if md in days and name not in LUNAR:
            found[name] = days[md]
    for year in range(start.year, end.year + 1):
        for name, (month, day) in LUNAR.items():
            (m1, d1), (m2, d2) = SEASONS[name]
            if name in found or date(year, m2, d2) < start or date(year, m1, d1) > end:
                continue
            when = _lunar_to_solar(year, month, day)
            if when is not None and start <= when <= end:
                found[name] = when
    off = {k[len(PREFIX) :] for k, v in values.items() if k.startswith(PREFIX) and v == OFF}
    by_day: dict[date, list[str]] = {}
    for name, when in sorted(found.items(), key=lambda f: f[1]):
        if name not in off:
            by_day.setdefault(when, []).append(name)
    return [Festival(tuple(names), when) for when, names in by_day.items()]


# --- whom to greet ------------------------------------------------------------------------------


def greetings(
    run: Runner,
    day: date,
    values: dict[str, str],
    *,
    days: int = 0,
    owner: str | None = None,
    limit: int | None = None,
) -> tuple[list[DueItem], int]:
    """The greetings to make on ``day`` (and the ``days`` after): for each festival whose
    notice has begun and that has not passed, the customers ``greet.grades`` names who have
    not been contacted since the notice began. The first ``limit`` of each, and how many more."""
    from leadbook.due import _item
    from leadbook.store.agenda import GRADES_MOST, key

    who = [w for w in values.get("greet.grades", "A,B,won").split(",") if w]
    grades = [g for g in who if g in domain.GRADES][:GRADES_MOST]
    won = "won" in who
    if not grades and not won:
        return [], 0
    notice = int(values.get("greet.days") or 0)
    festivals = festivals_between(day, _safe_add(day, days + notice), values)
    params: dict[str, Any] = {f"g{n}": grade for n, grade in enumerate(grades)}
    if owner:
        params["owner"] = owner
    flags: dict[str, Any] = {"owner": bool(owner), "grades": len(grades), "won": won}
    items: list[DueItem] = []
    more = 0
    for festival in festivals:
        # Greeted already: contacted since the notice began (a call then carries the wishes).
        params["opened"] = datetime.combine(festival.day - timedelta(days=notice), time.min)
        if limit is not None:
            params["limit"] = limit
        rows = run.rows(key("greet", limit=limit is not None, **flags), params)
        for row in rows:
            item = _item(row, "festival", festival.day, day)
            item.festival = "、".join(festival.names)
            items.append(item)
        if limit is not None and len(rows) >= limit:
            params.pop("limit")
            total = run.rows(key("greet-count", **flags), params)[0]["total"]
            more += total - len(rows)
    return items, more
