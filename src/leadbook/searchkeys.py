"""What `search` matches: one lower-case key per card, built when the card is written.

Search itself never imports pypinyin: the pinyin of a Chinese name (zhangsan) and its initials
(zs) are stored on the card, so a search is one LIKE over one column.
"""

from __future__ import annotations

import re
from functools import lru_cache

from leadbook.parsing import phone_digits

_CJK = re.compile(r"[\u3400-\u9fff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=8192)
def _char_pinyin(char: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(char)[0].lower()


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str | None, str | None]:
    """Full pinyin and initials of a Chinese name: 张三 -> ("zhangsan", "zs")."""
    if not has_cjk(name):
        return None, None
    from pypinyin import lazy_pinyin

    # Whole-name conversion gets surnames and phrases right (单 as shan, 曾 as zeng).
    syllables = [s.lower() for s in lazy_pinyin(name) if s.strip()]
    syllables = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


@lru_cache(maxsize=65536)
def pinyin_keys_fast(name: str) -> tuple[str | None, str | None]:
    """As :func:`pinyin_keys`, one character at a time from a cache: for bulk imports, where
    whole-name conversion of 100,000 names would take seconds (PERF.md)."""
    if not has_cjk(name):
        return None, None
    syllables = [_char_pinyin(c) for c in name if has_cjk(c) or c.isalnum()]
    syllables = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def search_key(values: dict[str, object]) -> str:
    """The text a search matches, fields joined by | so a match never spans two fields."""
    parts: list[str] = []
    for field in ("number", "name", "pinyin", "initials", "company", "email", "wechat"):
        value = values.get(field)
        if value:
            parts.append(str(value).lower())
    for field in ("mobile", "phone", "fax"):
        value = values.get(field)
        if value:
            parts.append(phone_digits(str(value)))
    company = values.get("company")
    if isinstance(company, str) and has_cjk(company):
        full, initials = pinyin_keys(company)
        parts.extend(p for p in (full, initials) if p)
    return "|" + "|".join(parts) + "|"


def query_terms(text: str) -> list[str]:
    """Split a search into terms; a phone number in any format becomes its digits."""
    stripped = re.sub(r"[\s\-().+]", "", text)
    if stripped.isdigit() and len(stripped) >= 3:
        return [phone_digits(stripped)]
    return [t for t in text.lower().split() if t]
