"""The book itself: where it is, its schema, its settings, and the demo."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import typer

from leadbook.cli.app import app, state
from leadbook.cli.common import done, print_json
from leadbook.i18n import _, ngettext

db_app = typer.Typer(
    help=_("Where the book is and its schema version.\n\nExample: leadbook db path"),
    no_args_is_help=True,
)
config_app = typer.Typer(
    help=_(
        "Settings stored in the book and shared by everyone who uses it: the follow-up interval "
        "of each grade, care days, currency.\n\nExample: leadbook config"
    ),
    invoke_without_command=True,
)
field_app = typer.Typer(
    help=_(
        "The book's own card fields (车牌号, 会员等级 ...): set with `edit --set NAME=VALUE`, "
        "shown, searched, filtered with `list --field`, exported and imported.\n\n"
        "Example: leadbook config field add 车牌号"
    ),
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
config_app.add_typer(field_app, name="field")


@field_app.command(
    "add",
    help=_("Name a card field of this book's own.\n\nExample: leadbook config field add 车牌号"),
)
def field_add(
    ctx: typer.Context, name: str = typer.Argument(..., help=_("The field's name."))
) -> None:
    from leadbook.config import add_field

    book = state(ctx).book()
    with book.write() as conn:
        added = add_field(conn, name)
    done(
        _("Field {name} added: set it with leadbook edit NUMBER --set {name}=VALUE").format(
            name=added
        )
    )


@field_app.command(
    "list", help=_("List the book's own card fields.\n\nExample: leadbook config field list")
)
def field_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON only, for scripts.")),
) -> None:
    from leadbook.config import own_fields

    book = state(ctx).book()
    with book.read() as conn:
        names = own_fields(conn)
    if as_json:
        print_json(names)
        return
    for name in names:
        print(name)
    if not names:
        done(_("No fields of the book's own yet: leadbook config field add NAME"))


@field_app.command(
    "remove",
    help=_(
        "Forget a declared field (cards keep the values they hold).\n\n"
        "Example: leadbook config field remove 车牌号"
    ),
)
def field_remove(
    ctx: typer.Context, name: str = typer.Argument(..., help=_("The field's name."))
) -> None:
    from leadbook.config import remove_field

    book = state(ctx).book()
    with book.write() as conn:
        remove_field(conn, name)
    done(_("Field {name} removed; cards keep their values.").format(name=name))


@db_app.command(
    "path",
    help=_(
        "Print where the book is (a file, or a database URL without its password).\n\n"
        "Example: leadbook db path"
    ),
)
def db_path(ctx: typer.Context) -> None:
    from leadbook.store.db import display_url, resolve_url

    print(display_url(resolve_url(state(ctx).db)))


@db_app.command(
    "upgrade",
    help=_(
        "Bring the book's schema up to date (leadbook also does this on first use).\n\n"
        "Example: leadbook db upgrade"
    ),
)
def db_upgrade(ctx: typer.Context) -> None:
    from leadbook.store.db import SCHEMA_HEAD

    state(ctx).book().engine  # noqa: B018 - opening the book (its engine) upgrades it
    done(_("The book is at schema {rev}.").format(rev=SCHEMA_HEAD))


@db_app.command(
    "current", help=_("Print the book's schema revision.\n\nExample: leadbook db current")
)
def db_current(ctx: typer.Context) -> None:
    from leadbook.store.db import current_revision, resolve_url

    revision = current_revision(resolve_url(state(ctx).db))
    print(revision or _("none (a new book: it will be created on first use)"))


@config_app.callback()
def config_show(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON only, for scripts.")),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from leadbook import config

    book = state(ctx).book()
    with book.read() as conn:
        values = config.settings(conn)
    if as_json:
        print_json(values)
        return
    from leadbook.render.book import print_settings

    print_settings(values)


@config_app.command(
    "set",
    help=_(
        "Change a setting for everyone using this book. Festival greetings in `due`: "
        "`festival.NAME MM-DD` adds a festival of the book's own (none removes it), "
        "greet.grades says whom to greet, greet.days how many days ahead."
        "\n\nExample: leadbook config set interval.B 5"
    ),
    # a value such as -1 is a value to check, not an option
    context_settings={"ignore_unknown_options": True},
)
def config_set(
    ctx: typer.Context,
    key: str = typer.Argument(
        ...,
        help=_(
            "interval.A ... interval.E, care_days, currency, phone.region, greet.grades, "
            "greet.days or festival.NAME."
        ),
    ),
    value: str = typer.Argument(
        ..., help=_('The new value ("none" for no rhythm, or to remove a festival).')
    ),
) -> None:
    from leadbook.config import set_setting

    book = state(ctx).book()
    with book.write() as conn:
        stored = set_setting(conn, key, value)
    done(_("{key} = {value}").format(key=key, value=stored or _("none")))


@app.command(
    "demo",
    help=_(
        "Show `due` and the week's journal on a sample book, without touching your own book."
        "\n\nExample: leadbook demo"
    ),
)
def demo(ctx: typer.Context) -> None:
    from leadbook import sample
    from leadbook.cli import main as run
    from leadbook.i18n import language

    tmp = Path(tempfile.mkdtemp(prefix="leadbook-demo-"))
    try:
        path = tmp / "sample.db"
        sample.build(path)
        env = {"LEADBOOK_NOW": sample.TODAY.isoformat()}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            from leadbook.render import out, reset

            reset()
            out().rule(
                _("leadbook due (sample book, {date})").format(date=sample.TODAY.isoformat())
            )
            # each command in the language of this one (`--lang zh demo`), not the locale's
            book = ["--lang", language(), "--db", str(path)]
            _run(run, [*book, "due"])
            out().rule(_("leadbook journal --week (sample book)"))
            _run(run, [*book, "journal", "--week", sample.TODAY.isoformat()])
            done(
                _(
                    "That was a sample book, now deleted; your own book is untouched. "
                    "Start yours with: leadbook add NAME --mobile ... --grade B"
                )
            )
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(run, args: list[str]) -> None:
    try:
        run([*args])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


@app.command(
    "backup",
    help=_(
        "Copy the book to FILE with SQLite's online backup (safe while others use it); the copy "
        "is readable by you only. For a PostgreSQL book use pg_dump.\n\n"
        "Example: leadbook backup ~/backups/book-2026-03-18.db"
    ),
)
def backup_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("Where to write the copy.")),
    force: bool = typer.Option(False, "--force", help=_("Replace FILE if it already exists.")),
) -> None:
    from leadbook.restore import backup

    target = backup(state(ctx).book(), file, force=force)
    done(_("Backed up the book to {path}.").format(path=target))


@app.command(
    "restore",
    help=_(
        "Replace the book with a backup, once it is checked to be a leadbook book: SQLite's "
        "integrity check, and every table, index and trigger as leadbook makes them (a file "
        "with anything else is refused). The book as it was is kept beside it first "
        "(.before-restore.bak).\n\nExample: leadbook restore ~/backups/book-2026-03-18.db"
    ),
)
def restore_(
    ctx: typer.Context, file: Path = typer.Argument(..., help=_("The backup to restore."))
) -> None:
    from leadbook.restore import restore

    st = state(ctx)
    kept = restore(st.book(), file)
    st.close()
    st.book()  # the restored book opens as any other
    done(_("Restored {path}; the book as it was is at {kept}.").format(path=file, kept=kept))


@app.command(
    "forget",
    help=_(
        "Erase a person's personal data on their request (PIPL/GDPR): name, contacts, notes, "
        "birthday, everything personal on the card and in its follow-ups. The customer number, "
        "grade, stage, dates and deal amounts stay, so funnel and reports stay right; the audit "
        "trail records that it happened, not what was erased. Backups and exports made before keep "
        "what they held: erase or replace them too.\n\nExample: leadbook forget C00042 --yes"
    ),
)
def forget_(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Customer number.")),
    yes: bool = typer.Option(False, "--yes", help=_("Yes, erase it: this cannot be undone.")),
    rewrite: bool = typer.Option(
        False,
        "--rewrite",
        help=_(
            "PostgreSQL: also rewrite the tables that held the data (VACUUM FULL), so no byte "
            "of it is left in the database's files; the tables are locked while it runs."
        ),
    ),
) -> None:
    from leadbook.cli.common import clock
    from leadbook.errors import InvalidValue
    from leadbook.team import erase

    if not yes:
        raise InvalidValue(_("forgetting cannot be undone: run again with --yes"))
    kept, pending = erase(state(ctx).book(), number, clock().now, rewrite=rewrite)
    done(_("Erased the personal data of {number}.").format(number=kept))
    if pending:
        done(pending)


@app.command(
    "reassign",
    help=_(
        "Hand cards from one salesperson to another with their history, as when someone leaves "
        "or a territory moves.\n\nExample: leadbook reassign --from 王丽 --to 李强 --grade A"
    ),
)
def reassign_(
    ctx: typer.Context,
    source: str = typer.Option(..., "--from", help=_("Whose cards.")),
    target: str = typer.Option(..., "--to", help=_("Who takes them.")),
    grade: list[str] = typer.Option(None, "--grade", help=_("Only these grades.")),
    stage: list[str] = typer.Option(None, "--stage", help=_("Only these stages.")),
) -> None:
    from leadbook.cli.common import clock, split_multi
    from leadbook.parsing import parse_grade, parse_stage
    from leadbook.team import reassign

    c = clock()
    grades = [parse_grade(g) for g in split_multi(grade)]
    stages = [parse_stage(s) for s in split_multi(stage)]
    book = state(ctx).book()
    with book.write() as conn:
        n = reassign(conn, source, target, grades=grades, stages=stages, now=c.now, by=book.user)
    moved = ngettext(
        "Moved {n} card from {source} to {target}.", "Moved {n} cards from {source} to {target}.", n
    )
    done(moved.format(n=n, source=source, target=target))


team_app = typer.Typer(
    help=_(
        "Salespeople and their books: cards, A and B cards, overdue and due today, won, lost. "
        "On a PostgreSQL book, `team add` gives a new salesperson their own login.\n\n"
        "Example: leadbook team --json"
    ),
    invoke_without_command=True,
)
app.add_typer(team_app, name="team")


@team_app.callback()
def team_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON only, for scripts.")),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from leadbook.cli.common import clock, dump
    from leadbook.team import members

    c = clock()
    book = state(ctx).book()
    with book.read() as conn:
        rows = members(conn, c.today)
    if as_json:
        print_json(dump(rows))
        return
    from leadbook.render.book import print_team

    print_team(rows)


@team_app.command(
    "add",
    help=_(
        "Give a salesperson their own login to a PostgreSQL book (run by a manager or the "
        "book's owner). They see and change their own cards only; with --manager, everyone's. "
        "Without --password a password is made up and printed once: hand it over in person."
        "\n\nExample: leadbook team add 王丽"
    ),
)
def team_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=_("Their login, also the owner name on their cards.")),
    manager: bool = typer.Option(
        False, "--manager", help=_("A manager: sees and changes every card, and the settings.")
    ),
    password: str = typer.Option(
        None, "--password", help=_("Their password (default: one made up and printed once).")
    ),
) -> None:
    from leadbook.identity import add_member, new_password

    chosen = password if password is not None else new_password()
    book = state(ctx).book()
    with book.write() as conn:
        add_member(conn, name, chosen, manager)
    if password is None:
        print(chosen)  # the only time it is shown
    done(
        (
            _("{name} can now log in to the book as a manager.")
            if manager
            else _("{name} can now log in to the book and work on their own cards.")
        ).format(name=name.strip())
        + (_(" Their password is printed above, this once.") if password is None else "")
    )
