"""The queries behind `leadbook list` and `leadbook search`, written once over a runner.

A runner executes a statement named by a key (``search:fts,scan:limit``) with parameters:
``customers.Live`` builds the SQLAlchemy statement for the key and runs it on a connection
(every engine); ``fast.Reader`` runs the SQLite text SQLAlchemy compiled for the same key
(``store/compiled_sql.jsonl``) with the standard sqlite3 module, so a hot command on a SQLite
book does not import SQLAlchemy. This module imports neither: it decides which statement a
request needs and with which values. The keys a book can be asked for are enumerated in
``variants``; the compiled file holds the common ones, and any other key takes the full path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from leadbook.models.lines import CardLine
from leadbook.searchkeys import query_terms

# The orders `list --sort` offers (their columns: customers.SORTS).
SORTS = ("number", "name", "grade", "stage", "next", "created", "last", "company")
TWO_CHAR_GRAMS = 200  # a two-character term spread over more trigrams than this is scanned
FTS_TABLE = "fts-table"  # does the book have the trigram table (SQLite, migration 0004)?
FTS_GRAMS = "fts-grams"  # the trigrams that begin with a two-character term
POLICY = "policy"  # does row-level security limit this PostgreSQL login's cards?


class Runner(Protocol):
    dialect: str

    def rows(self, key: str, params: dict[str, Any]) -> list[Any]:
        """The rows (mappings by column name) of the statement ``key`` run with ``params``."""
        ...


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def phrase(term: str) -> str:
    """An FTS5 phrase holding ``term`` as it is."""
    return '"' + term.replace('"', '""') + '"'


def has_trigram_table(run: Runner) -> bool:
    return run.dialect == "sqlite" and bool(run.rows(FTS_TABLE, {}))


def limited_by_policy(run: Runner) -> bool:
    """Whether row-level security limits this PostgreSQL login's cards (a salesperson or a
    manager, not the book's owner) and the book has the search function of migration 0006."""
    return run.dialect == "postgresql" and bool(run.rows(POLICY, {})[0]["limited"])


def _term(run: Runner, term: str, indexed: bool) -> tuple[str, str] | None:
    """How one term is matched: ("scan", LIKE pattern) or ("fts", MATCH query) through the
    trigram index for a term of two characters or more; None when it can match no card."""
    if not indexed or len(term) < 2:
        return "scan", f"%{escape_like(term)}%"
    if len(term) == 2:
        # Every place a two-character term occurs starts a trigram (a key ends with "|"), so
        # it matches the cards holding any trigram that begins with it.
        grams = [
            r["term"]
            for r in run.rows(
                FTS_GRAMS,
                {"low": term, "high": term + "\U0010ffff", "most": TWO_CHAR_GRAMS + 1},
            )
        ]
        if len(grams) > TWO_CHAR_GRAMS:
            return "scan", f"%{escape_like(term)}%"
        if not grams:
            return None
        return "fts", " OR ".join(phrase(g) for g in grams)
    return "fts", phrase(term)


def search_key(kinds: Sequence[str], limited: bool, policy: bool = False) -> str:
    return (
        "search:"
        + ",".join(kinds)
        + (":limit" if limited else ":all")
        + (":policy" if policy else "")
    )


def search(
    run: Runner, text: str, limit: int | None = 50, *, indexed: bool | None = None
) -> tuple[list[Any], int]:
    """The cards whose search key holds every term of ``text`` (best matches first), and
    how many there are."""
    terms = query_terms(text)
    if not terms:
        return [], 0
    if indexed is None:
        indexed = has_trigram_table(run)
    kinds: list[str] = []
    params: dict[str, Any] = {}
    for n, term in enumerate(terms):
        matched = _term(run, term, indexed)
        if matched is None:
            return [], 0  # a term no card holds: nothing matches them all
        kinds.append(matched[0])
        params[f"t{n}"] = matched[1]
    longest = max(terms, key=len)
    policy = len(longest) >= 3 and limited_by_policy(run)
    if policy:
        # A trigram index needs three characters. The LIKE of every term stays: it filters
        # the cards the index found.
        params["policy"] = f"%{escape_like(longest)}%"
    whole = text.strip().lower()
    params.update(whole=whole, joined=whole.replace(" ", ""), first=f"%|{escape_like(terms[0])}%")
    if limit:
        params["limit"] = limit
    rows = run.rows(search_key(kinds, bool(limit), policy), params)
    return rows, (int(rows[0]["matches"]) if rows else 0)


def list_filters(
    *,
    grades: Sequence[str] = (),
    stages: Sequence[str] = (),
    owner: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    source_detail: str | None = None,
    customer_type: str | None = None,
    purchase_kind: str | None = None,
    expected_after: date | None = None,
    expected_until: date | None = None,
    fields: Sequence[tuple[str, str | None]] = (),
    overdue_on: date | None = None,
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The filters of `list` as the tokens of its statement's key and their parameters."""
    tokens: list[str] = []
    params: dict[str, Any] = {}
    if grades:
        tokens.append(f"grade{len(grades)}")
        params.update({f"g{n}": g for n, g in enumerate(grades)})
    if stages:
        tokens.append(f"stage{len(stages)}")
        params.update({f"s{n}": s for n, s in enumerate(stages)})
    plain = (
        ("owner", owner),
        ("tag", f"%,{escape_like(tag)},%" if tag else None),
        ("source", source),
        ("detail", source_detail),
        ("type", customer_type),
        ("kind", purchase_kind),
        ("after", expected_after),
        ("until", expected_until),
    )
    for token, value in plain:
        if value:
            tokens.append(token)
            params[token] = value
    for n, (name, value) in enumerate(fields):
        tokens.append("field" if value is None else "fieldvalue")
        params[f"xk{n}"] = name
        if value is not None:
            params[f"xv{n}"] = value
    if overdue_on is not None:
        tokens.append("overdue")
        params["overdue"] = overdue_on
    return tuple(tokens), params


def list_key(tokens: Sequence[str], sort: str, limited: bool) -> str:
    return f"list:{'+'.join(tokens)}:{sort}:{'limit' if limited else 'all'}"


def count_key(tokens: Sequence[str]) -> str:
    return f"count:{'+'.join(tokens)}"


def list_cards(
    run: Runner, *, sort: str = "number", limit: int | None = None, **filters: Any
) -> tuple[list[Any], int]:
    """Cards matching the filters (``list_filters``), and how many match in all."""
    tokens, params = list_filters(**filters)
    if limit:
        params["limit"] = limit
    rows = run.rows(list_key(tokens, sort, bool(limit)), params)
    if not limit or len(rows) < limit:
        return rows, len(rows)
    params.pop("limit")
    return rows, int(run.rows(count_key(tokens), params)[0]["total"])


def parse_key(key: str) -> tuple[str, list[str]]:
    """A statement's key as its family and its parts: ``list:grade1+owner:next:limit`` ->
    ("list", ["grade1+owner", "next", "limit"])."""
    family, _sep, rest = key.partition(":")
    return family, rest.split(":")


def variants() -> Iterator[str]:
    """The keys compiled ahead for SQLite books: every search of up to four terms, and the
    lists a salesperson types (up to two grades, one stage, an owner, overdue; any sort)."""
    yield FTS_TABLE
    yield FTS_GRAMS
    kinds: list[list[str]] = [[]]
    for _n in range(4):
        kinds = [[*k, kind] for k in kinds for kind in ("fts", "scan")]
        for each in kinds:
            for limited in (True, False):
                yield search_key(each, limited)
    for grades in range(3):
        for stages in range(2):
            for owner in (False, True):
                for overdue in (False, True):
                    tokens = (
                        ([f"grade{grades}"] if grades else [])
                        + ([f"stage{stages}"] if stages else [])
                        + (["owner"] if owner else [])
                        + (["overdue"] if overdue else [])
                    )
                    yield count_key(tokens)
                    for sort in SORTS:
                        for limited in (True, False):
                            yield list_key(tokens, sort, limited)


def split_tags(value: str | None) -> list[str]:
    """The tags of a card, stored as ",a,b," so one tag can be matched with LIKE."""
    return [t for t in (value or "").split(",") if t]


def card_line(row: Any) -> CardLine:
    return CardLine(
        number=row["number"],
        name=row["name"],
        grade=row["grade"],
        stage=row["stage"],
        created_at=row["created_at"],
        company=row["company"],
        mobile=row["mobile"],
        owner=row["owner"],
        source=row["source"],
        tags=split_tags(row["tags"]),
        next_due=row["next_due"],
        last_contact_at=row["last_contact_at"],
    )
