"""Build the pinyin tables leadbook reads instead of loading pypinyin for every new card.

    python scripts/build_pinyin_tables.py

Writes, from the installed pypinyin's own data (nothing typed by hand):

- ``src/leadbook/data/pinyin_chars.txt``: the reading pypinyin gives each character of
  U+3400..U+9FFF on its own (``lazy_pinyin(char)``, letters and digits only, lower case), six
  characters a code point, padded with spaces; empty where pypinyin has none.
- ``src/leadbook/data/pinyin_phrases.txt``: the phrases of pypinyin's phrase dictionary that
  pypinyin reads otherwise than their characters alone (重庆 chongqing, not zhongqing; 3,437 of
  47,111), one a line. pypinyin reads a name phrase by phrase where its dictionary has one and
  a character at a time elsewhere, so a name none of whose runs is one of these reads one
  character at a time exactly as pypinyin reads it whole (公司 is gongsi either way); only a
  name holding one (重庆, 单于, 银行) needs pypinyin itself.

tests/test_pinyin.py checks that the tables equal what this script builds from the installed
pypinyin, and that leadbook's keys equal pypinyin's for a large sample of names: run this
again after upgrading pypinyin.
"""

from __future__ import annotations

import re
from pathlib import Path

FIRST, LAST = 0x3400, 0x9FFF
WIDTH = 6
DATA = Path(__file__).resolve().parents[1] / "src" / "leadbook" / "data"


def char_table() -> str:
    from pypinyin import lazy_pinyin

    readings = []
    for code in range(FIRST, LAST + 1):
        reading = re.sub(r"[^a-z0-9]", "", lazy_pinyin(chr(code))[0].lower())
        if len(reading) > WIDTH or reading == chr(code):
            raise SystemExit(f"U+{code:04X}: reading {reading!r} does not fit")
        readings.append(reading.ljust(WIDTH))
    return "".join(readings)


def _plain(syllable: str) -> str:
    """A syllable as lazy_pinyin writes it (no tones, ü as v), letters and digits only."""
    from pypinyin.contrib.tone_convert import to_normal

    return re.sub(r"[^a-z0-9]", "", to_normal(syllable).lower())


def phrase_table(chars: str | None = None) -> str:
    """The phrases whose reading is not their characters' readings one by one (``chars``: the
    character table, built when not given)."""
    from functools import cache

    from pypinyin.constants import PHRASES_DICT

    table = char_table() if chars is None else chars
    plain = cache(_plain)

    def alone(char: str) -> str | None:
        code = ord(char)
        if not FIRST <= code <= LAST:
            return None
        start = (code - FIRST) * WIDTH
        return table[start : start + WIDTH].rstrip()

    differ = [
        phrase
        for phrase, readings in PHRASES_DICT.items()
        if len(readings) != len(phrase)
        or any(plain(r[0]) != alone(c) for c, r in zip(phrase, readings, strict=False))
    ]
    return "\n" + "\n".join(sorted(differ)) + "\n"


def main() -> None:
    DATA.mkdir(exist_ok=True)
    chars = char_table()
    (DATA / "pinyin_chars.txt").write_text(chars, encoding="ascii")
    (DATA / "pinyin_phrases.txt").write_text(phrase_table(chars), encoding="utf-8")
    for name in ("pinyin_chars.txt", "pinyin_phrases.txt"):
        print(f"{name}: {(DATA / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
