"""Settings stored in the book, so a team shares them (follow-up intervals, care days, currency).

SQLAlchemy and the schema are imported inside the functions that write or read with them:
`leadbook due` reads the settings on its fast path (leadbook.store.fast) with ``DEFAULTS`` and
``merged``, without loading SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from leadbook import domain
from leadbook.errors import InvalidValue
from leadbook.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql import Select

    from leadbook.store.writes import Conn

DEFAULTS: dict[str, str] = {
    **{f"interval.{g}": ("" if d is None else str(d)) for g, d in domain.DEFAULT_INTERVALS.items()},
    "care_days": str(domain.DEFAULT_CARE_DAYS),
    "currency": "CNY",
    "phone.region": "CN",
    "greet.grades": "A,B,won",  # festival greetings (leadbook.festivals)
    "greet.days": "3",
}
DESCRIPTIONS = {
    "interval.A": N_("days between follow-ups of a grade-A card (empty: no rhythm)"),
    "interval.B": N_("days between follow-ups of a grade-B card"),
    "interval.C": N_("days between follow-ups of a grade-C card"),
    "interval.D": N_("days between follow-ups of a grade-D card"),
    "interval.E": N_("days between follow-ups of a grade-E card (empty: none)"),
    "care_days": N_("a won customer silent this many days shows in `due` as a care reminder"),
    "currency": N_("currency code shown with amounts (CNY, USD, EUR ...)"),
    "phone.region": N_(
        "country of numbers written without a country code (CN, US, GB ...); import --region "
        "overrides it for one file"
    ),
    "greet.grades": N_(
        "who gets festival greetings in `due`: grades A-E and won, comma-separated (none: nobody)"
    ),
    "greet.days": N_(
        "festival greetings show in `due` this many days ahead, to send a card or gift (0: on the "
        "day)"
    ),
}


def load_statement() -> Select[Any]:
    """The settings the book keeps (not the declared fields: ``declared_fields``)."""
    from sqlalchemy import select

    from leadbook.store.schema import settings

    return select(settings.c.key, settings.c.value).where(~settings.c.key.like(FIELD_PREFIX + "%"))


def merged(rows: Iterable[Any]) -> dict[str, str]:
    """Every setting: the defaults, overridden by the (key, value) rows the book keeps."""
    values = dict(DEFAULTS)
    for row in rows:
        values[row["key"]] = row["value"]
    return values


def load(conn: Conn) -> dict[str, str]:
    """Every setting of the book (``merged``), on either path."""
    from leadbook.store.agenda import key
    from leadbook.store.writes import runner

    return merged(runner(conn).rows(key("settings"), {}))


def validate(key: str, value: str) -> str:
    if key.startswith("festival.") or key.startswith("greet."):
        from leadbook import festivals

        if key == "greet.grades":
            return festivals.parse_grades(value)
        if key == "greet.days":
            return festivals.parse_notice(value)
        if key.startswith(festivals.PREFIX):
            return festivals.parse_festival(key, value)
    if key not in DEFAULTS:
        raise InvalidValue(
            _("unknown setting {key!r}: settings are {keys}").format(
                key=key, keys=", ".join(DEFAULTS)
            )
        )
    value = value.strip()
    if key.startswith("interval.") or key == "care_days":
        if value.lower() in ("", "none", "off", "无") and key != "care_days":
            return ""
        if not value.isdigit() or not 0 < int(value) <= 3650:
            raise InvalidValue(
                _("{key} must be a number of days from 1 to 3650, not {value!r}").format(
                    key=key, value=value
                )
            )
        return str(int(value))
    if key == "currency":
        if not value or len(value) > 8:
            raise InvalidValue(_("currency must be a short code such as CNY"))
        return value.upper()
    if key == "phone.region":
        from leadbook.parsing import parse_region

        return parse_region(value)
    return value


def phone_region(values: dict[str, str]) -> str:
    """The book's home country for phone numbers (CN unless set)."""
    return values.get("phone.region") or DEFAULTS["phone.region"]


def store(conn: Connection, key: str, value: str) -> None:
    from leadbook.store.schema import settings

    value = validate(key, value)
    conn.execute(settings.delete().where(settings.c.key == key))
    if key.startswith("festival.") and not value:
        return  # a festival of the book's own removed, or a built-in one back on
    conn.execute(settings.insert().values(key=key, value=value))


def intervals(values: dict[str, str]) -> dict[str, int | None]:
    return {
        g: (int(values[f"interval.{g}"]) if values[f"interval.{g}"] else None)
        for g in domain.GRADES
    }


FIELD_PREFIX = "field."  # a field the book names itself (`config field add 车牌号`)


def declared_fields(conn: Connection) -> list[str]:
    """The book's own card fields, by name."""
    from sqlalchemy import select

    from leadbook.store.schema import settings

    rows = conn.execute(
        select(settings.c.key)
        .where(settings.c.key.like(FIELD_PREFIX + "%"))
        .order_by(settings.c.key)
    )
    return [key[len(FIELD_PREFIX) :] for (key,) in rows]


def declare_field(conn: Connection, name: str) -> None:
    from leadbook.store.schema import settings

    key = FIELD_PREFIX + name
    conn.execute(settings.delete().where(settings.c.key == key))
    conn.execute(settings.insert().values(key=key, value=""))


def drop_field(conn: Connection, name: str) -> bool:
    """Forget a declared field (the cards keep their values); False when it was not declared."""
    from leadbook.store.schema import settings

    result = conn.execute(settings.delete().where(settings.c.key == FIELD_PREFIX + name))
    return bool(result.rowcount)
