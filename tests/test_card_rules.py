"""One set of rules for a new card and for a deal, whether typed in or imported (issue 12)."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import private_book, query

# Names whose pinyin depends on the whole name: 重庆 is chongqing, 银行 yinhang, 单 as a
# surname shan, 曾 zeng; and plain ones read a character at a time.
CHINESE_NAMES = ["重庆银行", "单田芳", "曾国藩", "长城汽车", "张三", "王丽华", "朝阳区分行", "乐乐"]
LATIN_NAMES = ["Alice Wang", "Bob", "O'Neil Ltd"]


def write_csv(path: Path, fields: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(list(fields))
        writer.writerow(list(fields.values()))
    return path


def reference_pinyin(name: str) -> tuple[str, str]:
    """Whole-name pinyin and initials as pypinyin reads the name, independently of leadbook."""
    from pypinyin import lazy_pinyin

    syllables = ["".join(c for c in s.lower() if c.isalnum()) for s in lazy_pinyin(name)]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def test_an_imported_name_is_found_by_the_same_pinyin_as_an_added_one(ok, add, tmp_path):
    # Once the import read 重庆银行 one character at a time: zhongqingyinxing, zqyx.
    added = add("重庆银行")
    ok("import", str(write_csv(tmp_path / "a.csv", {"姓名": "重庆银行", "单位": "总行"})))
    found = {line["number"] for line in ok("search", "cqyh", "--json").json()}
    assert found == {added, "C00002"}
    found = {line["number"] for line in ok("search", "chongqing", "--json").json()}
    assert found == {added, "C00002"}
    assert ok("search", "zqyx", "--json").json() == []


def test_import_refuses_the_deal_that_deal_refuses(cli, ok, add, tmp_path, db_path):
    from conftest import dump_book

    number = add("张三")
    refused = cli("deal", number, "--amount", "0")
    assert refused.exit_code == 1 and "more than zero" in refused.stderr
    refused = cli("deal", number, "--amount", "100", "--date", "2027-01-05")
    assert refused.exit_code == 1 and "future" in refused.stderr
    before = dump_book(db_path)
    source = tmp_path / "won.csv"
    source.write_text(
        "姓名,阶段,成交金额,成交日期\n"
        "李四,成交,0,2026-03-01\n"  # no amount
        "王五,成交,5000,2027-01-05\n"  # not yet
        "赵六,成交,5000,2026-03-01\n",
        encoding="utf-8",
    )
    result = cli("import", str(source), "--json")
    assert result.exit_code == 1
    report = result.json()
    assert report["written"] is False and report["bad_rows"] == 2
    reasons = {(p["row"], p["column"]): p["reason"] for p in report["problems"]}
    assert "more than zero" in reasons[(2, "成交金额")]
    assert "future" in reasons[(3, "成交日期")]
    assert dump_book(db_path) == before
    kept = ok("import", str(source), "--skip-bad", "--json").json()
    assert kept["created"] == 1 and kept["deals"] == 1
    deals = ok("deals", "--json").json()
    assert [(d["name"], d["amount"], d["date"]) for d in deals] == [
        ("赵六", "5000.00", "2026-03-01")
    ]


def test_a_deal_dated_earlier_makes_the_card_won_on_that_day(ok, add):
    number = add("张三", now="2026-03-01")
    ok("deal", number, "--amount", "100", "--date", "2026-03-10", now="2026-03-18")
    history = ok("show", number, "--json").json()["history"]
    won = [h for h in history if h["field"] == "stage" and h["new"] == "won"]
    assert [h["at"][:10] for h in won] == ["2026-03-10"]


def test_a_matched_won_row_does_not_deal_twice(ok, tmp_path):
    # The deal of a row without a close date is dated the day its card began; importing it
    # again with --on-duplicate update once looked for it on today and recorded it again.
    source = tmp_path / "won.csv"
    source.write_text("姓名,阶段,成交金额,创建时间\n李四,成交,5000,2026-03-01\n", encoding="utf-8")
    ok("import", str(source))
    again = ok("import", str(source), "--on-duplicate", "update", "--json").json()
    assert again["deals"] == 0 and again["created"] == 0
    assert [d["date"] for d in ok("deals", "--json").json()] == ["2026-03-01"]


# -- the property: `add` and `import` make the same card ------------------------------------

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
words = st.text(alphabet="abcdefgh华信科技物流", min_size=1, max_size=8).map(str.strip).filter(bool)
cards = st.fixed_dictionaries(
    {"name": st.sampled_from(CHINESE_NAMES + LATIN_NAMES)},
    optional={
        "company": st.sampled_from(["华信科技", "重庆银行", "Acme Inc", "长城汽车"]),
        "mobile": mobiles,
        "email": st.from_regex(r"[a-z]{1,8}@example\.com", fullmatch=True),
        "title": words,
        "wechat": st.from_regex(r"[a-z][a-z0-9]{5,10}", fullmatch=True),
        "industry": words,
        "product": words,
        "note": words,
        "tags": st.lists(st.sampled_from(["vip", "老客户", "展会"]), min_size=1, unique=True).map(
            ",".join
        ),
        "budget": st.integers(min_value=1, max_value=10_000_000).map(str),
        "expected": st.dates(
            min_value=date(2026, 3, 19),
            max_value=date(2027, 12, 31),
        ).map(lambda d: d.isoformat()),
        "birthday": st.dates(
            min_value=date(1950, 1, 1),
            max_value=date(2005, 12, 31),
        ).map(lambda d: d.isoformat()),
        "gender": st.sampled_from(["male", "female"]),
        "source": st.sampled_from(["showroom", "referral", "outbound", "repeat"]),
        "grade": st.sampled_from("ABCDE"),
        "stage": st.sampled_from(["prospect", "contacted", "interested", "intent", "ready", "won"]),
    },
)
FULL = {
    "name": "重庆银行",
    "company": "长城汽车",
    "mobile": "13800138000",
    "email": "zhang@example.com",
    "title": "经理",
    "wechat": "zhang888",
    "industry": "金融",
    "product": "途观L",
    "note": "展会上认识",
    "tags": "vip,展会",
    "budget": "250000",
    "expected": "2026-04-10",
    "birthday": "1980-05-04",
    "gender": "female",
    "source": "referral",
    "stage": "intent",
}
# The import's header for each field: leadbook's own English headers.
HEADERS = {
    "name": "Name",
    "company": "Company",
    "mobile": "Mobile",
    "email": "E-mail",
    "title": "Title",
    "wechat": "WeChat",
    "industry": "Industry",
    "product": "Product",
    "note": "Note",
    "tags": "Tags",
    "budget": "Budget",
    "expected": "Expected purchase",
    "birthday": "Birthday",
    "gender": "Gender",
    "source": "Source",
    "grade": "Grade",
    "stage": "Stage",
}
TIMESTAMPS = ("created_at", "updated_at", "at")


def comparable(card: Any) -> Any:
    """A card from `show --json` without what differs between two cards by design: the
    number, the timestamps, and whether the audit trail says it was added or imported."""
    if isinstance(card, dict):
        return {
            k: comparable(v)
            for k, v in card.items()
            if k not in ("number", "action", "id", *TIMESTAMPS)
        }
    if isinstance(card, list):
        return [comparable(v) for v in card]
    return card


def search_terms(fields: dict[str, str]) -> list[str]:
    terms = [fields["name"]]
    if fields["name"] in CHINESE_NAMES:
        terms += reference_pinyin(fields["name"])
    terms += [fields[k] for k in ("company", "email", "wechat") if k in fields]
    if "company" in fields:
        terms += [t for t in reference_pinyin(fields["company"]) if t]
    if "mobile" in fields:
        terms += [fields["mobile"], fields["mobile"][-4:]]
    return [t for t in terms if t]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example makes two books
)
@given(fields=cards)
@example(fields=FULL)
def test_add_and_import_make_the_same_card(ok, monkeypatch, tmp_path, fields):
    example = uuid.uuid4().hex[:8]  # two new books for each example
    with (
        private_book(tmp_path / f"added-{example}.db") as added_book,
        private_book(tmp_path / f"imported-{example}.db") as imported_book,
    ):
        monkeypatch.setenv("LEADBOOK_DB", added_book)
        options = [f"--{k}={v}" for k, v in fields.items() if k != "name"]
        added = ok("add", fields["name"], *options).stdout.strip()
        shown_added = ok("show", added, "--json").json()
        found_added = {t: _found(ok, t) for t in search_terms(fields)}

        monkeypatch.setenv("LEADBOOK_DB", imported_book)
        source = write_csv(tmp_path / "one.csv", {HEADERS[k]: v for k, v in fields.items()})
        assert ok("import", str(source), "--json").json()["created"] == 1
        (imported,) = query(imported_book, "SELECT number FROM customers")[0]
        shown_imported = ok("show", imported, "--json").json()
        found_imported = {t: _found(ok, t) for t in search_terms(fields)}

    assert comparable(shown_imported) == comparable(shown_added)
    assert found_imported == found_added
    # A Chinese name is found by its whole pinyin and initials, as pypinyin reads it.
    if fields["name"] in CHINESE_NAMES:
        for term in reference_pinyin(fields["name"]):
            assert found_added[term], term


def _found(ok: Any, term: str) -> bool:
    return bool(ok("search", term, "--json").json())
