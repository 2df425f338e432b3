"""The due list: follow-ups first (overdue on top), then birthdays and care calls."""

from __future__ import annotations

from rich.text import Text

from leadbook import domain
from leadbook.i18n import _, ngettext
from leadbook.models.lines import DueItem, DueList
from leadbook.render import grade_text, out
from leadbook.render.grid import Column, grid

# On screen, birthdays and care reminders after this many say how many more there are.
SCREEN_EXTRAS = 20


def _overdue(item: DueItem) -> Text:
    if item.kind == "care":
        return Text(_("{n} days quiet").format(n=item.silent_days), style="magenta")
    if item.kind == "birthday":
        return Text(
            _("today") if item.overdue_days == 0 else item.due.strftime("%m-%d"), style="magenta"
        )
    if item.overdue_days > 0:
        return Text(
            ngettext("{n} day late", "{n} days late", item.overdue_days).format(
                n=item.overdue_days
            ),
            style="bold red",
        )
    if item.overdue_days == 0:
        return Text(_("today"), style="bold")
    return Text(_("in {n} days").format(n=-item.overdue_days), style="dim")


def _purpose(item: DueItem) -> str:
    if item.kind == "birthday":
        if item.age:
            return _("birthday, turns {age}").format(age=item.age)
        return _("birthday")
    if item.kind == "care":
        return _("care call: a won customer gone quiet")
    return item.purpose or ""


def due_text(due: DueList, width: int) -> Text:
    columns = [
        Column(_("No."), style="cyan"),
        Column(_("Name"), min_width=8),
        Column(_("Gr.")),
        Column(_("Stage")),
        Column(_("When")),
        Column(_("Purpose"), min_width=8),
        Column(_("Last contact")),
    ]
    rows: list[list[str | Text]] = []
    sections: list[int] = []
    kind = None
    counts: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for item in due.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if item.kind != "follow-up" and counts[item.kind] > SCREEN_EXTRAS:
            hidden[item.kind] = hidden.get(item.kind, 0) + 1
            continue
        if kind is not None and item.kind != kind:
            sections.append(len(rows))
        kind = item.kind
        who = Text(item.name)
        if item.company:
            who.append(" " + item.company, style="dim")
        last = ""
        if item.last_contact:
            last = f"{item.last_contact.strftime('%m-%d')} {domain.via_label(item.last_via)}"
        rows.append(
            [
                item.number,
                who,
                grade_text(item.grade),
                domain.stage_label(item.stage),
                _overdue(item),
                _purpose(item),
                last,
            ]
        )
    text = grid(
        columns,
        rows,
        width,
        title=_("Due on {date}").format(date=due.date.isoformat()),
        sections=sections,
    )
    notes = []
    if due.total_followups > due.shown_followups:
        notes.append(
            _("… and {n} more follow-ups: `leadbook due --limit 0` shows all").format(
                n=due.total_followups - due.shown_followups
            )
        )
    if hidden.get("birthday"):
        notes.append(
            _("… and {n} more birthdays (`--json` lists all)").format(n=hidden["birthday"])
        )
    if hidden.get("care"):
        notes.append(
            _("… and {n} more quiet customers (`--json` lists all)").format(n=hidden["care"])
        )
    for note in notes:
        text.append("\n" + note, style="dim")
    return text


def print_due(due: DueList) -> None:
    console = out()
    if not due.items:
        console.print(
            _("Nothing due on {date}. Add prospects with `leadbook add`.").format(
                date=due.date.isoformat()
            )
        )
        return
    console.print(due_text(due, console.width), overflow="ignore", crop=False)
