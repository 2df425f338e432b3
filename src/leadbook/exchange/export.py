"""Export the book: an Excel workbook a manager can open and filter, CSV, or a calendar.

The workbook is written with XlsxWriter in constant-memory mode: rows stream from the
database to the file, so memory stays flat whatever the size of the book (PERF.md: 1.6x faster
than openpyxl's write-only mode at the same memory), and it keeps everything the workbook
needs: bold frozen headers, autofilter, fitted widths, real dates and numbers, phones as text,
wrapped notes, a native chart, and user text always written as text (never as a formula).
Every file is written to a temporary name beside the target (readable by its owner only) and
renamed when complete, so a half-written export never replaces a good one, and an existing file
is replaced only when asked. A failed or interrupted export removes its temporaries; one killed
outright leaves them for the next export to the same file to remove.

Excel holds at most 32,767 characters in a cell: a longer text continues in the next columns,
"Note (part 2)", "Note (part 3)" ..., which import joins back (importer.join_continued).
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import String, func, or_, select
from sqlalchemy.engine import Connection

from leadbook.domain import money
from leadbook.errors import InvalidValue
from leadbook.exchange.columns import (
    COMPLAINT_COLUMNS,
    CUSTOMER_COLUMNS,
    DEAL_COLUMNS,
    FINANCE_COLUMNS,
    FOLLOWUP_COLUMNS,
    HISTORY_COLUMNS,
    PLAN_COLUMNS,
    SALES_PLAN_COLUMNS,
    SWOT_COLUMNS,
    VISIT_COLUMNS,
    ZH_VALUES,
    continued,
    header,
    numbered,
    sheet_name,
)
from leadbook.i18n import _
from leadbook.parsing import display_phone
from leadbook.render.grid import cell_width
from leadbook.store.customers import split_tags
from leadbook.store.schema import (
    changes,
    complaints,
    customers,
    deals,
    financials,
    followups,
    plans,
    sales_plans,
    swot,
    visits,
)

WRAPPED = {
    "note",
    "address",
    "outcome",
    "reason",
    "lost_reason",
    "purpose",
    "next_purpose",
    "resolution",
    "text",
    "preparation",
    "followup",
}
MAX_WIDTH = 60


@dataclass
class Filters:
    owner: str | None = None
    grades: Sequence[str] = ()
    stages: Sequence[str] = ()
    since: date | None = None


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)

    def described(self) -> str:
        """What was written, named as the sheets are in the interface's language:
        "Customers 15, Follow-ups 26", "客户 15、跟进记录 26"."""
        from leadbook.exchange.columns import SHEETS as NAMES
        from leadbook.i18n import language

        def what(key: str) -> str:
            return sheet_name(key, language()) if key in NAMES else _("calendar events")

        return _(", ").join(f"{what(k)} {n}" for k, n in self.counts.items())


def home_region(conn: Connection) -> str:
    """The book's home country for phone numbers (setting phone.region), CN by default."""
    from leadbook.store.schema import settings

    value = conn.execute(select(settings.c.value).where(settings.c.key == "phone.region")).scalar()
    return (value or "CN").strip().upper() or "CN"


def _customer_rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
    home = home_region(conn)
    referrer = customers.alias("referrer")
    query = select(customers, referrer.c.number.label("referrer_number")).outerjoin(
        referrer, referrer.c.id == customers.c.referrer_id
    )
    query = _filtered(query, f).where(*where).order_by(customers.c.id)
    for r in conn.execution_options(yield_per=2000).execute(query).mappings():
        birthday = r["birthday"] or (r["birthday_md"] and f"--{r['birthday_md']}")
        yield {
            **r,
            "birthday": birthday,
            "mobile": display_phone(r["mobile"], home, spaced=False, lang="en"),
            "phone": display_phone(r["phone"], home, spaced=False, lang="en"),
            "fax": display_phone(r["fax"], home, spaced=False, lang="en"),
            "referrer": r["referrer_number"],
            "budget": money(r["budget_cents"]) if r["budget_cents"] is not None else None,
            "turnover": money(r["turnover_cents"]) if r["turnover_cents"] is not None else None,
            "profit": money(r["profit_cents"]) if r["profit_cents"] is not None else None,
            "tags": ",".join(split_tags(r["tags"])),
            "next": r["next_due"],
            "purpose": r["next_purpose"],
            "last_contact": r["last_contact_at"],
            **{OWN + k: v for k, v in (json.loads(r["extra"]) if r["extra"] else {}).items()},
        }


OWN = "own:"  # the key of a column holding one of the book's own fields in a row


def sheet_columns(conn: Connection, key: str, columns: Columns) -> Columns:
    """A sheet's columns; the customers' with one column for each of the book's own fields
    (车牌号 ...), headed by its name, which import reads back into the same field."""
    if key != "customers":
        return columns
    from leadbook.cards import own_fields

    kept = [c for c in columns if c[0] != "extra"]
    return (*kept, *((OWN + name, name, name) for name in own_fields(conn)))


def _filtered(query: Any, f: Filters) -> Any:
    if f.owner:
        query = query.where(customers.c.owner == f.owner)
    if f.grades:
        query = query.where(customers.c.grade.in_(f.grades))
    if f.stages:
        query = query.where(customers.c.stage.in_(f.stages))
    return query


def _since(column: Any, f: Filters) -> list[Any]:
    return [column >= datetime.combine(f.since, datetime.min.time())] if f.since else []


def _followup_rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
    query = (
        select(followups, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == followups.c.customer_id)
        .where(*_since(followups.c.at, f), *where)
        .order_by(customers.c.id, followups.c.at, followups.c.id)
    )
    yield from conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings()


def _deal_rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
    query = (
        select(deals, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == deals.c.customer_id)
        .where(*where)
        .order_by(customers.c.id, deals.c.date, deals.c.id)
    )
    if f.since:
        query = query.where(deals.c.date >= f.since)
    for r in conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings():
        yield {**r, "deal_date": r["date"], "amount": money(r["amount_cents"])}


def _card_rows(table: Any, when: Any, order: Sequence[Any]) -> Callable[..., Iterator[Any]]:
    """The rows of a table of records about cards, with each card's number and name."""

    def rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
        query = (
            select(table, customers.c.number, customers.c.name)
            .join(customers, customers.c.id == table.c.customer_id)
            .where(*(_since(when, f) if when is not None else ()), *where)
            .order_by(customers.c.id, *order, table.c.id)
        )
        yield from conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings()

    return rows


def _plan_rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
    query = (
        select(plans, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == plans.c.customer_id)
        .where(*where)
        .order_by(customers.c.id, plans.c.due, plans.c.id)
    )
    if f.since:
        query = query.where(plans.c.due >= f.since)
    for r in conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings():
        yield {**r, "auto": "yes" if r["auto"] else "no"}


def _sales_plan_rows(conn: Connection, f: Filters, where: Sequence[Any] = ()) -> Iterator[Any]:
    """The reverse plans (`leadbook plan`), oldest first: `plan check` reads the latest."""
    query = select(sales_plans).where(*where).order_by(sales_plans.c.id)
    if f.owner:
        query = query.where(sales_plans.c.owner == f.owner)
    yield from conn.execute(query).mappings()


# Each sheet of the workbook: its columns, its rows, and the table with its stored text (and
# the columns stored under another name) to find the texts longer than a cell.
Columns = Sequence[tuple[str, str, str]]
SHEETS: dict[str, tuple[Columns, Callable[..., Iterator[Any]], Any, dict[str, str]]] = {
    "customers": (CUSTOMER_COLUMNS, _customer_rows, customers, {"purpose": "next_purpose"}),
    "followups": (FOLLOWUP_COLUMNS, _followup_rows, followups, {}),
    "deals": (DEAL_COLUMNS, _deal_rows, deals, {}),
    "history": (HISTORY_COLUMNS, _card_rows(changes, changes.c.at, [changes.c.at]), changes, {}),
    "plans": (PLAN_COLUMNS, _plan_rows, plans, {}),
    "complaints": (
        COMPLAINT_COLUMNS,
        _card_rows(complaints, complaints.c.opened_at, [complaints.c.opened_at]),
        complaints,
        {},
    ),
    "visits": (VISIT_COLUMNS, _card_rows(visits, None, [visits.c.day]), visits, {}),
    "swot": (SWOT_COLUMNS, _card_rows(swot, swot.c.at, [swot.c.at]), swot, {}),
    "finance": (
        FINANCE_COLUMNS,
        _card_rows(financials, financials.c.at, [financials.c.at]),
        financials,
        {},
    ),
    "sales_plans": (SALES_PLAN_COLUMNS, _sales_plan_rows, sales_plans, {}),
}
# The sheet holding each kind of record, in the order of the workbook.
RECORD_SHEETS = tuple(SHEETS)


@contextmanager
def atomic(path: Path, overwrite: bool = False) -> Iterator[Path]:
    """A temporary file beside ``path``, readable by its owner only, renamed over ``path`` only
    when the block completes and removed on any failure, Ctrl-C or kill (SIGTERM, SIGHUP).
    An existing ``path`` is replaced only with ``overwrite``."""
    given, path = path, path.absolute()
    if path.is_dir():
        raise InvalidValue(_("{path} is a folder: give a file name").format(path=path))
    if not path.parent.is_dir():
        raise InvalidValue(_("the folder {path} does not exist").format(path=path.parent))
    if not overwrite and os.path.lexists(path):
        raise InvalidValue(_("{path} already exists: add --force to replace it").format(path=given))
    _remove_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InvalidValue(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    os.close(fd)
    try:
        with _stopped_by_signals():
            yield Path(tmp)
            os.chmod(tmp, 0o600)
            if not overwrite and os.path.lexists(path):  # made while we were writing
                raise InvalidValue(
                    _("{path} already exists: add --force to replace it").format(path=given)
                )
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def scratch_folder(path: Path) -> Iterator[Path]:
    """A private folder (0700) beside ``path`` for a writer's own temporary files (XlsxWriter
    keeps each sheet in one), removed with everything in it when the block ends."""
    import shutil

    path = path.absolute()
    folder = tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _temp_prefix(path: Path) -> str:
    """Temporaries are named .NAME.PID.xxxx.tmp: hidden, and traceable to their process."""
    return f".{path.name}.{os.getpid()}."


def _remove_stale(path: Path) -> None:
    """Remove the temporaries an export to ``path`` killed outright (kill -9, a power cut) left
    beside it: those named after a process that no longer runs, and owned by this user."""
    import shutil

    if os.name != "posix":  # asking whether a process runs (kill 0) is POSIX only
        return
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP (kill, a closed terminal) end the block with SystemExit, as Ctrl-C
    does with KeyboardInterrupt, so that cleanup runs."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            saved[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_xlsx(
    conn: Connection,
    path: Path,
    f: Filters,
    lang: str,
    today: date,
    progress: Callable[[str, int], None] | None = None,
    overwrite: bool = False,
) -> ExportResult:
    result = ExportResult(path=path)
    with atomic(path, overwrite) as tmp, scratch_folder(path) as scratch:
        book, styles = _workbook(tmp, scratch)
        for key, (columns, rows, table, renamed) in SHEETS.items():
            columns = sheet_columns(conn, key, columns)
            parts = _parts(conn, f, columns, rows, table, renamed)
            result.counts[key] = _write_sheet(
                book,
                sheet_name(key, lang),
                columns,
                rows(conn, f),
                styles,
                lang,
                key,
                progress,
                parts,
            )
        _write_funnel(book, conn, f, lang, today, styles)
        _write_summary(book, result, f, lang, today, styles)
        _close(book, path)
    return result


def _workbook(tmp: Path, scratch: Path) -> tuple[Any, dict[str, Any]]:
    """A workbook writing to ``tmp`` (its sheet files in ``scratch``), and its cell styles."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,
            "tmpdir": str(scratch),  # its sheet files: beside the export, never in $TMPDIR
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    styles = {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    return book, styles


def _close(book: Any, path: Path) -> None:
    try:
        book.close()
    except OSError as exc:
        raise InvalidValue(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None


# Excel holds at most 32,767 characters in a cell, counted in UTF-16 units; XlsxWriter cuts a
# longer text there. Such a text goes on in the next columns, "Note (part 2)" ...
CELL_LIMIT = 32_767


def split_cell(text: str, limit: int = CELL_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units (as Excel counts), never cutting a
    character in two; ``[text]`` when it fits in one cell."""
    if len(text) <= limit // 2 or _units(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        while (over := _units(text[start:end]) - limit) > 0:
            end -= over
        pieces.append(text[start:end])
        start = end
    return pieces


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parts(
    conn: Connection,
    f: Filters,
    columns: Sequence[tuple[str, str, str]],
    rows: Callable[..., Iterator[Any]],
    table: Any,
    renamed: dict[str, str],
) -> dict[str, int]:
    """How many cells each text column of a sheet needs for its longest text (absent: one).
    The sheet's header row is written first, so this is asked before: one query returning only
    the rows with a long text."""
    long = {}
    for name, _en, _zh in columns:
        column = table.c.get(renamed.get(name, name))
        if column is not None and isinstance(column.type, String):
            long[name] = column
    tests = [func.length(c) > CELL_LIMIT // 4 for c in long.values()]
    own = [name for name, _en, _zh in columns if name.startswith(OWN)]
    if own:  # the book's own fields are kept together, in the card's extra column
        tests.append(func.length(table.c.extra) > CELL_LIMIT // 4)
    where = [or_(*tests)]
    parts: dict[str, int] = {}
    for row in rows(conn, f, where):
        for name in (*long, *own):
            value = row.get(name)
            if isinstance(value, str | dict):
                parts[name] = max(parts.get(name, 1), len(split_cell(_text(value))))
    return {name: n for name, n in parts.items() if n > 1}


# Excel holds at most 1,048,576 rows a sheet (the header is one): a longer sheet goes on in
# "Follow-ups 2", "Follow-ups 3" ..., which import reads back (importer.sheets_of).
ROW_LIMIT = 1_048_576


def _write_sheet(
    book: Any,
    title: str,
    columns: Sequence[tuple[str, str, str]],
    rows: Iterator[Any],
    styles: dict[str, Any],
    lang: str,
    key: str,
    progress: Callable[[str, int], None] | None,
    parts: dict[str, int],
) -> int:
    plan = [(name, parts.get(name, 1)) for name, _en, _zh in columns]
    heads: list[tuple[str, str]] = []  # (field, header) of each column of the sheet
    for column, (name, n) in zip(columns, plan, strict=True):
        heads.append((name, header(column, lang)))
        heads += [(name, continued(column, part, lang)) for part in range(2, n + 1)]
    translate = _translator(key, lang)
    per_sheet = ROW_LIMIT - 1
    sheet, widths, part = None, [0], 0
    count = 0
    for count, row in enumerate(rows, start=1):
        line = (count - 1) % per_sheet + 1
        if line == 1:
            if sheet is not None:
                _finish(sheet, heads, widths, per_sheet, columns, styles)
            part += 1
            sheet, widths = _start(book, numbered(title, part), heads, styles)
        if translate is not None:
            row = translate(row)
        col = 0
        for name, n in plan:
            value = row.get(name)
            if n == 1:
                width = _write_cell(sheet, line, col, name, value, styles)
                if width > widths[col]:
                    widths[col] = width
            else:
                for piece_no, piece in enumerate(_pieces(value, n, title)):
                    width = _write_cell(sheet, line, col + piece_no, name, piece, styles)
                    if width > widths[col + piece_no]:
                        widths[col + piece_no] = width
            col += n
        if progress is not None and count % 2000 == 0:
            progress(key, count)
    if sheet is None:
        sheet, widths = _start(book, title, heads, styles)
    _finish(sheet, heads, widths, (count - 1) % per_sheet + 1 if count else 0, columns, styles)
    if progress is not None:
        progress(key, count)
    return count


def _start(
    book: Any, title: str, heads: list[tuple[str, str]], styles: dict[str, Any]
) -> tuple[Any, list[int]]:
    sheet = book.add_worksheet(title)
    for col, (_name, head) in enumerate(heads):
        _checked(sheet.write_string(0, col, head, styles["head"]), sheet)
    return sheet, [cell_width(head) + 2 for _name, head in heads]


def _finish(
    sheet: Any,
    heads: list[tuple[str, str]],
    widths: list[int],
    count: int,
    columns: Sequence[tuple[str, str, str]],
    styles: dict[str, Any],
) -> None:
    for col, (name, _head) in enumerate(heads):
        fmt = styles["wrap"] if name in WRAPPED else None
        sheet.set_column(col, col, min(widths[col] + 1, MAX_WIDTH), fmt)
    sheet.freeze_panes(1, 2 if columns[0][0] == "number" else 1)
    sheet.autofilter(0, 0, max(count, 1), len(heads) - 1)


def _checked(result: int, sheet: Any) -> None:
    """XlsxWriter refuses a cell past the sheet's edge by returning -1 and writing nothing,
    and cuts a text too long for a cell (-2): either is an error, never a silent loss."""
    if result < 0:
        raise InvalidValue(
            _("could not write a cell of the sheet {sheet} (XlsxWriter said {code})").format(
                sheet=sheet.name, code=result
            )
        )


# The columns whose values a Chinese sheet writes in Chinese, by sheet.
TRANSLATED: dict[str, tuple[str, ...]] = {
    "customers": ("gender", "source", "payment", "customer_type", "purchase_kind", "stage"),
    "followups": ("via",),
    "deals": ("payment",),
    "history": ("field",),
    "plans": ("auto", "status"),
    "swot": ("kind",),
    "finance": ("indicator",),
}


def _translator(key: str, lang: str) -> Callable[[Any], Any] | None:
    """For a Chinese sheet: a row with its stages, channels ... in Chinese (columns.ZH_VALUES)."""
    names = TRANSLATED.get(key)
    if lang != "zh" or not names:
        return None
    tables = [(name, ZH_VALUES[name]) for name in names]
    stages = ZH_VALUES["stage"]

    def translate(row: Any) -> Any:
        row = dict(row)
        for name, table in tables:
            value = row.get(name)
            if value in table:
                row[name] = table[value]
        if key == "customers":  # an extension as a Chinese card writes it: 010-62345678 转 8001
            for name in ("mobile", "phone", "fax"):
                value = row.get(name)
                if value and " ext. " in value:
                    row[name] = value.replace(" ext. ", " 转 ")
        if key == "history" and (row.get("old") in stages or row.get("new") in stages):
            for name in ("old", "new"):
                row[name] = stages.get(row.get(name), row.get(name))
        return row

    return translate


def _write_cell(
    sheet: Any, row: int, col: int, name: str, value: Any, styles: dict[str, Any]
) -> int:
    """Write one value with its real type; returns its width in columns."""
    if value is None or value == "":
        return 0
    if isinstance(value, datetime):
        if value.hour or value.minute or value.second:
            _checked(sheet.write_datetime(row, col, value, styles["datetime"]), sheet)
            return 16
        _checked(sheet.write_datetime(row, col, value, styles["date"]), sheet)
        return 10
    if isinstance(value, date):
        _checked(
            sheet.write_datetime(
                row, col, datetime.combine(value, datetime.min.time()), styles["date"]
            ),
            sheet,
        )
        return 10
    if isinstance(value, Decimal):
        _checked(sheet.write_number(row, col, float(value), styles["money"]), sheet)
        return len(f"{value:,.2f}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        _checked(sheet.write_number(row, col, value), sheet)
        return len(str(value))
    text = _text(value)
    if len(text) > CELL_LIMIT // 2 and _units(text) > CELL_LIMIT:
        raise _grew(sheet.name)
    if name in WRAPPED:
        _checked(sheet.write_string(row, col, text, styles["wrap"]), sheet)
        return max((cell_width(line) for line in text.splitlines()), default=0)
    # always text: never a formula, a number or a link (phones too: 010-62345678)
    _checked(sheet.write_string(row, col, text), sheet)
    return cell_width(text)


def _pieces(value: Any, n: int, title: str) -> list[Any]:
    """A value in at most ``n`` cells: a long text cut for Excel, anything else as it is."""
    if not isinstance(value, str | dict) or value == "":
        return [value]
    pieces = split_cell(_text(value))
    if len(pieces) > n:
        raise _grew(title)
    return pieces


def _grew(title: str) -> InvalidValue:
    return InvalidValue(
        _(
            "a text on the sheet {sheet} grew past what its columns hold while it was exported: "
            "export again"
        ).format(sheet=title)
    )


def _write_funnel(
    book: Any, conn: Connection, f: Filters, lang: str, today: date, styles: dict[str, Any]
) -> None:
    from leadbook.domain import stage_label
    from leadbook.funnel import funnel

    result = funnel(conn, today, since=f.since, owner=f.owner)
    sheet = book.add_worksheet(sheet_name("funnel", lang))
    heads = [_("Stage"), _("now"), _("reached"), _("→ next")]
    for col, text in enumerate(heads):
        sheet.write_string(0, col, text, styles["head"])
    percent = book.add_format({"num_format": "0%"})
    for row, s in enumerate(result.stages, start=1):
        sheet.write_string(row, 0, stage_label(s.stage))
        sheet.write_number(row, 1, s.count)
        sheet.write_number(row, 2, s.reached)
        if s.conversion is not None:
            sheet.write_number(row, 3, s.conversion, percent)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 3, 10)
    chart = book.add_chart({"type": "bar"})
    n = len(result.stages) - 1  # without lost
    chart.add_series(
        {
            "name": _("now"),
            "categories": [sheet.name, 1, 0, n, 0],
            "values": [sheet.name, 1, 1, n, 1],
        }
    )
    chart.add_series(
        {
            "name": _("reached"),
            "categories": [sheet.name, 1, 0, n, 0],
            "values": [sheet.name, 1, 2, n, 2],
        }
    )
    chart.set_title({"name": _("Sales funnel")})
    chart.set_y_axis({"reverse": True})
    sheet.insert_chart(1, 5, chart, {"x_scale": 1.3, "y_scale": 1.2})
    row = len(result.stages) + 2
    for d in result.diagnosis:
        sheet.write_string(row, 0, d.message)
        sheet.write_string(row + 1, 0, "→ " + d.advice)
        row += 2


def _write_summary(
    book: Any, result: ExportResult, f: Filters, lang: str, today: date, styles: dict[str, Any]
) -> None:
    from leadbook import __version__

    sheet = book.add_worksheet(sheet_name("summary", lang))
    rows = [
        (_("Exported"), today.isoformat()),
        (_("Owner"), f.owner or _("everyone")),
        (_("Grades"), ",".join(f.grades) or _("all")),
        (_("Stages"), ",".join(f.stages) or _("all")),
        (_("Since"), f.since.isoformat() if f.since else _("the beginning")),
    ] + [(sheet_name(k, lang), str(n)) for k, n in result.counts.items()]
    rows.append(("leadbook", __version__))
    for i, (label, value) in enumerate(rows):
        sheet.write_string(i, 0, label, styles["head"])
        sheet.write_string(i, 1, value)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 30)


# CSV ----------------------------------------------------------------------------------------

# Every kind of record the workbook holds: one of them in a .csv (--sheet), all in a .zip.
CSV_SHEETS = {key: SHEETS[key][:2] for key in SHEETS}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What may start with + or - and stay as it is: a plain number (-12.50) or a phone number
# written with spaces (+86 138 0013 8000, +1 860-253-6354: a country code, a space, digits,
# spaces and hyphens). None can call a function or point at a cell.
_PLAIN = re.compile(
    r"[+-]\d+(?:\.\d+)?|(?:\+\d[\d ]*\d|\+\d{1,3} \d[\d -]*\d)(?: (?:ext\.|转) \d+)?"
)


def csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP, CSV injection): one
    starting with = + - @ tab or CR gets a ' in front, which leadbook's importer takes off
    again; a plain number such as -12.50 or a phone such as +86 138 0013 8000 stays as it is.
    One rule for every CSV leadbook writes: exports and import error reports."""
    if text[:1] in _FORMULA_START and not _PLAIN.fullmatch(text):
        return "'" + text
    return text


def write_csv(
    conn: Connection, path: Path, f: Filters, lang: str, sheet: str, overwrite: bool = False
) -> ExportResult:
    """One kind of record (``sheet``) in a CSV file (tab-separated for .tsv)."""
    if sheet not in CSV_SHEETS:
        raise InvalidValue(
            _("--sheet is one of {sheets}, not {sheet!r}").format(
                sheets=", ".join(CSV_SHEETS), sheet=sheet
            )
        )
    result = ExportResult(path=path)
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    with atomic(path, overwrite) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as out:
        result.counts[sheet] = _write_csv_sheet(conn, out, f, lang, sheet, dialect)
    return result


def write_csv_zip(
    conn: Connection, path: Path, f: Filters, lang: str, overwrite: bool = False
) -> ExportResult:
    """Every kind of record the workbook holds, one CSV each (named as the workbook's sheets:
    Customers.csv, Follow-ups.csv ... or 客户.csv, 跟进记录.csv ...), in one .zip that
    `leadbook import` reads back whole, as it reads the workbook. CSV has no row or cell limit,
    so nothing is split."""
    import io
    import zipfile

    result = ExportResult(path=path)
    with (
        atomic(path, overwrite) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for key in CSV_SHEETS:
            with (
                archive.open(_entry(f"{sheet_name(key, lang)}.csv"), "w", force_zip64=True) as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as out,
            ):
                result.counts[key] = _write_csv_sheet(conn, out, f, lang, key, "excel")
    return result


def _entry(name: str) -> Any:
    """A zip entry dated now (zipfile's default is 1980), readable by its owner only."""
    import time
    import zipfile

    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_csv_sheet(
    conn: Connection, out: Any, f: Filters, lang: str, sheet: str, dialect: str
) -> int:
    columns, rows = CSV_SHEETS[sheet]
    columns = sheet_columns(conn, sheet, columns)
    return _write_csv_rows(out, columns, rows(conn, f), lang, dialect, _translator(sheet, lang))


def _write_csv_rows(
    out: Any,
    columns: Columns,
    rows: Iterable[Any],
    lang: str,
    dialect: str,
    translate: Callable[[Any], Any] | None = None,
) -> int:
    writer = csv.writer(out, dialect)
    writer.writerow([header(c, lang) for c in columns])
    count = 0
    for row in rows:
        if translate is not None:
            row = translate(row)
        writer.writerow([csv_safe(_csv_value(row.get(c[0]))) for c in columns])
        count += 1
    return count


def _csv_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime) and value.second:  # to the second, as the workbook keeps it
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return _text(value)


# Calendar -----------------------------------------------------------------------------------


def write_ics(
    conn: Connection,
    path: Path,
    f: Filters,
    today: date,
    days: int = 60,
    overwrite: bool = False,
) -> ExportResult:
    """Due follow-ups (overdue and the next ``days`` days) as all-day events for a phone."""
    from datetime import timedelta

    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//leadbook//follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("leadbook follow-ups"))
    query = _filtered(
        select(customers).where(
            customers.c.next_due.is_not(None), customers.c.next_due <= today + timedelta(days=days)
        ),
        f,
    ).order_by(customers.c.next_due, customers.c.grade)
    count = 0
    home = home_region(conn)
    stamp = datetime.combine(today, datetime.min.time())
    for r in conn.execute(query).mappings():
        event = Event()
        who = f"{r['name']} ({r['company']})" if r["company"] else r["name"]
        event.add("summary", _("Follow up: {who}").format(who=who))
        event.add("dtstart", max(r["next_due"], today))
        event.add("dtstamp", stamp)
        event.add("uid", f"{r['number']}-{r['next_due'].isoformat()}@leadbook")
        details = [f"{r['number']} · {r['grade']} · {r['stage']}"]
        if r["next_purpose"]:
            details.append(r["next_purpose"])
        if r["mobile"]:
            details.append(display_phone(r["mobile"], home, spaced=False))
        event.add("description", "\n".join(details))
        calendar.add_component(event)
        count += 1
    with atomic(path, overwrite) as tmp:
        tmp.write_bytes(calendar.to_ical())
    return ExportResult(path=path, counts={"events": count})


Progress = Callable[[str, int], None]


def export_file(
    conn: Connection,
    path: Path,
    f: Filters,
    *,
    lang: str,
    sheet: str,
    today: date,
    overwrite: bool = False,
    progress: Callable[[int], AbstractContextManager[Progress | None]] | None = None,
) -> ExportResult:
    """`leadbook export`: the book to ``path``, in the format its name ends with (.xlsx, .zip,
    .csv/.tsv, .ics). ``progress(total)`` gives what follows a workbook's customers."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        total = conn.execute(select(func.count()).select_from(customers)).scalar_one()
        with progress(total) if progress else nullcontext() as advance:
            return write_xlsx(conn, path, f, lang, today, advance, overwrite=overwrite)
    if suffix == ".zip":
        return write_csv_zip(conn, path, f, lang, overwrite=overwrite)
    if suffix in (".csv", ".tsv"):
        return write_csv(conn, path, f, lang, sheet, overwrite=overwrite)
    if suffix == ".ics":
        return write_ics(conn, path, f, today, overwrite=overwrite)
    raise InvalidValue(
        _("cannot export to {name}: use a name ending in .xlsx, .zip, .csv or .ics").format(
            name=path.name
        )
    )


# One table --------------------------------------------------------------------------------


def write_table(
    path: Path,
    title: str,
    columns: Columns,
    rows: Sequence[dict[str, Any]],
    lang: str,
    overwrite: bool = False,
) -> int:
    """A table a screen shows (the call sheet of `leadbook due --export`) as one sheet of a
    workbook (.xlsx) or a CSV file (.csv) that Excel opens with its Chinese intact, written as
    the book's exports are: text never read as a formula, a temporary renamed when complete.
    Returns how many rows were written."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with atomic(path, overwrite) as tmp, scratch_folder(path) as scratch:
            book, styles = _workbook(tmp, scratch)
            count = _write_sheet(book, title, columns, iter(rows), styles, lang, "", None, {})
            _close(book, path)
        return count
    if suffix == ".csv":
        with (
            atomic(path, overwrite) as tmp,
            tmp.open("w", encoding="utf-8-sig", newline="") as out,
        ):
            return _write_csv_rows(out, columns, rows, lang, "excel")
    raise InvalidValue(
        _("cannot write {name}: use a name ending in .xlsx or .csv").format(name=path.name)
    )
