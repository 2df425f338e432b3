"""The daily and weekly journals."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from leadbook import domain
from leadbook.i18n import N_, _
from leadbook.models.journal import JournalDay, JournalWeek
from leadbook.render import escape, out
from leadbook.render import table as make_table
from leadbook.render.lines import print_cards

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _channels(by_channel: dict[str, int]) -> str:
    ordered = [v for v in domain.VIAS if by_channel.get(v)] + [
        v for v in by_channel if v not in domain.VIAS
    ]
    return ", ".join(f"{domain.via_label(v)} {by_channel[v]}" for v in ordered) or "-"


def _summary(
    label: str,
    contacts: int,
    by_channel: dict[str, int],
    new: int,
    due: int,
    done: int,
    completion: float | None,
) -> Text:
    text = Text()
    text.append(label + "\n", style="bold underline")
    text.append(_("Contacts") + f": {contacts}  ({_channels(by_channel)})\n")
    text.append(_("New cards") + f": {new}\n")
    text.append(
        _("Due / done") + f": {due} / {done}  " + _("completion") + f" {_ratio(completion)}"
    )
    return text


def _changes_table(journal: JournalDay | JournalWeek) -> Table | None:
    if not journal.changes:
        return None
    table = make_table(_("Grade and stage changes"))
    table.add_column(_("When"), no_wrap=True)
    table.add_column(_("No."), style="cyan", no_wrap=True)
    table.add_column(_("Name"))
    table.add_column(_("Change"))
    table.add_column(_("Why"), overflow="fold")
    for c in journal.changes:
        if c.field == "grade":
            change = f"{_('grade')} {c.old} → {c.new}"
        else:
            change = f"{domain.stage_label(c.old)} → {domain.stage_label(c.new)}"
        table.add_row(
            c.at.strftime("%m-%d %H:%M"), c.number, escape(c.name), change, escape(c.reason)
        )
    return table


def print_day(journal: JournalDay) -> None:
    console = out()
    label = _("Journal for {date}").format(date=journal.date.isoformat())
    console.print(
        _summary(
            label,
            journal.contacts,
            journal.by_channel,
            journal.new_cards,
            journal.due,
            journal.done,
            journal.completion,
        )
    )
    if journal.contact_lines:
        table = make_table(_("Contacts made"))
        table.add_column(_("Time"), no_wrap=True)
        table.add_column(_("No."), style="cyan", no_wrap=True)
        table.add_column(_("Name"))
        table.add_column(_("Via"), no_wrap=True)
        table.add_column(_("What"), overflow="fold")
        table.add_column(_("Next"), no_wrap=True)
        for c in journal.contact_lines:
            what = " → ".join(x for x in (c.note, c.outcome) if x)
            table.add_row(
                c.at.strftime("%H:%M"),
                c.number,
                escape(c.name),
                domain.via_label(c.via),
                escape(what),
                c.next_date.isoformat() if c.next_date else "",
            )
        console.print(table)
    changes = _changes_table(journal)
    if changes is not None:
        console.print(changes)
    if journal.new_card_lines:
        print_cards(journal.new_card_lines, title=_("New cards"))
    if journal.missed:
        table = make_table(_("Due but not done"))
        table.add_column(_("No."), style="cyan", no_wrap=True)
        table.add_column(_("Name"))
        table.add_column(_("Gr."))
        table.add_column(_("Due"), no_wrap=True)
        table.add_column(_("Purpose"), overflow="fold")
        for m in journal.missed:
            table.add_row(m.number, escape(m.name), m.grade, m.due.isoformat(), escape(m.purpose))
        console.print(table)


def print_week(journal: JournalWeek) -> None:
    console = out()
    label = _("Weekly journal {start} to {end}").format(
        start=journal.start.isoformat(), end=journal.end.isoformat()
    )
    console.print(
        _summary(
            label,
            journal.contacts,
            journal.by_channel,
            journal.new_cards,
            journal.due,
            journal.done,
            journal.completion,
        )
    )
    table = make_table(_("Day by day"))
    table.add_column(_("Day"), no_wrap=True)
    table.add_column(_("Contacts"), justify="right")
    table.add_column(_("By channel"), overflow="fold")
    table.add_column(_("New"), justify="right")
    table.add_column(_("Due"), justify="right")
    table.add_column(_("Done"), justify="right")
    table.add_column(_("Rate"), justify="right")
    for i, d in enumerate(journal.days):
        table.add_row(
            f"{_(WEEKDAYS[i])} {d.date.strftime('%m-%d')}",
            str(d.contacts),
            _channels(d.by_channel),
            str(d.new_cards),
            str(d.due),
            str(d.done) if d.completion is not None or d.done else "-",
            _ratio(d.completion),
        )
    console.print(table)
    changes = _changes_table(journal)
    if changes is not None:
        console.print(changes)
    if journal.new_card_lines:
        print_cards(journal.new_card_lines, title=_("New cards"))
