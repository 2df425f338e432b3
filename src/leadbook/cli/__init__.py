"""leadbook's command line. ``main`` picks the language before the commands (and their help)
are defined, then runs the line without Typer when leadbook.cli.quick takes it whole, else
the Typer app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    import gc

    # A command lives for a fraction of a second and frees nearly everything by reference
    # counting; the cyclic collector's frequent passes over the freshly imported modules cost
    # more than they find (about 20 ms of `leadbook due`). Collect rarely.
    gc.set_threshold(20_000, 50, 50)
    from leadbook import i18n

    args = sys.argv[1:] if argv is None else argv
    typed = args
    from leadbook.cli.context import completing

    shell = completing()  # a shell asks to complete the line typed so far
    if shell:
        from leadbook.cli.offers import typed_words

        typed = typed_words()
    i18n.set_language(i18n.detect(typed))  # before the commands' help is translated
    from leadbook.cli import quick

    # the daily commands and a customer number's completion without Typer, when the line is
    # one leadbook.cli.quick takes whole
    if shell:
        answer = quick.complete(typed)
        if answer is not None:
            from leadbook.cli.offers import say

            say(answer)
            raise SystemExit(0)
        from leadbook.cli.completion import register

        register()
    else:
        code = quick.run(args)
        if code is not None:
            raise SystemExit(code)
    from leadbook.cli.app import load

    try:
        load(typed)(args=args, prog_name="leadbook")
    except BrokenPipeError:  # raised while flushing, after the command itself ended
        from leadbook.cli.context import quiet_stdout

        quiet_stdout()
