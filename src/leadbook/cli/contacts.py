"""The daily loop: log a contact, see who is due, read the journal."""

from __future__ import annotations

from pathlib import Path

import typer

from leadbook.cli import daily
from leadbook.cli.app import app, state
from leadbook.i18n import _

JSON_HELP = _("Print JSON only, for scripts.")


@app.command(
    "log",
    help=_(
        "Record a contact with a customer. Without --next, the next follow-up is set by the "
        "grade's rhythm (A 1 day, B 7, C 15, D 30, E none; see `leadbook config`).\n\n"
        'Example: leadbook log C00042 --via visit --note "test drive" --next 下周一 '
        '--purpose "bring the quote"'
    ),
)
def log(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    via: str = typer.Option(
        "phone", "--via", help=_("phone, visit, showroom, email, sms, wechat, fax or other.")
    ),
    note: str = typer.Option(None, "--note", help=_("What was said.")),
    outcome: str = typer.Option(None, "--outcome", help=_("The result of the contact.")),
    at: str = typer.Option(
        None, "--at", help=_("When it happened (default now): 2026-03-05, yesterday, 昨天 14:30.")
    ),
    next_: str = typer.Option(
        None, "--next", help=_("When to contact next; wins over the rhythm.")
    ),
    purpose: str = typer.Option(None, "--purpose", help=_("Purpose of the next contact.")),
    grade: str = typer.Option(None, "--grade", help=_("New grade after this contact.")),
    stage: str = typer.Option(None, "--stage", help=_("New stage after this contact.")),
    check_back: bool = typer.Option(
        False,
        "--check-back",
        help=_(
            "This contact is the check-back (回访) of a resolved complaint: it closes that "
            "reminder, which no other contact does."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    daily.log(
        state(ctx),
        number=number,
        via=via,
        note=note,
        outcome=outcome,
        at=at,
        next_=next_,
        purpose=purpose,
        grade=grade,
        stage=stage,
        check_back=check_back,
        as_json=as_json,
    )


@app.command(
    "due",
    help=_(
        "The call sheet: who to contact today, with their mobile and why: follow-ups due "
        "today and overdue (overdue first, then by grade), planned visits, complaints, "
        "birthdays, and won customers gone quiet. --export writes the same sheet to a workbook "
        "or CSV to print or send to a phone.\n\nExample: leadbook due --export 电话计划.xlsx"
    ),
)
def due(
    ctx: typer.Context,
    date: str = typer.Option(None, "--date", help=_("The day to look at (default today).")),
    days: int = typer.Option(0, "--days", help=_("Also show what falls due in the next N days.")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's cards.")),
    mine: bool = typer.Option(False, "--mine", help=_("Only your own cards.")),
    limit: int = typer.Option(
        None,
        "--limit",
        help=_("At most this many follow-ups (default 100 on screen, all in JSON; 0: all)."),
    ),
    export: Path = typer.Option(
        None,
        "--export",
        help=_("Write the call sheet to FILE (.xlsx or .csv) instead of the screen."),
    ),
    force: bool = typer.Option(False, "--force", help=_("Replace FILE if it already exists.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    daily.due(
        state(ctx),
        date=date,
        days=days,
        owner=owner,
        mine=mine,
        limit=limit,
        export=export,
        force=force,
        as_json=as_json,
    )


@app.command(
    "journal",
    help=_(
        "The follow-up journal: contacts made (by channel), grade and stage changes, new cards, "
        "and what was due against what was done: for a day (日志), a week (周志), a half month "
        "(半月志, the 1st to the 15th or the 16th to the end) or a month (月志).\n\n"
        "Example: leadbook journal --half --date 2026-03-18"
    ),
)
def journal(
    ctx: typer.Context,
    day: str = typer.Option(
        None, "--day", help=_("The daily journal of this day (default today).")
    ),
    week: str = typer.Option(
        None, "--week", help=_("The weekly journal of the week holding this day.")
    ),
    half: bool = typer.Option(
        False, "--half", help=_("The half-monthly journal of the half month holding --date.")
    ),
    month: bool = typer.Option(
        False, "--month", help=_("The monthly journal of the month holding --date.")
    ),
    date: str = typer.Option(
        None,
        "--date",
        help=_("The day the journal is about (default today); with --half or --month, its period."),
    ),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's work.")),
    mine: bool = typer.Option(False, "--mine", help=_("Only your own work.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    daily.journal(
        state(ctx),
        day=day,
        week=week,
        half=half,
        month=month,
        date=date,
        owner=owner,
        mine=mine,
        as_json=as_json,
    )
