"""Card commands: add, show, edit, list, search, grade, stage, lost, reopen."""

from __future__ import annotations

import sys
from typing import Any

import typer

from leadbook.cli.app import app, state
from leadbook.cli.common import (
    clock,
    done,
    dump,
    parse_day,
    print_json,
    split_multi,
    with_card_options,
)
from leadbook.errors import InvalidValue, LeadbookError
from leadbook.i18n import _

JSON_HELP = _("Print JSON only, for scripts.")


class UsageProblem(LeadbookError):
    exit_code = 2


def interactive() -> bool:
    """Whether a person is typing (tests replace this)."""
    return sys.stdin.isatty()


def _prompt_fields() -> dict[str, str | None]:
    """Ask for the main fields on a terminal; a bad value is asked again."""
    from leadbook.cards import parse_fields

    today = clock().today
    answers: dict[str, str | None] = {}
    questions = [
        ("name", _("Name")),
        ("company", _("Company")),
        ("mobile", _("Mobile")),
        ("email", _("E-mail")),
        ("product", _("Product or need")),
        ("expected", _("Expected purchase date")),
        ("source", _("Source (showroom/repeat/referral/outbound)")),
        ("grade", _("Grade A-E (empty: suggested)")),
        ("note", _("Note")),
    ]
    for field, label in questions:
        while True:
            value = typer.prompt(label, default="", show_default=False).strip()
            if field == "name" and not value:
                typer.echo(_("A card needs a name."), err=True)
                continue
            if not value:
                break
            try:
                if field == "grade":
                    from leadbook.parsing import parse_grade

                    parse_grade(value)
                else:
                    parse_fields({field: value}, today)
            except InvalidValue as exc:
                typer.echo(exc.message, err=True)
                continue
            answers[field] = value
            break
    return answers


@app.command(
    "add",
    help=_(
        "Add a prospect on a new card and print its customer number.\n\n"
        "Example: leadbook add 张三 --company 华信科技 --mobile 13800138000 --grade B"
    ),
)
@with_card_options
def add(
    ctx: typer.Context,
    name: str = typer.Argument(
        None, help=_("Customer name (asked for on a terminal if left out).")
    ),
    grade: str = typer.Option(
        None, "--grade", help=_("A-E; default: suggested from --expected, else D.")
    ),
    stage: str = typer.Option(None, "--stage", help=_("Funnel stage (default prospect).")),
    next_: str = typer.Option(None, "--next", help=_("First contact date (default today).")),
    purpose: str = typer.Option(None, "--purpose", help=_("Purpose of the first contact.")),
    force: bool = typer.Option(
        False, "--force", help=_("Add even if a card looks like a duplicate.")
    ),
    at: str = typer.Option(
        None,
        "--at",
        help=_(
            "When the customer came, for a card typed in late: 2026-03-05 16:00, yesterday, 昨天."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    **fields: str | None,
) -> None:
    from leadbook import cards
    from leadbook.parsing import parse_grade, parse_stage

    raw: dict[str, str | None] = dict(fields)
    if name is None:
        if not interactive():
            raise UsageProblem(_("give the customer's name: leadbook add NAME [options]"))
        answers = _prompt_fields()
        grade = answers.pop("grade", None) or grade
        raw.update({k: v for k, v in answers.items() if raw.get(k) is None})
    else:
        raw["name"] = name
    c = clock()
    st = state(ctx)
    book = st.book()
    values = _card_fields(raw, c.today, book)
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else "prospect"
    next_date = parse_day(next_, c.today, "future") if next_ else None
    when = _when(at, c)
    with book.write() as conn:
        number = cards.add_card(
            conn,
            values,
            clock=c,
            by=book.user,
            grade=grade_value,
            stage=stage_value,
            next_date=next_date,
            purpose=purpose,
            force=force,
            at=when,
        )
        card = cards.card_model(conn, _row(conn, number))
    if as_json:
        print_json(dump(card))
        return
    from leadbook.domain import suggest_grade

    print(number)
    hint = ""
    if grade_value is None:
        suggested = suggest_grade(card.expected, c.today)
        hint = (
            _(" (suggested from the expected purchase date)")
            if suggested
            else _(" (default; set it with leadbook grade)")
        )
    due = card.next_due.isoformat() if card.next_due else _("none")
    done(
        _("Added {number} {name}: grade {grade}{hint}, next contact {due}.").format(
            number=number, name=card.name, grade=card.grade, hint=hint, due=due
        )
    )


def _row(conn: Any, number: str) -> Any:
    from leadbook.repository.customers import get

    return get(conn, number)


@app.command("show", help=_("Show a card and its timeline.\n\nExample: leadbook show C00042"))
def show(
    ctx: typer.Context,
    number: str = typer.Argument(
        ..., help=_("Customer number, e.g. C00042 (any case; c42 works).")
    ),
    audit: bool = typer.Option(
        False, "--audit", help=_("Include every edit of the card's fields.")
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.cards import card_model

    book = state(ctx).book()
    with book.read() as conn:
        card = card_model(conn, _row(conn, number), edits=audit or as_json)
    if as_json:
        print_json(dump(card))
        return
    from leadbook.render.cards import print_card

    print_card(card)


@app.command(
    "edit",
    help=_(
        "Change fields of a card; each change is kept in the audit trail. An empty value "
        'clears a field.\n\nExample: leadbook edit C00042 --mobile 13900139000 --company ""'
    ),
)
@with_card_options
def edit(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    name: str = typer.Option(None, "--name", help=_("New name.")),
    grade: str = typer.Option(None, "--grade", help=_("New grade (kept in the grade history).")),
    stage: str = typer.Option(None, "--stage", help=_("New stage (kept in the stage history).")),
    why: str = typer.Option(None, "--why", help=_("Reason for a grade or stage change.")),
    force: bool = typer.Option(False, "--force", help=_("Allow a value another card already has.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    **fields: str | None,
) -> None:
    from leadbook import cards
    from leadbook.parsing import parse_grade, parse_stage

    raw: dict[str, str | None] = {"name": name, **fields}
    c = clock()
    book = state(ctx).book()
    values = _card_fields(raw, c.today, book)
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else None
    if not values and grade_value is None and stage_value is None:
        raise UsageProblem(_("nothing to change: give at least one option, e.g. --mobile"))
    with book.write() as conn:
        changed = cards.edit_card(conn, number, values, clock=c, by=book.user, force=force)
        if grade_value is not None:
            old, new = cards.set_grade(conn, number, grade_value, reason=why, clock=c, by=book.user)
            if old != new:
                changed.append("grade")
        if stage_value is not None:
            old, new = cards.set_stage(conn, number, stage_value, reason=why, clock=c, by=book.user)
            if old != new:
                changed.append("stage")
        card = cards.card_model(conn, _row(conn, number))
    if as_json:
        print_json(dump(card))
        return
    if changed:
        done(
            _("{number} {name}: changed {fields}.").format(
                number=card.number, name=card.name, fields=", ".join(changed)
            )
        )
    else:
        done(_("{number} {name}: nothing changed.").format(number=card.number, name=card.name))


def _lines(rows: list[Any]) -> list[Any]:
    from leadbook.repository.customers import card_line

    return [card_line(r) for r in rows]


def _print_lines(lines: list[Any], total: int, as_json: bool, empty: str) -> None:
    if as_json:
        print_json(dump(lines))
        return
    if not lines:
        done(empty)
        return
    from leadbook.render.lines import print_cards

    print_cards(lines)
    if total > len(lines):
        import sys

        from leadbook.render.grid import write

        # Plain text through leadbook's own writer: Rich's console costs search 20 ms to import.
        more = _("{shown} of {total} shown: use --limit 0 for all").format(
            shown=len(lines), total=total
        )
        write([[(more, "")]], sys.stderr)


@app.command(
    "list",
    help=_(
        "List cards, with filters and a sort.\n\n"
        "Example: leadbook list --grade A --grade B --sort next"
    ),
)
def list_(
    ctx: typer.Context,
    grade: list[str] = typer.Option(None, "--grade", help=_("Only these grades (repeat or A,B).")),
    stage: list[str] = typer.Option(None, "--stage", help=_("Only these stages.")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's cards.")),
    mine: bool = typer.Option(False, "--mine", help=_("Only your own cards.")),
    tag: str = typer.Option(None, "--tag", help=_("Only cards with this tag.")),
    source: str = typer.Option(None, "--source", help=_("Only this source channel or detail.")),
    overdue: bool = typer.Option(
        False, "--overdue", help=_("Only cards whose follow-up is overdue.")
    ),
    sort: str = typer.Option(
        "number", "--sort", help=_("number, name, company, grade, stage, next, created or last.")
    ),
    limit: int = typer.Option(100, "--limit", help=_("At most this many (0: all).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.parsing import parse_grade, parse_source, parse_stage
    from leadbook.repository import customers

    if sort not in customers.SORTS:
        raise InvalidValue(
            _("cannot sort by {sort!r}: use one of {choices}").format(
                sort=sort, choices=", ".join(customers.SORTS)
            )
        )
    grades = [parse_grade(g) for g in split_multi(grade)]
    stages = [parse_stage(s) for s in split_multi(stage)]
    src = None
    if source:
        try:
            src = parse_source(source)
        except InvalidValue:
            src = source
    c = clock()
    st = state(ctx)
    book = st.book()
    if mine:
        owner = book.user
    with book.read() as conn:
        rows, total = customers.list_cards(
            conn,
            grades=grades,
            stages=stages,
            owner=owner,
            tag=tag,
            source=src,
            overdue_on=c.today if overdue else None,
            sort=sort,
            limit=limit or None,
        )
    _print_lines(_lines(rows), total, as_json, _("No cards match."))


@app.command(
    "search",
    help=_(
        "Find cards by name, company, phone digits in any format, e-mail, or the pinyin of a "
        "Chinese name (zhangsan or zs finds 张三).\n\nExample: leadbook search zs"
    ),
)
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help=_("What to look for.")),
    limit: int = typer.Option(50, "--limit", help=_("At most this many (0: all).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.repository import customers

    book = state(ctx).book()
    with book.read() as conn:
        rows, total = customers.search(conn, text, limit=limit or None)
    _print_lines(_lines(rows), total, as_json, _("Nothing found for {text!r}.").format(text=text))


@app.command(
    "grade",
    help=_(
        "Set a card's grade A-E (A: closes within a month ... E: no chance). The change is kept "
        'with its date and reason.\n\nExample: leadbook grade C00042 A --why "test drive booked"'
    ),
)
def grade(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    grade: str = typer.Argument(None, help=_("A, B, C, D or E. Leave out to see a suggestion.")),
    why: str = typer.Option(None, "--why", help=_("Why the grade changed.")),
    at: str = typer.Option(
        None, "--at", help=_("When it happened, if not now: 2026-03-05 16:00, yesterday, 昨天.")
    ),
) -> None:
    from leadbook import cards
    from leadbook.domain import GRADE_MEANING, suggest_grade
    from leadbook.parsing import parse_grade

    c = clock()
    book = state(ctx).book()
    if grade is None:
        with book.read() as conn:
            row = _row(conn, number)
        suggested = suggest_grade(row["expected"], c.today)
        if suggested is None:
            done(
                _(
                    "{number} is grade {grade}; give --expected on the card for a suggestion."
                ).format(number=row["number"], grade=row["grade"])
            )
        else:
            done(
                _(
                    "{number} is grade {grade}; its expected purchase date {date} suggests {suggested} "
                    "({meaning})."
                ).format(
                    number=row["number"],
                    grade=row["grade"],
                    date=row["expected"].isoformat(),
                    suggested=suggested,
                    meaning=_(GRADE_MEANING[suggested]),
                )
            )
        return
    value = parse_grade(grade)
    when = _when(at, c)
    with book.write() as conn:
        old, new = cards.set_grade(conn, number, value, reason=why, clock=c, by=book.user, at=when)
        row = _row(conn, number)
    _report_status(row, _("grade"), old, new)


def _when(at: str | None, c: Any) -> Any:
    """The moment an entry typed after the fact happened (None: now)."""
    if not at:
        return None
    from leadbook.parsing import parse_datetime

    return parse_datetime(at, c.now, prefer="past")


def _card_fields(raw: dict[str, str | None], today: Any, book: Any) -> dict[str, Any]:
    """The card's fields parsed as `add` and `edit` take them; phone numbers without a country
    code are read as numbers of the book's country (config phone.region)."""
    from leadbook import cards, parsing

    if not any(raw.get(f) for f in cards.PHONE_FIELDS):
        return cards.parse_fields(raw, today)
    from leadbook.repository import settings as settings_repo

    with book.read() as conn:
        region = settings_repo.phone_region(settings_repo.load(conn))
    with parsing.phone_region(region):
        return cards.parse_fields(raw, today)


def _report_status(row: Any, what: str, old: str, new: str) -> None:
    from leadbook.domain import stage_label

    if what == _("stage"):
        old, new = stage_label(old), stage_label(new)
    due = row["next_due"].isoformat() if row["next_due"] else _("none")
    if old == new:
        done(
            _("{number} {name}: {what} is already {new}.").format(
                number=row["number"], name=row["name"], what=what, new=new
            )
        )
    else:
        done(
            _("{number} {name}: {what} {old} → {new}; next contact {due}.").format(
                number=row["number"], name=row["name"], what=what, old=old, new=new, due=due
            )
        )


@app.command(
    "stage",
    help=_(
        "Move a card to a funnel stage: prospect, contacted, interested, intent, ready, won, "
        'lost (潜在/联系/认同/意向/准备购买/成交/流失).\n\nExample: leadbook stage C00042 intent --why "asked for a quote"'
    ),
)
def stage(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    stage: str = typer.Argument(..., help=_("The new stage.")),
    why: str = typer.Option(None, "--why", help=_("Why the stage changed (required for lost).")),
    at: str = typer.Option(
        None, "--at", help=_("When it happened, if not now: 2026-03-05 16:00, yesterday, 昨天.")
    ),
) -> None:
    from leadbook import cards
    from leadbook.parsing import parse_stage

    value = parse_stage(stage)
    c = clock()
    when = _when(at, c)
    book = state(ctx).book()
    with book.write() as conn:
        old, new = cards.set_stage(conn, number, value, reason=why, clock=c, by=book.user, at=when)
        row = _row(conn, number)
    _report_status(row, _("stage"), old, new)


@app.command(
    "lost",
    help=_(
        "Mark a customer lost (流失/战败), with the reason. The card is kept; `reopen` brings it "
        'back.\n\nExample: leadbook lost C00042 --reason "bought from a competitor"'
    ),
)
def lost(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    reason: str = typer.Option(..., "--reason", help=_("Why the customer was lost.")),
    at: str = typer.Option(
        None, "--at", help=_("When it happened, if not now: 2026-03-05 16:00, yesterday, 昨天.")
    ),
) -> None:
    from leadbook import cards

    if not reason.strip():
        raise InvalidValue(_('say why the customer was lost: --reason "..."'))
    c = clock()
    when = _when(at, c)
    book = state(ctx).book()
    with book.write() as conn:
        old, new = cards.set_stage(
            conn,
            number,
            "lost",
            reason=reason,
            lost_reason=reason,
            clock=c,
            by=book.user,
            at=when,
        )
        row = _row(conn, number)
    _report_status(row, _("stage"), old, new)


@app.command(
    "reopen",
    help=_(
        "Bring a lost customer back to the stage they were in, due for a contact that day.\n\n"
        'Example: leadbook reopen C00042 --why "called back"'
    ),
)
def reopen(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    why: str = typer.Option(None, "--why", help=_("Why the card is reopened.")),
    at: str = typer.Option(
        None, "--at", help=_("When it happened, if not now: 2026-03-05 16:00, yesterday, 昨天.")
    ),
) -> None:
    from leadbook import cards

    c = clock()
    when = _when(at, c)
    book = state(ctx).book()
    with book.write() as conn:
        cards.reopen(conn, number, reason=why, clock=c, by=book.user, at=when)
        row = _row(conn, number)
    _report_status(row, _("stage"), "lost", row["stage"])
