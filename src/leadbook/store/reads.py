"""What a card holds, read through a runner: the rows `show` prints, the same on both paths.

Each function asks a runner (``leadbook.store.calls.Live`` on a SQLAlchemy connection, or
``leadbook.store.fast.Reader`` on a SQLite book without SQLAlchemy) for one statement of
``leadbook.store.calls`` by its key (``card:followups``), so the repositories
(``customers.get``, ``followups.for_customer`` ...) and the fast path read a card the same way.
No SQLAlchemy here.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from leadbook.domain import SWOT_KINDS, money
from leadbook.errors import NotFound
from leadbook.i18n import _
from leadbook.parsing import parse_number
from leadbook.store.agenda import card_key as key

if TYPE_CHECKING:
    from leadbook.models.card import Deal


class Runner(Protocol):
    def rows(self, key: str, params: dict[str, Any]) -> list[Any]:
        """The rows (mappings by column name) of the statement ``key`` with ``params``."""
        ...


def card_row(run: Runner, number: str) -> Any:
    """The card numbered ``number`` (any case, c42 works); NotFound when there is none."""
    canonical = parse_number(number)
    rows = run.rows(key("number"), {"number": canonical})
    if not rows:
        raise NotFound(
            _(
                "no customer numbered {number}: `leadbook search` finds a card by name or phone"
            ).format(number=canonical)
        )
    return rows[0]


def card_by_id(run: Runner, cid: int) -> Any:
    rows = run.rows(key("id"), {"cid": cid})
    if not rows:
        raise LookupError(cid)
    return rows[0]


def of_card(run: Runner, what: str, cid: int) -> list[Any]:
    """A card's rows of ``what``: followups (newest first), changes and edits (oldest
    first), complaints (newest first), visits (by day), referred (the cards naming it as
    their referrer, oldest first)."""
    return run.rows(key(what), {"cid": cid})


def deal_from_row(r: Any) -> Deal:
    from leadbook.models.card import Deal  # (a card's deals only: 13 ms to import)

    return Deal(
        id=r["id"],
        number=r["number"],
        name=r["name"],
        amount=money(r["amount_cents"]),
        product=r["product"],
        date=r["date"],
        contract=r["contract"],
        payment=r["payment"],
        note=r["note"],
    )


def deals_of(run: Runner, cid: int) -> list[Deal]:
    return [deal_from_row(r) for r in run.rows(key("deals"), {"cid": cid})]


def swot_of(run: Runner, cid: int) -> dict[str, list[str]]:
    """A card's SWOT entries by kind (s, w, o, t), as entered (`swot` and the whole card)."""
    result: dict[str, list[str]] = {k: [] for k in SWOT_KINDS}
    for r in run.rows(key("swot"), {"cid": cid}):
        result[r["kind"]].append(r["text"])
    return result


def financials_of(run: Runner, cid: int) -> dict[str, tuple[str, Any]]:
    """A card's latest value (kept exact, as text) and date of each indicator, the one
    entered last winning (`finance` and the whole card)."""
    result: dict[str, tuple[str, Any]] = {}
    for r in run.rows(key("financials"), {"cid": cid}):
        result[r["indicator"]] = (r["value"], r["as_of"])
    return result


def totals(
    conn: Any,
    metric: str,
    owner: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[tuple[str | None, str, int, float]]:
    """(owner, key, n, total) of a metric of the running totals (leadbook.store.tallies),
    summed over the days in [since, until] (all days when they are not given); owner None
    means everyone's, and reads back as None for cards nobody owns."""
    params: dict[str, Any] = {"metric": metric, "owner": owner}
    if since is not None:
        params["since"] = since.isoformat()
    if until is not None:
        params["until"] = until.isoformat()
    from leadbook.store.agenda import funnel_key

    key = funnel_key("totals", owner=bool(owner), since=since is not None, until=until is not None)
    from leadbook.store.writes import runner

    rows = runner(conn).rows(key, params)
    return [(r["owner"] or None, r["key"], int(r["n"]), float(r["total"])) for r in rows if r["n"]]
