"""Build a realistic large book for benchmarks: N cards, 10 follow-ups each, with plans and
grade/stage history, bulk-inserted with executemany (the schema comes from leadbook itself).

    python bench/make_book.py --cards 100000 --out bench/out/book-100k.db
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from leadbook.searchkeys import search_key
from leadbook.store.db import Book, path_url

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国文辉力"
COMPANIES = ["科技", "贸易", "物流", "建材", "餐饮", "地产", "机械", "服饰", "医疗", "教育"]
CITIES = ["华信", "远航", "东方", "新世纪", "金桥", "鼎盛", "宏达", "恒通", "海天", "瑞丰"]
OWNERS = ["王丽", "李强", "张敏", "陈杰", "刘洋", "赵静", "孙伟", "周婷"]
VIAS = ["phone", "phone", "phone", "wechat", "visit", "showroom", "sms", "email"]
STAGES = ["prospect", "contacted", "interested", "intent", "ready", "won", "lost"]
GRADES = "ABCDE"
LOST_REASONS = ["价格太高", "买了别家", "预算不足", "暂不需要"]
TODAY = date(2026, 3, 18)

# Dates in the form leadbook itself writes them (SQLAlchemy's: microseconds always shown), not
# the sqlite3 module's, so the book compares and upgrades as a real one does.
sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", timespec="microseconds"))


def pinyin_cached() -> Callable[[str], tuple[str, str]]:
    from pypinyin import lazy_pinyin

    cache: dict[str, str] = {}

    def keys(name: str) -> tuple[str, str]:
        parts = []
        for ch in name:
            if ch not in cache:
                cache[ch] = lazy_pinyin(ch)[0]
            parts.append(cache[ch])
        return "".join(parts), "".join(p[0] for p in parts)

    return keys


def build(path: Path, cards: int, followups_per_card: int = 10, seed: int = 7) -> None:
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Book(path_url(path), "bench")
    book.create()  # schema via the real migrations (a new file is made only on asking)
    book.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    keys = pinyin_cached()
    started = time.perf_counter()
    cust_rows: list[tuple[Any, ...]] = []
    fu_rows: list[tuple[Any, ...]] = []
    plan_rows: list[tuple[Any, ...]] = []
    change_rows: list[tuple[Any, ...]] = []
    fu_id = 0
    for cid in range(1, cards + 1):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        company = (
            rng.choice(CITIES) + rng.choice(COMPANIES) + "有限公司" if rng.random() < 0.7 else None
        )
        mobile = f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        grade = rng.choices(GRADES, weights=(5, 15, 25, 40, 15))[0]
        stage = rng.choices(STAGES, weights=(30, 25, 15, 10, 5, 10, 5))[0]
        owner = rng.choice(OWNERS)
        created = datetime.combine(
            TODAY - timedelta(days=rng.randrange(30, 720)), datetime.min.time()
        )
        last = created
        for k in range(followups_per_card):
            fu_id += 1
            at = created + timedelta(days=k * rng.randrange(3, 20), hours=rng.randrange(9, 18))
            at = min(
                at,
                datetime.combine(TODAY, datetime.min.time())
                - timedelta(hours=rng.randrange(1, 2000)),
            )
            last = max(last, at)
            fu_rows.append(
                (
                    fu_id,
                    cid,
                    at,
                    rng.choice(VIAS),
                    "介绍产品，客户考虑中",
                    None,
                    None,
                    None,
                    None,
                    owner,
                    at,
                )
            )
            plan_rows.append(
                (
                    cid,
                    at.date(),
                    None,
                    owner,
                    1,
                    "done",
                    at.date() - timedelta(days=7),
                    at.date(),
                    fu_id,
                )
            )
        next_due = None
        if grade != "E" and stage not in ("won", "lost"):
            next_due = TODAY + timedelta(days=rng.randrange(-40, 30))
            plan_rows.append((cid, next_due, "回访", owner, 1, "open", last.date(), None, None))
        pinyin, initials = keys(name)
        number = f"C{cid:05d}"
        birthday = date(rng.randrange(1960, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
        values = {
            "number": number,
            "name": name,
            "pinyin": pinyin,
            "initials": initials,
            "company": company,
            "mobile": mobile,
        }
        top = STAGES.index(stage) if stage != "lost" else rng.randrange(0, 4)
        # `leadbook lost` requires a reason and keeps it on the card and on the change.
        lost_why = LOST_REASONS[cid % len(LOST_REASONS)] if stage == "lost" else None
        first_contact = created + timedelta(hours=rng.randrange(9, 18))
        cust_rows.append(
            (
                cid,
                number,
                name,
                pinyin,
                initials,
                search_key(values),
                company,
                mobile,
                birthday,
                birthday.strftime("%m-%d"),
                owner,
                grade,
                stage,
                next_due,
                "回访" if next_due else None,
                last,
                "phone",
                created,
                owner,
                created,
                top,
                last,
                first_contact,
                lost_why,
            )
        )
        change_rows.append((cid, "grade", None, grade, created, None, owner, None))
        change_rows.append((cid, "stage", None, "prospect", created, None, owner, None))
        if stage != "prospect":
            dwell = (last - created).total_seconds() / 86400
            change_rows.append((cid, "stage", "prospect", stage, last, lost_why, owner, dwell))
        if len(fu_rows) >= 200_000 or cid == cards:
            _flush(conn, cust_rows, fu_rows, plan_rows, change_rows)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    print(f"{path}: {cards} cards, {fu_id} follow-ups in {time.perf_counter() - started:.1f} s")


def _flush(
    conn: sqlite3.Connection,
    cust_rows: list[tuple[Any, ...]],
    fu_rows: list[tuple[Any, ...]],
    plan_rows: list[tuple[Any, ...]],
    change_rows: list[tuple[Any, ...]],
) -> None:
    conn.executemany(
        "INSERT INTO customers (id, number, name, pinyin, initials, search_key, company, mobile, "
        "birthday, birthday_md, owner, grade, stage, next_due, next_purpose, last_contact_at, "
        "last_contact_via, created_at, created_by, updated_at, top_stage, stage_since, "
        "first_contact_at, lost_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        cust_rows,
    )
    conn.executemany(
        "INSERT INTO followups (id, customer_id, at, via, note, outcome, purpose, next_date, "
        "next_purpose, by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        fu_rows,
    )
    conn.executemany(
        "INSERT INTO plans (customer_id, due, purpose, owner, auto, status, created_on, closed_on, "
        "followup_id) VALUES (?,?,?,?,?,?,?,?,?)",
        plan_rows,
    )
    conn.executemany(
        "INSERT INTO changes (customer_id, field, old, new, at, reason, by, dwell_days) "
        "VALUES (?,?,?,?,?,?,?,?)",
        change_rows,
    )
    conn.commit()
    for rows in (cust_rows, fu_rows, plan_rows, change_rows):
        rows.clear()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("bench/out/book-100k.db"))
    args = parser.parse_args()
    build(args.out, args.cards, args.followups)
