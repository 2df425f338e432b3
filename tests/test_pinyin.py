"""Pinyin without loading pypinyin: leadbook reads a name's pinyin from two tables built from
pypinyin's own data (scripts/build_pinyin_tables.py), and its keys must equal what pypinyin
gives the whole name."""

from __future__ import annotations

import importlib.util
import random
import re
import subprocess
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

from leadbook.searchkeys import _DATA, pinyin_keys, table_readable

ROOT = Path(__file__).resolve().parents[1]

# The most common surnames (百家姓 by population), the compound ones, and surnames read
# otherwise than their character alone (单 shan, 解 xie, 仇 qiu, 区 ou, 查 zha, 曾 zeng ...).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤单解仇朴区查盖乐缪尉翟万俟种祭"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "长孙", "令狐", "澹台")
# Characters common in given names, with polyphones (长, 乐, 行, 重, 朝, 觉, 和, 传 ...).
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉力斌宇浩凯俊鹏飞波鑫晨阳宁"
    "婷雪琳晶颖佳欣怡萱子涵梓轩浩然思雨博文一诺长乐行重朝觉和传曲弹单朴解查区仇宿藏翟"
    "春夏秋冬梅兰竹菊红玉珍凤云龙虎林森海江河山川志成德福禄寿喜贵荣昌盛兴旺家宏毅"
)


def reference(name: str) -> tuple[str | None, str | None]:
    """The keys as pypinyin gives them for the whole name."""
    syllables = [re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(name) if s.strip()]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def sample_names(n: int = 20_000) -> list[str]:
    rng = random.Random(20261129)
    surnames = list(SURNAMES) + list(COMPOUND)
    names = {s + g for s in surnames for g in GIVEN}  # every surname with every one-character name
    while len(names) < n:
        names.add(rng.choice(surnames) + rng.choice(GIVEN) + rng.choice(GIVEN))
    return sorted(names)


def test_keys_equal_pypinyins_for_a_large_sample_of_names():
    names = sample_names()
    assert len(names) >= 20_000
    wrong = [(n, pinyin_keys(n), reference(n)) for n in names if pinyin_keys(n) != reference(n)]
    assert wrong == []


# Pieces of company names: places, trades and words pypinyin reads as phrases otherwise than
# their characters (重庆, 银行, 长城, 音乐 ...) or alike (公司, 科技), and text that is not Chinese.
COMPANY_PIECES = (
    "北京", "上海", "重庆", "长沙", "朝阳", "厦门", "华信", "宏达", "远航", "银行", "科技",
    "机械", "有限公司", "集团", "分行", "商行", "行", "乐器", "音乐", "重工", "长城", "传媒",
    "曲艺", "都市", "调度", "单位", "差旅", "会计", "数据", "着陆", "12", "No.3 ", "A&B ",
    "(中国)", "Zoe Smith", "-", " ", "2号楼", "IT",
)  # fmt: skip


def sample_companies(n: int = 5_000) -> list[str]:
    rng = random.Random(20261130)
    pieces = list(COMPANY_PIECES) + list(GIVEN)
    names: set[str] = set()
    while len(names) < n:
        name = "".join(rng.choice(pieces) for _ in range(rng.randint(2, 5)))
        if re.search(r"[\u3400-\u9fff]", name):  # a name without Chinese has no pinyin keys
            names.add(name)
    return sorted(names)


def test_keys_equal_pypinyins_for_company_names_with_phrases_digits_and_latin():
    companies = sample_companies()
    # Most are read from the tables alone (pypinyin only for one holding 重庆, 银行 ...).
    assert sum(table_readable(n) for n in companies) > 3_000
    wrong = [(n, pinyin_keys(n), reference(n)) for n in companies if pinyin_keys(n) != reference(n)]
    assert wrong == []


def test_keys_equal_pypinyins_for_names_holding_a_phrase_and_for_companies():
    for name in (
        "单于",
        "重庆银行",
        "长孙无忌",
        "北京宏达机械有限公司",
        "朝阳区人民医院",
        "曾国藩",
    ):
        assert pinyin_keys(name) == reference(name), name


def test_the_tables_are_what_pypinyin_gives_now():
    spec = importlib.util.spec_from_file_location(
        "build", ROOT / "scripts" / "build_pinyin_tables.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert (_DATA / "pinyin_chars.txt").read_text(encoding="ascii") == build.char_table(), (
        "pypinyin's readings changed: run python scripts/build_pinyin_tables.py"
    )
    chars = (_DATA / "pinyin_chars.txt").read_text(encoding="ascii")
    assert (_DATA / "pinyin_phrases.txt").read_text(encoding="utf-8") == build.phrase_table(chars)


def test_adding_a_card_does_not_import_pypinyin(tmp_path):
    # Nor for a company holding phrases pypinyin reads as their characters, digits and Latin
    # letters (an import of such a list used to load pypinyin's whole phrase dictionary).
    env = {
        "LEADBOOK_DB": str(tmp_path / "book.db"),
        "LEADBOOK_NOW": "2026-03-18",
        "LEADBOOK_USER": "王丽",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "leadbook",
            "add",
            "张伟",
            "--mobile",
            "13800138000",
            "--company",
            "北京宏达机械有限公司 IT部 2号楼",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "C00001" in result.stdout
    imported = [line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert not any(m.startswith("pypinyin") for m in imported)
    found = subprocess.run(
        [sys.executable, "-m", "leadbook", "search", "bjhd", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"C00001"' in found.stdout  # the company's initials were stored
