"""What the daily commands do once their options are parsed: `show`, `list`, `search`, `due`,
`add`, `grade`, `stage`, `lost`, `reopen`, `log`, `journal` and `funnel` call their service
and hand the result to a renderer. Typer's commands (leadbook.cli.cards, .contacts and
.sales) and the start-up path without Typer (leadbook.cli.quick) both call these, so each
command's work is written once. Imports nothing heavy: no Typer, no SQLAlchemy."""

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


def _when(at: str | None, c: Any) -> Any:
    """The moment an entry typed after the fact happened (None: now)."""
    if not at:
        return None
    from leadbook.parsing import parse_datetime

    return parse_datetime(at, c.now, prefer="past")


def _report_status(change: Any, what: str) -> None:
    """The one line a grade or stage change prints (a cards.StatusChange)."""
    from leadbook.domain import stage_label

    old, new = change.old, change.new
    if what == _("stage"):
        old, new = stage_label(old), stage_label(new)
    due = change.next_due.isoformat() if change.next_due else _("none")
    if old == new:
        done(
            _("{number} {name}: {what} is already {new}.").format(
                number=change.number, name=change.name, what=what, new=new
            )
        )
    else:
        done(
            _("{number} {name}: {what} {old} → {new}; next contact {due}.").format(
                number=change.number, name=change.name, what=what, old=old, new=new, due=due
            )
        )


def grade(state: State, *, number: str, grade: str | None, why: str | None, at: str | None) -> None:
    from leadbook import status
    from leadbook.parsing import parse_grade

    c = clock()
    book = state.book()
    if grade is None:
        from leadbook import cards
        from leadbook.domain import GRADE_MEANING

        with book.read() as conn:
            hint = cards.grade_suggestion(conn, number, c.today)
        suggested = hint.suggested
        if suggested is None or hint.expected is None:
            done(
                _(
                    "{number} is grade {grade}; give --expected on the card for a suggestion."
                ).format(number=hint.number, grade=hint.grade)
            )
        else:
            done(
                _(
                    "{number} is grade {grade}; its expected purchase date {date} suggests {suggested} "
                    "({meaning})."
                ).format(
                    number=hint.number,
                    grade=hint.grade,
                    date=hint.expected.isoformat(),
                    suggested=suggested,
                    meaning=_(GRADE_MEANING[suggested]),
                )
            )
        return
    value = parse_grade(grade)
    when = _when(at, c)
    change = status.regrade(book, number, value, reason=why, clock=c, at=when)
    _report_status(change, _("grade"))


def stage(state: State, *, number: str, stage: str, why: str | None, at: str | None) -> None:
    from leadbook import status
    from leadbook.parsing import parse_stage

    value = parse_stage(stage)
    c = clock()
    when = _when(at, c)
    book = state.book()
    change = status.move(book, number, value, reason=why, clock=c, at=when)
    _report_status(change, _("stage"))


def lost(state: State, *, number: str, reason: str, at: str | None) -> None:
    from leadbook import status

    if not reason.strip():
        raise InvalidValue(_('say why the customer was lost: --reason "..."'))
    c = clock()
    when = _when(at, c)
    book = state.book()
    change = status.move(book, number, "lost", reason=reason, lost_reason=reason, clock=c, at=when)
    _report_status(change, _("stage"))


def reopen(state: State, *, number: str, why: str | None, at: str | None) -> None:
    from leadbook import cards

    c = clock()
    when = _when(at, c)
    book = state.book()
    with book.write() as conn:
        change = cards.reopen_card(conn, number, reason=why, clock=c, by=book.user, at=when)
    _report_status(change, _("stage"))


def add(
    state: State,
    *,
    name: str,
    grade: str | None,
    stage: str | None,
    next_: str | None,
    purpose: str | None,
    force: bool,
    at: str | None,
    own: list[str] | None,
    as_json: bool,
    **fields: str | None,
) -> None:
    from leadbook import cards
    from leadbook.parsing import parse_grade, parse_stage

    raw: dict[str, str | None] = {**fields, "name": name}
    c = clock()
    book = state.book()
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else "prospect"
    next_date = parse_day(next_, c.today, "future") if next_ else None
    when = _when(at, c)
    card = cards.add_to(
        book,
        raw,
        clock=c,
        grade=grade_value,
        stage=stage_value,
        next_date=next_date,
        purpose=purpose,
        force=force,
        at=when,
        own=own,
    )
    if as_json:
        print_json(dump(card))
        return
    from leadbook.domain import suggest_grade

    number = card.number
    print(number)
    hint = ""
    if grade_value is None:
        suggested = suggest_grade(card.expected, c.today)
        hint = (
            _(" (suggested from the expected purchase date)")
            if suggested
            else _(" (default; set it with leadbook grade)")
        )
    due = card.next_due.isoformat() if card.next_due else _("none")
    done(
        _("Added {number} {name}: grade {grade}{hint}, next contact {due}.").format(
            number=number, name=card.name, grade=card.grade, hint=hint, due=due
        )
    )


def log(
    state: State,
    *,
    number: str,
    via: str,
    note: str | None,
    outcome: str | None,
    at: str | None,
    next_: str | None,
    purpose: str | None,
    grade: str | None,
    stage: str | None,
    check_back: bool,
    as_json: bool,
) -> None:
    from leadbook import contacts
    from leadbook.parsing import parse_grade, parse_stage, parse_via

    c = clock()
    via_value = parse_via(via)
    at_value = _when(at, c)
    next_date = parse_day(next_, c.today, "future") if next_ else None
    grade_value = parse_grade(grade) if grade else None
    stage_value = parse_stage(stage) if stage else None
    book = state.book()
    logged = contacts.log(
        book,
        number,
        clock=c,
        via=via_value,
        at=at_value,
        note=note,
        outcome=outcome,
        next_date=next_date,
        purpose=purpose,
        grade=grade_value,
        stage=stage_value,
        check_back=check_back,
    )
    if as_json:
        print_json(dump(logged))
        return
    if logged.next_due:
        done(
            _("Logged {number} {name}. Next contact {date}{purpose}.").format(
                number=logged.number,
                name=logged.name,
                date=logged.next_due.isoformat(),
                purpose=f" ({logged.next_purpose})" if logged.next_purpose else "",
            )
        )
    else:
        done(
            _("Logged {number} {name}. No next contact planned.").format(
                number=logged.number, name=logged.name
            )
        )


def journal(
    state: State,
    *,
    day: str | None,
    week: str | None,
    half: bool,
    month: bool,
    date: str | None,
    owner: str | None,
    mine: bool,
    as_json: bool,
) -> None:
    from leadbook import journal as jr

    if sum(bool(x) for x in (day, week, half, month)) > 1:
        raise InvalidValue(_("give one of --day, --week, --half and --month, not two"))
    if date and (day or week):
        raise InvalidValue(_("--date goes with --half or --month: --day and --week name their day"))
    period = "week" if week else "half" if half else "month" if month else None
    c = clock()
    when = parse_day(week or day or date, c.today)
    book = state.book()
    if mine:
        owner = book.user
    result = jr.journal_of(book, period, when, owner, c.today)
    if as_json:
        print_json(dump(result))
        return
    from leadbook.models.journal import JournalWeek
    from leadbook.render import journal as render

    if isinstance(result, JournalWeek):
        render.print_week(result)
    else:
        render.print_day(result)


def _by_label(by: str) -> str:
    labels = {
        "source": _("Source"),
        "source_detail": _("Source detail"),
        "industry": _("Industry"),
        "district": _("District"),
        "owner": _("Owner"),
    }
    return labels[by]


def funnel(
    state: State,
    *,
    since: str | None,
    until: str | None,
    owner: str | None,
    mine: bool,
    by: str | None,
    as_json: bool,
) -> None:
    from leadbook import funnel as fn

    c = clock()
    start = parse_day(since, c.today) if since else None
    end = parse_day(until, c.today) if until else c.today
    if start and start > end:
        raise InvalidValue(
            _("--since ({since}) is after --until ({until})").format(since=start, until=end)
        )
    if by is not None:
        by = by.replace("-", "_").lower()
        if by not in fn.BY_FIELDS:
            raise InvalidValue(
                _("cannot split by {by!r}: use one of {choices}").format(
                    by=by, choices=", ".join(fn.BY_FIELDS)
                )
            )
    book = state.book()
    if mine:
        owner = book.user
    result: Any = fn.of_book(book, c.today, start, end, owner, by)
    if as_json:
        print_json(dump(result))
        return
    from leadbook.render import funnel as render

    if by:
        render.print_split(result, _by_label(by))
    else:
        render.print_funnel(result)
