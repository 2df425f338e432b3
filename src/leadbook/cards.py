"""The customer card's rules: add, edit, grade, stage, lost, reopen, show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from leadbook import domain, parsing, reminders
from leadbook.cardview import AMOUNT_FIELDS  # fields kept in cents
from leadbook.clock import Clock
from leadbook.domain import CARD_FIELDS, CARD_LIMITS, STAGE_INDEX, cents, suggest_grade
from leadbook.errors import Duplicate, InvalidValue, LeadbookError
from leadbook.i18n import _
from leadbook.models.card import (
    Card,
)
from leadbook.searchkeys import pinyin_keys, search_key
from leadbook.status import (
    StatusChange,
    change_moment,
    not_in_future,
    set_grade,
    set_stage,
    status_change,
)
from leadbook.store import reads, writes
from leadbook.store.writes import change_row
from leadbook.text import clean

if TYPE_CHECKING:
    from leadbook.store.db import Book
    from leadbook.store.writes import Conn

PHONE_FIELDS = ("mobile", "phone", "fax")


def parse_fields(raw: dict[str, str | None], today: date) -> dict[str, Any]:
    """Card fields as typed by a user -> column values. An empty string clears a field.

    ``referrer`` stays a customer number here; :func:`resolve_referrer` turns it into an id.
    A first source the method names (`--source 展会`) keeps its channel and its detail; a
    detail typed alone (`--source-detail 来电`) brings its channel."""
    values: dict[str, Any] = {}
    for field, text in raw.items():
        if text is None or field in ("source", "source_detail"):
            continue
        if field not in CARD_FIELDS:
            raise InvalidValue(_("unknown card field {field!r}").format(field=field))
        values.update(parse_field(field, text, today))
    values.update(source_values(raw.get("source"), raw.get("source_detail")))
    return values


def source_values(
    source: str | None, detail: str | None, *, lenient: bool = False
) -> dict[str, Any]:
    """The two levels of a card's source (DOMAIN section 1) from what was typed or read, for
    `add`, `edit` and `import` alike: a channel (展厅/续购/介绍/外拓, showroom ...), or a first
    source the method names (展会: its channel and itself), and a detail (来电 brings its
    channel). What is given wins over what the other brings; an empty text clears. ``lenient``
    (import): a source that is neither is kept as the detail, not refused."""
    values: dict[str, Any] = {}
    if source is not None:
        source = clean(source).strip()
        if not source:
            values["source"] = None
        else:
            try:
                values["source"], named = parsing.parse_source(source)
            except InvalidValue:
                if not lenient:
                    raise
                named = source[:100]
            if named is not None and detail is None:
                values["source_detail"] = named
    if detail is not None:
        detail = clean(detail).strip()
        known = parsing.source_detail(detail) if detail else None
        if not detail:
            values["source_detail"] = None
        elif known is None:
            check_length("source_detail", detail)
            values["source_detail"] = detail
        else:
            values["source_detail"] = known
            if source is None:
                values["source"] = domain.SOURCE_DETAILS[known][0]
    return values


def parse_field(field: str, text: str, today: date) -> dict[str, Any]:
    """One card field as typed or read from a file -> its column values (`add`, `edit` and
    `import` alike)."""
    text = clean(text).strip()
    if field == "name" and not text:
        raise InvalidValue(_("a card needs a name"))
    if not text:
        return _cleared(field)
    if field in PHONE_FIELDS:
        return {field: parsing.parse_phone(text)}
    if field == "email":
        return {"email": parsing.parse_email(text)}
    if field == "birthday":
        birthday, month_day = parsing.parse_birthday(text, today)
        return {"birthday": birthday, "birthday_md": month_day}
    if field == "gender":
        return {"gender": parsing.parse_gender(text)}
    if field in ("source", "source_detail"):
        return source_values(text, None) if field == "source" else source_values(None, text)
    if field == "payment":
        return {"payment": parsing.parse_payment(text)}
    if field == "customer_type":
        return {"customer_type": parsing.parse_customer_type(text)}
    if field == "purchase_kind":
        return {"purchase_kind": parsing.parse_purchase_kind(text)}
    if field in AMOUNT_FIELDS:
        return {AMOUNT_FIELDS[field]: cents(parsing.parse_amount(text))}
    if field == "expected":
        return {"expected": parsing.parse_date(text, today, prefer="future")}
    if field == "tags":
        tags = parsing.parse_tags(text)
        return {"tags": ("," + ",".join(tags) + ",") if tags else None}
    if field == "referrer":
        return {"referrer": text}
    check_length(field, text)
    return {field: text}


OWN_FIELD_LIMIT = 1000  # characters in a value of the book's own field


def own_fields(conn: Conn) -> list[str]:
    """The book's own card fields: those declared (`config field add`) and those its cards
    already hold (an import's columns that matched no field of leadbook's), by name."""
    from leadbook.store import customers, settings

    sa_conn = writes.connection(conn)  # (the full path)
    return sorted(set(settings.declared_fields(sa_conn)) | set(customers.extra_keys(sa_conn)))


def set_own_fields(conn: Conn, pairs: list[str], current: dict[str, Any]) -> str | None:
    """The card's own fields (``current``) with `--set NAME=VALUE` applied (an empty VALUE
    clears one), as the JSON the card keeps; a name the book does not know is refused, so a
    typo never makes a new field."""
    result = dict(current)
    known: set[str] | None = None
    for text in pairs:
        name, sep, value = text.partition("=")
        name, value = clean(name).strip(), clean(value).strip()
        if not sep or not name:
            raise InvalidValue(
                _("--set takes NAME=VALUE (an empty VALUE clears it), not {text!r}").format(
                    text=text
                )
            )
        if name not in current:
            known = known if known is not None else set(own_fields(conn))
            if name not in known:
                raise InvalidValue(
                    _(
                        "{name!r} is not a field of this book: add it with "
                        "`leadbook config field add {name}`"
                    ).format(name=name)
                )
        if len(value) > OWN_FIELD_LIMIT:
            raise InvalidValue(
                _("{field} is too long: {n} characters, at most {limit}").format(
                    field=name, n=len(value), limit=OWN_FIELD_LIMIT
                )
            )
        if value:
            result[name] = value
        else:
            result.pop(name, None)
    return json.dumps(result, ensure_ascii=False) if result else None


def check_length(field: str, text: str) -> None:
    """Refuse text longer than the book's column holds (PostgreSQL enforces it; SQLite would
    quietly keep it, and the two must behave alike)."""
    limit = CARD_LIMITS.get(field)
    if limit and len(text) > limit:
        raise InvalidValue(
            _("{field} is too long: {n} characters, at most {limit}").format(
                field=field, n=len(text), limit=limit
            )
        )


def _cleared(field: str) -> dict[str, Any]:
    if field == "birthday":
        return {"birthday": None, "birthday_md": None}
    if field in AMOUNT_FIELDS:
        return {AMOUNT_FIELDS[field]: None}
    if field == "referrer":
        return {"referrer": ""}
    return {field: None}


def resolve_referrer(conn: Conn, values: dict[str, Any], self_id: int | None = None) -> None:
    if "referrer" not in values:
        return
    text = values.pop("referrer")
    if not text:
        values["referrer_id"] = None
        return
    try:
        row = reads.card_row(writes.runner(conn), text)
    except (LeadbookError, InvalidValue):
        from leadbook.store import customers

        matches = customers.find_by_name(writes.connection(conn), text)
        if len(matches) != 1:
            raise InvalidValue(
                _("referrer {text!r} is not a customer number or the name of one card").format(
                    text=text
                )
            ) from None
        row = matches[0]
    if self_id is not None and row["id"] == self_id:
        raise InvalidValue(_("a card cannot be its own referrer"))
    values["referrer_id"] = row["id"]


def check_duplicates(conn: Conn, values: dict[str, Any], current: Any | None = None) -> None:
    merged = {**(dict(current) if current else {}), **values}
    found = writes.duplicates(
        conn,
        mobile=values.get("mobile"),
        email=values.get("email"),
        name=merged.get("name") if ("name" in values or "company" in values) else None,
        company=merged.get("company") if ("name" in values or "company" in values) else None,
        exclude_id=current["id"] if current else None,
    )
    if found:
        reason, row = found[0]
        what = {
            "mobile": _("this mobile number"),
            "email": _("this e-mail"),
            "name": _("this name at this company"),
        }[reason]
        raise Duplicate(
            _("{number} {name} already has {what}: use that card, or --force to add anyway").format(
                number=row["number"], name=_who(row), what=what
            )
        )


def _who(row: Any | dict[str, Any]) -> str:
    return f"{row['name']} ({row['company']})" if row.get("company") else str(row["name"])


@dataclass
class NewCard:
    """Everything a new card writes, before it has an id: its row of ``customers`` (pinyin,
    search key, grade, stage and stage summaries, first plan's date filled in), its grade and
    stage history, its first plan and its audit row. The rows of other tables lack only
    ``customer_id``."""

    row: dict[str, Any]
    changes: list[dict[str, Any]]
    plan: dict[str, Any] | None
    audit: dict[str, Any]

    def rows_for(self, cid: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict]:
        """The history, plan and audit rows of the card whose id is ``cid``."""
        changes = [{"customer_id": cid, **c} for c in self.changes]
        plan = {"customer_id": cid, **self.plan} if self.plan is not None else None
        return changes, plan, {"customer_id": cid, **self.audit}


def new_card(
    values: dict[str, Any],
    *,
    now: datetime,
    today: date,
    by: str,
    grade: str | None = None,
    stage: str | None = None,
    next_date: date | None = None,
    purpose: str | None = None,
    owner: str | None = None,
    created: datetime | None = None,
    closed: date | None = None,
    action: str = "create",
    lost_reason: str | None = None,
    typed_late: bool = False,
) -> NewCard:
    """The rules of a new card, one pure function for `add` and `import` alike.

    ``values``: column values as :func:`parse_fields` gives them (the import brings its own
    ``created_by``, ``last_contact_at``, ``extra`` and ``origin`` too). ``grade``: suggested from
    the expected purchase date when not given, else D. ``owner``: who owns it (default the
    values' owner, else ``by``). ``created``: when the card began (a file's own date; default
    now). ``closed``: the day a won or lost card ended, when later than its beginning: its
    history then goes prospect -> won on that day, as the funnel counts it. ``lost_reason``:
    what a lost card's history says when ``values`` gives no reason. ``typed_late``: the card
    was typed in after the fact (``add --at``): its first contact was due on the day it came,
    planned that day (an import's old creation dates keep the first contact due today)."""
    columns = writes.card_columns()
    row = {k: v for k, v in values.items() if v is not None and k in columns}
    row.pop("referrer", None)
    if not row.get("name"):
        raise InvalidValue(_("a card needs a name"))
    stage = stage or "prospect"
    if grade is None:
        grade = suggest_grade(row.get("expected"), today) or "D"
    created = created or now
    row["grade"], row["stage"] = grade, stage
    row["owner"] = owner or row.get("owner") or by
    row["created_at"], row["updated_at"] = created, now
    row["created_by"] = row.get("created_by") or by
    row["pinyin"], row["initials"] = pinyin_keys(row["name"])
    # History: the card's grade and stage from its beginning (a closed card that was engaged
    # on one day and closed on a later one goes through prospect).
    why = (row.get("lost_reason") or lost_reason) if stage == "lost" else None
    history = [change_row("grade", None, grade, created, by)]
    if stage in ("won", "lost") and closed is not None and closed > created.date():
        ended = datetime.combine(closed, datetime.min.time())
        history.append(change_row("stage", None, "prospect", created, by))
        dwell = (ended - created).total_seconds() / 86400
        history.append(change_row("stage", "prospect", stage, ended, by, why, dwell))
    else:
        history.append(change_row("stage", None, stage, created, by, why))
    reached = [STAGE_INDEX.get(h["new"], -1) for h in history if h["field"] == "stage"]
    row["top_stage"] = max(reached) if max(reached) >= 0 else None
    row["stage_since"] = history[-1]["at"]
    # The first plan: the day given, else today for an open card with a rhythm.
    planned_on = created.date() if typed_late else today
    due = reminders.first_contact(grade, stage, next_date, planned_on)
    plan = None
    if due is not None:
        plan = {
            "due": due,
            "purpose": purpose,
            "owner": row["owner"],
            "auto": next_date is None,
            "status": "open",
            "created_on": planned_on,
            "closed_on": None,
            "followup_id": None,
        }
    row["next_due"] = due
    row["next_purpose"] = purpose if due is not None else None
    row["search_key"] = search_key(row)
    audit = {"action": action, "field": None, "old": None, "new": None, "at": now, "by": by}
    return NewCard(row, history, plan, audit)


def add_card(
    conn: Conn,
    values: dict[str, Any],
    *,
    clock: Clock,
    by: str,
    grade: str | None = None,
    stage: str = "prospect",
    next_date: date | None = None,
    purpose: str | None = None,
    force: bool = False,
    number: str | None = None,
    at: datetime | None = None,
) -> str:
    """Add a card and plan its first contact; returns its customer number. ``at``: when the
    customer came, for a card typed in after the fact (not in the future); the audit trail
    keeps when it was typed."""

    values = {k: v for k, v in values.items() if v is not None}
    if not values.get("name"):
        raise InvalidValue(_("a card needs a name"))
    resolve_referrer(conn, values)
    if not force:
        check_duplicates(conn, values)
    if number is not None:
        values["number"] = number
    if at is not None:
        not_in_future(at, clock)
    late = at is not None and at < clock.now
    card = new_card(
        values,
        now=clock.now,
        today=clock.today,
        by=by,
        grade=grade,
        stage=stage,
        next_date=next_date,
        purpose=purpose,
        created=at if late else None,
        typed_late=late,
    )
    if values.get("referrer_id") is not None:
        card.row["referrer_id"] = values["referrer_id"]
    return writes.insert_card(conn, card, number)


def edit_card(
    conn: Conn, number: str, values: dict[str, Any], *, clock: Clock, by: str, force: bool
) -> list[str]:
    row = reads.card_row(writes.runner(conn), number)
    resolve_referrer(conn, values, self_id=row["id"])
    if not force:
        check_duplicates(conn, {k: v for k, v in values.items() if v is not None}, row)
    changed = writes.update_fields(conn, row, values, clock.now, by)
    return list(changed)


def reopen(
    conn: Conn,
    number: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    at: datetime | None = None,
) -> str:
    """Reopen a lost card at the stage it was lost from; ``at`` is when it happened."""
    row = reads.card_row(writes.runner(conn), number)
    if row["stage"] != "lost":
        raise InvalidValue(
            _("{number} is not lost (its stage is {stage}): nothing to reopen").format(
                number=row["number"], stage=row["stage"]
            )
        )
    from leadbook.store import history

    back = history.stage_before(writes.connection(conn), row["id"], "lost") or "contacted"
    if back in ("lost", "won"):
        back = "contacted"
    when = change_moment(conn, row, "stage", at, clock)
    set_stage(
        conn, number, back, reason=reason or _("reopened"), clock=clock, by=by, replan=False, at=at
    )
    reminders.after_reopen(conn, row["id"], when.date(), clock, by)
    return back


def card_model(
    conn: Conn,
    row: Any,
    *,
    full: bool = True,
    edits: bool = False,
    today: date | None = None,
) -> Card:
    """The card as `show` and --json give it (``leadbook.cardview.card_model`` on this
    connection)."""
    from leadbook import cardview

    return cardview.card_model(writes.runner(conn), row, full=full, edits=edits, today=today)


# What the card commands call: each does one command's work in the caller's transaction.


def fields_from_options(conn: Conn, raw: dict[str, str | None], today: date) -> dict[str, Any]:
    """The card's fields as `add` and `edit` take them; phone numbers without a country code
    are read as numbers of the book's country (config phone.region); a budget is in the book's
    currency."""
    amounts = [str(raw[f]) for f in AMOUNT_FIELDS if raw.get(f)]
    if amounts:
        from leadbook.config import currency

        for amount in amounts:
            parsing.check_currency(amount, currency(conn))
    if not any(raw.get(f) for f in PHONE_FIELDS):
        return parse_fields(raw, today)
    from leadbook.config import phone_region

    with parsing.phone_region(phone_region(conn)):
        return parse_fields(raw, today)


def add_from_options(
    conn: Conn,
    raw: dict[str, str | None],
    *,
    clock: Clock,
    by: str,
    grade: str | None,
    stage: str,
    next_date: date | None,
    purpose: str | None,
    force: bool,
    at: datetime | None,
    own: list[str] | None = None,
) -> Card:
    """`leadbook add`: a new card from the options as typed (``own``: `--set NAME=VALUE` of
    the book's own fields); the card as stored."""
    values = fields_from_options(conn, raw, clock.today)
    if own:
        values["extra"] = set_own_fields(conn, own, {})
    number = add_card(
        conn,
        values,
        clock=clock,
        by=by,
        grade=grade,
        stage=stage,
        next_date=next_date,
        purpose=purpose,
        force=force,
        at=at,
    )
    return card_model(conn, reads.card_row(writes.runner(conn), number), today=clock.today)


def add_to(book: Book, raw: dict[str, str | None], **options: Any) -> Card:
    """`leadbook add` on ``book``: ``add_from_options`` by the book's user, in one write
    transaction (on a SQLite book without SQLAlchemy: ``leadbook.store.fast.write``)."""
    from leadbook.store import fast

    return fast.write(book, lambda run: add_from_options(run, raw, by=book.user, **options))


def edit_from_options(
    conn: Conn,
    number: str,
    raw: dict[str, str | None],
    *,
    grade: str | None,
    stage: str | None,
    reason: str | None,
    clock: Clock,
    by: str,
    force: bool,
    own: list[str] | None = None,
) -> tuple[list[str], Card]:
    """`leadbook edit`: the fields changed, and the card as stored."""
    values = fields_from_options(conn, raw, clock.today)
    before: dict[str, Any] = {}
    if own:
        row = reads.card_row(writes.runner(conn), number)
        before = json.loads(row["extra"]) if row["extra"] else {}
        values["extra"] = set_own_fields(conn, own, before)
    changed = edit_card(conn, number, values, clock=clock, by=by, force=force)
    if "extra" in changed:  # name the book's own fields that changed
        after = json.loads(values["extra"]) if values["extra"] else {}
        names = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        changed[changed.index("extra") : changed.index("extra") + 1] = names
    if grade is not None:
        old, new = set_grade(conn, number, grade, reason=reason, clock=clock, by=by)
        if old != new:
            changed.append("grade")
    if stage is not None:
        old, new = set_stage(conn, number, stage, reason=reason, clock=clock, by=by)
        if old != new:
            changed.append("stage")
    return changed, card_model(conn, reads.card_row(writes.runner(conn), number), today=clock.today)


@dataclass
class GradeSuggestion:
    number: str
    grade: str
    expected: date | None
    suggested: str | None  # the grade the expected purchase date suggests


def grade_suggestion(conn: Conn, number: str, today: date) -> GradeSuggestion:
    """`leadbook grade NUMBER`: the card's grade and the one its expected date suggests."""
    row = reads.card_row(writes.runner(conn), number)
    return GradeSuggestion(
        row["number"], row["grade"], row["expected"], suggest_grade(row["expected"], today)
    )


def reopen_card(
    conn: Conn,
    number: str,
    *,
    reason: str | None,
    clock: Clock,
    by: str,
    at: datetime | None = None,
) -> StatusChange:
    """`leadbook reopen`: back to the stage the card was lost from."""
    back = reopen(conn, number, reason=reason, clock=clock, by=by, at=at)
    return status_change(conn, number, "lost", back)
