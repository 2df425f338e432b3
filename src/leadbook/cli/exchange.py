"""Export to Excel, CSV and calendars; import lists from Excel, CSV, vCard and other CRMs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from leadbook.cli.app import app, state
from leadbook.cli.common import clock, done, parse_day, split_multi
from leadbook.errors import InvalidValue
from leadbook.i18n import _, language


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[str, int], None] | None]:
    """A Rich progress bar on stderr for long jobs at a terminal; nothing otherwise."""
    if not sys.stderr.isatty() or (total is not None and total < 5000):
        yield None
        return
    from rich.progress import Progress

    from leadbook.render import err

    with Progress(console=err(), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(_key: str, count: int) -> None:
            bar.update(task, completed=count, description=f"{label} {_key}")

        yield advance


@app.command(
    "export",
    help=_(
        "Export the book. FILE.xlsx: a workbook with sheets Customers, Follow-ups, Deals, Grade "
        "and stage history, Funnel (with a chart) and Summary, linked by the customer number. "
        "FILE.csv: one sheet (--sheet), UTF-8 with BOM for Excel. FILE.ics: due follow-ups as "
        "calendar events.\n\nExample: leadbook export 客户.xlsx --lang zh --owner 王丽"
    ),
)
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Where to write: .xlsx, .csv or .ics.")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's cards.")),
    grade: list[str] = typer.Option(None, "--grade", help=_("Only these grades.")),
    stage: list[str] = typer.Option(None, "--stage", help=_("Only these stages.")),
    since: str = typer.Option(
        None, "--since", help=_("Follow-ups, deals and history from this day.")
    ),
    sheet: str = typer.Option(
        "customers", "--sheet", help=_("For .csv: customers, followups or deals.")
    ),
    lang: str = typer.Option(None, "--lang", help=_("Sheet names and headers: en or zh.")),
) -> None:
    from leadbook.exchange import export as ex
    from leadbook.i18n import normalise
    from leadbook.parsing import parse_grade, parse_stage

    c = clock()
    filters = ex.Filters(
        owner=owner,
        grades=[parse_grade(g) for g in split_multi(grade)],
        stages=[parse_stage(s) for s in split_multi(stage)],
        since=parse_day(since, c.today) if since else None,
    )
    sheet_lang = normalise(lang) if lang else language()
    suffix = file.suffix.lower()
    book = state(ctx).book()
    with book.read() as conn:
        if suffix == ".xlsx":
            from sqlalchemy import func, select

            from leadbook.schema import customers

            total = conn.execute(select(func.count()).select_from(customers)).scalar_one()
            with progress_bar(_("Exporting"), total) as advance:
                result = ex.write_xlsx(conn, file, filters, sheet_lang, c.today, advance)
        elif suffix in (".csv", ".tsv"):
            result = ex.write_csv(conn, file, filters, sheet_lang, sheet)
        elif suffix == ".ics":
            result = ex.write_ics(conn, file, filters, c.today)
        else:
            raise InvalidValue(
                _("cannot export to {name}: use a name ending in .xlsx, .csv or .ics").format(
                    name=file.name
                )
            )
    counts = ", ".join(f"{k} {n}" for k, n in result.counts.items())
    done(_("Wrote {path} ({counts}).").format(path=file, counts=counts))
