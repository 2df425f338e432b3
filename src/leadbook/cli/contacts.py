"""The daily loop: log a contact, see who is due, read the journal."""

from __future__ import annotations

import typer

from leadbook.cli.app import app, state
from leadbook.cli.common import clock, done, dump, parse_day, print_json
from leadbook.errors import InvalidValue
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
    from leadbook.contacts import log_contact
    from leadbook.parsing import parse_datetime, parse_grade, parse_stage, parse_via

    c = clock()
    via_value = parse_via(via)
    at_value = parse_datetime(at, c.now, prefer="past") if at else None
    next_date = parse_day(next_, c.today, "future") if next_ else None
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else None
    book = state(ctx).book()
    with book.write() as conn:
        logged = log_contact(
            conn,
            number,
            clock=c,
            by=book.user,
            via=via_value,
            at=at_value,
            note=note,
            outcome=outcome,
            next_date=next_date,
            purpose=purpose,
            grade=grade_value,
            stage=stage_value,
            check_back=check_back,
        )
    if as_json:
        print_json(
            {
                "number": logged.number,
                "name": logged.name,
                "at": logged.at.isoformat(),
                "next_due": logged.next_date.isoformat() if logged.next_date else None,
                "next_purpose": logged.next_purpose,
                "grade": logged.grade,
                "stage": logged.stage,
            }
        )
        return
    if logged.next_date:
        done(
            _("Logged {number} {name}. Next contact {date}{purpose}.").format(
                number=logged.number,
                name=logged.name,
                date=logged.next_date.isoformat(),
                purpose=f" ({logged.next_purpose})" if logged.next_purpose else "",
            )
        )
    else:
        done(
            _("Logged {number} {name}. No next contact planned.").format(
                number=logged.number, name=logged.name
            )
        )


@app.command(
    "due",
    help=_(
        "Who to contact: follow-ups due today and overdue (overdue first, then by grade), "
        "birthdays, and won customers gone quiet.\n\nExample: leadbook due --date tomorrow"
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
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.due import due_for

    if days < 0 or days > 366:
        raise InvalidValue(_("--days must be between 0 and 366"))
    c = clock()
    day = parse_day(date, c.today)
    if limit is None:
        limit = 0 if as_json else 100
    book = state(ctx).book()
    if mine:
        owner = book.user
    with book.read() as conn:
        result = due_for(conn, day, days=days, owner=owner, limit=limit or None)
    if as_json:
        print_json(dump(result.items))
        return
    from leadbook.render.due import print_due

    print_due(result)


@app.command(
    "journal",
    help=_(
        "The follow-up journal: contacts made (by channel), grade and stage changes, new cards, "
        "and what was due against what was done.\n\n"
        "Example: leadbook journal --week today"
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
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's work.")),
    mine: bool = typer.Option(False, "--mine", help=_("Only your own work.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import journal as jr

    if day and week:
        raise InvalidValue(_("give --day or --week, not both"))
    c = clock()
    book = state(ctx).book()
    if mine:
        owner = book.user
    with book.read() as conn:
        if week:
            result = jr.week_journal(conn, parse_day(week, c.today), owner, today=c.today)
        else:
            daily = jr.day_journal(conn, parse_day(day, c.today), owner)
    if as_json:
        print_json(dump(result if week else daily))
        return
    from leadbook.render import journal as render

    if week:
        render.print_week(result)
    else:
        render.print_day(daily)
