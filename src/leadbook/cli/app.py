"""The Typer application: global options, error handling, and the command modules."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import (
    TyperGroup,
    _click,  # typer vendors click; its exceptions live here
)

from leadbook import __version__
from leadbook.cli.context import State, check_lang, completing, fail, failed, quiet_stdout
from leadbook.errors import LeadbookError
from leadbook.i18n import _

_ClickException = _click.exceptions.ClickException


class LeadbookGroup(TyperGroup):
    """Turns every failure into one line on stderr and an exit code; a traceback only with --debug."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, SystemExit, _ClickException):
            raise  # usage errors keep click's message and exit code 2
        except BrokenPipeError:
            quiet_stdout()  # `leadbook journal | head`: the reader had enough, as with any tool
            raise typer.Exit(0) from None
        except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C too: one line, exit 130
            code = failed(exc, ctx.obj if isinstance(ctx.obj, State) else None)
            if code is None:
                raise
            raise typer.Exit(code) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # keep the order the commands are declared in

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Every option and argument of every command passes here: no NUL, terminal control
        # character or escape sequence reaches a card, a note or a reason.
        from leadbook.text import clean

        if completing():
            from leadbook.cli.completion import attach

            attach(self, deep=False)  # --lang
        return super().parse_args(ctx, [clean(a) for a in args])

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _translate_help_option(command, ctx)
            if completing():
                from leadbook.cli.completion import attach

                attach(command)  # customer numbers, grades, stages ... (leadbook.cli.completion)
        return command

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


def _translate_help_option(command: Any, ctx: Any) -> None:
    """`--help` of every command says what it does in the interface's language (click's own
    text is English only)."""
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = _("Show this message and exit.")
    for sub in getattr(command, "commands", {}).values():
        _translate_help_option(sub, ctx)


app = typer.Typer(
    cls=LeadbookGroup,
    name="leadbook",
    help=_(
        "leadbook: your prospect book. Capture prospects on cards, grade them A-E by how soon "
        "they can close, log every contact, and see who is due today."
    ),
    epilog=_('Start with: leadbook add "张三" --mobile 13800138000 --grade B, then leadbook due.'),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"leadbook {__version__}")
        raise typer.Exit()


def _install_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # not while a shell completes the line
        from leadbook.cli.completion import detect_shell, install
        from leadbook.render import message

        with _one_line_errors():
            shell = detect_shell()
            path = install(shell)
        message(
            _("Completion for {shell} installed in {path}: open a new terminal to use it.").format(
                shell=shell, path=path
            )
        )
        raise typer.Exit()


def _show_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from leadbook.cli.completion import detect_shell, script

        with _one_line_errors():
            shell = detect_shell()
        print(script(shell), end="")
        raise typer.Exit()


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """For an option's callback, which runs before the group's ``invoke`` can catch."""
    try:
        yield
    except (LeadbookError, OSError) as exc:
        raise typer.Exit(fail(exc)) from None


@app.callback()
def _main(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        metavar="PATH_OR_URL",
        help=_(
            "The book: a file path or a database URL. Default: $LEADBOOK_DB, then your data folder."
        ),
    ),
    lang: str = typer.Option(None, "--lang", help=_("Interface language: en or zh.")),
    as_user: str = typer.Option(
        None,
        "--as",
        metavar="NAME",
        help=_(
            "Act as this salesperson (default: $LEADBOOK_USER or you). On a PostgreSQL team "
            "book you are your login: only a manager may name a colleague."
        ),
    ),
    debug: bool = typer.Option(False, "--debug", help=_("Show full tracebacks.")),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help=_("Show the version and exit.")
    ),
    install_completion: bool = typer.Option(
        False,
        "--install-completion",
        callback=_install_completion,
        is_eager=True,
        expose_value=False,
        help=_(
            "Install TAB completion for your shell (bash, zsh or fish): customer numbers from "
            "a name or its pinyin."
        ),
    ),
    show_completion: bool = typer.Option(
        False,
        "--show-completion",
        callback=_show_completion,
        is_eager=True,
        expose_value=False,
        help=_("Print the completion script for your shell, to install it yourself."),
    ),
) -> None:
    check_lang(lang)
    state = State(db=db, user=as_user, debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_object(State)
    if obj is None:  # pragma: no cover - the callback always sets it
        obj = State()
        ctx.obj = obj
    return obj


# The command modules register their commands on import, in the order `--help` lists them.
MODULES = ("cards", "contacts", "sales", "accounts", "exchange", "admin")
COMMANDS = {
    "add": "cards",
    "show": "cards",
    "edit": "cards",
    "list": "cards",
    "search": "cards",
    "grade": "cards",
    "stage": "cards",
    "lost": "cards",
    "reopen": "cards",
    "log": "contacts",
    "due": "contacts",
    "journal": "contacts",
    "deal": "sales",
    "deals": "sales",
    "funnel": "sales",
    "report": "sales",
    "plan": "sales",
    "value": "accounts",
    "referrers": "accounts",
    "complaint": "accounts",
    "swot": "accounts",
    "finance": "accounts",
    "visit": "accounts",
    "export": "exchange",
    "import": "exchange",
    "db": "admin",
    "config": "admin",
    "demo": "admin",
    "backup": "admin",
    "restore": "admin",
    "forget": "admin",
    "reassign": "admin",
    "team": "admin",
}
_VALUE_OPTIONS = {"--db", "--lang", "--as"}


def requested_command(args: list[str]) -> str | None:
    """The command word in ``args``, skipping the global options before it."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def load(args: list[str] | None = None) -> typer.Typer:
    """The app with its commands. A known command loads only its own module, and the app
    holds only that command: typer builds a click command, reading every parameter's
    annotations, for each registered one on every run (15 ms for the nine of cards.py).
    Anything else (no command, an unknown one, the tests: ``args`` None) loads them all."""
    command = requested_command(args) if args is not None else None
    module = COMMANDS.get(command or "")
    for name in (module,) if module else MODULES:
        importlib.import_module(f"leadbook.cli.{name}")
    if not module:
        return app
    import copy

    narrowed = copy.copy(app)
    narrowed.registered_commands = [c for c in app.registered_commands if c.name == command]
    narrowed.registered_groups = [g for g in app.registered_groups if g.name == command]
    if not (narrowed.registered_commands or narrowed.registered_groups):
        return app  # pragma: no cover - every name of COMMANDS is registered (a test says so)
    return narrowed
