"""Customer value and loyalty, referrers, complaints, key accounts, and what they add to `due`."""

from __future__ import annotations


def kinds(ok, *args, **kw):
    return [(i["kind"], i["number"]) for i in ok("due", "--json", *args, **kw).json()]


def test_value_8020_cycle_and_groups(ok, add):
    big = add("大客户", now="2025-06-01")
    ok("deal", big, "--amount", "800000", "--date", "2025-06-01", now="2025-06-01")
    ok("deal", big, "--amount", "100000", "--date", "2025-12-01", now="2025-12-01")
    once = add("一次", now="2025-09-01")
    ok("deal", once, "--amount", "60000", now="2025-09-01")
    small = add("小客户", now="2025-01-01")
    ok("deal", small, "--amount", "10000", now="2025-01-10")
    ok("deal", small, "--amount", "10000", now="2026-01-10")
    old = add("老客户", now="2024-01-01")
    ok("deal", old, "--amount", "30000", now="2024-01-05")
    result = ok("value", "--json", now="2026-03-18").json()
    assert result["total"] == "1010000.00"
    rows = {r["name"]: r for r in result["rows"]}
    assert result["rows"][0]["name"] == "大客户"
    assert rows["大客户"]["top"] is True and result["top_count"] == 1
    assert rows["大客户"]["cycle_days"] == 183.0 and rows["大客户"]["next_expected"] == "2026-06-02"
    assert rows["大客户"]["group"] == "strategic"
    assert rows["一次"]["group"] == "retain"
    assert rows["小客户"]["group"] == "develop"
    assert rows["老客户"]["group"] == "relationship"
    assert {g["group"]: g["count"] for g in result["groups"]} == {
        "strategic": 1,
        "retain": 1,
        "develop": 1,
        "relationship": 1,
    }
    assert "80%" in ok("value", now="2026-03-18").stdout


def test_a_repeat_buyer_near_their_next_purchase_is_a_care_call(ok, add):
    n = add("续购", now="2025-09-01")
    ok("deal", n, "--amount", "5000", now="2025-09-01")
    ok("deal", n, "--amount", "5000", now="2025-12-01")  # cycle 91 days: next about 2026-03-02
    ok("log", n, "--note", "delivered", now="2025-12-01")
    assert ("care", n) not in kinds(ok, now="2026-02-01")
    items = ok("due", "--json", now="2026-02-20").json()
    care = [i for i in items if i["number"] == n]
    assert care and care[0]["kind"] == "care" and care[0]["expected_purchase"] == "2026-03-02"
    ok("log", n, "--note", "asked about a refill", now="2026-02-20")
    assert ("care", n) not in kinds(ok, now="2026-02-21")


def test_referrers_ranked_and_thanked_when_a_referral_buys(ok, add):
    ref = add("老王")
    a = add("朋友甲", "--referrer", ref)
    add("朋友乙", "--referrer", "老王")
    ok("log", ref, now="2026-03-18")
    ok("deal", a, "--amount", "1000", now="2026-03-19")
    rows = ok("referrers", "--json").json()
    assert rows == [
        {"number": ref, "name": "老王", "referred": 2, "won": 1, "referred_value": "1000.00"}
    ]
    due = ok("due", "--json", now="2026-03-20").json()
    thanks = [i for i in due if i["kind"] == "thank-you"]
    assert [(i["number"], i["about"]) for i in thanks] == [(ref, f"{a} 朋友甲")]
    assert "thank them" in ok("due", now="2026-03-20").stdout
    ok("log", ref, "--note", "谢谢介绍", now="2026-03-20")
    assert not [i for i in ok("due", "--json", now="2026-03-21").json() if i["kind"] == "thank-you"]


def test_complaint_open_then_resolved_then_checked_back(ok, cli, add):
    n = add("投诉人", "--grade", "E")
    cid = ok("complaint", n, "--note", "交车晚了", now="2026-03-10").stdout.strip()
    assert kinds(ok, now="2026-03-11") == [("complaint", n)]
    ok("complaint", "resolve", cid, "--note", "补偿保养", now="2026-03-12")
    assert kinds(ok, now="2026-03-13") == []
    assert kinds(ok, now="2026-03-19") == [("check-back", n)]
    ok("log", n, "--note", "问交车时间", now="2026-03-19")  # an unrelated call: still due
    assert kinds(ok, now="2026-03-20") == [("check-back", n)]
    ok("log", n, "--check-back", "--note", "客户满意", now="2026-03-20")
    assert kinds(ok, now="2026-03-20") == []
    assert cli("complaint", "resolve", cid, "--note", "again").exit_code == 1
    assert cli("complaint", "resolve", "999", "--note", "x").exit_code == 1
    assert cli("complaint", n).exit_code == 1  # no --note
    assert "交车晚了" in ok("complaint", "list").stdout


def test_swot_grid_financials_and_planned_visits(ok, cli, add):
    n = add("华信集团", "--grade", "E")
    ok("swot", n, "--add", "s", "行业龙头")
    ok("swot", n, "--add", "o", "明年新建工厂")
    grid = ok("swot", n, "--json").json()
    assert grid == {"s": ["行业龙头"], "w": [], "o": ["明年新建工厂"], "t": []}
    out = ok("swot", n).stdout
    assert "Strengths" in out and "行业龙头" in out and "Opportunities" in out
    assert cli("swot", n, "--add", "x", "nonsense").exit_code == 1
    ok("finance", n, "--current-ratio", "1.8", "--net-margin", "6.5%", "--as-of", "2025-12-31")
    assert ok("finance", n, "--json").json()["net_margin"] == {
        "value": "6.5",
        "as_of": "2025-12-31",
    }
    assert cli("finance", n, "--roa", "high").exit_code == 1
    ok("visit", n, "--on", "2026-03-20", "--purpose", "见采购总监", "--prepare", "报价单")
    assert kinds(ok, now="2026-03-19") == []
    assert kinds(ok, now="2026-03-20") == [("visit", n)]
    ok("log", n, "--via", "visit", "--note", "见到了", now="2026-03-21")
    assert kinds(ok, now="2026-03-21") == []


def test_the_value_column_says_what_it_is_in_chinese(ok, add):
    add("黄磊")
    ok("deal", "C00001", "--amount", "35.6万")
    shown = ok("value", lang="zh").stdout
    assert "累计价值" in shown and " 值 " not in shown
