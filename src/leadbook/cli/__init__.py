"""leadbook's command line. ``main`` picks the language before the commands (and their help)
are defined, then runs the Typer app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from leadbook import i18n

    args = sys.argv[1:] if argv is None else argv
    i18n.set_language(i18n.detect(args))
    from leadbook.cli.app import app

    app(args=args, prog_name="leadbook")
