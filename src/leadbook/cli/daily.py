"""What `show`, `list`, `search` and `due` do once their options are parsed: call the
service, hand the result to a renderer. Typer's commands (leadbook.cli.cards and
leadbook.cli.contacts) and the start-up path without Typer (leadbook.cli.quick) both call
these, so each command's work is written once. Imports nothing heavy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from leadbook.cli.common import clock, done, dump, parse_day, print_json, split_multi
from leadbook.cli.context import State
from leadbook.errors import InvalidValue
from leadbook.i18n import _, ngettext


def show(state: State, number: str, audit: bool, as_json: bool) -> None:
    from leadbook.cardview import show as show_card

    shown = show_card(state.book(), number, today=clock().today, edits=audit or as_json)
    if as_json:
        print_json(dump(shown))
        return
    from leadbook.render.cards import print_card

    print_card(shown)


def _print_lines(lines: list[Any], total: int, as_json: bool, empty: str) -> None:
    if as_json:
        print_json(dump(lines))
        return
    # Notes in plain text through leadbook's own writer: Rich's console costs search 20 ms
    # to import.
    from leadbook.render.grid import write

    if not lines:
        write([[(empty, "")]], sys.stderr)
        return
    from leadbook.render.lines import print_cards

    print_cards(lines)
    if total > len(lines):
        more = _("{shown} of {total} shown: use --limit 0 for all").format(
            shown=len(lines), total=total
        )
        write([[(more, "")]], sys.stderr)


def list_cards(
    state: State,
    *,
    grade: list[str] | None,
    stage: list[str] | None,
    owner: str | None,
    mine: bool,
    tag: str | None,
    source: str | None,
    customer_type: str | None,
    purchase: str | None,
    urgency: str | None,
    field: list[str] | None,
    overdue: bool,
    sort: str,
    limit: int,
    as_json: bool,
) -> None:
    from leadbook import lookup
    from leadbook.parsing import parse_grade, parse_stage

    if sort not in lookup.SORTS:
        raise InvalidValue(
            _("cannot sort by {sort!r}: use one of {choices}").format(
                sort=sort, choices=", ".join(lookup.SORTS)
            )
        )
    grades = [parse_grade(g) for g in split_multi(grade)]
    stages = [parse_stage(s) for s in split_multi(stage)]
    c = clock()
    book = state.book()
    if mine:
        owner = book.user
    lines, total = lookup.list_lines(
        book,
        grades=grades,
        stages=stages,
        owner=owner,
        tag=tag,
        source=source,
        customer_type=customer_type,
        purchase_kind=purchase,
        urgency=urgency,
        fields=field or (),
        today=c.today,
        overdue_on=c.today if overdue else None,
        sort=sort,
        limit=limit or None,
    )
    _print_lines(lines, total, as_json, _("No cards match."))


def search(state: State, text: str, limit: int, as_json: bool) -> None:
    from leadbook.lookup import search_lines

    lines, total = search_lines(state.book(), text, limit=limit or None)
    _print_lines(lines, total, as_json, _("Nothing found for {text!r}.").format(text=text))


def due(
    state: State,
    *,
    date: str | None,
    days: int,
    owner: str | None,
    mine: bool,
    limit: int | None,
    export: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    from leadbook.due import call_sheet

    if days < 0 or days > 366:
        raise InvalidValue(_("--days must be between 0 and 366"))
    if export and as_json:
        raise InvalidValue(_("give --export or --json, not both"))
    c = clock()
    day = parse_day(date, c.today)
    if limit is None:
        limit = 0 if as_json else 100
    book = state.book()
    if mine:
        owner = book.user
    result = call_sheet(book, day, days=days, owner=owner, limit=limit or None)
    if as_json:
        print_json(dump(result.items))
        return
    if export:
        from leadbook.render.due import export_due

        rows, notes = export_due(result, export, overwrite=force)
        done(
            ngettext(
                "Wrote {path}: the call sheet of {date}, {n} call.",
                "Wrote {path}: the call sheet of {date}, {n} calls.",
                rows,
            ).format(path=export, date=day.isoformat(), n=rows)
        )
        for note in notes:
            done(note)
        return
    from leadbook.render.due import print_due

    print_due(result)
