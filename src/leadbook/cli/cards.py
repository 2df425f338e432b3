"""Card commands: add, show, edit, list, search, grade, stage, lost, reopen."""

from __future__ import annotations

import sys

import typer

from leadbook.cli import daily
from leadbook.cli.app import app, state
from leadbook.cli.common import (
    clock,
    done,
    dump,
    print_json,
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
    own: list[str] = typer.Option(
        None,
        "--set",
        help=_(
            "A field of the book's own: --set 车牌号=京A12345 (repeat; an empty value clears it)."
        ),
        rich_help_panel=_("Card fields"),
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    **fields: str | None,
) -> None:
    if name is None:
        if not interactive():
            raise UsageProblem(_("give the customer's name: leadbook add NAME [options]"))
        answers = _prompt_fields()
        grade = answers.pop("grade", None) or grade
        name = answers.pop("name")
        fields = {**fields, **{k: v for k, v in answers.items() if fields.get(k) is None}}
    daily.add(
        state(ctx),
        name=name,
        grade=grade,
        stage=stage,
        next_=next_,
        purpose=purpose,
        force=force,
        at=at,
        own=own,
        as_json=as_json,
        **fields,
    )


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
    daily.show(state(ctx), number, audit, as_json)


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
    own: list[str] = typer.Option(
        None,
        "--set",
        help=_(
            "A field of the book's own: --set 车牌号=京A12345 (repeat; an empty value clears it)."
        ),
        rich_help_panel=_("Card fields"),
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    **fields: str | None,
) -> None:
    from leadbook import cards
    from leadbook.parsing import parse_grade, parse_stage

    raw: dict[str, str | None] = {"name": name, **fields}
    c = clock()
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else None
    if (
        not own
        and all(v is None for v in raw.values())
        and grade_value is None
        and stage_value is None
    ):
        raise UsageProblem(_("nothing to change: give at least one option, e.g. --mobile"))
    book = state(ctx).book()
    with book.write() as conn:
        changed, card = cards.edit_from_options(
            conn,
            number,
            raw,
            grade=grade_value,
            stage=stage_value,
            reason=why,
            clock=c,
            by=book.user,
            force=force,
            own=own,
        )
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
    customer_type: str = typer.Option(
        None, "--type", help=_("Only persons or organisations (个人/单位).")
    ),
    purchase: str = typer.Option(
        None,
        "--purchase",
        help=_("Only first, additional or replacement purchases (首次/增购/换购)."),
    ),
    urgency: str = typer.Option(
        None,
        "--urgency",
        help=_(
            "Only this time class by the expected date: urgent, soon, not_urgent, slow (紧急/缓急/不紧急/可慢反应)."
        ),
    ),
    field: list[str] = typer.Option(
        None,
        "--field",
        help=_("Only cards whose own field has this value: NAME=VALUE, or NAME for any value."),
    ),
    overdue: bool = typer.Option(
        False, "--overdue", help=_("Only cards whose follow-up is overdue.")
    ),
    sort: str = typer.Option(
        "number", "--sort", help=_("number, name, company, grade, stage, next, created or last.")
    ),
    limit: int = typer.Option(100, "--limit", help=_("At most this many (0: all).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    daily.list_cards(
        state(ctx),
        grade=grade,
        stage=stage,
        owner=owner,
        mine=mine,
        tag=tag,
        source=source,
        customer_type=customer_type,
        purchase=purchase,
        urgency=urgency,
        field=field,
        overdue=overdue,
        sort=sort,
        limit=limit,
        as_json=as_json,
    )


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
    daily.search(state(ctx), text, limit, as_json)


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
    daily.grade(state(ctx), number=number, grade=grade, why=why, at=at)


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
    daily.stage(state(ctx), number=number, stage=stage, why=why, at=at)


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
    daily.lost(state(ctx), number=number, reason=reason, at=at)


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
    daily.reopen(state(ctx), number=number, why=why, at=at)
