"""The book's settings as the commands read and change them (over store/settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadbook.i18n import N_
from leadbook.store import settings as repo

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from leadbook.store.writes import Conn

DESCRIPTIONS = repo.DESCRIPTIONS  # setting -> its meaning (untranslated msgid)


def describe(key: str) -> str:
    """What a setting means (an untranslated msgid; "" for none)."""
    if key.startswith("festival."):
        return N_(
            "a festival of the book's own (MM-DD), or a built-in one turned off: greetings in `due`"
        )
    return DESCRIPTIONS.get(key, "")


def settings(conn: Connection) -> dict[str, str]:
    """Every setting with its value (the default where the book has none)."""
    return repo.load(conn)


def set_setting(conn: Connection, key: str, value: str) -> str:
    """Store a checked ``value`` for ``key``; the value as stored."""
    repo.store(conn, key, value)
    stored = repo.load(conn).get(key)
    if stored is None:  # festival.NAME: the book's own removed ("none"), a built-in one back on
        from leadbook.festivals import LABELS, PREFIX

        return "on" if key[len(PREFIX) :] in LABELS else ""
    return stored


def currency(conn: Conn) -> str:
    return repo.load(conn)["currency"]


def phone_region(conn: Conn) -> str:
    """The book's home country for phone numbers (CN unless set)."""
    return repo.phone_region(repo.load(conn))


FIELD_NAME_LIMIT = 50


def own_fields(conn: Connection) -> list[str]:
    """`config field list`: the book's own card fields."""
    from leadbook.cards import own_fields as fields

    return fields(conn)


def add_field(conn: Connection, name: str) -> str:
    """`config field add NAME`: a card field the book names itself (车牌号), set with
    `edit --set`, shown, searched, filtered, exported and imported like leadbook's own."""
    from leadbook.errors import InvalidValue
    from leadbook.exchange.mapping import INDEX, normalise
    from leadbook.i18n import _
    from leadbook.text import clean

    name = clean(name).strip()
    if not name or "=" in name or len(name) > FIELD_NAME_LIMIT:
        raise InvalidValue(
            _("a field's name is 1 to {limit} characters without '=': not {name!r}").format(
                limit=FIELD_NAME_LIMIT, name=name
            )
        )
    taken = INDEX.get(normalise(name))
    if taken is not None:
        raise InvalidValue(
            _("{name!r} is already a card field ({field}): use it as it is").format(
                name=name, field=taken
            )
        )
    repo.declare_field(conn, name)
    return name


def remove_field(conn: Connection, name: str) -> None:
    """`config field remove NAME`: forget a declared field; cards keep the values they hold."""
    from leadbook.errors import InvalidValue
    from leadbook.i18n import _

    if not repo.drop_field(conn, name.strip()):
        raise InvalidValue(
            _("{name!r} is not a declared field: `leadbook config field list` shows them").format(
                name=name
            )
        )
