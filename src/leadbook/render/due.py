"""The due list as a table: follow-ups first (overdue on top), then birthdays and care calls."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from leadbook import domain
from leadbook.i18n import _, ngettext
from leadbook.models import DueItem, DueList
from leadbook.render import escape, out
from leadbook.render import table as make_table
from leadbook.render.cards import grade_text


def _overdue(item: DueItem) -> Text:
    if item.kind == "care":
        return Text(_("{n} days quiet").format(n=item.silent_days), style="magenta")
    if item.overdue_days > 0:
        return Text(ngettext("{n} day late", "{n} days late", item.overdue_days).format(
            n=item.overdue_days), style="bold red")  # fmt: skip
    if item.overdue_days == 0:
        return Text(_("today"), style="bold")
    return Text(_("in {n} days").format(n=-item.overdue_days), style="dim")


def _purpose(item: DueItem) -> str:
    if item.kind == "birthday":
        if item.age:
            return _("birthday on {date}, turns {age}").format(date=item.due.strftime("%m-%d"), age=item.age)
        return _("birthday on {date}").format(date=item.due.strftime("%m-%d"))
    if item.kind == "care":
        return _("won customer gone quiet: call to look after them")
    return item.purpose or ""


def due_table(due: DueList) -> Table:
    title = _("Due on {date}").format(date=due.date.isoformat())
    table = make_table(title)
    table.add_column(_("No."), style="cyan", no_wrap=True)
    table.add_column(_("Name"), overflow="fold", min_width=8, ratio=3)
    table.add_column(_("Gr."), no_wrap=True)
    table.add_column(_("Stage"), no_wrap=True)
    table.add_column(_("When"), no_wrap=True)
    table.add_column(_("Purpose"), overflow="fold", min_width=8, ratio=3)
    table.add_column(_("Last contact"), no_wrap=True)
    section = None
    for item in due.items:
        if section is not None and item.kind != section:
            table.add_section()
        section = item.kind
        last = ""
        if item.last_contact:
            last = f"{item.last_contact.strftime('%m-%d')} {domain.via_label(item.last_via)}"
        who = Text(item.name)
        if item.company:
            who.append(" " + item.company, style="dim")
        table.add_row(
            item.number, who, grade_text(item.grade),
            domain.stage_label(item.stage), _overdue(item), escape(_purpose(item)), last,
        )  # fmt: skip
    return table


def print_due(due: DueList) -> None:
    console = out()
    if not due.items:
        console.print(_("Nothing due on {date}. Add prospects with `leadbook add`.").format(
            date=due.date.isoformat()))  # fmt: skip
        return
    console.print(due_table(due))
    if due.total_followups > due.shown_followups:
        console.print(
            _("… and {n} more follow-ups: `leadbook due --limit 0` shows all").format(
                n=due.total_followups - due.shown_followups
            ),
            style="dim",
        )
