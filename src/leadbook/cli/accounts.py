"""Customer value, referrers, complaints and key accounts."""

from __future__ import annotations

import typer

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
    ),
)
def value(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", help=_("Customers listed (0: all).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.accounts import GROUPS, value_report
    from leadbook.repository.settings import load

    c = clock()
    book = state(ctx).book()
    with book.read() as conn:
        result = value_report(conn, c.today)
        currency = load(conn)["currency"]
    if as_json:
        print_json(dump(result))
        return
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    lines = [
        [(_("Customer value"), "bold")],
        [
            (
                _(
                    "All purchases: {total} {cur}; last 12 months: {recent} {cur}; {n} paying customers."
                ).format(
                    total=f"{result.total:,.2f}",
                    recent=f"{result.total_12m:,.2f}",
                    cur=currency,
                    n=result.customers,
                ),
                "",
            )
        ],
        [
            (
                _("{k} customers ({share:.0%}) bring {part} of the value.").format(
                    part="80%", k=result.top_count, share=result.top_share
                ),
                "bold",
            )
        ],
        [],
    ]
    group_rows = [[_(GROUPS[g.group][0]), str(g.count), g.treatment] for g in result.groups]
    lines += grid(
        [
            Column(_("Group")),
            Column(_("Customers"), justify="right"),
            Column(_("Treatment"), min_width=20),
        ],
        group_rows,
        width(),
        title=_("Value x loyalty"),
    )
    lines.append([])
    rows = result.rows[: limit or None]
    lines += grid(
        [
            Column(_("No."), style="cyan"),
            Column(_("Name"), min_width=6),
            Column(_("Value"), justify="right"),
            Column(_("12 months"), justify="right"),
            Column(_("Buys"), justify="right"),
            Column(_("Cycle"), justify="right"),
            Column(_("Next buy")),
            Column("80%"),
        ],
        [
            [
                r.number,
                r.name,
                f"{r.value:,.2f}",
                f"{r.value_12m:,.2f}",
                str(r.purchases),
                "-" if r.cycle_days is None else f"{r.cycle_days:.0f}",
                r.next_expected.isoformat() if r.next_expected else "",
                "★" if r.top else "",
            ]
            for r in rows
        ],
        width(),
        title=_("Customers by value"),
    )
    write(lines)


@app.command(
    "referrers",
    help=_(
        "The people who brought in customers (centres of influence), ranked by how many of "
        "their referrals bought."
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
    if not rows:
        done(_("No referrals yet: give --referrer when you add a referred customer."))
        return
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    write(
        grid(
            [
                Column(_("No."), style="cyan"),
                Column(_("Referrer"), min_width=6),
                Column(_("Referred"), justify="right"),
                Column(_("Bought"), justify="right"),
                Column(_("Their value"), justify="right"),
            ],
            [
                [r.number, r.name, str(r.referred), str(r.won), f"{r.referred_value:,.2f}"]
                for r in rows
            ],
            width(),
        )
    )


@app.command(
    "complaint",
    help=_(
        "Record a complaint (投诉), resolve it, check back, list them. Open complaints and a "
        "check-back a week after the resolution appear in `due`; only the check-back itself "
        "(`complaint check ID` or `log --check-back`) closes it, not an unrelated call.\n\n"
        'Examples: leadbook complaint C00042 --note "delivery late" · '
        'leadbook complaint resolve 3 --note "refunded the fee" · '
        'leadbook complaint check 3 --note "happy with the new part" · leadbook complaint list'
    ),
)
def complaint(
    ctx: typer.Context,
    what: str = typer.Argument(..., help=_("A customer number, `resolve`, `check` or `list`.")),
    complaint_id: str = typer.Argument(
        None, help=_("With resolve or check: the complaint's number.")
    ),
    note: str = typer.Option(
        None, "--note", help=_("What the complaint is, or how it was solved.")
    ),
    open_only: bool = typer.Option(False, "--open", help=_("With list: only open complaints.")),
    at: str = typer.Option(
        None,
        "--at",
        help=_("When it happened, if not now (typed in late): 2026-03-05 16:00, yesterday, 昨天."),
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import accounts
    from leadbook.parsing import parse_datetime

    c = clock()
    when = parse_datetime(at, c.now, prefer="past") if at else None
    book = state(ctx).book()
    if what == "list":
        with book.read() as conn:
            rows = accounts.list_complaints(conn, open_only)
        if as_json:
            print_json(
                [
                    {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                    for r in rows
                ]
            )
            return
        for r in rows:
            status = (
                _("resolved {date}").format(date=r["resolved_at"].date())
                if r["resolved_at"]
                else _("open")
            )
            print(
                f"#{r['id']}  {r['opened_at'].date()}  {r['number']} {r['name']}  {r['note']}  [{status}]"
            )
        if not rows:
            done(_("No complaints."))
        return
    if what == "resolve":
        if complaint_id is None or not complaint_id.isdigit():
            raise InvalidValue(
                _("give the complaint's number: leadbook complaint resolve ID --note ...")
            )
        if not note:
            raise InvalidValue(_('say how it was solved: --note "..."'))
        with book.write() as conn:
            accounts.resolve_complaint(conn, int(complaint_id), note, when, book.user, c)
        done(
            _("Complaint #{id} resolved; check back with the customer within a week.").format(
                id=complaint_id
            )
        )
        return
    if what == "check":
        if complaint_id is None or not complaint_id.isdigit():
            raise InvalidValue(
                _("give the complaint's number: leadbook complaint check ID --note ...")
            )
        from leadbook.contacts import log_contact

        with book.write() as conn:
            number = accounts.complaint_customer(conn, int(complaint_id))
            log_contact(
                conn,
                number,
                clock=c,
                by=book.user,
                note=note,
                at=when,
                complaint_id=int(complaint_id),
            )
        done(
            _("Checked back on complaint #{id} with {number}.").format(
                id=complaint_id, number=number
            )
        )
        return
    with book.write() as conn:
        new_id = accounts.add_complaint(conn, what, note or "", when, book.user, c)
    if as_json:
        print_json({"id": new_id})
        return
    print(new_id)
    done(
        _("Complaint #{id} recorded: apologise, solve it, and check back within a week.").format(
            id=new_id
        )
    )


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
    if kind is not None:
        with book.write() as conn:
            accounts.add_swot(conn, number, kind, text or "", c.now, book.user)
    with book.read() as conn:
        grid_ = accounts.swot_of(conn, number)
    if as_json:
        print_json(grid_)
        return
    from rich import box
    from rich.table import Table

    from leadbook.render import escape, out

    label = {key: _(text) for key, text in accounts.SWOT_KINDS.items()}
    table = Table(box=box.SQUARE, show_header=True, expand=True)
    table.add_column(label["s"], ratio=1)
    table.add_column(label["w"], ratio=1)
    table.add_row(
        escape("\n".join(f"• {t}" for t in grid_["s"])),
        escape("\n".join(f"• {t}" for t in grid_["w"])),
    )
    table.add_section()
    table.add_row(f"[bold]{label['o']}[/]", f"[bold]{label['t']}[/]")
    table.add_row(
        escape("\n".join(f"• {t}" for t in grid_["o"])),
        escape("\n".join(f"• {t}" for t in grid_["t"])),
    )
    out().print(table)


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
    from decimal import Decimal, InvalidOperation

    from leadbook import accounts

    c = clock()
    given = {
        "current_ratio": current_ratio,
        "net_margin": net_margin,
        "roa": roa,
        "receivable_days": receivable_days,
        "inventory_days": inventory_days,
    }
    values: dict[str, Decimal] = {}
    for key, text in given.items():
        if text is None:
            continue
        try:
            values[key] = Decimal(text.strip().rstrip("%"))
        except InvalidOperation:
            raise InvalidValue(
                _("{name} must be a number, not {text!r}").format(
                    name=_(accounts.INDICATORS[key]), text=text
                )
            ) from None
    book = state(ctx).book()
    if values:
        day = parse_day(as_of, c.today, "past") if as_of else None
        with book.write() as conn:
            accounts.set_financials(conn, number, values, day, c.now, book.user)
    with book.read() as conn:
        shown = accounts.financials_of(conn, number)
    if as_json:
        print_json(shown)
        return
    if not shown:
        done(
            _(
                "No financial indicators yet: give --current-ratio, --net-margin, --roa, "
                "--receivable-days or --inventory-days."
            )
        )
        return
    for key, entry in shown.items():
        as_of_text = f" ({entry['as_of']})" if entry["as_of"] else ""
        print(f"{_(accounts.INDICATORS.get(key, key))}: {entry['value']}{as_of_text}")


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
