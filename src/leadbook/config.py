"""The book's settings as the commands read and change them (over store/settings)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from leadbook.store import settings as repo

DESCRIPTIONS = repo.DESCRIPTIONS  # setting -> its meaning (untranslated msgid)


def settings(conn: Connection) -> dict[str, str]:
    """Every setting with its value (the default where the book has none)."""
    return repo.load(conn)


def set_setting(conn: Connection, key: str, value: str) -> str:
    """Store a checked ``value`` for ``key``; the value as stored."""
    repo.store(conn, key, value)
    return repo.load(conn)[key]


def currency(conn: Connection) -> str:
    return repo.load(conn)["currency"]


def phone_region(conn: Connection) -> str:
    """The book's home country for phone numbers (CN unless set)."""
    return repo.phone_region(repo.load(conn))
