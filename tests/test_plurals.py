"""Counts read right in both languages: "1 card", never "1 cards" (gettext's ngettext).

English has two forms (1 card, 0 cards, 2 cards); Chinese one (1 张, 2 张), as the catalog's
Plural-Forms header says (tests/test_i18n.py checks it and every plural entry).
"""

from __future__ import annotations

import re

import pytest

from leadbook import i18n

# a count of one before a plural noun: what ngettext is for
ONE_PLURAL = re.compile(
    r"(?<![\d.,])1 (?:more |paying |quiet |bad |working )?"
    r"(cards|customers|deals|days|rows|duplicates|problems|follow-ups|birthdays)\b"
)


def test_ngettext_picks_the_form_in_english_and_has_one_in_chinese(zh_from_po):
    assert i18n.ngettext("{n} duplicate", "{n} duplicates", 1) == "{n} duplicate"
    assert i18n.ngettext("{n} duplicate", "{n} duplicates", 0) == "{n} duplicates"
    i18n.set_language("zh")
    for n in (0, 1, 2):
        assert i18n.ngettext("{n} bad row", "{n} bad rows", n) == "错误行 {n} 行"


def test_moving_one_card_or_none(ok, add):
    add("a", "--grade", "A")
    one = ok("reassign", "--from", "王丽", "--to", "张敏").stderr
    assert "Moved 1 card from 王丽 to 张敏." in one
    none = ok("reassign", "--from", "王丽", "--to", "张敏").stderr
    assert "Moved 0 cards from 王丽 to 张敏." in none


def test_moving_one_card_in_chinese(ok, add, zh_from_po):
    add("a", "--grade", "A")
    assert (
        "已把 1 张客户卡从 王丽 转给 张敏。"
        in ok("reassign", "--from", "王丽", "--to", "张敏", lang="zh").stderr
    )


def _one_customer_who_bought(ok, add) -> str:
    n = add("张三", "--grade", "A")
    ok("deal", n, "--amount", "5000")
    return n


def test_one_paying_customer_and_one_deal(ok, add):
    _one_customer_who_bought(ok, add)
    value = ok("value").stdout
    assert "1 paying customer." in value
    assert "1 customer (100%) brings 80% of the value." in value
    assert "1 deal, total 5,000.00" in ok("deals").stdout
    for out in (value, ok("deals").stdout, ok("report").stdout, ok("due").stdout):
        assert not ONE_PLURAL.search(out), ONE_PLURAL.search(out)


def test_one_paying_customer_in_chinese(ok, add, zh_from_po):
    _one_customer_who_bought(ok, add)
    value = ok("value", lang="zh").stdout
    assert "共 1 位购买客户。" in value and "1 位客户（100%）贡献了 80% 的价值。" in value
    assert "共 1 笔，合计 5,000.00" in ok("deals", lang="zh").stdout


def test_a_report_of_one_working_day(ok, add):
    add("张三")
    out = ok("report", "--since", "2026-03-18", "--until", "2026-03-18").stdout
    assert "(1 working day)" in out


@pytest.mark.parametrize("dry", [True, False])
def test_importing_one_row(ok, tmp_path, dry):
    sheet = tmp_path / "one.csv"
    sheet.write_text("姓名,手机\n张三,13800138000\n", encoding="utf-8")
    out = ok("import", str(sheet), *(["--dry-run"] if dry else [])).stderr
    assert "one.csv: 1 row, csv" in out
    verb = "would create" if dry else "created"
    assert f"{verb} 1 card (0 with a deal), updated 0, skipped 0 duplicates, 0 bad rows." in out
    assert not ONE_PLURAL.search(out), out


def test_importing_one_duplicate_in_chinese(ok, add, tmp_path, zh_from_po):
    add("张三", "--mobile", "13800138000")
    sheet = tmp_path / "one.csv"
    sheet.write_text("姓名,手机\n张三,13800138000\n李四,13900139000\n", encoding="utf-8")
    out = ok("import", str(sheet), lang="zh").stderr
    assert (
        "已新建 1 张客户卡（其中 0 张带成交记录），更新 0 张，跳过重复 1 张，错误行 0 行。" in out
    )
