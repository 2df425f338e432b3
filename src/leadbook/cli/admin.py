"""The book itself: where it is, its schema, its settings, and the demo."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import typer

from leadbook.cli.app import app, state
from leadbook.cli.common import done, print_json
from leadbook.i18n import _

db_app = typer.Typer(help=_("Where the book is and its schema version."), no_args_is_help=True)
config_app = typer.Typer(
    help=_(
        "Settings stored in the book and shared by everyone who uses it: the follow-up interval "
        "of each grade, care days, currency."
    ),
    invoke_without_command=True,
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")


@db_app.command(
    "path", help=_("Print where the book is (a file, or a database URL without its password).")
)
def db_path(ctx: typer.Context) -> None:
    from leadbook.db import display_url, resolve_url

    print(display_url(resolve_url(state(ctx).db)))


@db_app.command(
    "upgrade", help=_("Bring the book's schema up to date (leadbook also does this on first use).")
)
def db_upgrade(ctx: typer.Context) -> None:
    from leadbook.db import SCHEMA_HEAD

    state(ctx).book()  # opening the book upgrades it
    done(_("The book is at schema {rev}.").format(rev=SCHEMA_HEAD))


@db_app.command("current", help=_("Print the book's schema revision."))
def db_current(ctx: typer.Context) -> None:
    from leadbook.db import create_engine, resolve_url, stored_revision

    engine = create_engine(resolve_url(state(ctx).db))
    try:
        with engine.connect() as conn:
            print(stored_revision(conn) or _("none (a new book: it will be created on first use)"))
    finally:
        engine.dispose()


@config_app.callback()
def config_show(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON only, for scripts.")),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from leadbook.repository import settings as settings_repo

    book = state(ctx).book()
    with book.read() as conn:
        values = settings_repo.load(conn)
    if as_json:
        print_json(values)
        return
    from rich import box
    from rich.table import Table

    from leadbook.render import out

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column(_("Setting"), style="bold")
    table.add_column(_("Value"))
    table.add_column(_("Meaning"))
    for key, value in values.items():
        table.add_row(key, value or _("none"), _(settings_repo.DESCRIPTIONS.get(key, "")))
    out().print(table)


@config_app.command(
    "set",
    help=_(
        "Change a setting for everyone using this book.\n\nExample: leadbook config set interval.B 5"
    ),
)
def config_set(
    ctx: typer.Context,
    key: str = typer.Argument(..., help=_("interval.A ... interval.E, care_days or currency.")),
    value: str = typer.Argument(..., help=_('The new value ("none" for no rhythm).')),
) -> None:
    from leadbook.repository import settings as settings_repo

    book = state(ctx).book()
    with book.write() as conn:
        settings_repo.store(conn, key, value)
        values = settings_repo.load(conn)
    done(_("{key} = {value}").format(key=key, value=values[key] or _("none")))


@app.command(
    "demo",
    help=_("Show `due` and the week's journal on a sample book, without touching your own book."),
)
def demo(ctx: typer.Context) -> None:
    from leadbook import sample
    from leadbook.cli import main as run

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
            _run(run, ["--db", str(path), "due"])
            out().rule(_("leadbook journal --week (sample book)"))
            _run(run, ["--db", str(path), "journal", "--week", sample.TODAY.isoformat()])
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
