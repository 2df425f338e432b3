"""Who is acting on a team book (PostgreSQL): the database login, not a name given on the
command line.

On PostgreSQL each salesperson logs in as themselves; migration 0006 installed row-level
security so a login reads and changes the cards it owns (``customers.owner``) and what hangs
off them, a member of ``leadbook_manager`` everything. ``--as`` (or $LEADBOOK_USER) names the
salesperson to act for: a manager may name a colleague, a salesperson only themselves. The
book's owner and superusers are not limited by PostgreSQL; for them, as on a SQLite book,
the name given is a label.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadbook.errors import BookError, InvalidValue
from leadbook.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

SALES = "leadbook_sales"
MANAGER = "leadbook_manager"
NAME_BYTES = 63  # PostgreSQL's longest identifier


@dataclass(frozen=True)
class Login:
    name: str
    administrator: bool  # owns the book or is a superuser: not limited by row-level security
    manager: bool  # a member of leadbook_manager (administrators count as managers)


def signed_in(conn: Connection) -> Login:
    """The login of a PostgreSQL connection and what it may do in the book."""
    name, administrator, manager = conn.exec_driver_sql(
        "SELECT CAST(session_user AS text), "
        "coalesce(pg_has_role(session_user, (SELECT relowner FROM pg_class "
        "WHERE oid = to_regclass('customers')), 'USAGE'), true), "
        "coalesce((SELECT pg_has_role(session_user, oid, 'USAGE') FROM pg_roles "
        f"WHERE rolname = '{MANAGER}'), false)"
    ).one()
    return Login(str(name), bool(administrator), bool(administrator or manager))


def acting_login(engine: Engine, as_option: str | None) -> str:
    """The salesperson a command acts as on a PostgreSQL book: the login, or the colleague a
    manager names with --as or $LEADBOOK_USER."""
    from leadbook.store.db import acting_user

    with engine.connect() as conn:
        login = signed_in(conn)
        conn.rollback()
    if login.administrator:
        return acting_user(as_option)  # as before: a label, defaulting to the system user
    if as_option and as_option.strip():
        wanted, source = as_option.strip(), "--as"
    else:
        wanted, source = (os.environ.get("LEADBOOK_USER") or "").strip(), "LEADBOOK_USER"
    if not wanted or wanted == login.name or login.manager:
        return wanted or login.name
    raise BookError(
        _(
            "you are logged in to this book as {login}; only a manager may act for {name} "
            "({source})"
        ).format(login=login.name, name=wanted, source=source)
    )


def require_manager(conn: Connection, what: str) -> None:
    """Refuse, in one line, what only a manager may do on a PostgreSQL book."""
    if conn.dialect.name != "postgresql":
        return
    login = signed_in(conn)
    if not login.manager:
        raise BookError(
            _("only a manager may {what}; you are logged in as {login}").format(
                what=what, login=login.name
            )
        )


def check_name(name: str) -> str:
    """A salesperson's login name: PostgreSQL takes any text (王丽 too) up to 63 bytes."""
    name = name.strip()
    if not name:
        raise InvalidValue(_("a salesperson's name cannot be empty"))
    if len(name.encode("utf-8")) > NAME_BYTES:
        raise InvalidValue(
            _(
                "{name} is too long for a database login (at most 63 bytes, 21 Chinese characters)"
            ).format(name=name)
        )
    if re.search(r"[\x00-\x1f\x7f]", name) or name.lower().startswith("pg_"):
        raise InvalidValue(_("{name!r} cannot be a database login").format(name=name))
    if name in (SALES, MANAGER, "public"):
        raise InvalidValue(_("{name} is one of leadbook's own roles").format(name=name))
    return name


def check_password(password: str) -> str:
    if len(password) < 8:
        raise InvalidValue(_("the password needs at least 8 characters"))
    if not re.fullmatch(r"[\x21-\x7e]+", password):
        raise InvalidValue(
            _("the password may hold letters, digits and punctuation only (no spaces)")
        )
    return password


def new_password() -> str:
    import secrets

    return secrets.token_urlsafe(12)


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = 4096) -> str:
    """What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677), computed here so the
    password itself never reaches the server or its logs. ASCII passwords need no SASLprep."""
    import base64
    import hashlib
    import hmac
    import secrets

    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("ascii"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def add_member(conn: Connection, name: str, password: str, manager: bool) -> None:
    """Create the login ``name`` in the team (a manager with ``manager``), through the book's
    leadbook_add_member function (migration 0006), which a manager may call."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        raise BookError(
            _(
                "a SQLite book has no logins: it is one person's book, and --as NAME is a "
                "label. Team books with their own logins live on PostgreSQL"
            )
        )
    name = check_name(name)
    check_password(password)
    login = signed_in(conn)
    if not login.manager:
        raise BookError(
            _("only a manager may add salespeople; you are logged in as {login}").format(
                login=login.name
            )
        )
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
        raise InvalidValue(
            _(
                "there is already a database login named {name}; to put it in the team, a "
                "database administrator runs: GRANT {role} TO {quoted}"
            ).format(name=name, role=MANAGER if manager else SALES, quoted=quote(name))
        )
    if not conn.execute(text(f"SELECT 1 FROM pg_roles WHERE rolname = '{SALES}'")).first():
        raise BookError(
            _(
                "the book's owner could not create leadbook's roles: a database administrator "
                "runs `leadbook db upgrade` once with a login that may create roles"
            )
        )
    conn.execute(
        text("SELECT leadbook_add_member(:name, :verifier, :manager)"),
        {"name": name, "verifier": scram_verifier(password), "manager": manager},
    )


def quote(name: str) -> str:
    """A PostgreSQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'
