"""Text that is safe to keep and safe to print.

A name or a note can arrive holding bytes no person typed: NUL from a broken export, the
escape sequences of a terminal (colours, cursor moves, a window title), C1 controls from a
mis-decoded file. :func:`clean` removes them from what leadbook stores; :func:`visible` shows
whatever a book already holds as plain characters (``\\x1b``), so printing a card never
drives the terminal. Tab and newline are text and stay.
"""

from __future__ import annotations

import re

# ESC sequences whole: CSI (colours, cursor), OSC (titles, links; ended by BEL or ST), other
# two-character escapes; then the 8-bit CSI; then any control left: C0 but tab and newline,
# DEL, C1. Carriage returns are line ends, handled before.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` without NUL, terminal control characters and escape sequences; Windows and old
    Mac line ends become newlines."""
    if text.isprintable() or not _CONTROL.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SEQUENCE.sub("", text)


def visible(text: str) -> str:
    """``text`` with every control character but tab and newline written out (ESC as
    ``\\x1b``), for the terminal."""
    if text.isprintable() or not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)
