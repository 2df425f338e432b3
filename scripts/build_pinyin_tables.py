"""Build the pinyin tables leadbook reads instead of loading pypinyin for every new card.

    python scripts/build_pinyin_tables.py

Writes, from the installed pypinyin's own data (nothing typed by hand):

- ``src/leadbook/data/pinyin_chars.txt``: the reading pypinyin gives each character of
  U+3400..U+9FFF on its own (``lazy_pinyin(char)``, letters and digits only, lower case), six
  characters a code point, padded with spaces; empty where pypinyin has none.
- ``src/leadbook/data/pinyin_phrases.txt``: every phrase of pypinyin's phrase dictionary, one a
  line. A name none of whose runs is a phrase reads one character at a time, exactly as
  pypinyin reads it whole; only a name holding a phrase (重庆, 单于) needs pypinyin itself.

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


def phrase_table() -> str:
    from pypinyin.constants import PHRASES_DICT

    return "\n" + "\n".join(sorted(PHRASES_DICT)) + "\n"


def main() -> None:
    DATA.mkdir(exist_ok=True)
    (DATA / "pinyin_chars.txt").write_text(char_table(), encoding="ascii")
    (DATA / "pinyin_phrases.txt").write_text(phrase_table(), encoding="utf-8")
    for name in ("pinyin_chars.txt", "pinyin_phrases.txt"):
        print(f"{name}: {(DATA / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
