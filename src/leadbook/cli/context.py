"""What every command does around its work, through Typer or not (leadbook.cli.quick): the
book it opens, and the one line and exit code a failure gives. Imports nothing heavy."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from leadbook.errors import InvalidValue, LeadbookError
from leadbook.i18n import _

if TYPE_CHECKING:
    from leadbook.store.db import Book


class State:
    """The global options (--db, --as, --debug) and the book they open, once."""

    def __init__(self, db: str | None = None, user: str | None = None, debug: bool = False):
        self.db = db
        self.user = user
        self.debug = debug
        self._book: Book | None = None

    def book(self) -> Book:
        if self._book is None:
            from leadbook.store.db import Book, acting_user, resolve_url

            book = Book(resolve_url(self.db), acting_user(self.user))
            if book.path is None and book.engine.dialect.name == "postgresql":
                # the login, not a name, decides
                try:
                    book.user = acting_user(self.user, book.engine)
                except BaseException:
                    book.close()
                    raise
            self._book = book
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def completing() -> bool:
    """Whether a shell runs leadbook to complete a line (leadbook.cli.completion)."""
    return bool(os.environ.get("_LEADBOOK_COMPLETE"))


def check_lang(lang: str | None) -> None:
    """--lang names a language leadbook speaks."""
    if lang is not None and not lang.strip().lower().startswith(("zh", "en")):
        raise InvalidValue(
            _("--lang {lang!r}: leadbook speaks en (English) and zh (中文)").format(lang=lang)
        )


def debugging(state: State | None) -> bool:
    return bool(state and state.debug) or os.environ.get("LEADBOOK_DEBUG") == "1"


def failed(exc: BaseException, state: State | None) -> int | None:
    """The exit code of a command that raised ``exc`` (an Exception or Ctrl-C), its one line
    printed. None with --debug: the caller lets the exception go on, traceback and all; Ctrl-C
    then ends with 130 and says nothing, as Typer ends it."""
    if debugging(state):
        return 130 if isinstance(exc, KeyboardInterrupt) else None
    return fail(exc)


def fail(exc: BaseException) -> int:
    """Print the one line for ``exc`` on stderr; its exit code."""
    code, text = describe(exc)
    if text:
        from leadbook.render import err

        err().print(f"[bold red]{_('Error')}:[/] {_escape(text)}")
    return code


def describe(exc: BaseException) -> tuple[int, str]:
    """Exit code and one line for any failure."""
    if isinstance(exc, LeadbookError):
        return exc.exit_code, exc.message
    if isinstance(exc, KeyboardInterrupt):
        return 130, _("interrupted: nothing was written")
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0] if text else exc.__class__.__name__
    lowered = first.lower()
    if "database is locked" in lowered or "table is locked" in lowered or "lock timeout" in lowered:
        return 1, _(
            "the book is busy in another program: try again in a moment (nothing was written)"
        )
    if (
        "disk is full" in lowered
        or "no space left" in lowered
        or "could not extend file" in lowered
    ):
        return 1, _("the disk is full: free some space and try again (nothing was written)")
    if "row-level security" in lowered or re.match(
        r"(permission denied (for|to)|must be owner of) ", lowered
    ):
        # PostgreSQL refused the login (leadbook.identity): not a file's permissions
        return 1, _("your database login may not do this (a manager may): {reason}").format(
            reason=first
        )
    if "readonly database" in lowered or "read-only" in lowered or "permission denied" in lowered:
        return 1, _("the book cannot be written (read-only file or folder): {reason}").format(
            reason=first
        )
    if "file is not a database" in lowered or "malformed" in lowered:
        return 1, _("the book file is not a leadbook database or is damaged: {reason}").format(
            reason=first
        )
    if "unable to open database" in lowered:
        return 1, _("cannot open the book: {reason}").format(reason=first)
    if isinstance(exc, OSError):
        return 1, f"{exc.strerror or first}" + (f": {exc.filename}" if exc.filename else "")
    return 1, _("unexpected error: {reason} (run with --debug to see the details)").format(
        reason=f"{exc.__class__.__name__}: {first}"
    )


def quiet_stdout() -> None:
    """Point stdout at /dev/null once its reader has gone, so that nothing more written (the
    interpreter's last flush included) fails again (Python's documented idiom for SIGPIPE)."""
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's capture)
        pass


def _escape(text: str) -> str:
    from rich.markup import escape

    from leadbook.text import visible

    return escape(visible(text))
