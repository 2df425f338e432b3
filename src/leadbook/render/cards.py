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


CARD_WIDTH = 100  # a card reads as a card: it does not stretch across a wide terminal


def _money(amount: object) -> str:
    return f"{amount:,.2f}" if amount is not None else ""


def card_fields(card: Card) -> list[tuple[str, str]]:
    """Every field of the card that has a value, as (label, text), in the order of the seed's
    card: who, how to reach them, where they came from, what they need; then the book's own
    fields."""
    source = domain.source_label(card.source)
    if card.source_detail:
        source = f"{source} / {card.source_detail}" if source else card.source_detail
    referrer = f"{card.referrer} {card.referrer_name}" if card.referrer else ""
    pairs = [
        (_("Company"), card.company),
        (_("Title"), card.title),
        (_("Type"), domain.label(domain.CUSTOMER_TYPE_LABELS, card.customer_type)),
        (_("Mobile"), display_phone(card.mobile)),
        (_("Phone"), display_phone(card.phone)),
        (_("Fax"), display_phone(card.fax)),
        (_("E-mail"), card.email),
        (_("WeChat"), card.wechat),
        (_("Gender"), domain.label(domain.GENDER_LABELS, card.gender)),
        (_("Birthday"), card.birthday),
        (_("Address"), card.address),
        (_("District"), card.district),
        (_("Postcode"), card.postcode),
        (_("Industry"), card.industry),
        (_("Source"), source),
        (_("Referrer"), referrer),
        (_("Owner"), card.owner),
        (_("Decision maker"), card.decision_maker),
        (_("Product"), card.product),
        (_("Current product"), card.current_product),
        (_("Purchase"), domain.label(domain.PURCHASE_KIND_LABELS, card.purchase_kind)),
        (_("Budget"), _money(card.budget)),
        (_("Expected"), card.expected.isoformat() if card.expected else ""),
        (_("Payment"), domain.label(domain.PAYMENT_LABELS, card.payment)),
        (_("Concerns"), card.concerns),
        (_("Use"), card.usage),
        (_("Credit"), card.credit),
        (_("Turnover"), _money(card.turnover)),
        (_("Profit"), _money(card.profit)),
    ]
    pairs += [(str(key), str(value)) for key, value in card.extra.items()]
    return [(k, v) for k, v in pairs if v]


def card_panel(card: Card) -> Panel:
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold", ratio=1)
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold", ratio=1)
    shown = card_fields(card)
    for i in range(0, len(shown), 2):
        left = shown[i]
        right = shown[i + 1] if i + 1 < len(shown) else ("", "")
        fields.add_row(visible(left[0]), escape(left[1]), visible(right[0]), escape(right[1]))
    status = Text.assemble((_("Grade") + " ", "bold"), grade_text(card.grade))
    if card.urgency:
        status.append(f" ({domain.label(domain.URGENCY_LABELS, card.urgency)})")
    status.append("  " + _("Stage") + " ", style="bold")
    status.append(domain.stage_label(card.stage))
    if card.lost_reason:
        status.append(f" ({visible(card.lost_reason)})", style="dim")
    if card.next_due:
        status.append("  " + _("Next") + " ", style="bold")
        status.append(card.next_due.isoformat())
        if card.next_purpose:
            status.append(f" {visible(card.next_purpose)}")
    created = _("Card made {when} by {who}").format(
        when=_when(card.created_at), who=visible(card.created_by or "-")
    )
    parts: list[object] = [status, fields, Text(created, style="dim")]
    if card.tags:
        parts.append(Text(_("Tags") + ": " + visible(", ".join(card.tags))))
    if card.note:
        parts.append(Text(visible(card.note), style="italic"))
    if card.referred:
        brought = ", ".join(
            f"{r.number} {r.name} ({domain.stage_label(r.stage)})" for r in card.referred
        )
        parts.append(Text(_("Brought in") + ": " + visible(brought)))
    for section in (
        _complaints_table(card),
        _visits_table(card),
        _swot_text(card),
        _finance_text(card),
        _deals_table(card),
        timeline_table(card),
    ):
        if section is not None:
            parts.append(Text(""))
            parts.append(section)
    title = Text.assemble((visible(card.number), "bold cyan"), "  ", (visible(card.name), "bold"))
    return Panel(
        Group(*parts),  # type: ignore[arg-type]
        title=title,
        title_align="left",
        box=box.ROUNDED,
        width=min(out().width, CARD_WIDTH),
    )


def _complaints_table(card: Card) -> Table | None:
    if not card.complaints:
        return None
    table = make_table(_("Complaints"), expand=True, show_edge=False)
    table.add_column(_("Opened"), no_wrap=True)
    table.add_column(_("Complaint"), overflow="fold", ratio=1)
    table.add_column(_("Resolution"), overflow="fold", ratio=1)
    for c in card.complaints:
        if c.resolved_at is None:
            resolution = Text(_("open"), style="bold red")
        else:
            resolution = Text(f"{c.resolved_at:%Y-%m-%d} {visible(c.resolution or '')}")
            if c.checked_at is not None:
                resolution.append(
                    " " + _("checked back {day}").format(day=f"{c.checked_at:%Y-%m-%d}"),
                    style="dim",
                )
        table.add_row(f"{c.opened_at:%Y-%m-%d}", escape(c.note), resolution)
    return table


def _visits_table(card: Card) -> Table | None:
    if not card.visits:
        return None
    table = make_table(_("Planned visits"), expand=True, show_edge=False)
    table.add_column(_("Day"), no_wrap=True)
    table.add_column(_("Purpose, preparation, expected result, follow-up"), overflow="fold")
    for v in card.visits:
        lines = [visible(v.purpose)]
        for label, text in (
            (_("Preparation"), v.preparation),
            (_("Expected result"), v.expected),
            (_("Follow-up"), v.followup),
        ):
            if text:
                lines.append(f"{label}: {visible(text)}")
        day = v.day.isoformat() + ("" if v.done_at is None else " ✓")
        table.add_row(day, escape("\n".join(lines)))
    return table


def _swot_text(card: Card) -> Text | None:
    from leadbook.domain import SWOT_KINDS

    if not any(card.swot.values()):
        return None
    text = Text(_("SWOT") + "\n", style="bold")
    for kind, label in SWOT_KINDS.items():
        entries = card.swot.get(kind)
        if entries:
            text.append(f"{_(label)}: ", style="bold")
            text.append(visible("; ".join(entries)) + "\n", style="")
    text.rstrip()
    return text


def _finance_text(card: Card) -> Text | None:
    from leadbook.domain import INDICATORS

    if not card.finance:
        return None
    text = Text(_("Finance") + "\n", style="bold")
    items = []
    for f in card.finance:
        label = _(INDICATORS[f.indicator]) if f.indicator in INDICATORS else f.indicator
        when = f" ({f.as_of.isoformat()})" if f.as_of else ""
        items.append(f"{label} {f.value.normalize():f}{when}")
    text.append("; ".join(items), style="")
    return text


def _deals_table(card: Card) -> Table | None:
    if not card.deals:
        return None
    deals = make_table(_("Purchases"), expand=True, show_edge=False)
    deals.add_column(_("Date"), no_wrap=True)
    deals.add_column(_("Product"), overflow="fold", ratio=1)
    deals.add_column(_("Amount"), justify="right", no_wrap=True)
    deals.add_column(_("Contract"), overflow="fold")
    for d in card.deals:
        deals.add_row(d.date.isoformat(), escape(d.product), f"{d.amount:,.2f}", escape(d.contract))
    return deals


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
    table = make_table(_("Timeline"), expand=True, show_edge=False)
    table.add_column(_("When"), no_wrap=True)
    table.add_column(_("Via"), no_wrap=True)
    table.add_column(_("What"), overflow="fold", ratio=1)
    for at, _kind, via, text in events:
        table.add_row(_when(at), via, escape(text))
    return table


def print_card(card: Card) -> None:
    out().print(card_panel(card))
