"""Helpers the command modules share: the clock, JSON output, card options."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from leadbook.i18n import N_, _

# The card fields `add` and `edit` take: (field, option, help). Help is translated when shown.
CARD_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("company", "--company", N_("Company or organisation (单位).")),
    ("title", "--title", N_("Job title (职务).")),
    ("gender", "--gender", N_("male or female (男/女).")),
    ("birthday", "--birthday", N_("Birthday: 1985-03-05, or 03-05 when the year is unknown.")),
    ("mobile", "--mobile", N_("Mobile: 13800138000 or +86 138-0013-8000.")),
    ("phone", "--phone", N_("Landline, with area code: 010-62345678.")),
    ("fax", "--fax", N_("Fax number.")),
    ("email", "--email", N_("E-mail address.")),
    ("wechat", "--wechat", N_("WeChat ID (微信).")),
    ("address", "--address", N_("Address (地址).")),
    ("district", "--district", N_("County or district (县/区).")),
    ("postcode", "--postcode", N_("Postcode (邮编).")),
    ("industry", "--industry", N_("Industry (行业).")),
    (
        "source",
        "--source",
        N_(
            "Channel: showroom, repeat, referral or outbound (展厅/续购/介绍/外拓); a first "
            "source such as 展会 keeps both."
        ),
    ),
    (
        "source_detail",
        "--source-detail",
        N_("First source: 来电, 来店, 展会, 网络, a campaign ... (第一来源; brings its channel)."),
    ),
    ("referrer", "--referrer", N_("Who referred them: a customer number or name.")),
    ("owner", "--owner", N_("Salesperson who holds the card (default: you).")),
    ("product", "--product", N_("Product or model of interest (意向产品).")),
    ("budget", "--budget", N_("Budget: 200000, ¥200,000 or 20万.")),
    ("expected", "--expected", N_("Expected purchase date; suggests the grade.")),
    ("payment", "--payment", N_("full or instalment (全款/按揭).")),
    ("customer_type", "--type", N_("person or organisation (个人/单位).")),
    ("decision_maker", "--decision-maker", N_("Who decides the purchase (购买决策人).")),
    ("current_product", "--current-product", N_("What they use now (现有车型/现用产品).")),
    (
        "purchase_kind",
        "--purchase",
        N_("first, additional or replacement purchase (首次/增购/换购)."),
    ),
    ("concerns", "--concerns", N_("What they care about: price, looks, service ... (关注点).")),
    ("usage", "--use", N_("What it is for (用途).")),
    ("credit", "--credit", N_("Their credit (信用).")),
    ("turnover", "--turnover", N_("A key account's expected turnover (预期营业额).")),
    ("profit", "--profit", N_("A key account's expected profit (预期利润).")),
    ("tags", "--tags", N_("Tags, comma-separated.")),
    ("note", "--note", N_("Anything to remember (注意事项).")),
)


def with_card_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add one ``--field`` option per card field to a command's signature."""
    import inspect

    import typer

    signature = inspect.signature(func)
    params = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
    for field, flag, help_text in CARD_OPTIONS:
        params.append(
            inspect.Parameter(
                field,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(
                    None, flag, help=_(help_text), rich_help_panel=_("Card fields")
                ),
                annotation=str | None,
            )
        )
    func.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return func


def clock() -> Any:
    from leadbook.clock import current

    return current()


def parse_day(text: str | None, today: date, prefer: Any = None) -> date:
    from leadbook.parsing import parse_date

    return today if text is None else parse_date(text, today, prefer)


def print_json(data: Any) -> None:
    from leadbook.render import print_json as _print

    _print(data)


def dump(model: Any) -> Any:
    """JSON-ready data from a model (leadbook.models), or a list of them."""
    from leadbook.models.lines import to_json

    return to_json(model)


def done(text: str) -> None:
    from leadbook.render import message

    message(text)


def split_multi(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.replace("，", ",").split(",") if v.strip())
    return out
