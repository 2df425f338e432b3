"""The sample book: a few weeks of a car salesperson's work, in Chinese and English.

``python examples/make_sample.py`` writes examples/sample.db; ``leadbook demo`` builds it in a
temporary folder. Dates are fixed (TODAY) so the book is the same every time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

TODAY = date(2026, 3, 18)  # a Wednesday
SALES = "王丽"

# name, fields, grade, stage
PEOPLE: list[tuple[str, dict[str, str], str, str]] = [
    (
        "张三",
        {
            "company": "华信科技",
            "title": "采购经理",
            "mobile": "13800138000",
            "source": "showroom",
            "source_detail": "来店",
            "product": "途观L",
            "budget": "25万",
            "expected": "2026-04-10",
            "payment": "instalment",
            "birthday": "1985-03-18",
            "tags": "VIP,试驾",
        },
        "A",
        "intent",
    ),
    (
        "李娜",
        {
            "company": "北京远航物流",
            "mobile": "+86 139-1111-2222",
            "source": "referral",
            "source_detail": "老客户介绍",
            "product": "帕萨特",
            "expected": "2026-05-20",
            "gender": "female",
        },
        "B",
        "interested",
    ),
    (
        "王建国",
        {
            "company": "建国建材",
            "phone": "010-62345678",
            "mobile": "13600001111",
            "source": "outbound",
            "source_detail": "展会",
            "product": "商务车 x3",
            "budget": "60万",
            "industry": "建材",
            "expected": "2026-08-01",
        },
        "C",
        "contacted",
    ),
    (
        "赵敏",
        {
            "mobile": "13711112222",
            "source": "showroom",
            "source_detail": "来电",
            "product": "朗逸",
            "birthday": "03-20",
        },
        "D",
        "prospect",
    ),
    (
        "Emily Carter",
        {
            "company": "Brightside Trading",
            "email": "emily@brightside.example",
            "mobile": "+1 650 253 0000",
            "source": "outbound",
            "source_detail": "web",
            "product": "fleet lease",
            "expected": "2026-04-05",
        },
        "A",
        "ready",
    ),
    (
        "David Chen",
        {
            "company": "Pacific Rim Imports",
            "email": "david.chen@pacrim.example",
            "mobile": "13922223333",
            "source": "referral",
            "product": "Touareg",
        },
        "B",
        "intent",
    ),
    (
        "刘洋",
        {
            "company": "洋洋餐饮",
            "mobile": "13533334444",
            "source": "repeat",
            "source_detail": "老客户续购",
            "product": "宝来",
        },
        "C",
        "interested",
    ),
    (
        "陈静",
        {
            "mobile": "13644445555",
            "source": "showroom",
            "source_detail": "路过",
            "district": "海淀区",
        },
        "E",
        "contacted",
    ),
    (
        "孙伟",
        {
            "company": "伟业地产",
            "mobile": "13755556666",
            "source": "outbound",
            "source_detail": "市场活动",
            "product": "辉昂",
        },
        "D",
        "prospect",
    ),
    (
        "周婷",
        {
            "company": "婷美服饰",
            "mobile": "13866667777",
            "source": "referral",
            "product": "探岳",
            "expected": "2026-06-30",
        },
        "B",
        "contacted",
    ),
    (
        "Michael Brown",
        {
            "company": "Brown & Sons",
            "email": "mbrown@brownsons.example",
            "source": "showroom",
            "product": "Tiguan",
        },
        "C",
        "prospect",
    ),
    (
        "吴刚",
        {
            "company": "刚强机械",
            "mobile": "13977778888",
            "source": "outbound",
            "product": "迈腾",
            "industry": "机械",
        },
        "B",
        "won",
    ),
    ("郑爽", {"mobile": "13588889999", "source": "showroom", "product": "Polo"}, "C", "lost"),
    (
        "黄磊",
        {"company": "磊石资本", "mobile": "13699990000", "source": "repeat", "product": "辉昂"},
        "A",
        "won",
    ),
    (
        "Sarah Lee",
        {
            "email": "sarah.lee@example.com",
            "mobile": "13711223344",
            "source": "referral",
            "product": "ID.4",
        },
        "D",
        "contacted",
    ),
    (
        "马丽",
        {
            "company": "丽人美容",
            "mobile": "13822334455",
            "source": "showroom",
            "source_detail": "来店",
            "product": "T-Roc",
            "expected": "2026-03-30",
        },
        "A",
        "interested",
    ),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def build(path: Path) -> Path:
    """Write the sample book at ``path`` (replacing it): six weeks worked day by day."""
    import random

    from sqlalchemy import select

    from leadbook import cards, contacts, deals, status
    from leadbook.clock import Clock
    from leadbook.domain import STAGES
    from leadbook.store.db import Book, path_url
    from leadbook.store.schema import customers

    rng = random.Random(2026)
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    book = Book(path_url(path), SALES)
    start = TODAY - timedelta(days=42)
    created: dict[str, date] = {}
    numbers: dict[str, str] = {}
    with book.write() as conn:
        # A repeat buyer from last year who has gone quiet: a care reminder.
        old = TODAY - timedelta(days=200)
        clock = Clock(today=old, now=_at(old, 11))
        values = cards.parse_fields(
            {
                "name": "钱多多",
                "company": "多多超市",
                "mobile": "13900001234",
                "source": "repeat",
                "product": "速腾",
            },
            old,
        )
        n = cards.add_card(conn, values, clock=clock, by=SALES, grade="C")
        contacts.log_contact(conn, n, clock=clock, by=SALES, via="showroom", note="提车")
        deals.record_deal(conn, n, Decimal("132000"), clock=clock, by=SALES, contract="HT-2025-117")

        day = start
        while day <= TODAY:
            # New cards come in over the first four weeks.
            for i, (name, raw, _grade, _stage) in enumerate(PEOPLE):
                if name not in numbers and start + timedelta(days=i * 2) == day:
                    clock = Clock(today=day, now=_at(day, 9, 10 + i))
                    values = cards.parse_fields({"name": name, **raw}, day)
                    if name == "李娜":
                        values["referrer"] = numbers["张三"]
                        cards.resolve_referrer(conn, values)
                    numbers[name] = cards.add_card(conn, values, clock=clock, by=SALES, grade="D")
                    created[name] = day
            # Work what is due, mostly on time; today only the first calls are made.
            hour = 10
            for name, _raw, grade, target in PEOPLE:
                if name not in numbers or target == "prospect":
                    continue
                number = numbers[name]
                row = conn.execute(
                    select(customers.c.stage, customers.c.next_due).where(
                        customers.c.number == number
                    )
                ).one()
                if row.stage in ("won", "lost") or row.next_due is None or row.next_due > day:
                    continue
                if rng.random() > (0.3 if day == TODAY else 0.8) or (day == TODAY and hour > 11):
                    continue
                path_ = STAGES[: STAGES.index(target) + 1] if target != "lost" else STAGES[:3]
                stage = None
                if row.stage in path_ and row.stage != path_[-1] and rng.random() < 0.45:
                    stage = path_[path_.index(row.stage) + 1]
                clock = Clock(today=day, now=_at(day, hour, rng.randrange(60)))
                hour = min(hour + 1, 18)
                note = _NOTES[rng.randrange(len(_NOTES))]
                if stage == "won":
                    contacts.log_contact(
                        conn,
                        number,
                        clock=clock,
                        by=SALES,
                        via="showroom",
                        note="签合同",
                        grade=grade,
                    )
                    amount = Decimal("356000") if name == "黄磊" else Decimal("168000")
                    deals.record_deal(
                        conn,
                        number,
                        amount,
                        clock=clock,
                        by=SALES,
                        contract=f"HT-2026-{len(created):03d}",
                        payment="full",
                    )
                    continue
                if target == "lost" and row.stage == path_[-1]:
                    contacts.log_contact(
                        conn,
                        number,
                        clock=clock,
                        by=SALES,
                        via="phone",
                        note="客户说已经在别家订车",
                        stage="lost",
                    )
                    continue
                contacts.log_contact(
                    conn,
                    number,
                    clock=clock,
                    by=SALES,
                    via=rng.choice(_VIAS),
                    note=note,
                    grade=grade if row.stage in ("prospect", "contacted") else None,
                    stage=stage,
                )
            day += timedelta(days=1)
        # A grade change with its reason, and a promise made this morning.
        clock = Clock(today=TODAY, now=_at(TODAY, 9, 30))
        contacts.log_contact(
            conn,
            numbers["张三"],
            clock=clock,
            by=SALES,
            via="phone",
            note="确认周六试驾",
            outcome="同意",
            next_date=TODAY + timedelta(days=3),
            purpose="试驾后报价",
        )
        status.set_grade(conn, numbers["周婷"], "A", reason="预算批下来了", clock=clock, by=SALES)
    book.close()
    return path


_VIAS = ["phone", "phone", "phone", "wechat", "wechat", "visit", "showroom", "sms", "email"]


_NOTES = [
    "介绍新款配置",
    "发了报价单",
    "约了试驾",
    "客户在比较竞品",
    "问了按揭政策",
    "sent the brochure",
    "discussed trade-in",
    "客户出差，下周再联系",
]
