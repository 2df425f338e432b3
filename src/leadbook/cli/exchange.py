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
        "Export the book. FILE.xlsx: a workbook with a sheet for every kind of record (customers, "
        "follow-ups, deals, grade and stage history, planned contacts, complaints, visits, SWOT, "
        "finance, sales plans), linked by the customer number, and Funnel (with a chart) and "
        "Summary; `leadbook import` reads it back whole, so it is a complete backup. A sheet "
        "longer than Excel holds goes on in a numbered sheet (Follow-ups 2 ...). FILE.zip: the "
        "same records as one CSV file each (Customers.csv, Follow-ups.csv ...), which `leadbook "
        "import` also reads back whole. FILE.csv: one kind of record (--sheet), UTF-8 with BOM "
        "for Excel. FILE.ics: due follow-ups as calendar events.\n\n"
        "Example: leadbook export 客户.xlsx --lang zh --owner 王丽"
    ),
)
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Where to write: .xlsx, .zip, .csv or .ics.")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's cards.")),
    grade: list[str] = typer.Option(None, "--grade", help=_("Only these grades.")),
    stage: list[str] = typer.Option(None, "--stage", help=_("Only these stages.")),
    since: str = typer.Option(
        None, "--since", help=_("Follow-ups, deals and history from this day.")
    ),
    sheet: str = typer.Option(
        "customers",
        "--sheet",
        help=_(
            "For .csv: customers, followups, deals, history, plans, complaints, visits, swot, "
            "finance or sales_plans."
        ),
    ),
    lang: str = typer.Option(None, "--lang", help=_("Sheet names and headers: en or zh.")),
    force: bool = typer.Option(False, "--force", help=_("Replace FILE if it already exists.")),
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
    book = state(ctx).book()
    with book.read() as conn:
        result = ex.export_file(
            conn,
            file,
            filters,
            lang=sheet_lang,
            sheet=sheet,
            today=c.today,
            overwrite=force,
            progress=lambda total: progress_bar(_("Exporting"), total),
        )
    if lang:  # `export --lang zh` says what it wrote in Chinese, as `leadbook --lang zh` does
        from leadbook.i18n import set_language

        set_language(sheet_lang)
    done(_("Wrote {path} ({counts}).").format(path=file, counts=result.described()))


@app.command(
    "import",
    help=_(
        "Import customers from a spreadsheet or another CRM: .xlsx, .xls, .csv/.tsv (UTF-8, GBK, "
        "UTF-16; the separator is sniffed) or vCard, told apart by content. Columns map to card "
        "fields by their headers (Chinese, English, Salesforce, HubSpot, Zoho, Odoo, Google, "
        "Outlook ...); --map overrides; other columns are kept on the card. One transaction: "
        "with any bad row nothing is written unless --skip-bad.\n\n"
        "Example: leadbook import 客户名单.xlsx --dry-run"
    ),
)
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("The file to import.")),
    map_: list[str] = typer.Option(
        None, "--map", help=_('COLUMN=field, e.g. "客户名称=name" (repeat).')
    ),
    sheet: str = typer.Option(
        None, "--sheet", help=_("Which sheet of a workbook (default the first).")
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help=_("Show what would happen; write nothing.")
    ),
    on_duplicate: str = typer.Option(
        "skip",
        "--on-duplicate",
        help=_(
            "A row matching a card (number, mobile, e-mail, name+company): skip, update or new."
        ),
    ),
    owner: str = typer.Option(
        None, "--owner", help=_("Owner of the imported cards (default: the file's, else you).")
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help=_("Import the good rows even if some are bad.")
    ),
    id_column: str = typer.Option(
        None,
        "--id",
        help=_(
            "The column holding each row's own id in the source (default: recognised by its "
            "header: Lead ID, opportunity_id, 客户编号 ...; else a fingerprint of the row). "
            "Importing the file again finds the cards by it."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON only, for scripts.")),
    region: str = typer.Option(
        None,
        "--region",
        help=_(
            "Country of the file's numbers written without a country code, e.g. US for "
            "860-253-6354 (default: the book's phone.region, CN unless set)."
        ),
    ),
) -> None:
    from leadbook import parsing
    from leadbook.exchange import importer

    if on_duplicate not in ("skip", "update", "new"):
        raise InvalidValue(
            _("--on-duplicate is skip, update or new, not {value!r}").format(value=on_duplicate)
        )
    overrides = importer.parse_map(map_ or [])
    home = parsing.parse_region(region) if region else None
    outcome = importer.import_file(
        state(ctx).book,
        file,
        clock=clock(),
        sheet=sheet,
        overrides=overrides,
        region=home,
        owner=owner,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        skip_bad=skip_bad,
        id_column=id_column,
        progress=lambda rows: progress_bar(_("Importing"), rows),
    )
    report, table, error_file = outcome.report, outcome.table, outcome.error_file
    keep = report.written
    if as_json:
        from leadbook.cli.common import dump, print_json
        from leadbook.exchange.importer import summary

        print_json(dump(summary(report, error_file)))
        if report.problems and not skip_bad and not dry_run:
            raise typer.Exit(1)
        return
    from leadbook.render.importing import print_import

    print_import(report, table, file, dry_run, keep, skip_bad, error_file)
    if report.problems and not skip_bad and not dry_run:
        raise typer.Exit(1)
