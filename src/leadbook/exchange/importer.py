"""Import a table of customers into the book in one transaction.

Columns map to fields automatically (see mapping.py) or by ``--map``; columns that map to
nothing are kept on the card as extra fields. Each value is checked like `leadbook add` checks
it; a bad value is reported with its row, column and reason, and unless bad rows are to be
skipped nothing is written. Cards are written with executemany in a few statements, not one
by one (PERF.md: ORM add_all is 40x slower than executemany).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from leadbook import parsing
from leadbook.cards import AMOUNT_FIELDS, new_card, parse_field, source_values
from leadbook.clock import Clock
from leadbook.deals import check_deal, won_at
from leadbook.domain import CARD_FIELDS, STAGE_INDEX, cents
from leadbook.errors import InvalidValue
from leadbook.exchange import mapping as mp
from leadbook.exchange.readers import Table
from leadbook.i18n import _
from leadbook.store import bulk_insert, delete_for_cards
from leadbook.store import customers as repo
from leadbook.store import deals as deals_repo
from leadbook.store import history as history_repo
from leadbook.store.schema import audit, changes, customers, deals, plans
from leadbook.store.tallies import TRIGGERS, reach_sql, recount_sql

if TYPE_CHECKING:
    from leadbook.store.db import Book


@dataclass
class Problem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    deals: int = 0
    mapping: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # row, number, why
    bad_rows: int = 0
    # the file's customer number -> the id of the card this import made of its row (the card's
    # own number may differ: C00001 of another book, where this one has a C00001 already)
    created_ids: dict[str, int] = field(default_factory=dict)
    matched_ids: dict[str, int] = field(default_factory=dict)  # the same for the cards it found
    written: bool = False  # whether the import is to be kept (not a dry run, no bad rows ...)
    related: dict[str, int] = field(default_factory=dict)  # rows of other sheets restored
    left_out: dict[str, int] = field(default_factory=dict)  # other sheets' rows of cards not made
    # other sheets' rows of the cards this import found in the book (the book's records stay)
    in_book: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportSummary:
    """What `import --json` prints."""

    written: bool
    rows: int
    created: int
    updated: int
    skipped: int
    deals: int
    bad_rows: int
    other_sheets: dict[str, int]
    left_out: dict[str, int]
    in_book: dict[str, int]
    mapping: dict[str, str]
    problems: list[Problem]
    error_file: str | None


def summary(report: ImportReport, error_file: Path | None) -> ImportSummary:
    return ImportSummary(
        written=report.written,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        skipped=report.skipped,
        deals=report.deals,
        bad_rows=report.bad_rows,
        other_sheets=report.related,
        left_out=report.left_out,
        in_book=report.in_book,
        mapping=dict(report.mapping),
        problems=report.problems,
        error_file=str(error_file) if error_file else None,
    )


def parse_map(items: list[str]) -> dict[str, str]:
    result = {}
    for item in items:
        column, sep, target = item.partition("=")
        target = target.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise InvalidValue(_('--map takes COLUMN=field, e.g. --map "客户名称=name"'))
        if target not in mp.FIELDS:
            raise InvalidValue(
                _("--map: {field!r} is not a field; fields: {fields}").format(
                    field=target, fields=", ".join(sorted(mp.FIELDS))
                )
            )
        result[column.strip()] = target
    return result


REBUILD_AT = 1_000  # an import (on SQLite) of more new cards than this, and than the book
# holds, rebuilds the indexes after inserting instead of keeping them up to date row by row:
# 30% faster from a few hundred cards on (5,000 rows into an empty book: 2.2 s -> 1.5 s)
_NUMBER_ID = re.compile(r"C0*(\d{1,9})")


class _Keys:
    """Existing cards by origin (where an imported card came from), number, mobile, e-mail and
    name+company, the ids in use, and the ids of new cards.

    A book up to PRELOAD cards is read into memory once (fast for the common case); a bigger
    one is asked card by card through its indexes, so memory stays small whatever its size.
    Cards added by this import are always remembered, so a file's own duplicates are found.

    A new card's id, as `leadbook add` gets it (and its number is C + the id, as there): on
    SQLite the next rowid (one writer at a time holds the book); on PostgreSQL the next values
    of the table's sequence, taken with nextval, so another salesperson's `add` can never be
    handed the same one. A file's own number C00042 keeps card 42 when that id is free, so a
    later card never gets C00042; ``settle`` then moves the sequence past it."""

    PRELOAD = 200_000

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.origin: dict[str, int] = {}
        self.number: dict[str, int] = {}
        self.mobile: dict[str, int] = {}
        self.email: dict[str, int] = {}
        self.name_company: dict[tuple[str, str], int] = {}
        self.ids: set[int] = set()
        self.number_of: dict[int, str] = {}
        self.name_of: dict[int, str] = {}
        top = conn.execute(select(func.max(customers.c.id))).scalar()
        some = select(customers.c.id).limit(self.PRELOAD + 1).subquery()  # counted to a cap
        count = conn.execute(select(func.count()).select_from(some)).scalar_one()
        self.preloaded = int(count) <= self.PRELOAD
        if self.preloaded:
            rows = conn.execute(
                select(
                    customers.c.id,
                    customers.c.number,
                    customers.c.mobile,
                    customers.c.email,
                    customers.c.name,
                    customers.c.company,
                    customers.c.origin,
                )
            )
            for cid, number, mobile, email, name, company, origin in rows:
                self.add(cid, number, mobile, email, name, company, origin)
        self.next_id = int(top or 0) + 1
        self.top = int(top or 0)  # ids above it are free but for those this import hands out
        self.sequence = conn.dialect.name == "postgresql"
        self.reserved: list[int] = []  # PostgreSQL: ids taken from the sequence, in order
        self.pool: Iterator[int] = iter(())  # the reserved ids not yet looked at
        self.given: list[int] = []  # the ids of the new cards
        self.prefetched = False
        self.numbers_asked: set[str] = set()  # numbers prefetch looked for (found or not)

    def add(
        self,
        cid: int,
        number: str,
        mobile: str | None,
        email: str | None,
        name: str,
        company: str | None,
        origin: str | None = None,
    ) -> None:
        self.ids.add(cid)
        if origin:
            self.origin.setdefault(origin, cid)
        self.number[number] = cid
        self.number_of[cid] = number
        self.name_of[cid] = name
        if mobile:
            self.mobile.setdefault(mobile, cid)
        if email:
            self.email.setdefault(email.lower(), cid)
        if company:
            self.name_company.setdefault((name, company.lower()), cid)

    def prefetch(self, rows: list[dict[str, Any]], chunk: int = 500) -> None:
        """The cards matching any of the file's numbers, mobiles, e-mails or names, read from a
        big book in a few queries (IN lists through the indexes) rather than row by row: on
        PostgreSQL each query is a round trip."""
        wanted: dict[str, set[Any]] = {
            "origin": set(),
            "number": set(),
            "mobile": set(),
            "email": set(),
        }
        pairs: set[tuple[str, str]] = set()
        for v in rows:
            for column in wanted:
                if v.get(column):
                    wanted[column].add(v[column].lower() if column == "email" else v[column])
            if v.get("company"):
                pairs.add((v["name"], v["company"].lower()))
        sqlite = self.conn.dialect.name == "sqlite"
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"

        def index(name: str) -> str:
            # A column that is mostly empty gets statistics that make SQLite scan the table
            # for an IN list; naming the index keeps the look-up on it.
            return f" INDEXED BY {name}" if sqlite else ""

        def fetch(where: str, params: list[Any], hint: str = "") -> None:
            sql = (
                "SELECT id, number, mobile, email, name, company, origin "
                f"FROM customers{hint} {where}"
            )
            for row in self.conn.exec_driver_sql(sql, tuple(params)):
                self.add(*row)

        def marks(n: int) -> str:
            return ", ".join([mark] * n)

        for column, values in wanted.items():
            ordered = sorted(values)
            hint = index(f"ix_customers_{column}") if column != "number" else ""
            for start in range(0, len(ordered), chunk):
                part = ordered[start : start + chunk]
                fetch(f"WHERE {column} IN ({marks(len(part))})", part, hint)
        # Name and company: the cards with any of the names at any of the companies (a few
        # more than the pairs, through the index on both), matched exactly by add().
        ordered_pairs = sorted(pairs)
        for start in range(0, len(ordered_pairs), chunk):
            part_pairs = ordered_pairs[start : start + chunk]
            names = sorted({n for n, _c in part_pairs})
            companies = sorted({c for _n, c in part_pairs})
            fetch(
                f"WHERE name IN ({marks(len(names))}) AND lower(company) IN ({marks(len(companies))})",
                [*names, *companies],
                index("ix_customers_name_company"),
            )
        self.prefetched = True
        self.numbers_asked = wanted["number"]

    def _ask(self, condition: Any, index: tuple[str, Any] | None = None) -> int | None:
        if self.preloaded:
            return None
        if index and self.conn.dialect.name == "sqlite":
            # A column that is mostly empty gets statistics that make SQLite scan the table;
            # naming the index keeps the look-up on it.
            column, value = index
            found = self.conn.exec_driver_sql(
                f"SELECT id, number FROM customers INDEXED BY ix_customers_{column} "
                f"WHERE {column} = ? LIMIT 1",
                (value,),
            ).first()
        else:
            found = self.conn.execute(
                select(customers.c.id, customers.c.number).where(condition).limit(1)
            ).first()
        if found is None:
            return None
        self.number_of[found[0]] = found[1]
        return int(found[0])

    def find(self, v: dict[str, Any]) -> tuple[int, str] | None:
        if self.preloaded or self.prefetched:  # every card that can match is in memory
            return self._find_known(v)
        checks: tuple[tuple[str, Any, dict[Any, int], Any], ...] = (
            ("origin", v.get("origin"), self.origin, lambda x: customers.c.origin == x),
            # A customer number is one book's label: another book's C00001 is someone else.
            # It is the same card when the name is the same too (this book's own export).
            ("number", v.get("number"), self._same_name(v), self._number_and_name(v)),
            ("mobile", v.get("mobile"), self.mobile, lambda x: customers.c.mobile == x),
            (
                "email",
                (v.get("email") or "").lower() or None,
                self.email,
                lambda x: customers.c.email == x,
            ),
            (
                "name",
                (v["name"], v["company"].lower()) if v.get("company") else None,
                self.name_company,
                lambda x: (customers.c.name == x[0]) & (func.lower(customers.c.company) == x[1]),
            ),
        )
        for why, key, known, condition in checks:
            if not key:
                continue
            if key in known:
                return known[key], why
            if self.preloaded or self.prefetched:  # every card that can match is in `known`
                continue
            indexed = why in ("email", "mobile", "origin")
            cid = self._ask(condition(key), (why, key) if indexed else None)
            if cid is not None:
                return cid, why
        return None

    def _find_known(self, v: dict[str, Any]) -> tuple[int, str] | None:
        """find() when every card that can match is in memory: the same checks, in order."""
        get = v.get
        origin = get("origin")
        if origin and origin in self.origin:
            return self.origin[origin], "origin"
        number = get("number")
        if number:
            cid = self.number.get(number)
            if cid is not None and self.name_of.get(cid) == v["name"]:
                return cid, "number"
        mobile = get("mobile")
        if mobile and mobile in self.mobile:
            return self.mobile[mobile], "mobile"
        email = get("email")
        if email and (email := email.lower()) in self.email:
            return self.email[email], "email"
        company = get("company")
        if company and (pair := (v["name"], company.lower())) in self.name_company:
            return self.name_company[pair], "name"
        return None

    def _same_name(self, v: dict[str, Any]) -> dict[Any, int]:
        """The card numbered as the row is, when it has the row's name: {number: id}."""
        number = v.get("number")
        cid = self.number.get(number) if number else None
        return {number: cid} if cid is not None and self.name_of.get(cid) == v["name"] else {}

    @staticmethod
    def _number_and_name(v: dict[str, Any]) -> Callable[[Any], Any]:
        return lambda number: (customers.c.number == number) & (customers.c.name == v["name"])

    def taken(self, cid: int) -> bool:
        if cid in self.ids:
            return True
        return (
            not self.preloaded
            and cid <= self.top
            and self.conn.execute(select(customers.c.id).where(customers.c.id == cid)).first()
            is not None
        )

    def id_of_number(self, number: str) -> int | None:
        if number in self.number:
            return self.number[number]
        if number in self.numbers_asked:
            return None
        found = self._ask(customers.c.number == number)
        if found is not None:
            self.number[number] = found
        elif not self.preloaded:
            self.numbers_asked.add(number)
        return found

    def number_taken(self, number: str) -> bool:
        return self.id_of_number(number) is not None

    def new_id(self, number: str | None, at_most: int) -> int:
        """The id of a new card (numbered ``number`` in the file, if it is); ``at_most``: how
        many more new cards there can be, for reserving ids from the sequence in one go."""
        m = _NUMBER_ID.fullmatch(number) if number else None
        # C00042 stays card 42 when it can, so later cards never collide with it
        cid = int(m[1]) if m and not self.taken(int(m[1])) else self._free_id(at_most)
        self.given.append(cid)
        return cid

    def _free_id(self, at_most: int) -> int:
        if not self.sequence:
            while self.taken(self.next_id):
                self.next_id += 1
            return self.next_id
        while True:
            cid = next(self.pool, None)
            if cid is None:
                got = [
                    int(v)
                    for (v,) in self.conn.exec_driver_sql(
                        "SELECT nextval(pg_get_serial_sequence('customers', 'id')) "
                        f"FROM generate_series(1, {max(int(at_most), 1)})"
                    )
                ]
                self.reserved += got
                self.pool = iter(sorted(got))
                continue
            if not self.taken(cid):  # a file's own number may have claimed it
                return cid

    def settle(self, written: bool) -> None:
        """PostgreSQL: leave the sequence past every id the import wrote (a file's own numbers
        may lie beyond it), and give back the reserved ids no card took (duplicates, a dry run,
        a rolled-back import), when no one has drawn from the sequence since: so the next
        `add` goes on from the last card. Runs under the writers' lock (Book.write)."""
        if not self.sequence:
            return
        used = max(self.given) if written and self.given else 0
        if self.reserved:
            low, high = min(self.reserved), max(self.reserved)
            contiguous = high - low + 1 == len(self.reserved)  # no one else's id in between
            used = max(used, low - 1)
        else:
            high, contiguous = 0, False
        last = self.conn.exec_driver_sql(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('customers', 'id')::regclass)"
        ).scalar()
        last = int(last or 0)  # NULL: the sequence has never been drawn from
        give_back = contiguous and last == high and used < last
        if used <= last and not give_back:
            return
        from sqlalchemy.exc import DBAPIError

        try:
            with self.conn.begin_nested():  # setval needs UPDATE on the sequence
                self.conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                    f"{max(used, 1)}, {'true' if used > 0 else 'false'})"
                )
        except DBAPIError:
            if used > last:  # needed (the CLI says the login may not do this)
                raise
            # Giving back is a nicety: without the right the numbers go on after a gap.


_BLANK = object()  # a cell that is empty or a placeholder ("-", "N/A", "无" ...)
_NO_CACHE = {"other_fields"}  # parsed to a dict: never shared between rows


@dataclass
class _Bad:
    reason: str


class _Column:
    """One mapped column and what its cells have parsed to. A cell's text is parsed once per
    import, whatever the number of rows repeating it (grades, stages, owners, dates do)."""

    __slots__ = ("cache", "clock", "head", "index", "target")

    def __init__(self, index: int, target: str, head: str, clock: Clock) -> None:
        self.index, self.target, self.head, self.clock = index, target, head, clock
        self.cache: dict[str, Any] = {}

    def parse(self, raw: Any) -> Any:
        """The value of a cell, _BLANK, or _Bad with the reason."""
        if mp.blank(raw):
            return _BLANK
        if self.target == "extra":
            return mp.text(raw)
        try:
            return _value(self.target, raw, self.clock)
        except InvalidValue as exc:
            return _Bad(exc.message)
        except ValueError:
            return _Bad(_("not a date"))

    def value(self, raw: Any) -> Any:
        if type(raw) is str:
            try:
                return self.cache[raw]
            except KeyError:
                parsed = self.parse(raw)
                if self.target not in _NO_CACHE:
                    self.cache[raw] = parsed
                return parsed
        return _BLANK if raw is None else self.parse(raw)


def _parse_row(
    row: list[Any], columns: list[_Column], n: int, report: ImportReport
) -> tuple[dict[str, Any], dict[str, str], bool]:
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    ok = True
    width = len(row)
    for column in columns:
        i = column.index
        value = column.value(row[i] if i < width else None)
        if value is _BLANK:
            continue
        if type(value) is _Bad:
            report.problems.append(Problem(n, column.head, mp.text(row[i]), value.reason))
            ok = False
        elif column.target == "extra":
            extra[column.head] = value
        else:
            values[column.target] = value
    return values, extra, ok


def _value(target: str, raw: Any, clock: Clock) -> Any:
    text = mp.text(raw)
    if target in ("mobile", "phone", "fax"):
        return parsing.parse_phone(text)
    if target == "email":
        return parsing.parse_email(text)
    if target == "gender":
        try:
            return parsing.parse_gender(text)
        except InvalidValue:
            return None
    if target == "birthday":
        if isinstance(raw, datetime):
            return raw.date(), raw.strftime("%m-%d")
        if re.fullmatch(r"--\d{2}-\d{2}", text):
            return parsing.parse_birthday(text[2:], clock.today)
        return parsing.parse_birthday(
            text
            if not isinstance(raw, int | float)
            else mp.to_datetime(raw, clock.today).date().isoformat(),
            clock.today,
        )
    if target in ("expected", "next", "deal_date"):
        return mp.to_datetime(raw, clock.today).date()
    if target in ("created_at", "last_contact"):
        return mp.to_datetime(raw, clock.today)
    if target == "other_fields":
        try:
            parsed = json.loads(text)
        except ValueError:
            raise InvalidValue(_("not the JSON leadbook writes for other fields")) from None
        return parsed if isinstance(parsed, dict) else {}
    if target in ("budget", "amount", "turnover", "profit"):
        return mp.to_amount(raw)
    if target in ("customer_type", "purchase_kind"):
        try:  # a word leadbook does not know is left out, as gender and payment are
            return parse_field(target, text, clock.today)[target]
        except InvalidValue:
            return None
    if target == "grade":
        return mp.to_grade(text)
    if target == "stage":
        return mp.to_stage(text)
    if target == "payment":
        try:
            return parsing.parse_payment(text)
        except InvalidValue:
            return None
    if target == "source":
        return text  # a known channel becomes the source, anything else its detail (below)
    if target == "number":
        return parsing.parse_number(text)
    if target == "tags":
        return ",".join(parsing.parse_tags(text.replace(" ::: ", ",")))
    from leadbook.cards import check_length

    check_length(target, text)
    return text


def _clean_rows(
    table: Table,
    parsers: list[_Column],
    report: ImportReport,
    progress: Callable[[str, int], None] | None,
    origin: Callable[[list[Any]], str],
    today: date,
) -> Iterator[tuple[int, dict[str, Any], dict[str, str]]]:
    """(row number, values, extra columns) of each good row; bad rows go to the report."""
    by_target = {c.target: c for c in parsers}
    for n, row in enumerate(table.rows, start=2):  # row 1 is the header
        if progress is not None and n % 5000 == 0:
            progress("rows", n)
        values, extra, ok = _parse_row(row, parsers, n, report)
        if ok and values.get("amount") is not None and values.get("stage") == "won":
            try:  # a won row's amount is a deal: the rules `leadbook deal` keeps
                check_deal(values["amount"], deal_day(values, today), today)
            except InvalidValue as exc:
                bad = "amount" if values["amount"] <= 0 else "deal_date"
                column = by_target.get(bad) or by_target.get("created_at")
                cell = row[column.index] if column and column.index < len(row) else ""
                head = column.head if column else bad
                report.problems.append(Problem(n, head, mp.text(cell), exc.message))
                ok = False
        name = values.get("name")
        if not name:
            first, last = values.get("first_name"), values.get("last_name")
            parts = [last, first] if parsing_cjk(values) else [first, last]
            name = " ".join(p for p in parts if p) or values.get("company")
        if not name:
            if any(not mp.blank(v) for v in row):
                report.problems.append(Problem(n, _("name"), "", _("the row has no name")))
                report.bad_rows += 1
            continue
        if not ok:
            report.bad_rows += 1
            continue
        values["name"] = str(name)[:200]  # a name made of first and last names may be long
        values["origin"] = origin(row)
        if "source" in values or "source_detail" in values:  # the rule `add` keeps
            values.update(
                source_values(values.pop("source", None), values.get("source_detail"), lenient=True)
            )
        yield n, values, extra


@dataclass
class Parsed:
    """A file's rows read and checked against leadbook's rules, before the book is touched."""

    report: ImportReport
    rows: list[tuple[int, dict[str, Any], dict[str, str]]]  # row number, values, extra columns


def prepare(
    table: Table,
    *,
    clock: Clock,
    overrides: dict[str, str],
    progress: Callable[[str, int], None] | None = None,
    id_column: str | None = None,
) -> Parsed:
    """Map the columns and parse every row. Needs no book, so it runs before the import takes
    the writers' lock: other salespeople wait only while the cards are written. ``id_column``:
    the column holding the source's own id of each row (default: one recognised by its
    header, else each row's fingerprint)."""
    table = join_continued(table)  # long texts of leadbook's own workbook, whole again
    report = ImportReport(rows=len(table.rows))
    columns = mp.auto_map(table.headers, overrides)
    report.mapping = [(table.headers[i] or f"#{i + 1}", f) for i, f in columns.items()]
    fields = set(columns.values())
    if not fields & {"name", "first_name", "last_name", "company"}:
        raise InvalidValue(
            _(
                'no column holds the customer\'s name: map one with --map "COLUMN=name" '
                "(columns: {columns})"
            ).format(columns=", ".join(h for h in table.headers if h)[:300])
        )
    parsers = [
        _Column(i, target, table.headers[i] or f"#{i + 1}", clock)
        for i, target in columns.items()
        if target != "ignore"
    ]
    origin = origin_of(table.headers, columns, id_column)
    return Parsed(report, list(_clean_rows(table, parsers, report, progress, origin, clock.today)))


# Headers of the column holding a source's own id of each row, best first, as mapping.py
# compares headers (lower case, without spaces and punctuation). Their ids are stable from one
# export to the next, so a later version of the file matches the cards of the first.
ID_HEADERS = tuple(
    mp.normalise(h)
    for h in (
        "客户编号",
        "客户ID",
        "客户代码",
        "线索ID",
        "线索编号",
        "商机ID",
        "商机编号",
        "联系人ID",
        "customer number",
        "customer id",
        "opportunity id",
        "deal id",
        "lead id",
        "leadid",
        "prospect id",
        "contact id",
        "account id",
        "record id",
        "external id",
        "uid",
        "id",
        "编号",
    )
)


def origin_of(
    headers: list[str], columns: dict[int, str], id_column: str | None
) -> Callable[[list[Any]], str]:
    """How a row says where it came from, for the card it makes: ``HEADER:ID`` from the id
    column (``--id``, else the first column whose header ID_HEADERS knows, else leadbook's
    own customer number column), or, without one or with its cell empty, ``row:`` and a
    fingerprint of the row's cells under their headers (the same cells give the same one
    whatever the columns' order)."""
    import hashlib

    normal = [mp.normalise(h or "") for h in headers]
    index: int | None = None
    if id_column is not None:
        wanted = mp.normalise(id_column)
        found = [i for i, h in enumerate(headers) if h == id_column or normal[i] == wanted]
        if not found:
            raise InvalidValue(
                _("--id: the file has no column {column!r} (columns: {columns})").format(
                    column=id_column, columns=", ".join(h for h in headers if h)[:300]
                )
            )
        index = found[0]
    else:
        ranked = sorted(
            (ID_HEADERS.index(h), i) for i, h in enumerate(normal) if h and h in ID_HEADERS
        )
        if ranked:
            index = ranked[0][1]
        else:
            index = next((i for i, f in columns.items() if f == "number"), None)
    order = sorted(range(len(headers)), key=lambda i: normal[i])
    prefix = (normal[index] or f"#{index + 1}") + ":" if index is not None else ""
    signature = "\x1f".join(normal[i] for i in order) + "\x1d"
    width = len(headers)

    def origin(row: list[Any]) -> str:
        if index is not None and index < len(row) and not mp.blank(row[index]):
            return (prefix + mp.text(row[index]))[:200]
        if len(row) < width:
            row = [*row, *([None] * (width - len(row)))]
        cells = "\x1f".join(["" if row[i] is None else str(row[i]) for i in order])
        digest = hashlib.blake2b((signature + cells).encode("utf-8"), digest_size=12)
        return "row:" + digest.hexdigest()

    return origin


def run_import(
    conn: Connection,
    parsed: Parsed,
    *,
    clock: Clock,
    by: str,
    owner: str | None,
    on_duplicate: str,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Write the parsed rows in the caller's transaction (Book.write). ``report.written`` says
    whether the caller is to keep it: not for a dry run, nor with bad rows unless they are to
    be skipped; the caller rolls back otherwise (raise db.Rollback)."""
    report, rows = parsed.report, parsed.rows
    report.written = not dry_run and (not report.problems or skip_bad)
    keys = _Keys(conn)
    new_cards: list[dict[str, Any]] = []
    new_changes: list[dict[str, Any]] = []
    new_plans: list[dict[str, Any]] = []
    new_audit: list[dict[str, Any]] = []
    new_deals: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    referrals: list[tuple[int, str]] = []
    if not keys.preloaded:
        keys.prefetch([values for _n, values, _extra in rows])
    for i, (n, values, extra) in enumerate(rows):
        found = keys.find(values)
        if found is not None and on_duplicate != "new":
            cid, why = found
            if values.get("number"):
                report.matched_ids.setdefault(values["number"], cid)
            if on_duplicate == "skip":
                number = keys.number_of[cid]
                report.skipped += 1
                report.duplicates.append((n, number, why))
                continue
            updates.append((cid, values, extra))
            continue
        cid = keys.new_id(values.get("number"), at_most=len(rows) - i)
        given = values.get("number")
        number = given if given and not keys.number_taken(given) else parsing.format_number(cid)
        card, history, plan, trail = _card_row(cid, number, values, extra, owner, by, clock)
        keys.add(
            cid,
            number,
            card["mobile"],
            card["email"],
            card["name"],
            card["company"],
            card["origin"],
        )
        report.created_ids.setdefault(given or number, cid)
        if values.get("referrer"):
            referrals.append((cid, str(values["referrer"])))
        new_cards.append(card)
        new_changes += history
        new_audit.append(trail)
        if plan is not None:
            new_plans.append(plan)
        if values.get("amount") is not None and card["stage"] == "won":
            new_deals.append(_deal(cid, values, clock, by))
        report.created += 1
    keys.settle(report.written)
    if new_cards:
        bigger = len(new_cards) > max(REBUILD_AT, len(keys.ids) - len(new_cards))
        with _in_one_go(conn, new_cards), _indexes_rebuilt(conn, bigger):
            bulk_insert(conn, customers, new_cards)
            bulk_insert(conn, changes, new_changes)
            history_repo.write_audit(conn, new_audit, bulk=True)
            bulk_insert(conn, plans, new_plans)
            bulk_insert(conn, deals, new_deals)
        report.deals += len(new_deals)
        _link_referrers(conn, referrals, keys, {**report.matched_ids, **report.created_ids})
    for cid, values, extra in updates:
        if _update(conn, cid, values, extra, clock, by):
            report.updated += 1
        if values.get("amount") is not None and values.get("stage") == "won":
            report.deals += _deal_once(conn, cid, values, clock, by)
    if progress is not None:
        progress("rows", report.rows)
    return report


@contextmanager
def _indexes_rebuilt(conn: Connection, rebuild: bool) -> Iterator[None]:
    """For an import bigger than the book, drop the secondary indexes, insert, and build them
    again: building an index once from all rows is much faster than keeping 14 indexes up to
    date row by row. Inside the import's transaction, so a failure leaves them as they were.

    SQLite only. There a writer holds the book alone anyway, and readers (WAL) go on reading
    the last committed book, indexes and all. On PostgreSQL DROP INDEX locks the table
    against every reader until the import commits (a colleague's `due` would hang), so the
    indexes stay and are kept up to date as the rows go in."""
    tables = (customers, changes, plans, audit)
    if not rebuild or conn.dialect.name != "sqlite":
        yield
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for index in table.indexes:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {quote(str(index.name))}")
    yield
    for table in tables:
        for index in table.indexes:
            index.create(conn)


# The triggers that fire, card by card, for the rows an import of new cards inserts, and that
# it replaces by one statement each on SQLite (_in_one_go).
_ROW_TRIGGERS = ("customers_fts_insert", *(t for t in TRIGGERS if t.endswith("_insert")))


@contextmanager
def _in_one_go(conn: Connection, cards: list[dict[str, Any]]) -> Iterator[None]:
    """On SQLite, the search index (FTS5) and the running totals get the new cards in one
    statement each, after they are inserted, instead of by their triggers card by card:
    FTS5's trigger flushes the index each time (four times the cost), and a change's trigger
    looks for the card's other moves to lost, which is a scan of every change while the
    indexes are being rebuilt (_indexes_rebuilt): 100,000 rows took 84 s. The totals are
    counted by the statements that recount a book (tallies.recount_sql), after the cards'
    reach_i are set (tallies.reach_sql), so they are the same figures. Inside the import's
    transaction, so a failure leaves the triggers in place.

    SQLite only: on PostgreSQL DROP TRIGGER locks the table against every reader until the
    import commits; its triggers find a card's moves through the indexes it keeps, and set
    the cards' reach once for each table's rows (store.bulk_insert writes them in one
    statement)."""
    held: list[str] = []
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in _ROW_TRIGGERS)
        held = [
            sql
            for (sql,) in conn.exec_driver_sql(
                f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
                _ROW_TRIGGERS,
            )
        ]
    if len(held) != len(_ROW_TRIGGERS):  # PostgreSQL, or a book without them: as they are
        yield
        return
    for name in _ROW_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    conn.exec_driver_sql(
        "INSERT INTO customers_fts(rowid, search_key) VALUES (?, ?)",
        [(card["id"], card["search_key"]) for card in cards],
    )
    conn.exec_driver_sql("CREATE TEMP TABLE imported_cards (id INTEGER PRIMARY KEY)")
    conn.exec_driver_sql("INSERT INTO imported_cards VALUES (?)", [(c["id"],) for c in cards])
    conn.exec_driver_sql(reach_sql("sqlite", "ch.customer_id IN temp.imported_cards"))
    for statement in recount_sql("sqlite", "c.id IN (SELECT id FROM temp.imported_cards)"):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("DROP TABLE temp.imported_cards")
    for sql in held:
        conn.exec_driver_sql(sql)


def _link_referrers(
    conn: Connection, referrals: list[tuple[int, str]], keys: _Keys, made: dict[str, int]
) -> None:
    """Referrers named by customer number (as leadbook exports them) once every card exists:
    a number of the file's own rows is the card this import made of that row (``made``: the
    file's number -> id), wherever it was numbered; any other, the book's card so numbered."""
    links = []
    for cid, text in referrals:
        try:
            number = parsing.parse_number(text)
        except InvalidValue:
            continue
        ref = made.get(number)
        if ref is None:
            ref = keys.id_of_number(number)
        if ref is not None and ref != cid:
            links.append({"cid": cid, "ref": ref})
    repo.update_many(conn, [{"cid": link["cid"], "referrer_id": link["ref"]} for link in links])


def parsing_cjk(values: dict[str, Any]) -> bool:
    """Chinese names put the family name first."""
    from leadbook.searchkeys import has_cjk

    return has_cjk(f"{values.get('last_name') or ''}{values.get('first_name') or ''}")


_EMPTY_CARD = dict.fromkeys(customers.c.keys())  # a card row with every column, to fill in


def _card_row(
    cid: int,
    number: str,
    v: dict[str, Any],
    extra: dict[str, str],
    owner: str | None,
    by: str,
    clock: Clock,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None, dict[str, Any]]:
    """A new card from a row, by the rules `leadbook add` keeps (cards.new_card): its row of
    ``customers`` with every column (executemany wants them all), history, plan, audit row."""
    birthday, birthday_md = v.get("birthday") or (None, None)
    values = {  # the row's fields in the card's columns (new_card drops the others)
        **v,
        "birthday": birthday,
        "birthday_md": birthday_md,
        **{column: _cents(v.get(name)) for name, column in AMOUNT_FIELDS.items()},
        "tags": ("," + v["tags"] + ",") if v.get("tags") else None,
        "extra": _extra_json(v.get("other_fields"), extra),
        "last_contact_at": v.get("last_contact"),
        "number": number,
    }
    facts = new_card(
        values,
        now=clock.now,
        today=clock.today,
        by=by,
        grade=v.get("grade"),
        stage=v.get("stage"),
        next_date=v.get("next"),
        purpose=v.get("purpose"),
        owner=owner,
        created=v.get("created_at"),
        closed=v.get("deal_date"),
        action="import",
        # the funnel's lost reasons read it
        lost_reason=_("imported") if v.get("stage") == "lost" else None,
    )
    row = _EMPTY_CARD.copy()
    row.update(facts.row)
    row["id"] = cid
    history, plan, trail = facts.rows_for(cid)
    return row, history, plan, trail


def _extra_json(own: dict[str, Any] | None, extra: dict[str, str]) -> str | None:
    merged = {**(own or {}), **extra}
    return json.dumps(merged, ensure_ascii=False) if merged else None


def _cents(amount: Decimal | None) -> int | None:
    return cents(amount) if amount is not None else None


def deal_day(v: dict[str, Any], today: date) -> date:
    """The day a row's deal is dated: its close date, else the day its card began, else
    today. The same for a new card and a matched one, so importing again finds the deal."""
    if v.get("deal_date") is not None:
        return v["deal_date"]
    created = v.get("created_at")
    return created.date() if created is not None else today


def _deal(cid: int, v: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    """A won row's deal (its amount and date already kept the rules: check_deal)."""
    return {
        "customer_id": cid,
        "amount_cents": _cents(v["amount"]),
        "product": v.get("product"),
        "date": deal_day(v, clock.today),
        "contract": v.get("contract"),
        "payment": v.get("payment"),
        "note": None,
        "by": by,
        "created_at": clock.now,
    }


def _deal_once(conn: Connection, cid: int, v: dict[str, Any], clock: Clock, by: str) -> int:
    """The row's deal on a matched card, unless the card has it already (the same file
    imported again)."""
    deal = _deal(cid, v, clock, by)
    exists = conn.execute(
        select(func.count())
        .select_from(deals)
        .where(
            deals.c.customer_id == cid,
            deals.c.date == deal["date"],
            deals.c.amount_cents == deal["amount_cents"],
        )
    ).scalar_one()
    if exists:
        return 0
    deals_repo.insert_deal(conn, deal)
    return 1


# Card fields a row cannot simply overwrite: the name identifies the card, the others are
# stored in another shape (birthday and its month-day, budget in cents, tags, referrer id).
SPECIAL_ON_UPDATE = ("name", "birthday", "budget", "turnover", "profit", "tags", "referrer")


def _update(
    conn: Connection, cid: int, v: dict[str, Any], extra: dict[str, str], clock: Clock, by: str
) -> bool:
    """Fill the existing card with what the row says; True when something changed."""
    from leadbook import status

    row = repo.get_by_id(conn, cid)
    changes_: dict[str, Any] = {}
    for name in CARD_FIELDS:
        if name in SPECIAL_ON_UPDATE:
            continue
        if v.get(name) is not None:
            changes_[name] = v[name]
    if v.get("birthday"):
        changes_["birthday"], changes_["birthday_md"] = v["birthday"]
    for name, column in AMOUNT_FIELDS.items():
        if v.get(name) is not None:
            changes_[column] = _cents(v[name])
    if extra:
        merged = {**(json.loads(row["extra"]) if row["extra"] else {}), **extra}
        changes_["extra"] = json.dumps(merged, ensure_ascii=False)
    if v.get("origin") and not row["origin"]:  # from now on the file's row finds this card
        changes_["origin"] = v["origin"]
    changed = bool(repo.update_fields(conn, row, changes_, clock.now, by))
    number = row["number"]
    if v.get("grade") and v["grade"] != row["grade"]:
        status.set_grade(conn, number, v["grade"], reason=_("imported"), clock=clock, by=by)
        changed = True
    if v.get("stage") and v["stage"] != row["stage"]:
        at = None
        if v["stage"] == "won" and v.get("amount") is not None:  # won on the deal's day
            fresh = repo.get_by_id(conn, cid)
            since = max(t for t in (fresh["stage_since"], fresh["created_at"]) if t)
            at = won_at(deal_day(v, clock.today), clock.now, since)
        status.set_stage(
            conn,
            number,
            v["stage"],
            reason=_("imported"),
            lost_reason=_("imported"),
            clock=clock,
            by=by,
            at=at,
        )
        changed = True
    return changed


def errors_path(path: Path) -> Path:
    """Where the bad rows of importing ``path`` go: FILE.errors.csv next to it, or in the
    temporary folder when its folder cannot be written."""
    import os
    import tempfile

    target = path.with_name(path.name + ".errors.csv")
    if (
        not os.access(path.parent, os.W_OK)
        or not os.access(path.parent, os.X_OK)
        or _read_only(path.parent)
    ):
        target = Path(tempfile.gettempdir()) / target.name
    return target


def write_errors(path: Path, problems: list[Problem]) -> Path:
    """The bad rows at errors_path(): row, column, value, reason (UTF-8 with BOM for Excel),
    readable by the user only. The cells come from a file anyone may have written: each is cut
    to a readable length and guarded against running as a formula, as exports are."""
    from leadbook.exchange.export import atomic, csv_safe

    target = errors_path(path)
    with (
        atomic(target, overwrite=True) as tmp,
        tmp.open("w", encoding="utf-8-sig", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow([_("row"), _("column"), _("value"), _("reason")])
        for p in problems:
            writer.writerow([p.row, *(csv_safe(t) for t in shown(p))])
    return target


def shown(p: Problem) -> tuple[str, str, str]:
    """A problem's column, value and reason as the terminal and the error report show them: a
    long cell cut to 200 characters, also where the reason quotes it."""
    value = clip(p.value)
    reason = p.reason.replace(p.value, value) if value != p.value else p.reason
    return clip(p.column), value, clip(reason, 400)


def clip(text: str, limit: int = 200) -> str:
    """Text as a message quotes it: at most ``limit`` characters, ending in … when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_only(folder: Path) -> bool:
    """True for a folder nobody may write (root ignores permission bits, so ask the mode)."""
    import stat

    try:
        return not (folder.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        return True


def is_leadbook_workbook(table: Table) -> bool:
    """A workbook written by `leadbook export` (or its zip of CSVs): its first sheet starts with
    the customer number and it has the follow-up, deal and history sheets (in either
    language)."""
    from leadbook.exchange.columns import SHEETS

    if table.kind not in ("xlsx", "zip") or not table.headers:
        return False
    names = set(table.sheets)
    ours = {SHEETS[k][i] for k in ("followups", "deals", "history") for i in (0, 1)}
    return mp.INDEX.get(mp.normalise(table.headers[0])) == "number" and len(names & ours) == 3


def join_continued(table: Table) -> Table:
    """A workbook written by `leadbook export` with its long texts whole again: the export
    continues a text longer than an Excel cell holds in the next columns, "Note (part 2)",
    "备注（第2段）" ..., and this joins them back onto "Note". Other files are left as they are."""
    from dataclasses import replace

    from leadbook.exchange.columns import continued

    if not is_leadbook_workbook(table):
        return table
    heads = table.headers
    kept: list[int] = []
    joined: dict[int, list[int]] = {}  # column -> the columns continuing it
    for i, head in enumerate(heads):
        if kept:
            base = kept[-1]
            part = len(joined.get(base, ())) + 2
            column = ("", heads[base], heads[base])  # the header in either language
            if head in (continued(column, part, "en"), continued(column, part, "zh")):
                joined.setdefault(base, []).append(i)
                continue
        kept.append(i)
    if not joined:
        return table

    def whole(row: list[Any], i: int) -> Any:
        value = row[i] if i < len(row) else None
        more = [row[j] for j in joined.get(i, ()) if j < len(row) and row[j] not in (None, "")]
        if not more:
            return value
        pieces = [value, *more] if value is not None else more
        return "".join(v if isinstance(v, str) else mp.text(v) for v in pieces)

    rows = [[whole(row, i) for i in kept] for row in table.rows]
    return replace(table, headers=[heads[i] for i in kept], rows=rows)


def sheets_of(table: Table, key: str) -> list[str]:
    """The sheets of leadbook's workbook holding one kind of record (``key`` as in
    columns.SHEETS): its sheet, in either language, and the numbered sheets continuing it past
    Excel's row limit ("Follow-ups 2", "跟进记录 2" ...), in order; [] when it has none."""
    from leadbook.exchange.columns import SHEETS, numbered

    for name in SHEETS[key]:
        if name in table.sheets:
            found = [name]
            while numbered(name, len(found) + 1) in table.sheets:
                found.append(numbered(name, len(found) + 1))
            return found
    return []


def with_continued_sheets(path: Path, table: Table) -> Table:
    """The customers sheet of leadbook's workbook with the rows of the numbered sheets that
    continue it past Excel's row limit ("Customers 2" ...); any other table as it is."""
    from dataclasses import replace

    from leadbook.exchange.readers import read

    if not is_leadbook_workbook(table):
        return table
    names = sheets_of(table, "customers")
    if not names or table.sheet != names[0] or len(names) == 1:
        return table
    rows = list(table.rows)
    for name in names[1:]:
        more = read(path, name)
        if more.headers != table.headers:
            raise InvalidValue(
                _("the sheet {sheet} does not have the columns of {first}").format(
                    sheet=name, first=names[0]
                )
            )
        rows += more.rows
    return replace(table, rows=rows)


def import_related_sheets(
    conn: Connection,
    path: Path,
    table: Table,
    created: dict[str, int],
    clock: Clock,
    by: str,
    report: ImportReport | None = None,
    skip_bad: bool = False,
) -> dict[str, int]:
    """Every other kind of record of the cards this import created, from leadbook's own
    workbook (follow-ups, deals, history, planned contacts, complaints, visits, SWOT, finance),
    so an exported book imports back whole. A row with a bad value goes to ``report.problems``
    (named by its sheet) and, unless bad rows are to be skipped, makes the import roll back;
    rows of cards that were not created are counted sheet by sheet: in ``report.in_book`` those
    of the cards the import found already in the book (whose records stay as the book has
    them), in ``report.left_out`` those of bad rows of the customers sheet. ``created``: the
    file's customer number -> the id of the card made of its row (the card may be numbered
    otherwise in this book)."""
    from leadbook.exchange import columns as cols
    from leadbook.exchange.readers import read

    specs: dict[str, tuple[tuple[tuple[str, str, str], ...], Callable[..., dict[str, Any]]]] = {
        "followups": (cols.FOLLOWUP_COLUMNS, _followup),
        "deals": (cols.DEAL_COLUMNS, _deal_of_sheet),
        "history": (cols.HISTORY_COLUMNS, _history),
        "plans": (cols.PLAN_COLUMNS, _plan),
        "complaints": (cols.COMPLAINT_COLUMNS, _complaint),
        "visits": (cols.VISIT_COLUMNS, _visit),
        "swot": (cols.SWOT_COLUMNS, _swot),
        "finance": (cols.FINANCE_COLUMNS, _finance),
    }
    counts: dict[str, int] = {}
    left_out: dict[str, int] = {}
    in_book: dict[str, int] = {}
    found = report.matched_ids if report is not None else {}
    problems: list[Problem] = []
    batches: dict[str, list[dict[str, Any]]] = {}
    for key, (columns, build) in specs.items():
        names = sheets_of(table, key)
        if not names:
            continue
        batch = batches.setdefault(key, [])
        for name in names:
            sheet = join_continued(read(path, name))
            for n, item in _items(sheet, columns):
                number = item.get("number")
                try:
                    number = parsing.parse_number(mp.text(number)) if number else None
                except InvalidValue:
                    number = None
                cid = created.get(number) if number else None
                if cid is None:
                    where = in_book if number in found else left_out
                    where[key] = where.get(key, 0) + 1
                    continue
                try:
                    batch.append({"customer_id": cid, **build(item, clock, by)})
                except _Empty as exc:
                    head = _header_in(sheet, columns, exc.field)
                    problems.append(
                        Problem(n, name, "", _("{column} is empty").format(column=head))
                    )
                except (InvalidValue, ValueError) as exc:
                    reason = exc.message if isinstance(exc, InvalidValue) else _("not a date")
                    problems.append(Problem(n, name, "", reason))
        counts[key] = len(batch)
    targets = _sales_plans_of(conn, path, table, clock, problems)
    if targets is not None:
        batches["sales_plans"] = targets
        counts["sales_plans"] = len(targets)
    if report is not None:
        report.problems += problems
        report.bad_rows += len({(p.column, p.row) for p in problems})
        report.left_out = {k: n for k, n in left_out.items() if n}
        report.in_book = {k: n for k, n in in_book.items() if n}
        if problems and not skip_bad:
            report.written = False
    if problems and not skip_bad:
        return {k: 0 for k in counts}
    _write_related(conn, batches, list(created.values()))
    return counts


def _sales_plans_of(
    conn: Connection, path: Path, table: Table, clock: Clock, problems: list[Problem]
) -> list[dict[str, Any]] | None:
    """The reverse plans (`leadbook plan`) of the workbook's sales plans sheet that the book
    does not hold yet (the same plan made at the same moment), oldest first, so `plan check`
    finds the same latest plan; None without the sheet."""
    from leadbook.exchange import columns as cols
    from leadbook.exchange.readers import read
    from leadbook.store.schema import sales_plans

    names = sheets_of(table, "sales_plans")
    if not names:
        return None
    have = {
        (r.owner, r.target, r.start, r.end, r.created_at)
        for r in conn.execute(
            select(
                sales_plans.c.owner,
                sales_plans.c.target,
                sales_plans.c.start,
                sales_plans.c.end,
                sales_plans.c.created_at,
            )
        )
    }
    found = []
    for name in names:
        for n, item in _items(read(path, name), cols.SALES_PLAN_COLUMNS):
            try:
                plan = _sales_plan(item, clock)
            except _Empty as exc:
                head = _header_in(read(path, name), cols.SALES_PLAN_COLUMNS, exc.field)
                problems.append(Problem(n, name, "", _("{column} is empty").format(column=head)))
                continue
            except (InvalidValue, ValueError) as exc:
                reason = exc.message if isinstance(exc, InvalidValue) else _("not a date")
                problems.append(Problem(n, name, "", reason))
                continue
            key = (plan["owner"], plan["target"], plan["start"], plan["end"], plan["created_at"])
            if key not in have:
                have.add(key)
                found.append(plan)
    return found


def _sales_plan(item: dict[str, Any], clock: Clock) -> dict[str, Any]:
    target = mp.text(_need(item, "target"))
    if not target.isdigit() or int(target) <= 0:
        raise InvalidValue(_("{value!r} is not a number of deals").format(value=target))
    texts = {}
    for name in ("rates", "rates_source", "weekly"):
        text = mp.text(_need(item, name))
        try:
            json.loads(text)
        except ValueError:
            raise InvalidValue(_("not the JSON leadbook writes for a plan")) from None
        texts[name] = text
    return {
        "owner": _opt(item.get("owner")),
        "target": int(target),
        "start": _day(_need(item, "start"), clock),
        "end": _day(_need(item, "end"), clock),
        **texts,
        "created_at": _when(_need(item, "created_at"), clock),
        "created_by": _opt(item.get("created_by")),
    }


def _items(
    sheet: Table, columns: tuple[tuple[str, str, str], ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {field: cell}) of each row of one of leadbook's sheets, its columns found by
    their English or Chinese header; empty cells are left out."""
    heads = {mp.normalise(h): i for i, h in enumerate(sheet.headers)}
    where = {}
    for name, en, zh in columns:
        for head in (en, zh):
            if mp.normalise(head) in heads:
                where[name] = heads[mp.normalise(head)]
                break
    for n, row in enumerate(sheet.rows, start=2):
        item = {f: row[i] for f, i in where.items() if i < len(row) and not mp.blank(row[i])}
        if item:
            yield n, item


def _header_in(sheet: Table, columns: tuple[tuple[str, str, str], ...], name: str) -> str:
    """The header of a field's column as the sheet writes it (English or Chinese)."""
    column = next(c for c in columns if c[0] == name)
    zh = any(mp.normalise(h) == mp.normalise(column[2]) for h in sheet.headers)
    return column[2] if zh else column[1]


class _Empty(InvalidValue):
    """A cell the record cannot do without is empty (``field``: which)."""

    def __init__(self, field_name: str) -> None:
        super().__init__(field_name)
        self.field = field_name


def _need(item: dict[str, Any], name: str) -> Any:
    if name not in item:
        raise _Empty(name)
    return item[name]


def _when(value: Any, clock: Clock) -> datetime:
    return mp.to_datetime(value, clock.today)


def _day(value: Any, clock: Clock) -> Any:
    return mp.to_datetime(value, clock.today).date() if value is not None else None


def _coded(field_name: str, value: Any) -> str:
    """A value a Chinese sheet wrote in Chinese (成交, 拜访, 按揭 ...) as the book stores it."""
    from leadbook.exchange.columns import stored_value

    return stored_value(field_name, mp.text(value))


def _followup(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    return {
        "at": _when(_need(item, "at"), clock),
        "via": parsing.parse_via(_coded("via", item.get("via", "other"))),
        "note": _opt(item.get("note")),
        "outcome": _opt(item.get("outcome")),
        "purpose": _opt(item.get("purpose")),
        "next_date": _day(item.get("next_date"), clock),
        "next_purpose": _opt(item.get("next_purpose")),
        "by": _opt(item.get("by")),
        "created_at": clock.now,
    }


def _deal_of_sheet(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    payment = item.get("payment")
    return {
        "amount_cents": _cents(mp.to_amount(_need(item, "amount"))),
        "product": _opt(item.get("product")),
        "date": _day(item.get("deal_date") or clock.today, clock),
        "contract": _opt(item.get("contract")),
        "payment": parsing.parse_payment(_coded("payment", payment)) if payment else None,
        "note": _opt(item.get("note")),
        "by": _opt(item.get("by")) or by,
        "created_at": clock.now,
    }


def _history(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    field_name = _coded("field", _need(item, "field"))
    if field_name not in ("grade", "stage"):
        raise InvalidValue(_("{value!r} is not grade or stage").format(value=field_name))

    def value(v: Any) -> str | None:
        if v is None:
            return None
        return mp.to_stage(_coded("stage", v)) if field_name == "stage" else mp.to_grade(v)

    return {
        "field": field_name,
        "old": value(item.get("old")),
        "new": value(_need(item, "new")),
        "at": _when(_need(item, "at"), clock),
        "reason": _opt(item.get("reason")),
        "by": _opt(item.get("by")),
        "dwell_days": None,
    }


def _plan(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    status = _coded("status", item.get("status", "open"))
    if status not in ("open", "done", "cancelled"):
        raise InvalidValue(_("{value!r} is not open, done or cancelled").format(value=status))
    return {
        "due": _day(_need(item, "due"), clock),
        "purpose": _opt(item.get("purpose")),
        "owner": _opt(item.get("owner")),
        "auto": _coded("auto", item.get("auto", "no")).lower() in ("yes", "true", "1"),
        "status": status,
        "created_on": _day(item.get("created_on") or clock.today, clock),
        "closed_on": _day(item.get("closed_on"), clock),
        "followup_id": None,
    }


def _complaint(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    return {
        "note": mp.text(_need(item, "note")),
        "opened_at": _when(_need(item, "opened_at"), clock),
        "opened_by": _opt(item.get("opened_by")),
        "resolved_at": _when(item["resolved_at"], clock) if "resolved_at" in item else None,
        "resolution": _opt(item.get("resolution")),
        "resolved_by": _opt(item.get("resolved_by")),
        "checked_at": _when(item["checked_at"], clock) if "checked_at" in item else None,
    }


def _visit(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    return {
        "day": _day(_need(item, "day"), clock),
        "purpose": mp.text(_need(item, "purpose")),
        "preparation": _opt(item.get("preparation")),
        "expected": _opt(item.get("expected")),
        "followup": _opt(item.get("followup")),
        "done_at": _when(item["done_at"], clock) if "done_at" in item else None,
        "at": _when(item.get("at") or clock.now, clock),
        "by": _opt(item.get("by")),
    }


def _swot(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    kind = _coded("kind", _need(item, "kind")).lower()
    if kind not in ("s", "w", "o", "t"):
        raise InvalidValue(_("{value!r} is not s, w, o or t").format(value=kind))
    return {
        "kind": kind,
        "text": mp.text(_need(item, "text")),
        "at": _when(item.get("at") or clock.now, clock),
        "by": _opt(item.get("by")),
    }


def _finance(item: dict[str, Any], clock: Clock, by: str) -> dict[str, Any]:
    return {
        "indicator": _coded("indicator", _need(item, "indicator")),
        "value": mp.text(_need(item, "value")),
        "as_of": _day(item.get("as_of"), clock),
        "at": _when(item.get("at") or clock.now, clock),
        "by": _opt(item.get("by")),
    }


def _write_related(
    conn: Connection, batches: dict[str, list[dict[str, Any]]], created: list[int]
) -> None:
    from leadbook.store.schema import complaints, financials, followups, sales_plans, swot, visits

    tables = {
        "sales_plans": sales_plans,
        "followups": followups,
        "deals": deals,
        "complaints": complaints,
        "visits": visits,
        "swot": swot,
        "finance": financials,
    }
    for key, table in tables.items():
        if batches.get(key):
            bulk_insert(conn, table, batches[key])
    follow = batches.get("followups") or []
    if follow:
        # The first and the last contact of each card, as `log` keeps them.
        firsts: dict[int, datetime] = {}
        lasts: dict[int, tuple[datetime, str]] = {}
        for b in follow:
            cid, at = int(b["customer_id"]), b["at"]
            firsts[cid] = min(firsts.get(cid, at), at)
            if cid not in lasts or at >= lasts[cid][0]:
                lasts[cid] = (at, b["via"])
        repo.update_many(
            conn,
            [
                {"cid": k, "first_contact_at": v, "last_contact_via": lasts[k][1]}
                for k, v in firsts.items()
            ],
        )
    history = batches.get("history")
    if history is not None:
        # The workbook's history replaces the one the import wrote for its cards.
        delete_for_cards(conn, changes, created)
        _dwell(history)
        bulk_insert(conn, changes, history)
        _resummarise(conn, history)
    planned = batches.get("plans")
    if planned is not None:
        # Likewise the planned contacts: those of the workbook, not the import's first plans.
        delete_for_cards(conn, plans, created)
        bulk_insert(conn, plans, planned)


def _dwell(history: list[dict[str, Any]]) -> None:
    """Each stage change's days in the stage it left, as `leadbook stage` records them."""
    last: dict[int, datetime] = {}
    for b in sorted(history, key=lambda b: b["at"]):
        if b["field"] != "stage":
            continue
        since = last.get(b["customer_id"])
        if since is not None and b["old"] is not None:
            b["dwell_days"] = (b["at"] - since).total_seconds() / 86400
        last[b["customer_id"]] = b["at"]


def _opt(value: Any) -> str | None:
    return None if mp.blank(value) else mp.text(value)


def _resummarise(conn: Connection, batch: list[dict[str, Any]]) -> None:
    """Furthest stage, since when in the stage, and each stage's length, from restored history."""
    by_card: dict[int, list[dict[str, Any]]] = {}
    for b in batch:
        if b["field"] == "stage":
            by_card.setdefault(b["customer_id"], []).append(b)
    updates = []
    for cid, steps in by_card.items():
        steps.sort(key=lambda b: b["at"])
        top = max((STAGE_INDEX.get(b["new"], -1) for b in steps), default=-1)
        updates.append(
            {"cid": cid, "top_stage": top if top >= 0 else 0, "stage_since": steps[-1]["at"]}
        )
    repo.update_many(conn, updates)


@dataclass
class ImportOutcome:
    """What `leadbook import` reports: the counts and problems, the table as read, and where
    the bad rows were written (None when there were none, or on a dry run)."""

    report: ImportReport
    table: Table
    error_file: Path | None = None


def import_file(
    open_book: Callable[[], Book],
    path: Path,
    *,
    clock: Clock,
    sheet: str | None = None,
    overrides: dict[str, str] | None = None,
    region: str | None = None,
    owner: str | None = None,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    skip_bad: bool = False,
    id_column: str | None = None,
    progress: Callable[[int], AbstractContextManager[Callable[[str, int], None] | None]]
    | None = None,
) -> ImportOutcome:
    """`leadbook import`: read ``path`` and import it in one transaction under the writers'
    lock (Book.write); a dry run, or bad rows without ``skip_bad``, roll it back whole.
    ``open_book`` is called once the file is read, so a file that cannot be read opens no book;
    ``region``: the country of numbers without a country code (default: the book's
    phone.region); ``progress(rows)`` gives what follows the rows."""
    from contextlib import nullcontext

    from leadbook.exchange import readers
    from leadbook.store.db import Rollback

    table = with_continued_sheets(path, readers.read(path, sheet))
    book = open_book()
    book.create()  # an import writes: it starts the book if there is none
    if region is None:
        from leadbook.config import phone_region

        with book.read() as conn:
            region = phone_region(conn)
    with (
        progress(len(table.rows)) if progress else nullcontext() as advance,
        parsing.phone_region(region),
    ):
        parsed = prepare(
            table, clock=clock, overrides=overrides or {}, progress=advance, id_column=id_column
        )
        with book.write() as conn:
            report = run_import(
                conn,
                parsed,
                clock=clock,
                by=book.user,
                owner=owner,
                on_duplicate=on_duplicate,
                dry_run=dry_run,
                skip_bad=skip_bad,
                progress=advance,
            )
            if is_leadbook_workbook(table) and (not report.problems or skip_bad):
                report.related = import_related_sheets(
                    conn, path, table, report.created_ids, clock, book.user, report, skip_bad
                )
            if not report.written:
                raise Rollback
    error_file = write_errors(path, report.problems) if report.problems and not dry_run else None
    return ImportOutcome(report, table, error_file)
