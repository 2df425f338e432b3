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

from typer._click.shell_completion import CompletionItem, ShellComplete, add_completion_class

from leadbook.cli import offers
from leadbook.i18n import _

SHELLS = ("bash", "zsh", "fish")


# ---- what each parameter completes to -------------------------------------------------------


def customers(ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    """Cards for the text typed (leadbook.cli.offers.cards)."""
    root = ctx.find_root().params
    found = offers.cards(incomplete, root.get("db"), root.get("as_user"))
    return [CompletionItem(o.value, help=o.help) for o in found]


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
    """What each shell gets: the script it sources (`leadbook --show-completion`, from SCRIPTS
    below) and leadbook's answer, formatted by leadbook.cli.offers.reply."""

    name: ClassVar[str]

    def source_vars(self) -> dict[str, Any]:
        return {}

    def source(self) -> str:
        return script(self.name)

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()  # type: ignore[attr-defined]
        found = self.get_completions(args, incomplete)  # type: ignore[attr-defined]
        return offers.reply(self.name, found, incomplete)

    def format_completion(self, item: CompletionItem) -> str:  # pragma: no cover - unused
        return str(item.value)  # complete() formats the whole answer (offers.reply)


class BashComplete(_Script, ShellComplete):
    name = "bash"

    def get_completion_args(self) -> tuple[list[str], str]:
        return offers.bash_words()


class ZshComplete(_Script, ShellComplete):
    name = "zsh"

    def get_completion_args(self) -> tuple[list[str], str]:
        return offers.line_and_word()


class FishComplete(_Script, ShellComplete):
    name = "fish"

    def get_completion_args(self) -> tuple[list[str], str]:
        return offers.line_and_word()


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
