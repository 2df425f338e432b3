"""A card as a panel with its timeline; lists of cards as tables."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from leadbook import domain
from leadbook.i18n import _
from leadbook.parsing import display_phone
from leadbook.render import escape, grade_text, out
from leadbook.render import table as make_table
from leadbook.text import visible

if TYPE_CHECKING:  # the panel's imports stay out of `list` and `search`
    from rich.panel import Panel
    from rich.table import Table

    from leadbook.models.card import Card


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def card_panel(card: Card) -> Panel:
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    amount = f"{card.budget:,.2f}" if card.budget is not None else ""
    source = domain.source_label(card.source)
    if card.source_detail:
        source = f"{source} / {card.source_detail}" if source else card.source_detail
    referrer = f"{card.referrer} {card.referrer_name}" if card.referrer else ""
    pairs = [
        (_("Company"), card.company),
        (_("Title"), card.title),
        (_("Mobile"), display_phone(card.mobile)),
        (_("Phone"), display_phone(card.phone)),
        (_("E-mail"), card.email),
        (_("WeChat"), card.wechat),
        (_("Gender"), _(domain.GENDER_LABELS[card.gender]) if card.gender else ""),
        (_("Birthday"), card.birthday),
        (_("Address"), card.address),
        (_("District"), card.district),
        (_("Industry"), card.industry),
        (_("Source"), source),
        (_("Referrer"), referrer),
        (_("Owner"), card.owner),
        (_("Product"), card.product),
        (_("Budget"), amount),
        (_("Expected"), card.expected.isoformat() if card.expected else ""),
        (_("Payment"), _(domain.PAYMENT_LABELS[card.payment]) if card.payment else ""),
        (_("Fax"), display_phone(card.fax)),
        (_("Postcode"), card.postcode),
    ]
    shown = [(k, v) for k, v in pairs if v]
    for i in range(0, len(shown), 2):
        left = shown[i]
        right = shown[i + 1] if i + 1 < len(shown) else ("", "")
        fields.add_row(left[0], escape(left[1]), right[0], escape(right[1]))
    status = Text.assemble(
        (_("Grade") + " ", "bold"),
        grade_text(card.grade),
        "  ",
        (_("Stage") + " ", "bold"),
        domain.stage_label(card.stage),
    )
    if card.lost_reason:
        status.append(f" ({visible(card.lost_reason)})", style="dim")
    if card.next_due:
        status.append("  " + _("Next") + " ", style="bold")
        status.append(card.next_due.isoformat())
        if card.next_purpose:
            status.append(f" {visible(card.next_purpose)}")
    parts: list[object] = [status, fields]
    if card.tags:
        parts.append(Text(_("Tags") + ": " + visible(", ".join(card.tags))))
    if card.note:
        parts.append(Text(visible(card.note), style="italic"))
    if card.extra:
        for key, value in card.extra.items():
            parts.append(Text(visible(f"{key}: {value}"), style="dim"))
    timeline = timeline_table(card)
    if timeline is not None:
        parts.append(Text(""))
        parts.append(timeline)
    if card.deals:
        deals = make_table(_("Purchases"))
        deals.add_column(_("Date"), no_wrap=True)
        deals.add_column(_("Product"))
        deals.add_column(_("Amount"), justify="right")
        deals.add_column(_("Contract"))
        for d in card.deals:
            deals.add_row(
                d.date.isoformat(), escape(d.product), f"{d.amount:,.2f}", escape(d.contract)
            )
        parts.append(deals)
    title = Text.assemble((visible(card.number), "bold cyan"), "  ", (visible(card.name), "bold"))
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)  # type: ignore[arg-type]


def timeline_table(card: Card) -> Table | None:
    events: list[tuple[datetime, int, str, str]] = []
    for f in card.followups:
        text = " ".join(x for x in (f.note, f.outcome and f"→ {f.outcome}") if x)
        if f.next_date:
            text += ("  " if text else "") + _("next {date}").format(date=f.next_date.isoformat())
            if f.next_purpose:
                text += f" {f.next_purpose}"
        events.append((f.at, 1, domain.via_label(f.via), text))  # the contact, then its effects
    for c in card.history:
        label = _("grade") if c.field == "grade" else _("stage")
        new = c.new if c.field == "grade" else domain.stage_label(c.new)
        if c.old is None:
            text = f"{label} {new}"
        else:
            old = c.old if c.field == "grade" else domain.stage_label(c.old)
            text = f"{label} {old} → {new}"
        if c.reason:
            text += f" ({c.reason})"
        events.append((c.at, 0 if c.old is None else 2, "·", text))
    for e in card.edits:
        if e.action == "edit":
            events.append((e.at, 3, _("edit"), f"{e.field}: {e.old or ''} → {e.new or ''}"))
    if not events:
        return None
    events.sort(key=lambda e: (e[0], e[1]))
    table = make_table(_("Timeline"), expand=True)
    table.add_column(_("When"), no_wrap=True)
    table.add_column(_("Via"), no_wrap=True)
    table.add_column(_("What"), overflow="fold", ratio=1)
    for at, _kind, via, text in events:
        table.add_row(_when(at), via, escape(text))
    return table


def print_card(card: Card) -> None:
    out().print(card_panel(card))
