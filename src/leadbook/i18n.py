"""User-facing text goes through gettext; the catalogs live in leadbook/locale (see tests/test_i18n.py).

The language comes from ``--lang``, then ``LEADBOOK_LANG``, then the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``, ``LANGUAGE``): any ``zh*`` value gives the Chinese interface.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Sequence
from pathlib import Path

_LOCALE_DIR = Path(__file__).parent / "locale"
_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_current = "en"


def detect(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    args = list(argv or [])
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return normalise(args[i + 1])
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1])
    if env.get("LEADBOOK_LANG"):
        return normalise(env["LEADBOOK_LANG"])
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var)
        if value:
            return normalise(value)
    return "en"


def normalise(value: str) -> str:
    return "zh" if value.strip().lower().startswith("zh") else "en"


def set_language(lang: str) -> None:
    global _translation, _current
    _current = normalise(lang)
    if _current == "en":
        _translation = _gettext.NullTranslations()
        _gettext.textdomain("messages")
    else:
        _translation = _gettext.translation(
            "leadbook", localedir=_LOCALE_DIR, languages=[_current], fallback=True
        )
        # Typer's panel titles and errors call gettext.gettext in the default domain, with the
        # language from the environment (see leadbook/i18n_typer.py).
        os.environ["LANGUAGE"] = _current
        _gettext.bindtextdomain("leadbook", str(_LOCALE_DIR))
        _gettext.textdomain("leadbook")


def language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate later with ``_``."""
    return message
