"""The due list as the daily call sheet (每日电话计划表, seed 003): whom to call, on which
mobile, and why. Follow-ups first (overdue on top, then by grade), then planned visits,
complaints, birthdays, thanks and care calls, each a section.

The same rows go to the screen and, with `due --export`, to a workbook or a CSV. On screen
nothing a salesperson calls from is cut: the name and the mobile stay whole, and the purpose is
never cut short. When a row with its whole purpose fits the terminal it takes one line; when it
does not (80 columns), the purpose and the last contact go on a second line under the name,
wrapped as long as they are, and the company is the one thing shortened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadbook import domain
from leadbook.i18n import N_, _, ngettext
from leadbook.models.lines import DueItem, DueList
from leadbook.parsing import display_phone
from leadbook.render import GRADE_STYLE, width
from leadbook.render.grid import Cell, Column, Seg, cell_width, grid, truncate, wrap, write

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
        silent = item.silent_days or 0
        quiet = ngettext("{n} day quiet", "{n} days quiet", silent)
        return (quiet.format(n=silent), "magenta")
    if item.kind == "festival":  # the festival's day: a card or a gift may need days
        ahead = -item.overdue_days
        when = ngettext("in {n} day", "in {n} days", ahead).format(n=ahead)
        return (_("today") if ahead == 0 else when, "magenta")
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
    if item.kind == "festival":
        from leadbook.festivals import label

        names = "、".join(label(name) for name in (item.festival or "").split("、"))
        return _("festival greeting: {festival}").format(festival=names)
    if not item.purpose and item.last_contact is None:
        return _("first contact")
    return item.purpose or ""


@dataclass
class CallRow:
    """One line of the call sheet, as the screen shows it and the export writes it."""

    kind: str
    number: str
    name: str
    company: str
    mobile: str
    grade: str
    stage: str
    when: Seg
    purpose: str
    last_contact: str


# The call sheet's columns in a file: (field, header).
CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", N_("No.")),
    ("name", N_("Name")),
    ("company", N_("Company")),
    ("mobile", N_("Mobile")),
    ("grade", N_("Grade")),
    ("stage", N_("Stage")),
    ("when", N_("When")),
    ("purpose", N_("Purpose")),
    ("last_contact", N_("Last contact")),
)


def call_sheet(due: DueList) -> tuple[list[CallRow], list[str]]:
    """The rows of the call sheet in their order, and the notes on what was left out (the
    follow-ups past the limit, the birthdays and care calls past the first few)."""
    rows: list[CallRow] = []
    counts: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for item in due.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if item.kind in ("birthday", "care", "festival") and counts[item.kind] > SCREEN_EXTRAS:
            hidden[item.kind] = hidden.get(item.kind, 0) + 1
            continue
        last = ""
        if item.last_contact:
            last = f"{item.last_contact.strftime('%m-%d')} {domain.via_label(item.last_via)}"
        rows.append(
            CallRow(
                kind=item.kind,
                number=item.number,
                name=item.name,
                company=item.company or "",
                mobile=display_phone(item.mobile, due.region),
                grade=item.grade,
                stage=domain.stage_label(item.stage),
                when=_overdue(item),
                purpose=_purpose(item),
                last_contact=last,
            )
        )
    notes: list[str] = []
    if due.total_followups > due.shown_followups:
        more = due.total_followups - due.shown_followups
        text = ngettext(
            "… and {n} more follow-up: `leadbook due --limit 0` shows all",
            "… and {n} more follow-ups: `leadbook due --limit 0` shows all",
            more,
        ).format(n=more)
        if due.total_is_lower_bound:
            text = _(
                "… and more than {n} more follow-ups: `leadbook due --limit 0` shows all"
            ).format(n=more)
        notes.append(text)
    hidden["birthday"] = hidden.get("birthday", 0) + due.more_birthdays
    if hidden.get("birthday"):
        notes.append(
            ngettext(
                "… and {n} more birthday (`--json` lists all)",
                "… and {n} more birthdays (`--json` lists all)",
                hidden["birthday"],
            ).format(n=hidden["birthday"])
        )
    if hidden.get("care"):
        notes.append(
            ngettext(
                "… and {n} more quiet customer (`--json` lists all)",
                "… and {n} more quiet customers (`--json` lists all)",
                hidden["care"],
            ).format(n=hidden["care"])
        )
    greet = hidden.get("festival", 0) + due.more_greetings
    if greet:
        notes.append(_("… and {n} more to greet (`--json` lists all)").format(n=greet))
    return rows, notes


def _sections(rows: list[CallRow]) -> list[int]:
    """The rows that start a new kind of call (a blank line goes before each)."""
    return [n for n in range(1, len(rows)) if rows[n].kind != rows[n - 1].kind]


def _widest(header: str, cells: list[str]) -> int:
    return max([cell_width(header)] + [cell_width(c) for c in cells])


def _who(row: CallRow, room: int) -> list[Seg]:
    """The name, whole, then as much of the company as ``room`` columns leave (none when fewer
    than four would show)."""
    who: list[Seg] = [(row.name, "")]
    left = room - cell_width(row.name) - 1
    if row.company and left >= min(4, cell_width(row.company)):
        who.append((" " + truncate(row.company, left), "dim"))
    return who


def due_lines(due: DueList, columns_wide: int) -> list[list[Seg]]:
    rows, notes = call_sheet(due)
    title = _("Due on {date}").format(date=due.date.isoformat())
    heads = {k: _(h) for k, h in CALL_COLUMNS}
    heads["grade"] = _("Gr.")
    fixed = ("number", "mobile", "grade", "stage", "when")
    widths = {k: _widest(heads[k], [_text(getattr(r, k)) for r in rows]) for k in fixed}
    names = _widest(heads["name"], [r.name for r in rows])
    whole = _widest(heads["name"], [r.name + (" " + r.company if r.company else "") for r in rows])
    gap = 2
    first = sum(widths.values()) + gap * len(widths)  # the fixed columns and the name's gap
    tail = {
        k: _widest(heads[k], [getattr(r, k) for r in rows]) for k in ("purpose", "last_contact")
    }
    one_line = first + sum(tail.values()) + gap * len(tail)
    if one_line + names <= columns_wide:
        lines = _one_line(rows, heads, min(whole, columns_wide - one_line), columns_wide)
    else:
        room = max(columns_wide - first, cell_width(heads["name"]))
        lines = _two_lines(rows, heads, room, columns_wide, widths)
    return [[(title, "bold")], *lines, *[[(note, "dim")] for note in notes]]


def _text(cell: Seg | str) -> str:
    return cell[0] if isinstance(cell, tuple) else cell


def _one_line(
    rows: list[CallRow], heads: dict[str, str], room: int, columns_wide: int
) -> list[list[Seg]]:
    columns = [
        Column(heads["number"], style="cyan"),
        Column(heads["name"]),
        Column(heads["mobile"]),
        Column(heads["grade"]),
        Column(heads["stage"]),
        Column(heads["when"]),
        Column(heads["purpose"]),
        Column(heads["last_contact"]),
    ]
    cells: list[list[Cell]] = [
        [
            r.number,
            _who(r, room),
            r.mobile,
            (r.grade, GRADE_STYLE.get(r.grade, "")),
            r.stage,
            r.when,
            r.purpose,
            r.last_contact,
        ]
        for r in rows
    ]
    return grid(columns, cells, columns_wide, sections=_sections(rows))


def _two_lines(
    rows: list[CallRow],
    heads: dict[str, str],
    room: int,
    columns_wide: int,
    widths: dict[str, int],
) -> list[list[Seg]]:
    """Each call on a line of who, mobile, grade, stage and when, and under the name the
    purpose and the last contact, wrapped: for a terminal too narrow for one line each."""
    columns = [
        Column(heads["number"], style="cyan"),
        Column(heads["name"]),
        Column(heads["mobile"]),
        Column(heads["grade"]),
        Column(heads["stage"]),
        Column(heads["when"]),
    ]
    indent = " " * (widths["number"] + 2)
    span = max(columns_wide - len(indent), 20)
    cells: list[list[Cell]] = []
    below: list[list[list[Seg]]] = []  # the lines under each row
    for r in rows:
        # A name longer than its column (rare) goes on over the next lines, never cut.
        pieces = wrap(r.name, room) if cell_width(r.name) > room else [r.name]
        who: list[Seg] = _who(r, room) if len(pieces) == 1 else [(pieces[0], "")]
        cells.append(
            [r.number, who, r.mobile, (r.grade, GRADE_STYLE.get(r.grade, "")), r.stage, r.when]
        )
        extra = [[(indent + piece, "")] for piece in pieces[1:]]
        text = wrap(r.purpose, span) if r.purpose else []
        lines: list[list[Seg]] = [[(indent + t, "")] for t in text]
        if r.last_contact:
            last = _("last contact {when}").format(when=r.last_contact)
            if lines and cell_width(text[-1] + " · " + last) <= span:
                lines[-1].append((" · " + last, "dim"))
            else:
                lines.append([(indent + last, "dim")])
        below.append(extra + lines)
    table = grid(columns, cells, columns_wide)
    head = [*table[:1], [(indent + heads["purpose"] + " · " + heads["last_contact"], "bold")]]
    out = [*head, table[1]]
    starts = set(_sections(rows))
    for n, line in enumerate(table[2:]):
        if n in starts:
            out.append([])
        out.append(line)
        out.extend(below[n])
    return out


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


def export_due(due: DueList, path: Path, overwrite: bool = False) -> tuple[int, list[str]]:
    """The call sheet the screen shows, the same rows in the same order, written to ``path``
    (.xlsx or .csv) to print or send to a phone; returns how many rows, and the notes on what
    was left out."""
    from leadbook.exchange.export import write_table
    from leadbook.i18n import language

    rows, notes = call_sheet(due)
    columns = [(key, _(head), _(head)) for key, head in CALL_COLUMNS]
    records = [{key: _text(getattr(r, key)) for key, _head in CALL_COLUMNS} for r in rows]
    title = _("Call sheet {date}").format(date=due.date.isoformat())
    count = write_table(path, title, columns, records, language(), overwrite=overwrite)
    return count, notes
