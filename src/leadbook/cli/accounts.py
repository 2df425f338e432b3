"""Customer value, referrers, complaints and key accounts."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from leadbook.cli.app import app, state
from leadbook.cli.common import clock, done, dump, parse_day, print_json
from leadbook.errors import InvalidValue
from leadbook.i18n import _

JSON_HELP = _("Print JSON only, for scripts.")


@app.command(
    "value",
    help=_(
        "Customer value: all-time and last 12 months, the 80/20 list, purchase cycle and expected "
        "next purchase of repeat buyers, and the four value x loyalty groups. Value: purchases in "
        "the last 12 months, high when at or above the median of customers who bought in them. "
        "Loyalty: high when the customer bought more than once and last bought within 12 months."
        "\n\nExample: leadbook value --limit 10"
    ),
)
def value(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", help=_("Customers listed (0: all).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.accounts import value_view

    c = clock()
    book = state(ctx).book()
    with book.read() as conn:
        result, currency = value_view(conn, c.today)
    if as_json:
        print_json(dump(result))
        return
    from leadbook.render.accounts import print_value

    print_value(result, currency, limit)


@app.command(
    "referrers",
    help=_(
        "The people who brought in customers (centres of influence), ranked by how many of "
        "their referrals bought.\n\nExample: leadbook referrers"
    ),
)
def referrers_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    from leadbook.accounts import referrers

    book = state(ctx).book()
    with book.read() as conn:
        rows = referrers(conn)
    if as_json:
        print_json(dump(rows))
        return
    from leadbook.render.accounts import print_referrers

    print_referrers(rows)


class ComplaintGroup(TyperGroup):
    """`complaint NUMBER --note ...` records a complaint: a first word that is not one of the
    subcommands is the customer's number, for `complaint add`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        skip = False
        for i, arg in enumerate(args):
            if skip:
                skip = False
            elif arg in _COMPLAINT_VALUE_OPTIONS:
                skip = True
            elif not arg.startswith("-"):
                # options typed before the subcommand are its own
                args = [arg, *args[:i], *args[i + 1 :]] if arg in self.commands else ["add", *args]
                break
        return super().parse_args(ctx, args)


_COMPLAINT_VALUE_OPTIONS = {"--note", "--at"}

complaint_app = typer.Typer(
    cls=ComplaintGroup,
    help=_(
        "Complaints (投诉): record one, resolve it, check back, list them. Open complaints and a "
        "check-back a week after the resolution appear in `due`; only the check-back itself "
        "(`complaint check ID` or `log --check-back`) closes it, not an unrelated call. "
        "`leadbook complaint NUMBER` is short for `leadbook complaint add NUMBER`.\n\n"
        'Example: leadbook complaint C00042 --note "delivery late"'
    ),
    no_args_is_help=True,
)
app.add_typer(complaint_app, name="complaint")

AT_HELP = _("When it happened, if not now (typed in late): 2026-03-05 16:00, yesterday, 昨天.")


def _at(at: str | None) -> Any:
    if not at:
        return None
    from leadbook.parsing import parse_datetime

    return parse_datetime(at, clock().now, prefer="past")


def _complaint_id(text: str | None, command: str) -> int:
    if text is None or not text.isdigit():
        raise InvalidValue(
            _("give the complaint's number: leadbook complaint resolve ID --note ...")
            if command == "resolve"
            else _("give the complaint's number: leadbook complaint check ID --note ...")
        )
    return int(text)


@complaint_app.command(
    "add",
    help=_(
        "Record a customer's complaint; it is due until it is resolved. Apologise, solve it, and "
        'check back within a week.\n\nExample: leadbook complaint add C00042 --note "delivery late"'
    ),
)
def complaint_add(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    note: str = typer.Option(None, "--note", help=_("What the complaint is.")),
    at: str = typer.Option(None, "--at", help=AT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import accounts

    c = clock()
    when = _at(at)
    book = state(ctx).book()
    with book.write() as conn:
        new_id = accounts.add_complaint(conn, number, note or "", when, book.user, c)
    if as_json:
        print_json({"id": new_id})
        return
    print(new_id)
    done(
        _("Complaint #{id} recorded: apologise, solve it, and check back within a week.").format(
            id=new_id
        )
    )


@complaint_app.command(
    "list",
    help=_(
        "List complaints, newest first, with their status.\n\n"
        "Example: leadbook complaint list --open"
    ),
)
def complaint_list(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help=_("Only open complaints.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import accounts

    book = state(ctx).book()
    with book.read() as conn:
        rows = accounts.list_complaints(conn, open_only)
    if as_json:
        print_json(dump(rows))
        return
    from leadbook.render.accounts import print_complaints

    print_complaints(rows)


@complaint_app.command(
    "resolve",
    help=_(
        "Resolve a complaint, saying how; its check-back falls due a week later.\n\n"
        'Example: leadbook complaint resolve 3 --note "refunded the fee"'
    ),
)
def complaint_resolve(
    ctx: typer.Context,
    complaint_id: str = typer.Argument(None, help=_("The complaint's number.")),
    note: str = typer.Option(None, "--note", help=_("How it was solved.")),
    at: str = typer.Option(None, "--at", help=AT_HELP),
) -> None:
    from leadbook import accounts

    cid = _complaint_id(complaint_id, "resolve")
    if not note:
        raise InvalidValue(_('say how it was solved: --note "..."'))
    c = clock()
    when = _at(at)
    book = state(ctx).book()
    with book.write() as conn:
        accounts.resolve_complaint(conn, cid, note, when, book.user, c)
    done(_("Complaint #{id} resolved; check back with the customer within a week.").format(id=cid))


@complaint_app.command(
    "check",
    help=_(
        "Log the check-back (回访) of a resolved complaint: a contact with the customer that "
        "closes the complaint's reminder.\n\n"
        'Example: leadbook complaint check 3 --note "happy with the new part"'
    ),
)
def complaint_check(
    ctx: typer.Context,
    complaint_id: str = typer.Argument(None, help=_("The complaint's number.")),
    note: str = typer.Option(None, "--note", help=_("What the customer said.")),
    at: str = typer.Option(None, "--at", help=AT_HELP),
) -> None:
    from leadbook import accounts

    cid = _complaint_id(complaint_id, "check")
    c = clock()
    when = _at(at)
    book = state(ctx).book()
    with book.write() as conn:
        number = accounts.check_back(conn, cid, note=note, at=when, by=book.user, clock=c)
    done(_("Checked back on complaint #{id} with {number}.").format(id=cid, number=number))


@app.command(
    "swot",
    help=_(
        "A key account's SWOT (strengths, weaknesses, opportunities, threats), shown as a 2x2 "
        'grid; add an entry with --add.\n\nExample: leadbook swot C00042 --add o "new plant in 2027"'
    ),
)
def swot_(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    add: tuple[str, str] = typer.Option((None, None), "--add", help=_("s|w|o|t and the text.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import accounts

    c = clock()
    book = state(ctx).book()
    kind, text = add
    entry = None if kind is None else (kind, text or "")
    with book.write() if entry else book.read() as conn:
        grid_ = accounts.swot_grid(conn, number, add=entry, now=c.now, by=book.user)
    if as_json:
        print_json(grid_)
        return
    from leadbook.render.accounts import print_swot

    print_swot(grid_)


@app.command(
    "finance",
    help=_(
        "A key account's financial indicators, as you read them in its accounts: current ratio, "
        "net margin, return on assets, receivables days, inventory days. With no option, shows them."
        "\n\nExample: leadbook finance C00042 --current-ratio 1.8 --net-margin 6.5%"
    ),
)
def finance(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    current_ratio: str = typer.Option(
        None, "--current-ratio", help=_("Current assets / current liabilities.")
    ),
    net_margin: str = typer.Option(
        None, "--net-margin", help=_("Net profit / revenue, e.g. 6.5%.")
    ),
    roa: str = typer.Option(None, "--roa", help=_("Return on assets, e.g. 4%.")),
    receivable_days: str = typer.Option(
        None, "--receivable-days", help=_("Days to collect receivables.")
    ),
    inventory_days: str = typer.Option(None, "--inventory-days", help=_("Days of inventory.")),
    as_of: str = typer.Option(None, "--as-of", help=_("Date of the accounts.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import accounts

    c = clock()
    values = accounts.parse_indicators(
        {
            "current_ratio": current_ratio,
            "net_margin": net_margin,
            "roa": roa,
            "receivable_days": receivable_days,
            "inventory_days": inventory_days,
        }
    )
    book = state(ctx).book()
    day = parse_day(as_of, c.today, "past") if as_of and values else None
    with book.write() if values else book.read() as conn:
        shown = accounts.finance(conn, number, values, as_of=day, now=c.now, by=book.user)
    if as_json:
        print_json(shown)
        return
    from leadbook.render.accounts import print_finance

    print_finance(shown)


@app.command(
    "visit",
    help=_(
        "Plan a visit (走访计划): its purpose, preparation, expected result and follow-up. It "
        "appears in `due` on its day until a visit is logged.\n\n"
        'Example: leadbook visit C00042 --on 下周二 --purpose "meet the buyer" --prepare "price list"'
    ),
)
def visit(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    on: str = typer.Option(..., "--on", help=_("The day of the visit.")),
    purpose: str = typer.Option(..., "--purpose", help=_("What the visit is for.")),
    prepare: str = typer.Option(None, "--prepare", help=_("What to prepare.")),
    expect: str = typer.Option(None, "--expect", help=_("The result you expect.")),
    followup: str = typer.Option(None, "--followup", help=_("What follows the visit.")),
) -> None:
    from leadbook import accounts

    c = clock()
    day = parse_day(on, c.today, "future")
    book = state(ctx).book()
    with book.write() as conn:
        visit_id = accounts.plan_visit(
            conn,
            number,
            day,
            purpose,
            preparation=prepare,
            expected=expect,
            followup=followup,
            now=c.now,
            by=book.user,
        )
    done(_("Visit #{id} planned on {date}.").format(id=visit_id, date=day.isoformat()))
