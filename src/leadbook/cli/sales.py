"""Deals, the funnel, reverse planning and reports: the manager's half of the method."""

from __future__ import annotations

import typer

from leadbook.cli import daily
from leadbook.cli.app import app, state
from leadbook.cli.common import clock, done, dump, parse_day, print_json
from leadbook.errors import InvalidValue
from leadbook.i18n import _

JSON_HELP = _("Print JSON only, for scripts.")


@app.command(
    "deal",
    help=_(
        "Record a purchase; the card becomes won (its stage history is kept). A repeat purchase "
        "is another deal on the same card. Amounts: 12000, ¥12,000, 1.2万.\n\n"
        "Example: leadbook deal C00042 --amount 25.8万 --product 途观L --contract HT-2026-001"
    ),
)
def deal(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    amount: str = typer.Option(..., "--amount", help=_("What the customer paid.")),
    product: str = typer.Option(
        None, "--product", help=_("What they bought (default: the card's product).")
    ),
    on: str = typer.Option(None, "--date", help=_("When (default today).")),
    contract: str = typer.Option(None, "--contract", help=_("Contract number.")),
    payment: str = typer.Option(None, "--payment", help=_("full or instalment (全款/按揭).")),
    note: str = typer.Option(None, "--note", help=_("Anything to remember.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.deals import record
    from leadbook.parsing import parse_amount, parse_payment

    c = clock()
    value = parse_amount(amount)
    day = parse_day(on, c.today, "past") if on else c.today
    pay = parse_payment(payment) if payment else None
    book = state(ctx).book()
    with book.write() as conn:
        recorded = record(
            conn,
            number,
            value,
            clock=c,
            by=book.user,
            product=product,
            on=day,
            contract=contract,
            payment=pay,
            note=note,
            written=amount,
        )
    if as_json:
        print_json(dump(recorded))
        return
    done(
        _("Deal recorded for {number} {name}: {amount} on {date}; stage won.").format(
            number=recorded.number,
            name=recorded.name,
            amount=f"{value:,.2f}",
            date=day.isoformat(),
        )
    )


@app.command(
    "deals",
    help=_(
        "List purchases, newest first.\n\nExample: leadbook deals --since 2026-01-01 --owner 王丽"
    ),
)
def deals_(
    ctx: typer.Context,
    since: str = typer.Option(None, "--since", help=_("From this day.")),
    until: str = typer.Option(None, "--until", help=_("Up to this day.")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's customers.")),
    number: str = typer.Option(None, "--customer", help=_("Only this customer.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.deals import listing

    c = clock()
    start = parse_day(since, c.today) if since else None
    end = parse_day(until, c.today) if until else None
    book = state(ctx).book()
    with book.read() as conn:
        rows, currency = listing(conn, since=start, until=end, owner=owner, number=number)
    if as_json:
        print_json(dump(rows))
        return
    from leadbook.render.sales import print_deals

    print_deals(rows, currency)


@app.command(
    "funnel",
    help=_(
        "The sales funnel: cards at each stage now, how many reached each stage in the period "
        "and went on to the next (a card that jumped stages passed through them), lost reasons, "
        "and what the shape means.\n\nExample: leadbook funnel --since 2026-01-01 --by source"
    ),
)
def funnel_(
    ctx: typer.Context,
    since: str = typer.Option(
        None, "--since", help=_("Start of the period (default: the whole book).")
    ),
    until: str = typer.Option(None, "--until", help=_("End of the period (default today).")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson's cards.")),
    mine: bool = typer.Option(False, "--mine", help=_("Only your own cards.")),
    by: str = typer.Option(
        None, "--by", help=_("Split by source, source_detail, industry, district or owner.")
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    daily.funnel(
        state(ctx), since=since, until=until, owner=owner, mine=mine, by=by, as_json=as_json
    )


@app.command(
    "report",
    help=_(
        "How each salesperson is doing in a period: new cards, contacts per working day, "
        "follow-ups done against due, stage advances, won, lost, win rate = won / (won + lost), "
        "won value, days from first contact to won. Missed rules of thumb are flagged (5 calls a "
        "day to new prospects, 5 new customers a month).\n\n"
        "Example: leadbook report --period week"
    ),
)
def report_(
    ctx: typer.Context,
    period: str = typer.Option(
        "month", "--period", help=_("week or month holding --until (default month).")
    ),
    since: str = typer.Option(None, "--since", help=_("Start of the period (overrides --period).")),
    until: str = typer.Option(None, "--until", help=_("End of the period (default today).")),
    by: str = typer.Option("owner", "--by", help=_("Group by: owner (the only grouping so far).")),
    owner: str = typer.Option(None, "--owner", help=_("Only this salesperson.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook.report import report, report_period

    if by != "owner":
        raise InvalidValue(_("reports are grouped by owner (--by owner)"))
    c = clock()
    start, period_end = report_period(
        period,
        parse_day(since, c.today) if since else None,
        parse_day(until, c.today) if until else None,
        c.today,
    )
    book = state(ctx).book()
    with book.read() as conn:
        result = report(conn, start, period_end, c.today, owner)
    if as_json:
        print_json(dump(result.rows))
        return
    from leadbook.render.sales import print_report

    print_report(result)


plan_app = typer.Typer(
    help=_(
        "Reverse planning (倒推法): from a deal target and your conversion rates, how many cards "
        "each stage needs and how many new prospects a week, until the date. The plan is saved; "
        "`leadbook plan check` compares each week with it and re-plans the rest.\n\n"
        "Example: leadbook plan --target 10 --by 2026-06-30"
    ),
    invoke_without_command=True,
)
app.add_typer(plan_app, name="plan")


@plan_app.callback()
def plan_(
    ctx: typer.Context,
    target: int = typer.Option(None, "--target", help=_("Deals to win by the date.")),
    by: str = typer.Option(None, "--by", help=_("The date the target is for.")),
    owner: str = typer.Option(None, "--owner", help=_("Whose plan (default: the whole book).")),
    mine: bool = typer.Option(False, "--mine", help=_("Your own plan.")),
    rates: str = typer.Option(
        None,
        "--rates",
        help=_("Your own five rates prospect→contacted … ready→won, e.g. 0.6,0.5,0.5,0.6,0.7."),
    ),
    window: int = typer.Option(
        180, "--window", help=_("Days of history the rates are measured over.")
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Show the plan without saving it.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from leadbook import planning

    if target is None or by is None:
        raise InvalidValue(_("give --target N and --by DATE, or run leadbook plan check"))
    c = clock()
    end = parse_day(by, c.today, "future")
    given = planning.parse_rates(rates) if rates else None
    book = state(ctx).book()
    if mine:
        owner = book.user
    with book.write() as conn:
        plan = planning.plan(
            conn,
            target=target,
            end=end,
            today=c.today,
            now=c.now,
            by=book.user,
            owner=owner,
            given=given,
            window=window,
            dry_run=dry_run,
        )
    if as_json:
        print_json(dump(plan))
        return
    from leadbook.render.plan import print_plan

    print_plan(plan)


@plan_app.command(
    "check",
    help=_(
        "Compare the latest plan with what happened each week (new prospects against the quota, "
        "deals won), re-plan the weeks left from the rates achieved, and at the end summarise "
        "the average conversion rates and completion.\n\nExample: leadbook plan check --mine"
    ),
)
def plan_check(
    ctx: typer.Context,
    owner: str = typer.Option(None, "--owner", help=_("Whose plan (default: the whole book).")),
    mine: bool = typer.Option(False, "--mine", help=_("Your own plan.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from leadbook import planning

    c = clock()
    book = state(ctx).book()
    if mine:
        owner = book.user
    with book.read() as conn:
        plan = planning.check(conn, c.today, owner)
    if as_json:
        print_json(dump(plan))
        return
    from leadbook.render.plan import print_plan

    print_plan(plan, checking=True)
