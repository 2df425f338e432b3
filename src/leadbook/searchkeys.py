"""What `search` matches: one lower-case key per card, built when the card is written.

Search itself never imports pypinyin: the pinyin of a Chinese name (zhangsan) and its initials
(zs) are stored on the card, so a search is one LIKE over one column.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from leadbook.parsing import phone_digits


# Chinese characters: U+3400..U+9FFF, the range of the tables (tested one by one, not by a
# regular expression: compiling a class this wide costs Python 2-5 ms at every start).
def _chinese(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def has_cjk(text: str) -> bool:
    return any(_chinese(c) for c in text)


def _pieces(text: str) -> list[str]:
    """``text`` as pypinyin segments it: each Chinese character alone, other runs whole."""
    pieces: list[str] = []
    run = ""
    for char in text:
        if _chinese(char):
            if run:
                pieces.append(run)
                run = ""
            pieces.append(char)
        else:
            run += char
    if run:
        pieces.append(run)
    return pieces


def _chinese_runs(text: str) -> list[str]:
    """The runs of two or more Chinese characters in ``text``."""
    runs, run = [], ""
    for char in text + "\0":
        if _chinese(char):
            run += char
            continue
        if len(run) > 1:
            runs.append(run)
        run = ""
    return runs


def table_readable(name: str) -> bool:
    """Whether the tables read ``name`` as pypinyin reads it whole: Chinese characters and
    ASCII only, and no phrase pypinyin reads otherwise than its characters."""
    return all(c < "\x80" or _chinese(c) for c in name) and not _in_phrase(name)


_DATA = Path(__file__).resolve().parent / "data"
_FIRST = 0x3400  # the first code point of pinyin_chars.txt (scripts/build_pinyin_tables.py)
_WIDTH = 6


@lru_cache(maxsize=1)
def _chars() -> str:
    return (_DATA / "pinyin_chars.txt").read_text(encoding="ascii")


def _char_pinyin(char: str) -> str:
    """The reading pypinyin gives ``char`` on its own (from its table: no pypinyin import)."""
    start = (ord(char) - _FIRST) * _WIDTH
    return _chars()[start : start + _WIDTH].rstrip()


@lru_cache(maxsize=1)
def _phrase_text() -> str:
    return (_DATA / "pinyin_phrases.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _phrase_set() -> frozenset[str]:
    return frozenset(_phrase_text().split("\n"))


_looked_up = 0  # names checked so far: past a few, a set of the phrases pays for itself


def _in_phrase(name: str) -> bool:
    """Whether some run of two or more characters of ``name`` is one of the phrases pypinyin
    reads otherwise than their characters alone: only then can whole-name conversion read a
    character otherwise than alone (重庆 as chongqing, not zhongqing). One name searches the
    phrase list as text (a fraction of a millisecond); an import builds a set of it once."""
    global _looked_up
    _looked_up += 1
    runs = (
        chinese[i:j]
        for chinese in _chinese_runs(name)  # a phrase is Chinese characters only
        for i in range(len(chinese))
        for j in range(i + 2, len(chinese) + 1)
    )
    if _looked_up > 20:
        phrases = _phrase_set()
        return any(run in phrases for run in runs)
    text = _phrase_text()
    return any(f"\n{run}\n" in text for run in runs)


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str | None, str | None]:
    """Full pinyin and initials of a Chinese name: 张三 -> ("zhangsan", "zs"); 重庆银行 ->
    ("chongqingyinhang", "cqyh"). The one function `add`, `edit` and `import` use.

    Whole-name conversion gets surnames and phrases right (单 as shan, 曾 as zeng, 重庆 as
    chongqing). It costs about 0.1 ms a name, too much for a bulk import, so a name of Chinese
    characters none of whose runs is a known phrase (nearly every personal name) is read one
    cached character at a time, which gives exactly what whole-name conversion gives there;
    so is a company name (北京宏达机械有限公司, 公司12号) that holds no phrase pypinyin reads
    otherwise than its characters (银行 does: yinhang, not yinxing)."""
    if not has_cjk(name):
        return None, None
    if table_readable(name):
        # As pypinyin reads it: each Chinese character alone, each run of other (ASCII) text
        # as one piece (公司12号 -> gong si 12 hao).
        syllables = [
            _char_pinyin(piece) if _chinese(piece[0]) else piece.lower() for piece in _pieces(name)
        ]
    else:
        from pypinyin import lazy_pinyin

        syllables = [s.lower() for s in lazy_pinyin(name) if s.strip()]
    syllables = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


# The card fields a search key is made of (pinyin and initials come from the name).
SEARCH_FIELDS = ("number", "name", "company", "email", "wechat", "mobile", "phone", "fax", "extra")


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
    extra = values.get("extra")
    if isinstance(extra, str) and extra:  # the book's own fields (车牌号 ...) are searched too
        import json

        parts.extend(str(v).lower().replace("|", " ") for v in json.loads(extra).values() if v)
    return "|" + "|".join(parts) + "|"


def query_terms(text: str) -> list[str]:
    """Split a search into terms; a phone number in any format becomes its digits."""
    stripped = re.sub(r"[\s\-().+]", "", text)
    if stripped.isdigit() and len(stripped) >= 3:
        return [phone_digits(stripped)]
    return [t for t in text.lower().split() if t]


REKEYED_AT = "0008"  # books upgraded from an older revision get their keys computed again


def refresh(conn: Any, batch: int = 5000) -> int:
    """Compute every card's pinyin, initials and search key again with today's rules (a book
    made by an older leadbook keeps the keys that leadbook wrote: 重庆银行 as zqyh, landlines
    without their national digits); returns how many cards changed."""
    from sqlalchemy import select

    from leadbook.store.schema import customers as c

    fields = SEARCH_FIELDS
    changed, last = 0, 0
    while True:
        rows = (
            conn.execute(
                select(c.c.id, c.c.pinyin, c.c.initials, c.c.search_key, *(c.c[f] for f in fields))
                .where(c.c.id > last)
                .order_by(c.c.id)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return changed
        last = rows[-1]["id"]
        updates = []
        for r in rows:
            values: dict[str, object] = {f: r[f] for f in fields}
            values["pinyin"], values["initials"] = pinyin_keys(r["name"] or "")
            key = search_key(values)
            if (values["pinyin"], values["initials"], key) != (
                r["pinyin"],
                r["initials"],
                r["search_key"],
            ):
                updates.append(
                    {
                        "cid": r["id"],
                        "pinyin": values["pinyin"],
                        "initials": values["initials"],
                        "search_key": key,
                    }
                )
        if updates:
            from leadbook.store.customers import update_many

            update_many(conn, updates)
            changed += len(updates)
