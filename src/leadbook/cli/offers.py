"""What a shell completion offers, and the text each shell receives, without Typer.

leadbook.cli.completion plugs these into Typer's completion machinery for every parameter;
leadbook.cli.quick answers the commonest completion, a customer number (`leadbook log
zs<TAB>`), with them directly, so a TAB does not wait for Typer to load.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, NamedTuple

LIMIT = 20  # cards offered at most: a shell shows a screenful, and the query stays short


class Offer(NamedTuple):
    value: str
    help: str | None = None
    type: str = "plain"  # as click's CompletionItem: "file" or "dir" ask the shell for paths


def split_words(line: str) -> list[str]:
    """The words of a partly typed line as the shell would split them: an unclosed quote or
    a trailing backslash keeps the partial word (as click's ``split_arg_string``)."""
    lex = shlex.shlex(line, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        out.extend(lex)
    except ValueError:  # the line ends inside a quote or after an escape
        out.append(lex.token)
    return out


def bash_words() -> tuple[list[str], str]:
    """bash: the words before the cursor, and the word under it."""
    words = split_words(os.environ.get("COMP_WORDS", ""))
    cword = int(os.environ.get("COMP_CWORD", "0") or 0)
    return words[1:cword], (words[cword] if cword < len(words) else "")


def line_and_word() -> tuple[list[str], str]:
    """zsh and fish: the words before the cursor, and the word under it ("" after a space)."""
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = split_words(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def typed() -> tuple[list[str], str]:
    """The words typed after `leadbook` before the one being completed, and that one."""
    return bash_words() if "COMP_WORDS" in os.environ else line_and_word()


def typed_words() -> list[str]:
    """The words typed after `leadbook` before the one being completed: they choose the
    language (--lang) and the one command module to load (none yet while the command word
    itself is being typed: then every module, to offer every command)."""
    return typed()[0]


def cards(incomplete: str, db: str | None, as_user: str | None) -> list[Offer]:
    """Cards for the text typed, found as `leadbook search` finds them (name, pinyin,
    initials, phone, number), each as its number with the name beside it."""
    text = incomplete.strip()
    if not text:
        return []
    try:
        from leadbook.lookup import at_head, search_lines
        from leadbook.store.db import resolve_url

        url = resolve_url(db)
        if not at_head(url):
            return []  # no book there, or one an ordinary command has to upgrade first
        from leadbook.cli.context import State

        state = State(db=url, user=as_user)
        try:
            lines, _total = search_lines(state.book(), text, limit=LIMIT)
        finally:
            state.close()
    except Exception:  # a completion says nothing rather than print an error into the line
        if os.environ.get("LEADBOOK_DEBUG") == "1":
            raise
        return []
    return [
        Offer(line.number, " · ".join(p for p in (line.name, line.company) if p)) for line in lines
    ]


# ---- what the shell receives ----------------------------------------------------------------


def say(answer: str) -> None:
    """Print ``answer`` for the shell. A stdout declared ASCII (LANG=C) gets UTF-8, as click's
    echo gives it: a name in the answer must not end the completion in an encoding error."""
    import codecs
    import sys

    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    if codecs.lookup(encoding).name != "ascii":
        print(answer)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(answer.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def reply(shell: str, found: list[Any], incomplete: str) -> str:
    """What leadbook prints for ``shell``: ``found`` are offers or click's CompletionItems
    (value, help, type). The shells' own matching would drop C00001 for ``zs``, so leadbook
    formats its answers itself (leadbook.cli.completion says how, shell by shell)."""
    # A path parameter's placeholder means "let the shell complete file names", which each
    # shell does itself when leadbook offers nothing.
    items = [i for i in found if i.type == "plain"]
    if shell == "bash":
        if len(items) > 1 and not _is_prefix(incomplete, items):
            # Bash would put the values' common start (C0000) in place of what was typed
            # (zs); offering the typed text too keeps it, and a second TAB lists who matched.
            return "\n".join([incomplete, *(_shown(i) for i in items)])
        return "\n".join(str(i.value) for i in items)
    if shell == "zsh":
        return _zsh(items, incomplete)
    if os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        # fish asks first whether leadbook has values here (else it offers file names)
        raise SystemExit(0 if items else 1)
    return "\n".join(
        f"{i.value}\t{' '.join(str(i.help).split())}" if i.help else str(i.value) for i in items
    )


def _zsh(items: list[Any], incomplete: str) -> str:
    if not items:
        return "_files"  # as bash and fish do when leadbook has nothing to offer
    width = max(len(str(i.value)) for i in items)
    shown = [f"{i.value!s:<{width}}  -- {i.help}" if i.help else str(i.value) for i in items]
    # -U: leadbook has matched already (zs gives C00001), zsh must not match again; for a
    # name, a menu of the cards found, not their common start (C0000) in place of zs
    return "; ".join(
        (
            "local -a _leadbook_values _leadbook_shown",
            "_leadbook_values=(" + " ".join(_zsh_quote(str(i.value)) for i in items) + ")",
            "_leadbook_shown=(" + " ".join(_zsh_quote(s) for s in shown) + ")",
            "compadd -U -l -d _leadbook_shown -a _leadbook_values",
            *(() if _is_prefix(incomplete, items) else ("compstate[insert]=menu",)),
        )
    )


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _is_prefix(typed: str, items: list[Any]) -> bool:
    return all(str(i.value).lower().startswith(typed.lower()) for i in items)


def _shown(item: Any) -> str:
    return f"{item.value} {item.help}" if item.help else str(item.value)
