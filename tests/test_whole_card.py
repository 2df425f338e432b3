"""The whole card of the seed method (客户资料卡, seeds 000 and 002): the fields it has beyond
contact details, the two-level source, the time classes, the book's own fields, and `show` as
the page a salesperson reads before a visit. Today is 2026-03-18 (conftest)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from rich.cells import cell_len

from conftest import dump_book, private_book

WHOLE = (
    "--company", "北京宏达机械有限公司", "--mobile", "13800138000", "--source", "展会",
    "--type", "单位", "--purchase", "换购", "--decision-maker", "李总",
    "--current-product", "福田 欧曼 2019", "--product", "解放 J6P", "--concerns", "价格,服务",
    "--use", "货运", "--credit", "良好", "--turnover", "50万", "--profit", "8万",
    "--expected", "2026-03-23",
)  # fmt: skip


def test_every_field_of_the_seed_card_is_kept_and_shown(ok, add):
    number = add("张三", *WHOLE)
    card = ok("show", number, "--json").json()
    assert card["customer_type"] == "organisation"
    assert card["purchase_kind"] == "replacement"
    assert card["decision_maker"] == "李总"
    assert card["current_product"] == "福田 欧曼 2019"
    assert card["concerns"] == "价格,服务"
    assert card["usage"] == "货运"
    assert card["credit"] == "良好"
    assert card["turnover"] == "500000.00"
    assert card["profit"] == "80000.00"
    assert card["urgency"] == "urgent"  # 2026-03-23 is 5 days away
    text = ok("show", number).stdout
    for shown in ("organisation", "replacement", "李总", "福田 欧曼 2019", "价格,服务", "货运"):
        assert shown in text
    assert "500,000.00" in text and "80,000.00" in text and "Grade A (urgent)" in text
    zh = ok("show", number, lang="zh").stdout
    for shown in ("类型", "单位", "换购", "决策人", "现用产品", "预期营业额", "等级 A (紧急)"):
        assert shown in zh


def test_a_first_source_keeps_its_channel_and_its_detail(ok, add):
    # Before: `--source 展会` was stored as outbound and 展会 was lost.
    fair = add("展会客户", "--source", "展会")
    assert (
        ok("show", fair, "--json").json()["source"],
        ok("show", fair, "--json").json()["source_detail"],
    ) == ("outbound", "展会")
    called = add("来电客户", "--source-detail", "来电")
    card = ok("show", called, "--json").json()
    assert (card["source"], card["source_detail"]) == ("showroom", "来电")
    # the channel typed wins over the detail's own
    own = add("介绍客户", "--source", "referral", "--source-detail", "展会")
    card = ok("show", own, "--json").json()
    assert (card["source"], card["source_detail"]) == ("referral", "展会")
    english = add("Web Lead", "--source", "trade show")
    card = ok("show", english, "--json").json()
    assert (card["source"], card["source_detail"]) == ("outbound", "展会")
    assert "outbound / 展会" in ok("show", fair).stdout
    assert "外拓 / 展会" in ok("show", fair, lang="zh").stdout
    numbers = ok("list", "--source", "展会", "--json").json()
    assert sorted(c["number"] for c in numbers) == sorted([fair, own, english])
    outbound = ok("list", "--source", "outbound", "--json").json()
    assert sorted(c["number"] for c in outbound) == sorted([fair, english])


@pytest.mark.parametrize(
    ("expected", "urgency"),
    [
        ("2026-03-10", "urgent"),  # already past: act now
        ("2026-03-25", "urgent"),  # 7 days
        ("2026-03-26", "soon"),  # 8 days
        ("2026-04-18", "soon"),  # 31 days
        ("2026-04-19", "not_urgent"),  # 32 days
        ("2026-06-18", "not_urgent"),  # 92 days
        ("2026-06-19", "slow"),  # 93 days
    ],
)
def test_time_classes_follow_the_expected_purchase_date(ok, add, expected, urgency):
    number = add("客户", "--expected", expected, "--grade", "C")
    assert ok("show", number, "--json").json()["urgency"] == urgency
    listed = ok("list", "--urgency", urgency, "--json").json()
    assert [c["number"] for c in listed] == [number]


def test_list_by_time_class_type_and_purchase(ok, add):
    a = add("甲", "--expected", "2026-03-20", "--type", "个人", "--purchase", "首次")
    b = add("乙", "--expected", "2026-04-10", "--type", "单位", "--purchase", "增购")
    add("丙")  # no expected date: in no time class
    assert [c["number"] for c in ok("list", "--urgency", "紧急", "--json").json()] == [a]
    assert [c["number"] for c in ok("list", "--urgency", "缓急", "--json").json()] == [b]
    assert ok("list", "--urgency", "可慢反应", "--json").json() == []
    assert [c["number"] for c in ok("list", "--type", "organisation", "--json").json()] == [b]
    assert [c["number"] for c in ok("list", "--purchase", "first", "--json").json()] == [a]
    # the card's time class moves with the days: on 2026-04-05 乙 is 5 days away
    assert [
        c["number"] for c in ok("list", "--urgency", "urgent", "--json", now="2026-04-05").json()
    ] == [a, b]


def test_the_books_own_fields(ok, cli, add, db_path):
    number = add("张三")
    before = dump_book(db_path)
    refused = cli("edit", number, "--set", "车牌号=京A12345")
    assert refused.exit_code != 0
    assert "config field add 车牌号" in refused.stderr and "Traceback" not in refused.stderr
    assert dump_book(db_path) == before
    refused = cli("config", "field", "add", "来源")
    assert refused.exit_code != 0 and "source" in refused.stderr
    ok("config", "field", "add", "车牌号")
    assert ok("config", "field", "list").stdout.split() == ["车牌号"]
    changed = ok("edit", number, "--set", "车牌号=京A12345")
    assert "changed 车牌号" in changed.stdout + changed.stderr
    other = add("李四", "--set", "车牌号=沪B99999")
    assert ok("show", number, "--json").json()["extra"] == {"车牌号": "京A12345"}
    assert "车牌号" in ok("show", number).stdout and "京A12345" in ok("show", number).stdout
    assert [c["number"] for c in ok("search", "京a12345", "--json").json()] == [number]
    assert [c["number"] for c in ok("list", "--field", "车牌号=沪B99999", "--json").json()] == [
        other
    ]
    assert len(ok("list", "--field", "车牌号", "--json").json()) == 2
    ok("edit", number, "--set", "车牌号=")  # an empty value clears it
    assert ok("show", number, "--json").json()["extra"] == {}
    assert ok("search", "京a12345", "--json").json() == []
    assert [c["number"] for c in ok("list", "--field", "车牌号", "--json").json()] == [other]


def test_a_column_an_import_kept_is_a_field_like_the_others(ok, tmp_path):
    source = tmp_path / "cars.csv"
    source.write_text("姓名,手机,车牌号\n王强,13800138000,京A12345\n", encoding="utf-8")
    ok("import", str(source))
    assert ok("config", "field", "list").stdout.split() == ["车牌号"]
    ok("edit", "C00001", "--set", "车牌号=京A54321")  # no need to declare it first
    assert [c["number"] for c in ok("list", "--field", "车牌号=京A54321", "--json").json()] == [
        "C00001"
    ]
    assert [c["number"] for c in ok("search", "京a54321", "--json").json()] == ["C00001"]


@pytest.mark.parametrize(
    ("lang", "suffix"), [("en", "xlsx"), ("zh", "xlsx"), ("en", "zip"), ("zh", "csv")]
)
def test_the_new_fields_survive_the_round_trip(ok, add, tmp_path, monkeypatch, lang, suffix):
    ok("config", "field", "add", "车牌号")
    number = add("张三", *WHOLE, "--set", "车牌号=京A12345")
    before = ok("show", number, "--json").json()
    target = tmp_path / f"book-{lang}.{suffix}"
    ok(
        "export",
        str(target),
        "--lang",
        lang,
        *(["--sheet", "customers"] if suffix == "csv" else []),
    )
    if suffix == "xlsx":
        sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
        heads = next(sheet.iter_rows(values_only=True))
    elif suffix == "csv":
        heads = tuple(target.read_text(encoding="utf-8-sig").splitlines()[0].split(","))
    else:
        with zipfile.ZipFile(target) as archive:
            text = archive.read("Customers.csv").decode("utf-8-sig")
        heads = tuple(text.splitlines()[0].split(","))
    assert "车牌号" in heads
    assert ("购买决策人" if lang == "zh" else "Decision maker") in heads
    with private_book(tmp_path / f"again-{lang}.db") as again:
        monkeypatch.setenv("LEADBOOK_DB", again)
        ok("import", str(target))
        after = ok("show", number, "--json").json()
    for field in (
        "customer_type", "purchase_kind", "decision_maker", "current_product", "concerns",
        "usage", "credit", "turnover", "profit", "source", "source_detail", "extra",
    ):  # fmt: skip
        assert after[field] == before[field], field


def test_show_is_the_whole_card_read_before_a_visit(ok, add):
    number = add("张三", "--company", "宏达机械", "--mobile", "13800138000")
    add("李四", "--referrer", number)
    ok("complaint", "add", number, "--note", "交车晚了三天")
    ok("complaint", "add", number, "--note", "发票开错了")
    ok("complaint", "resolve", "2", "--note", "重开了发票")
    ok("visit", number, "--on", "2026-03-20", "--purpose", "送报价单", "--prepare", "两款车型的报价",
       "--expect", "约到试驾时间", "--followup", "三天内电话确认")  # fmt: skip
    ok("swot", number, "--add", "s", "老客户，信任我们")
    ok("finance", number, "--current-ratio", "1.5")
    ok("deal", number, "--amount", "258000", "--product", "途观L")
    text = ok("show", number).stdout
    for shown in (
        "Card made 2026-03-18 09:00 by 王丽",
        "Brought in: C00002 李四",
        "交车晚了三天", "open",  # the open complaint
        "发票开错了", "重开了发票",  # the resolved one
        "2026-03-20", "送报价单", "Preparation: 两款车型的报价", "Expected result: 约到试驾时间",
        "Follow-up: 三天内电话确认",
        "Strengths: 老客户，信任我们",
        "current ratio 1.5",
        "258,000.00", "途观L",
        "Timeline",
    ):  # fmt: skip
        assert shown in text, shown
    card = ok("show", number, "--json").json()
    assert [c["note"] for c in card["complaints"]] == ["发票开错了", "交车晚了三天"]
    assert card["visits"][0]["preparation"] == "两款车型的报价"
    assert card["referred"] == [{"number": "C00002", "name": "李四", "stage": "prospect"}]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_show_fits_80_columns_and_does_not_stretch_to_200(ok, add, monkeypatch, lang):
    number = add("张三", *WHOLE, "--note", "喜欢钓鱼，周末常去密云水库。" * 4)
    ok("visit", number, "--on", "2026-03-20", "--purpose", "送报价单" * 8)
    ok("log", number, "--via", "phone", "--note", "谈了价格和交车时间，客户希望月底前能提车。" * 3)
    monkeypatch.setenv("COLUMNS", "80")
    narrow = ok("show", number, lang=lang).stdout
    assert max(cell_len(line) for line in narrow.splitlines()) <= 80
    monkeypatch.setenv("COLUMNS", "200")
    wide = ok("show", number, lang=lang).stdout
    assert max(cell_len(line) for line in wide.splitlines()) <= 100


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--type", "家庭"), "customer type"),
        (("--purchase", "租赁"), "kind of purchase"),
        (("--turnover", "$5,000"), "USD"),
        (("--set", "noequals"), "NAME=VALUE"),
    ],
)
def test_a_wrong_value_on_the_new_fields_is_one_line_and_writes_nothing(
    cli, add, db_path, args, says
):
    number = add("张三")
    before = dump_book(db_path)
    result = cli("edit", number, *args)
    assert result.exit_code != 0
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert dump_book(db_path) == before


def test_forget_erases_the_new_fields_too(ok, add, db_path):
    from conftest import query

    number = add("张三", *WHOLE)
    ok("config", "field", "add", "车牌号")
    ok("edit", number, "--set", "车牌号=京A12345")
    ok("forget", number, "--yes")
    rows = query(
        db_path,
        "SELECT customer_type, decision_maker, current_product, purchase_kind, concerns, usage, "
        "credit, turnover_cents, profit_cents, extra FROM customers",
    )
    assert rows == [(None,) * 10]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_line_of_the_card_sits_in_its_frame_whatever_the_text(ok, add, monkeypatch, lang):
    # `show` draws the frame itself (no Rich): long Chinese text, a word longer than a line,
    # control characters and every section keep each line exactly as wide as the frame.
    long_mail = "averyveryverylongname.with.many.parts.and.more.than.fits@example-company.com.cn"
    number = add(
        "张三\x1b[31m", *WHOLE, "--email", long_mail, "--note", "喜欢钓鱼，周末常去密云水库。" * 5
    )
    add("李四", "--referrer", number)
    ok("complaint", "add", number, "--note", "交车晚了三天，" * 6)
    ok("visit", number, "--on", "2026-03-20", "--purpose", "送报价单" * 9, "--prepare", "报价")
    ok("swot", number, "--add", "s", "老客户，信任我们；" * 7)
    ok("finance", number, "--current-ratio", "1.5", "--net-margin", "6.5%")
    ok("deal", number, "--amount", "258000", "--product", "途观L" * 12, "--contract", "HT" * 30)
    ok(
        "log",
        number,
        "--note",
        "谈了价格和交车时间，客户希望月底前能提车。" * 3,
        "--next",
        "2026-03-25",
    )
    for columns, wide in ((50, 50), (80, 80), (200, 100)):
        monkeypatch.setenv("COLUMNS", str(columns))
        lines = ok("show", number, lang=lang).stdout.splitlines()
        assert lines[0].startswith("╭─ " + number) and lines[-1].startswith("╰")
        assert all(line.startswith("│ ") and line.endswith(" │") for line in lines[1:-1])
        assert {cell_len(line) for line in lines} == {wide}, columns
        assert "\x1b" not in "".join(lines)  # the escape is written out, not sent
