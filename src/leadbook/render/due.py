"""The due list: follow-ups first (overdue on top), then birthdays and care calls."""

from __future__ import annotations

from leadbook import domain
from leadbook.i18n import _, ngettext
from leadbook.models.lines import DueItem, DueList
from leadbook.render import GRADE_STYLE, width
from leadbook.render.grid import Cell, Column, Seg, grid, write

# On screen, birthdays and care reminders after this many say how many more there are.
SCREEN_EXTRAS = 20


def _overdue(item: DueItem) -> Seg:
    if item.kind == "care" and item.expected_purchase:
        return (item.expected_purchase.strftime("%m-%d"), "magenta")
    if item.kind == "complaint":
        return (
            ngettext("open {n} day", "open {n} days", item.overdue_days).format(
                n=item.overdue_days
            ),
            "bold red",
        )
    if item.kind in ("thank-you", "thank-referral", "check-back") and item.overdue_days <= 0:
        return (_("today"), "magenta")
    if item.kind == "care":
        return (_("{n} days quiet").format(n=item.silent_days), "magenta")
    if item.kind == "birthday":
        return (_("today") if item.overdue_days == 0 else item.due.strftime("%m-%d"), "magenta")
    if item.overdue_days > 0:
        late = ngettext("{n} day late", "{n} days late", item.overdue_days)
        return (late.format(n=item.overdue_days), "bold red")
    if item.overdue_days == 0:
        return (_("today"), "bold")
    ahead = -item.overdue_days
    return (ngettext("in {n} day", "in {n} days", ahead).format(n=ahead), "dim")


def _purpose(item: DueItem) -> str:
    if item.kind == "birthday":
        if item.age:
            return _("birthday, turns {age}").format(age=item.age)
        return _("birthday")
    if item.kind == "care" and item.expected_purchase:
        return _("repeat buyer: next purchase expected around {date}").format(
            date=item.expected_purchase.strftime("%m-%d")
        )
    if item.kind == "care":
        return _("care call: a won customer gone quiet")
    if item.kind == "visit":
        return _("planned visit: {purpose}").format(purpose=item.purpose)
    if item.kind == "complaint":
        return _("open complaint #{id}: {note}").format(id=item.ref, note=item.about)
    if item.kind == "check-back":
        return _("check back on complaint #{id}: is it solved?").format(id=item.ref)
    if item.kind == "thank-you":
        return _("thank them: {who} bought").format(who=item.about)
    if item.kind == "thank-referral":
        return _("thank them for referring {who}").format(who=item.about)
    if not item.purpose and item.last_contact is None:
        return _("first contact")
    return item.purpose or ""


def due_lines(due: DueList, columns_wide: int) -> list[list[Seg]]:
    columns = [
        Column(_("No."), style="cyan"),
        Column(_("Name"), min_width=8),
        Column(_("Gr.")),
        Column(_("Stage")),
        Column(_("When")),
        Column(_("Purpose"), min_width=8),
        Column(_("Last contact")),
    ]
    rows: list[list[Cell]] = []
    sections: list[int] = []
    kind = None
    counts: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for item in due.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if item.kind in ("birthday", "care") and counts[item.kind] > SCREEN_EXTRAS:
            hidden[item.kind] = hidden.get(item.kind, 0) + 1
            continue
        if kind is not None and item.kind != kind:
            sections.append(len(rows))
        kind = item.kind
        who: list[Seg] = [(item.name, "")]
        if item.company:
            who.append((" " + item.company, "dim"))
        last = ""
        if item.last_contact:
            last = f"{item.last_contact.strftime('%m-%d')} {domain.via_label(item.last_via)}"
        rows.append(
            [
                item.number,
                who,
                (item.grade, GRADE_STYLE.get(item.grade, "")),
                domain.stage_label(item.stage),
                _overdue(item),
                _purpose(item),
                last,
            ]
        )
    title = _("Due on {date}").format(date=due.date.isoformat())
    lines = grid(columns, rows, columns_wide, title=title, sections=sections)
    if due.total_followups > due.shown_followups:
        more = due.total_followups - due.shown_followups
        text = _("… and {n} more follow-ups: `leadbook due --limit 0` shows all").format(n=more)
        if due.total_is_lower_bound:
            text = _(
                "… and more than {n} more follow-ups: `leadbook due --limit 0` shows all"
            ).format(n=more)
        lines.append([(text, "dim")])
    hidden["birthday"] = hidden.get("birthday", 0) + due.more_birthdays
    if hidden.get("birthday"):
        lines.append(
            [
                (
                    _("… and {n} more birthdays (`--json` lists all)").format(n=hidden["birthday"]),
                    "dim",
                )
            ]
        )
    if hidden.get("care"):
        lines.append(
            [
                (
                    _("… and {n} more quiet customers (`--json` lists all)").format(
                        n=hidden["care"]
                    ),
                    "dim",
                )
            ]
        )
    return lines


def print_due(due: DueList) -> None:
    if not due.items:
        date = due.date.isoformat()
        write(
            [
                [
                    (
                        _("Nothing due on {date}. Add prospects with `leadbook add`.").format(
                            date=date
                        ),
                        "",
                    )
                ]
            ]
        )
        return
    write(due_lines(due, width()))
