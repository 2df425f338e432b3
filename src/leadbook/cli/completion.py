"""Shell completion for bash, zsh and fish: `leadbook log zs<TAB>` gives C00001 张三.

The shell runs ``leadbook`` with ``_LEADBOOK_COMPLETE`` set and the line typed so far (bash:
``COMP_WORDS``/``COMP_CWORD``; zsh and fish: ``_TYPER_COMPLETE_ARGS``); Typer's completion
machinery walks the commands and asks the parameter under the cursor for its values. This module
gives those values, by the parameter's name, the same in every command:

- a customer number (``number``, ``--referrer``): the cards `leadbook search` finds for the
  text typed, a name, its pinyin or initials, a phone number or the number itself, with the
  name shown beside each number;
- ``--grade``, ``--stage``, ``--via``, ``--source``, ``--source-detail``, ``--lang`` and the
  key of `config set`: the method's words, each with its meaning in the interface's language.

Only the command module of the command being completed is loaded (``app.load``), a completion
never creates, upgrades or writes a book, and any failure gives no completions, never an error.
The shells' own matching would drop C00001 for ``zs`` (it matches what was typed against the
start of each value), so leadbook formats its answers itself: zsh gets ``compadd -U`` (no
matching), bash keeps what was typed when several cards match and lists them with their names.
Fish always matches values against the typed text, so there a number completes from its own
digits (C00<TAB>) with the name beside it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from typer import _click
from typer._click.shell_completion import CompletionItem, ShellComplete, add_completion_class

from leadbook.i18n import _

SHELLS = ("bash", "zsh", "fish")
LIMIT = 20  # cards offered at most: a shell shows a screenful, and the query stays short


def typed_words() -> list[str]:
    """The words typed after `leadbook` before the one being completed: they choose the
    language (--lang) and the one command module to load (none yet while the command word
    itself is being typed: then every module, to offer every command)."""
    if "COMP_WORDS" in os.environ:  # bash
        return _bash_words()[0]
    return _line_and_word()[0]  # zsh, fish


# ---- what each parameter completes to -------------------------------------------------------


def customers(ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    """Cards for the text typed, found as `leadbook search` finds them (name, pinyin,
    initials, phone, number), each as its number with the name beside it."""
    text = incomplete.strip()
    if not text:
        return []
    try:
        from leadbook.lookup import at_head, search_lines
        from leadbook.store.db import resolve_url

        url = resolve_url(ctx.find_root().params.get("db"))
        if not at_head(url):
            return []  # no book there, or one an ordinary command has to upgrade first
        from leadbook.cli.context import State

        state = State(db=url, user=ctx.find_root().params.get("as_user"))
        try:
            lines, _total = search_lines(state.book(), text, limit=LIMIT)
        finally:
            state.close()
    except Exception:  # a completion says nothing rather than print an error into the line
        if os.environ.get("LEADBOOK_DEBUG") == "1":
            raise
        return []
    return [
        CompletionItem(line.number, help=" · ".join(p for p in (line.name, line.company) if p))
        for line in lines
    ]


def _words(
    pairs: Callable[[], Iterable[tuple[str, str, tuple[str, ...]]]], by_label: bool = True
) -> Any:
    """A completer over (value, label, other words for it): a value matches when it, its
    label (``by_label``: a word such as 意向客户, not a sentence such as a grade's meaning) or
    one of its other words starts with what was typed (意 gives intent)."""

    def complete(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
        typed = incomplete.strip().lower()
        return [
            CompletionItem(value, help=label)
            for value, label, others in pairs()
            if any(
                w.lower().startswith(typed)
                for w in (value, *((label,) if by_label else ()), *others)
            )
        ]

    return complete


def _grades() -> Iterable[tuple[str, str, tuple[str, ...]]]:
    from leadbook import domain

    return [(g, _(domain.GRADE_MEANING[g]), ()) for g in domain.GRADES]


def _labelled(keys: str, labels: str, synonyms: str) -> Callable[[], list[Any]]:
    def pairs() -> list[tuple[str, str, tuple[str, ...]]]:
        from leadbook import domain

        names = getattr(domain, labels)
        others = getattr(domain, synonyms)
        return [(k, _(names[k]), tuple(others.get(k, ()))) for k in getattr(domain, keys)]

    return pairs


def _source_details() -> Iterable[tuple[str, str, tuple[str, ...]]]:
    from leadbook import domain

    return [
        (detail, domain.source_label(channel), words)
        for detail, (channel, words) in domain.SOURCE_DETAILS.items()
    ]


def _config_keys() -> Iterable[tuple[str, str, tuple[str, ...]]]:
    from leadbook.config import DESCRIPTIONS

    return [(key, _(meaning), ()) for key, meaning in DESCRIPTIONS.items()]


def _languages() -> Iterable[tuple[str, str, tuple[str, ...]]]:
    return [("en", "English", ()), ("zh", "中文", ("chinese",))]


# parameter name -> its completer; the same name means the same thing in every command
COMPLETERS: dict[str, Callable[[Any, Any, str], list[CompletionItem]]] = {
    "number": customers,
    "referrer": customers,
    "grade": _words(_grades, by_label=False),
    "stage": _words(_labelled("STAGES", "STAGE_LABELS", "STAGE_SYNONYMS")),
    "via": _words(_labelled("VIAS", "VIA_LABELS", "VIA_SYNONYMS")),
    "source": _words(_labelled("SOURCES", "SOURCE_LABELS", "SOURCE_SYNONYMS")),
    "source_detail": _words(_source_details),
    "key": _words(_config_keys, by_label=False),
    "lang": _words(_languages),
}


def attach(command: Any, deep: bool = True) -> None:
    """Give ``command``'s parameters (and, ``deep``, its subcommands') their completers."""
    for param in command.params:
        completer = COMPLETERS.get(param.name or "")
        if completer is not None and param._custom_shell_complete is None:
            param._custom_shell_complete = completer
    if deep:
        for sub in getattr(command, "commands", {}).values():
            attach(sub)


# ---- what the shell receives ----------------------------------------------------------------


class _Script:
    """The script the shell sources (`leadbook --show-completion`), from SCRIPTS below."""

    name: ClassVar[str]

    def source_vars(self) -> dict[str, Any]:
        return {}

    def source(self) -> str:
        return script(self.name)


def _values(items: list[CompletionItem]) -> list[CompletionItem]:
    """The items to offer: a path parameter's placeholder means "let the shell complete
    file names", which each shell does itself when leadbook offers nothing."""
    return [i for i in items if i.type == "plain"]


def _is_prefix(typed: str, items: list[CompletionItem]) -> bool:
    return all(str(i.value).lower().startswith(typed.lower()) for i in items)


class BashComplete(_Script, ShellComplete):
    name = "bash"

    def get_completion_args(self) -> tuple[list[str], str]:
        return _bash_words()

    def format_completion(self, item: CompletionItem) -> str:
        return str(item.value)

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = _values(self.get_completions(args, incomplete))
        if len(items) > 1 and not _is_prefix(incomplete, items):
            # Bash would put the values' common start (C0000) in place of what was typed
            # (zs); offering the typed text too keeps it, and a second TAB lists who matched.
            return "\n".join([incomplete, *(_shown(i) for i in items)])
        return "\n".join(self.format_completion(i) for i in items)


def _shown(item: CompletionItem) -> str:
    return f"{item.value} {item.help}" if item.help else str(item.value)


def _bash_words() -> tuple[list[str], str]:
    """bash: the words before the cursor, and the word under it."""
    words = _click.shell_completion.split_arg_string(os.environ.get("COMP_WORDS", ""))
    cword = int(os.environ.get("COMP_CWORD", "0") or 0)
    return words[1:cword], (words[cword] if cword < len(words) else "")


def _line_and_word() -> tuple[list[str], str]:
    """zsh and fish: the words before the cursor, and the word under it ("" after a space)."""
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _click.shell_completion.split_arg_string(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class ZshComplete(_Script, ShellComplete):
    name = "zsh"

    def get_completion_args(self) -> tuple[list[str], str]:
        return _line_and_word()

    def format_completion(self, item: CompletionItem) -> str:
        return _zsh_quote(str(item.value))

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = _values(self.get_completions(args, incomplete))
        if not items:
            return "_files"  # as bash and fish do when leadbook has nothing to offer
        width = max(len(str(i.value)) for i in items)
        shown = [f"{i.value!s:<{width}}  -- {i.help}" if i.help else str(i.value) for i in items]
        # -U: leadbook has matched already (zs gives C00001), zsh must not match again; for a
        # name, a menu of the cards found, not their common start (C0000) in place of zs
        return "; ".join(
            (
                "local -a _leadbook_values _leadbook_shown",
                "_leadbook_values=(" + " ".join(self.format_completion(i) for i in items) + ")",
                "_leadbook_shown=(" + " ".join(_zsh_quote(s) for s in shown) + ")",
                "compadd -U -l -d _leadbook_shown -a _leadbook_values",
                *(() if _is_prefix(incomplete, items) else ("compstate[insert]=menu",)),
            )
        )


class FishComplete(_Script, ShellComplete):
    name = "fish"

    def get_completion_args(self) -> tuple[list[str], str]:
        return _line_and_word()

    def format_completion(self, item: CompletionItem) -> str:
        if item.help:
            return f"{item.value}\t{' '.join(str(item.help).split())}"
        return str(item.value)

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = _values(self.get_completions(args, incomplete))
        if os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
            # fish asks first whether leadbook has values here (else it offers file names)
            raise SystemExit(0 if items else 1)
        return "\n".join(self.format_completion(i) for i in items)


def register() -> None:
    """Make Typer's completion use leadbook's shells (before a completion is answered)."""
    for cls in (BashComplete, ZshComplete, FishComplete):
        add_completion_class(cls, cls.name)


# ---- installing -----------------------------------------------------------------------------

SCRIPTS = {
    "bash": """\
_leadbook_completion() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
                   _LEADBOOK_COMPLETE=complete_bash $1 ) )
    return 0
}
complete -o default -F _leadbook_completion leadbook
""",
    "zsh": """\
#compdef leadbook
_leadbook_completion() {
  eval "$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _LEADBOOK_COMPLETE=complete_zsh leadbook)"
}
compdef _leadbook_completion leadbook
""",
    "fish": (
        "complete --command leadbook --no-files --arguments "
        '"(env _LEADBOOK_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args '
        '_TYPER_COMPLETE_ARGS=(commandline -cp) leadbook)" --condition '
        '"env _LEADBOOK_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=is-args '
        '_TYPER_COMPLETE_ARGS=(commandline -cp) leadbook"\n'
    ),
}


def detect_shell() -> str:
    """The shell leadbook runs in (its parent process), else the login shell ($SHELL)."""
    from leadbook.errors import InvalidValue

    name = ""
    try:
        import shellingham

        name = shellingham.detect_shell()[0]
    except Exception:
        name = Path(os.environ.get("SHELL", "")).name
    name = name.lower()
    if name not in SHELLS:
        raise InvalidValue(
            _(
                "cannot complete for the shell {shell!r}: leadbook completes in bash, zsh and fish"
            ).format(shell=name or "?")
        )
    return name


def script(shell: str) -> str:
    return SCRIPTS[shell]


def install(shell: str, home: Path | None = None) -> Path:
    """Write the completion script where ``shell`` finds it; returns the file written."""
    home = Path.home() if home is None else home
    if shell == "bash":
        target = home / ".bash_completions" / "leadbook.sh"
        _add_line(home / ".bashrc", f"source '{target}'")
    elif shell == "zsh":
        target = home / ".zfunc" / "_leadbook"
        _add_line(home / ".zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit")
    else:
        target = home / ".config" / "fish" / "completions" / "leadbook.fish"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script(shell), encoding="utf-8")
    return target


def _add_line(rc: Path, line: str) -> None:
    text = rc.read_text(encoding="utf-8") if rc.is_file() else ""
    if line not in text:
        rc.write_text(text + ("" if not text or text.endswith("\n") else "\n") + line + "\n")
