"""The keys of the statements of the call sheet and of the card (``leadbook.store.calls``),
without SQLAlchemy: ``leadbook.due`` and ``leadbook.store.reads`` name a statement by its key,
and ``variants`` lists every key they may ask for, which scripts/compile_sql.py compiles for
the fast path. A card's statements are ``card:WHAT`` (``CARD_WHATS``).

A key is ``due:WHAT`` followed by its flags, each ``:flag``: ``gN`` (festival greetings: N
grades, parameters ``g0`` ... ``gN-1``), ``won`` (and won customers), ``owner`` (one
salesperson's cards: parameter ``owner``), ``limit`` (parameter ``limit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

WHATS = (
    "settings",
    "followups:overdue",
    "followups:window",
    "count",
    "visits",
    "complaints",
    "birthdays",
    "birthdays-count",
    "care",
    "thanks-won",
    "thanks-added",
    "repurchases",
    "greet",
    "greet-count",
)
CARD_WHATS = (
    "number",
    "id",
    "followups",
    "changes",
    "edits",
    "deals",
    "complaints",
    "visits",
    "swot",
    "financials",
    "referred",
)
# The journals' statements (leadbook.journal): ``journal:WHAT``, ``:owner`` for one
# salesperson's work, ``:sqlite`` for the SQLite text of the two that differ by engine.
JOURNAL_WHATS = (
    "plans-due",
    "plans-done",
    "period-plans",
    "channels",
    "new-count",
    "contacts",
    "changes",
    "new-cards",
    "missed-open-bound",
    "missed-later",
    "missed",
    "grade-after",
)
BY_ENGINE = {"missed-later", "missed"}
# The funnel's statements (leadbook.funnel), and the running totals' reading every screen of
# counts shares: ``funnel:WHAT`` and its flags, ``:since``, ``:until``, ``:past`` (a period
# ended before today), ``:owner``, and ``:by-FIELD`` for a funnel split by a card field.
FUNNEL_FLAGS = {
    "totals": ("owner", "since", "until"),
    "flows": ("owner", "since", "past"),
    "tops": ("owner",),
    "counts": ("owner",),
    "dwell": ("owner",),
    "lost": ("owner", "since"),
    "won": ("owner", "since"),
    "latest": (),
}
SPLITS = ("source", "source_detail", "industry", "district", "owner")  # funnel --by
SPLIT_ONLY = {"tops", "counts"}  # the whole book split by a field the totals do not keep
LIMITED = {"followups:overdue", "followups:window", "birthdays", "greet"}
GRADES_MOST = 5  # greet.grades names at most the five grades


def card_key(what: str) -> str:
    """The key of a card statement: ``card:WHAT`` (one of ``CARD_WHATS``)."""
    return f"card:{what}"


def journal_key(what: str, *, owner: bool = False, dialect: str = "sqlite") -> str:
    """The key of a journal statement ``what`` (one of ``JOURNAL_WHATS``)."""
    key = f"journal:{what}"
    if owner and what != "grade-after":
        key += ":owner"
    if what in BY_ENGINE and dialect == "sqlite":
        key += ":sqlite"
    return key


def funnel_key(what: str, by: str | None = None, **flags: bool) -> str:
    """The key of a funnel statement ``what`` (one of ``FUNNEL_FLAGS``) with its flags, split
    ``by`` a card field (one of ``SPLITS``)."""
    parts = ["funnel", what, *(f for f in FUNNEL_FLAGS[what] if flags.get(f))]
    return ":".join(parts + ([f"by-{by}"] if by else []))


def key(what: str, *, owner: bool = False, limit: bool = False, **flags: Any) -> str:
    """The key of ``what`` (one of ``WHATS``) with its flags: ``grades=N``, ``won=True``."""
    parts = ["due", what]
    if "grades" in flags:
        parts.append(f"g{flags['grades']}")
    if flags.get("won"):
        parts.append("won")
    if owner:
        parts.append("owner")
    if limit:
        parts.append("limit")
    return ":".join(parts)


def variants() -> Iterator[str]:
    """Every key ``leadbook.due`` and ``leadbook.store.reads`` may ask for."""
    for what in CARD_WHATS:
        yield card_key(what)
    for what, names in FUNNEL_FLAGS.items():
        # (a period's funnel split by a field, `funnel --by X --since D`, takes the full path:
        # its 40 statements would double the file)
        splits: tuple[str | None, ...] = SPLITS if what in SPLIT_ONLY else (None,)
        for by in splits:
            for n in range(2 ** len(names)):
                flags = {f: bool(n >> i & 1) for i, f in enumerate(names)}
                yield funnel_key(what, by, **flags)
    for what in JOURNAL_WHATS:
        yield journal_key(what)
        if what != "grade-after":
            yield journal_key(what, owner=True)
    for what in WHATS:
        if what == "settings":
            yield key(what)
            continue
        for owner in (False, True):
            limits = (False, True) if what in LIMITED else (False,)
            if what.startswith("greet"):
                for grades in range(GRADES_MOST + 1):
                    for won in (False, True):
                        if grades or won:
                            for limit in limits:
                                yield key(what, owner=owner, limit=limit, grades=grades, won=won)
                continue
            for limit in limits:
                yield key(what, owner=owner, limit=limit)


def parse(key: str) -> tuple[str, set[str], int]:
    parts = key.split(":")
    if parts[0] != "due":
        raise KeyError(key)
    flags = {p for p in parts[2:] if p in ("owner", "limit", "won", "overdue", "window")}
    grades = next((int(p[1:]) for p in parts[2:] if p[:1] == "g" and p[1:].isdigit()), 0)
    what = parts[1] + (":" + parts[2] if parts[1] == "followups" else "")
    if what not in WHATS:
        raise KeyError(key)
    return what, flags, grades
