"""Export the book: an Excel workbook a manager can open and filter, CSV, or a calendar.

The workbook is written with XlsxWriter in constant-memory mode: rows stream from the
database to the file, so memory stays flat whatever the size of the book (PERF.md: 1.6x faster
than openpyxl's write-only mode at the same memory), and it keeps everything the workbook
needs: bold frozen headers, autofilter, fitted widths, real dates and numbers, phones as text,
wrapped notes, a native chart, and user text always written as text (never as a formula).
Every file is written to a temporary name beside the target and renamed when complete, so a
half-written export never replaces a good one.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from leadbook.errors import InvalidValue
from leadbook.exchange.columns import (
    CUSTOMER_COLUMNS,
    DEAL_COLUMNS,
    FOLLOWUP_COLUMNS,
    HISTORY_COLUMNS,
    header,
    sheet_name,
)
from leadbook.i18n import _
from leadbook.render.grid import cell_width
from leadbook.repository.customers import split_tags
from leadbook.schema import changes, customers, deals, followups

WRAPPED = {
    "note",
    "address",
    "outcome",
    "extra",
    "reason",
    "lost_reason",
    "purpose",
    "next_purpose",
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


def national(phone: str | None) -> str:
    """A stored E.164 number as salespeople write it: 13800138000, 010xxxxxxxx, or +1...."""
    if not phone:
        return ""
    if phone.startswith("+86"):
        rest = phone[3:]
        return rest if rest.startswith("1") else "0" + rest
    return phone


def _customer_rows(conn: Connection, f: Filters) -> Iterator[Any]:
    referrer = customers.alias("referrer")
    query = select(customers, referrer.c.number.label("referrer_number")).outerjoin(
        referrer, referrer.c.id == customers.c.referrer_id
    )
    query = _filtered(query, f).order_by(customers.c.id)
    for r in conn.execution_options(yield_per=2000).execute(query).mappings():
        birthday = r["birthday"] or (r["birthday_md"] and f"--{r['birthday_md']}")
        yield {
            **r,
            "birthday": birthday,
            "mobile": national(r["mobile"]),
            "phone": national(r["phone"]),
            "fax": national(r["fax"]),
            "referrer": r["referrer_number"],
            "budget": Decimal(r["budget_cents"]).scaleb(-2)
            if r["budget_cents"] is not None
            else None,
            "tags": ",".join(split_tags(r["tags"])),
            "next": r["next_due"],
            "purpose": r["next_purpose"],
            "last_contact": r["last_contact_at"],
        }


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


def _followup_rows(conn: Connection, f: Filters) -> Iterator[Any]:
    query = (
        select(followups, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == followups.c.customer_id)
        .where(*_since(followups.c.at, f))
        .order_by(customers.c.id, followups.c.at, followups.c.id)
    )
    yield from conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings()


def _deal_rows(conn: Connection, f: Filters) -> Iterator[Any]:
    query = (
        select(deals, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == deals.c.customer_id)
        .order_by(customers.c.id, deals.c.date, deals.c.id)
    )
    if f.since:
        query = query.where(deals.c.date >= f.since)
    for r in conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings():
        yield {**r, "deal_date": r["date"], "amount": Decimal(r["amount_cents"]).scaleb(-2)}


def _history_rows(conn: Connection, f: Filters) -> Iterator[Any]:
    query = (
        select(changes, customers.c.number, customers.c.name)
        .join(customers, customers.c.id == changes.c.customer_id)
        .where(*_since(changes.c.at, f))
        .order_by(customers.c.id, changes.c.at, changes.c.id)
    )
    yield from conn.execution_options(yield_per=5000).execute(_filtered(query, f)).mappings()


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed over it only when the block completes."""
    path = path.absolute()
    if path.is_dir():
        raise InvalidValue(_("{path} is a folder: give a file name").format(path=path))
    if not path.parent.is_dir():
        raise InvalidValue(_("the folder {path} does not exist").format(path=path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
) -> ExportResult:
    import xlsxwriter

    result = ExportResult(path=path)
    with atomic(path) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
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
        sheets = (
            ("customers", CUSTOMER_COLUMNS, _customer_rows(conn, f)),
            ("followups", FOLLOWUP_COLUMNS, _followup_rows(conn, f)),
            ("deals", DEAL_COLUMNS, _deal_rows(conn, f)),
            ("history", HISTORY_COLUMNS, _history_rows(conn, f)),
        )
        for key, columns, rows in sheets:
            result.counts[key] = _write_sheet(
                book, sheet_name(key, lang), columns, rows, styles, lang, key, progress
            )
        _write_funnel(book, conn, f, lang, today, styles)
        _write_summary(book, result, f, lang, today, styles)
        try:
            book.close()
        except OSError as exc:
            raise InvalidValue(
                _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)
            ) from None
    return result


def _write_sheet(
    book: Any,
    title: str,
    columns: Sequence[tuple[str, str, str]],
    rows: Iterator[Any],
    styles: dict[str, Any],
    lang: str,
    key: str,
    progress: Callable[[str, int], None] | None,
) -> int:
    sheet = book.add_worksheet(title)
    widths = [cell_width(header(c, lang)) + 2 for c in columns]
    for col, column in enumerate(columns):
        sheet.write_string(0, col, header(column, lang), styles["head"])
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, (name, _en, _zh) in enumerate(columns):
            value = row.get(name)
            if name == "extra" and value:
                value = json.loads(value) if isinstance(value, str) else value
            width = _write_cell(sheet, count, col, name, value, styles)
            if width > widths[col]:
                widths[col] = width
        if progress is not None and count % 2000 == 0:
            progress(key, count)
    for col, (name, _en, _zh) in enumerate(columns):
        fmt = styles["wrap"] if name in WRAPPED else None
        sheet.set_column(col, col, min(widths[col] + 1, MAX_WIDTH), fmt)
    sheet.freeze_panes(1, 2 if columns[0][0] == "number" else 1)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    if progress is not None:
        progress(key, count)
    return count


def _write_cell(
    sheet: Any, row: int, col: int, name: str, value: Any, styles: dict[str, Any]
) -> int:
    """Write one value with its real type; returns its width in columns."""
    if value is None or value == "":
        return 0
    if isinstance(value, datetime):
        if value.hour or value.minute:
            sheet.write_datetime(row, col, value, styles["datetime"])
            return 16
        sheet.write_datetime(row, col, value, styles["date"])
        return 10
    if isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), styles["date"])
        return 10
    if isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), styles["money"])
        return len(f"{value:,.2f}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
        return len(str(value))
    text = _text(value)
    if name in WRAPPED:
        sheet.write_string(row, col, text, styles["wrap"])
        return max((cell_width(line) for line in text.splitlines()), default=0)
    sheet.write_string(row, col, text)  # always text: never a formula, a number or a link
    return cell_width(text)


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

CSV_SHEETS = {
    "customers": (CUSTOMER_COLUMNS, _customer_rows),
    "followups": (FOLLOWUP_COLUMNS, _followup_rows),
    "deals": (DEAL_COLUMNS, _deal_rows),
}
_DANGEROUS = ("=", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A cell Excel will show as text: a leading = @ tab or CR, or a + or - that does not start
    a plain number, gets a ' in front (OWASP), which leadbook's importer takes off again."""
    if not text:
        return text
    first = text[0]
    if first in _DANGEROUS or (
        first in "+-" and not text[1:].replace(" ", "").replace("-", "").replace(".", "").isdigit()
    ):
        return "'" + text
    return text


def write_csv(conn: Connection, path: Path, f: Filters, lang: str, sheet: str) -> ExportResult:
    if sheet not in CSV_SHEETS:
        raise InvalidValue(
            _("--sheet is customers, followups or deals, not {sheet!r}").format(sheet=sheet)
        )
    columns, rows = CSV_SHEETS[sheet]
    result = ExportResult(path=path)
    with atomic(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([header(c, lang) for c in columns])
        count = 0
        for row in rows(conn, f):
            writer.writerow([csv_safe(_csv_value(row.get(c[0]))) for c in columns])
            count += 1
        result.counts[sheet] = count
    return result


def _csv_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return _text(value)


# Calendar -----------------------------------------------------------------------------------


def write_ics(
    conn: Connection, path: Path, f: Filters, today: date, days: int = 60
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
            details.append(national(r["mobile"]))
        event.add("description", "\n".join(details))
        calendar.add_component(event)
        count += 1
    with atomic(path) as tmp:
        tmp.write_bytes(calendar.to_ical())
    return ExportResult(path=path, counts={"events": count})
