"""The journals: daily (日志), and day by day for a week, a half month or a month.

Plain aligned lines (leadbook.render.grid), as `list` and `due` print: a busy team's week
holds hundreds of changes, which Rich's Table took a second to lay out."""

from __future__ import annotations

from leadbook import domain
from leadbook.i18n import N_, _
from leadbook.models.journal import JournalDay, JournalWeek
from leadbook.render import width
from leadbook.render.grid import Cell, Column, Seg, grid, measure, wrap, write
from leadbook.render.lines import cards_lines

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _channels(by_channel: dict[str, int]) -> str:
    ordered = [v for v in domain.VIAS if by_channel.get(v)] + [
        v for v in by_channel if v not in domain.VIAS
    ]
    return ", ".join(f"{domain.via_label(v)} {by_channel[v]}" for v in ordered) or "-"


def _summary(label: str, journal: JournalDay | JournalWeek) -> list[list[Seg]]:
    contacts, due, done = journal.contacts, journal.due, journal.done
    texts = [
        _("Contacts") + f": {contacts}  ({_channels(journal.by_channel)})",
        _("New cards") + f": {journal.new_cards}",
        f"{_('Due / done')}: {due} / {done}  {_('completion')} {_ratio(journal.completion)}",
    ]
    wide = width()
    return [[(label, "bold underline")]] + [
        [(line, "")] for text in texts for line in wrap(text, wide)
    ]


def _changes_lines(journal: JournalDay | JournalWeek) -> list[list[Seg]]:
    """The grade and stage changes, as aligned lines (a busy team's week holds hundreds)."""
    if not journal.changes:
        return []
    columns = [
        Column(_("When")),
        Column(_("No."), style="cyan"),
        Column(_("Name"), fold=True, min_width=6),
        Column(_("Change")),
        Column(_("Why"), fold=True, min_width=8),
    ]
    rows: list[list[Cell]] = []
    for c in journal.changes:
        if c.field == "grade":
            change = f"{_('grade')} {c.old} → {c.new}"
        else:
            change = f"{domain.stage_label(c.old)} → {domain.stage_label(c.new)}"
        rows.append([c.at.strftime("%m-%d %H:%M"), c.number, c.name, change, c.reason or ""])
    return grid(columns, rows, width(), title=_("Grade and stage changes"))


def _sections(*sections: list[list[Seg]]) -> None:
    """Write each table that has lines, after a blank line."""
    write([line for lines in sections if lines for line in ([], *lines)])


def print_day(journal: JournalDay) -> None:
    label = _("Journal for {date}").format(date=journal.date.isoformat())
    write(_summary(label, journal))
    contacts: list[list[Seg]] = []
    if journal.contact_lines:
        columns = [
            Column(_("Time")),
            Column(_("No."), style="cyan"),
            Column(_("Name"), fold=True, min_width=6),
            Column(_("Via")),
            Column(_("What"), fold=True, min_width=10),
            Column(_("Next")),
        ]
        rows: list[list[Cell]] = [
            [
                c.at.strftime("%H:%M"),
                c.number,
                c.name,
                domain.via_label(c.via),
                " → ".join(x for x in (c.note, c.outcome) if x),
                c.next_date.isoformat() if c.next_date else "",
            ]
            for c in journal.contact_lines
        ]
        contacts = grid(columns, rows, width(), title=_("Contacts made"))
    missed: list[list[Seg]] = []
    if journal.missed:
        columns = [
            Column(_("No."), style="cyan"),
            Column(_("Name"), fold=True, min_width=6),
            Column(_("Gr.")),
            Column(_("Due")),
            Column(_("Purpose"), fold=True, min_width=10),
        ]
        rows = [
            [m.number, m.name, m.grade, m.due.isoformat(), m.purpose or ""] for m in journal.missed
        ]
        missed = grid(columns, rows, width(), title=_("Due but not done"))
    _sections(contacts, _changes_lines(journal), _new_cards(journal), missed)


def _new_cards(journal: JournalDay | JournalWeek) -> list[list[Seg]]:
    if not journal.new_card_lines:
        return []
    return cards_lines(journal.new_card_lines, width(), title=_("New cards"))


PERIOD_TITLES = {
    "week": N_("Weekly journal {start} to {end}"),
    "half": N_("Half-monthly journal {start} to {end}"),
    "month": N_("Monthly journal {start} to {end}"),
}


def _channel_columns(journal: JournalWeek, wide: int) -> list[list[str]]:
    """The channels the day-by-day table gives a column each, every column a list of the
    channels it counts: those used in the period, in the order of domain.VIAS; when they do not
    all fit in ``wide`` columns the least used are counted together under "other"."""
    used = [v for v in domain.VIAS if journal.by_channel.get(v)] + sorted(
        v for v in journal.by_channel if v not in domain.VIAS and journal.by_channel[v]
    )
    columns = [[v] for v in used]
    while len(columns) > 1 and measure(*_day_table(journal, columns)) > wide:
        singles = [c for c in columns if "other" not in c]
        least = min(singles, key=lambda c: (journal.by_channel[c[0]], -used.index(c[0])))
        columns.remove(least)
        rest = next((c for c in columns if "other" in c), None)
        if rest is None:
            columns.append(["other", *least])
        else:
            rest.extend(least)
    return columns


def _day_table(
    journal: JournalWeek, channels: list[list[str]]
) -> tuple[list[Column], list[list[Cell]]]:
    """The day-by-day table's columns and rows."""
    columns = [Column(_("Day")), Column(_("Contacts"), justify="right")]
    columns += [Column(domain.via_label(c[0]), justify="right") for c in channels]
    columns += [Column(h, justify="right") for h in (_("New"), _("Due"), _("Done"), _("Rate"))]
    rows: list[list[Cell]] = [
        [
            f"{_(WEEKDAYS[d.date.weekday()])} {d.date.strftime('%m-%d')}",
            str(d.contacts),
            *(str(sum(d.by_channel.get(v, 0) for v in column) or "") for column in channels),
            str(d.new_cards),
            str(d.due),
            str(d.done) if d.completion is not None or d.done else "-",
            _ratio(d.completion),
        ]
        for d in journal.days
    ]
    return columns, rows


def print_week(journal: JournalWeek) -> None:
    """The journal of a week, a half month or a month: the totals, then day by day, a column
    for each channel (the table fits the terminal: no count is ever split from its label)."""
    label = _(PERIOD_TITLES[journal.period]).format(
        start=journal.start.isoformat(), end=journal.end.isoformat()
    )
    write(_summary(label, journal))
    wide = width()
    columns, rows = _day_table(journal, _channel_columns(journal, wide))
    _sections(grid(columns, rows, wide, title=_("Day by day")))
    _sections(_changes_lines(journal), _new_cards(journal))
