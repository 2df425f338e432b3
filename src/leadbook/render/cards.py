"""The whole card (`leadbook show`): a framed panel with its fields, complaints, visits, SWOT,
finance, purchases and timeline, as plain aligned lines (``leadbook.render.grid``: no Rich,
whose imports and measuring cost `show` more than reading the card)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from leadbook import domain
from leadbook.i18n import _
from leadbook.parsing import display_phone
from leadbook.render import GRADE_STYLE, width
from leadbook.render.grid import Column, Seg, cell_width, grid, truncate, wrap, write
from leadbook.text import visible

if TYPE_CHECKING:
    from leadbook.models.card import Card

Line = list[Seg]


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


def card_lines(card: Card, columns: int) -> list[Line]:
    """The card in a frame ``columns`` wide (at most ``CARD_WIDTH``)."""
    inner = min(columns, CARD_WIDTH) - 4
    status: Line = [(_("Grade") + " ", "bold"), (card.grade, GRADE_STYLE.get(card.grade, ""))]
    if card.urgency:
        status.append((f" ({domain.label(domain.URGENCY_LABELS, card.urgency)})", ""))
    status += [("  " + _("Stage") + " ", "bold"), (domain.stage_label(card.stage), "")]
    if card.lost_reason:
        status.append((f" ({card.lost_reason})", "dim"))
    if card.next_due:
        status += [("  " + _("Next") + " ", "bold"), (card.next_due.isoformat(), "")]
        if card.next_purpose:
            status.append((f" {card.next_purpose}", ""))
    body = _folded(status, inner)
    body += _field_lines(card_fields(card), inner)
    created = _("Card made {when} by {who}").format(
        when=_when(card.created_at), who=card.created_by or "-"
    )
    body += _text(created, inner, "dim")
    if card.tags:
        body += _text(_("Tags") + ": " + ", ".join(card.tags), inner)
    if card.note:
        body += _text(card.note, inner, "italic")
    if card.referred:
        brought = ", ".join(
            f"{r.number} {r.name} ({domain.stage_label(r.stage)})" for r in card.referred
        )
        body += _text(_("Brought in") + ": " + brought, inner)
    for section in (
        _complaints(card, inner),
        _visits(card, inner),
        _swot(card, inner),
        _finance(card, inner),
        _deals(card, inner),
        timeline(card, inner),
    ):
        if section:
            body += [[], *section]
    return _frame(card, body, inner)


def _frame(card: Card, body: list[Line], inner: int) -> list[Line]:
    """``body`` in a rounded box ``inner`` + 4 columns wide, the card's number and name on
    its top edge."""
    number, name = visible(card.number), truncate(visible(card.name), max(inner - 12, 4))
    used = cell_width(number) + 2 + cell_width(name)
    top: Line = [("╭─ ", ""), (number, "bold cyan"), ("  ", ""), (name, "bold")]
    top.append((" " + "─" * max(inner - used - 1, 0) + "╮", ""))
    lines = [top]
    for line in body:
        used = sum(cell_width(visible(text)) for text, _style in line)
        lines.append([("│ ", ""), *line, (" " * max(inner - used, 0) + " │", "")])
    lines.append([("╰" + "─" * (inner + 2) + "╯", "")])
    return lines


def _text(text: str, inner: int, style: str = "") -> list[Line]:
    return [[(line, style)] for line in wrap(visible(text), inner)]


def _folded(segs: Line, inner: int) -> list[Line]:
    """A styled line, wrapped as plain text when it is too long for the frame."""
    plain = "".join(visible(text) for text, _style in segs)
    return [segs] if cell_width(plain) <= inner else _text(plain, inner)


def _field_lines(shown: list[tuple[str, str]], inner: int) -> list[Line]:
    """The card's fields two to a line: label, value, label, value; the left values as wide
    as the longest of them (at most half the room), the right ones take the rest, and a value
    too long for its column goes on over the next lines."""
    pairs = [(visible(label), visible(value)) for label, value in shown]
    left, right = pairs[0::2], pairs[1::2]
    label_l = max((cell_width(k) for k, _v in left), default=0)
    label_r = max((cell_width(k) for k, _v in right), default=0)
    room = inner - label_l - label_r - 3
    value_l = min(max((cell_width(v) for _k, v in left), default=0), max(room // 2, 1))
    value_r = max(room - value_l, 1)
    lines: list[Line] = []
    for i, (key, value) in enumerate(left):
        other = right[i] if i < len(right) else ("", "")
        lefts, rights = wrap(value, value_l), wrap(other[1], value_r) if other[1] else [""]
        for n in range(max(len(lefts), len(rights))):
            a = lefts[n] if n < len(lefts) else ""
            b = rights[n] if n < len(rights) else ""
            line: Line = [
                (_pad(key if n == 0 else "", label_l), "bold"),
                (" " + _pad(a, value_l) + " ", ""),
                (_pad(other[0] if n == 0 else "", label_r), "bold"),
                (" " + b, ""),
            ]
            lines.append(_trimmed(line))
    return lines


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - cell_width(text), 0)


def _trimmed(line: Line) -> Line:
    while line and not line[-1][0].strip():
        line.pop()
    if line:
        line[-1] = (line[-1][0].rstrip(), line[-1][1])
    return line


def _table(title: str, columns: list[Column], rows: list[list[object]], inner: int) -> list[Line]:
    lines = grid(columns, rows, inner, title=title, rule=True)  # type: ignore[arg-type]
    return [list(line) for line in lines]


def _complaints(card: Card, inner: int) -> list[Line]:
    if not card.complaints:
        return []
    rows: list[list[object]] = []
    for c in card.complaints:
        resolution: object
        if c.resolved_at is None:
            resolution = (_("open"), "bold red")
        else:
            resolution = f"{c.resolved_at:%Y-%m-%d} {c.resolution or ''}".rstrip()
            if c.checked_at is not None:
                checked = _("checked back {day}").format(day=f"{c.checked_at:%Y-%m-%d}")
                resolution = f"{resolution} {checked}"
        rows.append([f"{c.opened_at:%Y-%m-%d}", c.note, resolution])
    columns = [
        Column(_("Opened")),
        Column(_("Complaint"), fold=True, min_width=10),
        Column(_("Resolution"), fold=True, min_width=10),
    ]
    return _table(_("Complaints"), columns, rows, inner)


def _visits(card: Card, inner: int) -> list[Line]:
    if not card.visits:
        return []
    rows: list[list[object]] = []
    for v in card.visits:
        day = v.day.isoformat() + ("" if v.done_at is None else " ✓")
        rows.append([day, v.purpose])
        for label, text in (
            (_("Preparation"), v.preparation),
            (_("Expected result"), v.expected),
            (_("Follow-up"), v.followup),
        ):
            if text:
                rows.append(["", f"{label}: {text}"])
    columns = [
        Column(_("Day")),
        Column(_("Purpose, preparation, expected result, follow-up"), fold=True, min_width=10),
    ]
    return _table(_("Planned visits"), columns, rows, inner)


def _swot(card: Card, inner: int) -> list[Line]:
    from leadbook.domain import SWOT_KINDS

    if not any(card.swot.values()):
        return []
    lines: list[Line] = [[(_("SWOT"), "bold")]]
    for kind, label in SWOT_KINDS.items():
        entries = card.swot.get(kind)
        if entries:
            head = f"{_(label)}: "
            text = wrap(head + visible("; ".join(entries)), inner)
            lines.append([(head, "bold"), (text[0][len(head) :], "")])
            lines += [[(more, "")] for more in text[1:]]
    return lines


def _finance(card: Card, inner: int) -> list[Line]:
    from leadbook.domain import INDICATORS

    if not card.finance:
        return []
    items = []
    for f in card.finance:
        label = _(INDICATORS[f.indicator]) if f.indicator in INDICATORS else f.indicator
        when = f" ({f.as_of.isoformat()})" if f.as_of else ""
        items.append(f"{label} {f.value.normalize():f}{when}")
    return [[(_("Finance"), "bold")], *_text("; ".join(items), inner)]


def _deals(card: Card, inner: int) -> list[Line]:
    if not card.deals:
        return []
    columns = [
        Column(_("Date")),
        Column(_("Product"), fold=True, min_width=8),
        Column(_("Amount"), justify="right"),
        Column(_("Contract"), fold=True, min_width=8),
    ]
    rows: list[list[object]] = [
        [d.date.isoformat(), d.product or "", f"{d.amount:,.2f}", d.contract or ""]
        for d in card.deals
    ]
    return _table(_("Purchases"), columns, rows, inner)


def timeline(card: Card, inner: int) -> list[Line]:
    """The card's contacts, grade and stage changes and edits, oldest first."""
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
        return []
    events.sort(key=lambda e: (e[0], e[1]))
    columns = [Column(_("When")), Column(_("Via")), Column(_("What"), fold=True, min_width=10)]
    rows: list[list[object]] = [[_when(at), via, text] for at, _kind, via, text in events]
    return _table(_("Timeline"), columns, rows, inner)


def print_card(card: Card) -> None:
    write(card_lines(card, width()))
