"""The daily commands without importing Typer (issue 15): `show`, `search`, `list`, `due`,
`add`, `log`, `grade`, `stage`, `lost`, `reopen`, `journal` and `funnel`.

A salesperson runs these dozens of times a day, and importing Typer (with the click it
vendors) is 45 ms of each. Their options are declared once, on the Typer commands:
``scripts/compile_sql.py`` writes those declarations to ``options.json`` (``declared()``),
and tests/test_quick.py fails when the file differs from them. What each command then does is
in leadbook.cli.daily, which the Typer commands call too. A command line this parser takes
whole is run here; any other (``--help``, a mistyped or unknown option, a value click would
refuse, a left-out argument or required option, ``LEADBOOK_FULL_STACK=1``) goes to Typer,
which answers or explains it as always. A customer number's completion is answered here as
well (``complete``); every other completion goes to Typer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

OPTIONS = Path(__file__).with_name("options.json")


# Each quick command and its function in leadbook.cli.daily.
_BODIES = {
    "show": "show",
    "search": "search",
    "list": "list_cards",
    "due": "due",
    "add": "add",
    "log": "log",
    "grade": "grade",
    "stage": "stage",
    "lost": "lost",
    "reopen": "reopen",
    "journal": "journal",
    "funnel": "funnel",
}
QUICK = tuple(_BODIES)


class _Refused(Exception):
    """The parser does not take this line: Typer will."""


def _value(kind: str, text: str) -> Any:
    if kind == "int":
        try:
            return int(text)  # as click's INT does
        except ValueError:
            raise _Refused from None
    if kind == "path":
        # click's Path (readable by default) refuses an existing file leadbook cannot read
        if not text or (os.path.exists(text) and not os.access(text, os.R_OK)):
            raise _Refused
        return Path(text)
    return text


def _parse(
    words: list[str], options: dict[str, list[Any]], arguments: list[list[Any]], stop: bool
) -> tuple[dict[str, Any], list[str]]:
    """Options and arguments as click parses them (options anywhere, ``--opt=value``, ``--``),
    for the kinds the quick commands use. ``stop``: the words after the last argument are
    returned unread (the command's own, after the global options and the command word)."""
    values: dict[str, Any] = {}
    positional: list[str] = []
    rest = list(words)
    while rest and not (stop and len(positional) == len(arguments)):
        word = rest.pop(0)
        if word == "--" and not stop:
            positional += rest
            rest = []
            break
        if word.startswith("-") and word != "-":
            name, eq, given = word.partition("=")
            if name not in options:
                raise _Refused
            dest, kind, many = options[name]
            if kind == "flag":
                if eq:
                    raise _Refused
                values[dest] = True
                continue
            if not eq:
                if not rest:
                    raise _Refused
                given = rest.pop(0)
            value = _value(kind, given)
            if many:
                values.setdefault(dest, []).append(value)
            else:
                values[dest] = value
            continue
        positional.append(word)
    if len(positional) != len(arguments):
        raise _Refused  # missing or extra arguments: Typer says which
    for (dest, kind), word in zip(arguments, positional, strict=True):
        values[dest] = _value(kind, word)
    return values, rest


def _spec() -> dict[str, Any] | None:
    """The declared options, or None when the full stack is asked for."""
    if os.environ.get("LEADBOOK_FULL_STACK") == "1":
        return None
    try:
        spec: dict[str, Any] = json.loads(OPTIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a broken install: Typer still knows the commands
        return None
    return spec


def _command_line(spec: dict[str, Any], args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The global options and the command word (``command``) of ``args``, and the words after
    it, each cleaned as the Typer group cleans every argument."""
    from leadbook.text import clean

    words = [clean(a) for a in args]
    return _parse(words, spec["global"], [["command", "text"]], stop=True)


class Line(NamedTuple):
    command: str
    given: dict[str, Any]  # the global options
    values: dict[str, Any]  # the command's arguments and options, defaults included


def parse(args: list[str]) -> Line | None:
    """``args`` (what follows ``leadbook``) parsed, if they are a quick command's line this
    parser takes whole; None: Typer takes them."""
    spec = _spec()
    if spec is None:
        return None
    try:
        given, rest = _command_line(spec, args)
        command = given.pop("command")
        if command not in _BODIES:
            return None
        declared = spec["commands"][command]
        values, _rest = _parse(rest, declared["options"], declared["arguments"], stop=False)
    except _Refused:
        return None
    if any(dest not in values for dest in declared["required"]):
        return None  # a required option left out: Typer says which
    return Line(command, given, {**declared["defaults"], **values})


def run(args: list[str]) -> int | None:
    """Run ``args`` here if :func:`parse` takes them: the exit code. None: Typer runs them."""
    line = parse(args)
    if line is None:
        return None
    command, given, values = line
    from leadbook.cli.context import State, check_lang, failed, quiet_stdout

    state = State(db=given.get("db"), user=given.get("as_user"), debug=bool(given.get("debug")))
    try:
        check_lang(given.get("lang"))
        from leadbook.cli import daily

        body: Callable[..., None] = getattr(daily, _BODIES[command])
        body(state, **values)
    except BrokenPipeError:
        quiet_stdout()  # `leadbook due | head`: the reader had enough
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C too: one line, exit 130
        code = failed(exc, state)
        if code is None:
            raise
        return code
    finally:
        state.close()
    return 0


def complete(typed: list[str]) -> str | None:
    """What to print for a shell completing a customer number, the first argument of a
    command (`leadbook log zs<TAB>`), after only options: ``typed`` are the words before the
    one completed. None: Typer answers (every other completion)."""
    spec = _spec()
    instruction, _, shell = os.environ.get("_LEADBOOK_COMPLETE", "").partition("_")
    if spec is None or instruction != "complete" or shell not in ("bash", "zsh", "fish"):
        return None
    from leadbook.cli import offers

    _words, incomplete = offers.typed()
    if incomplete.startswith("-") or incomplete == "=":
        return None  # an option's name: Typer offers them
    try:
        given, rest = _command_line(spec, typed)
        options = spec["numbers"].get(given["command"])
        if options is None:
            return None
        _parse(rest, options, [], stop=False)  # options alone: the number comes next
    except _Refused:
        return None
    found = offers.cards(incomplete, given.get("db"), given.get("as_user"))
    return offers.reply(shell, found, incomplete)


def declared() -> dict[str, Any]:
    """The global options and those of the quick commands, as the Typer app declares them
    (imports Typer: for scripts/compile_sql.py and the tests)."""
    import typer.main

    from leadbook.cli.app import load

    group = typer.main.get_command(load())
    commands = {}
    for name in QUICK:
        command = group.commands[name]  # type: ignore[attr-defined]
        options: dict[str, list[Any]] = {}
        arguments: list[list[Any]] = []  # every one must be given (`add` without a name asks)
        defaults: dict[str, Any] = {}
        required: list[str] = []
        for param in command.params:
            kind = _kind(param)
            if param.param_type_name == "argument":
                arguments.append([param.name, kind])
                continue
            for opt in param.opts:
                options[opt] = [param.name, kind, param.multiple]
            defaults[param.name] = param.default
            if param.required:
                required.append(param.name)
        commands[name] = {
            "arguments": arguments,
            "options": options,
            "defaults": defaults,
            "required": required,
        }
    global_options = {
        opt: [param.name, _kind(param), param.multiple]
        for param in group.params
        if not param.is_eager and param.callback is None  # --version, --install-completion ...
        for opt in param.opts
    }
    numbers = {}  # commands whose first argument is a customer number: their options
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        takes = [p for p in command.params if p.param_type_name == "argument"]
        if not takes or takes[0].name != "number":
            continue
        named: list[Any] = [p for p in command.params if p.param_type_name == "option"]
        if any(p.nargs != 1 or p.count for p in named):
            continue  # pragma: no cover - leadbook declares none
        numbers[name] = {
            opt: [param.name, "flag" if param.is_flag else "text", False]
            for param in named
            for opt in (*param.opts, *param.secondary_opts)
        }
    return {"global": global_options, "commands": commands, "numbers": numbers}


def _kind(param: Any) -> str:
    if param.nargs != 1 or param.envvar or param.callback is not None or param.secondary_opts:
        raise ValueError(f"{param.name}: leadbook.cli.quick does not parse this kind of option")
    kind = {"str": "text", "int": "int", "path": "path", "boolean": "flag"}.get(param.type.name)
    if kind is None or (kind == "flag" and not getattr(param, "is_flag", False)):
        raise ValueError(f"{param.name}: leadbook.cli.quick does not parse {param.type.name}")
    return kind


def dump(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
