"""The due list: overdue first then by grade and date; birthdays; care reminders; JSON."""

from __future__ import annotations


def test_due_lists_overdue_first_then_by_grade_and_date(ok, add):
    today_c = add("today C", "--grade", "C")
    today_a = add("today A", "--grade", "A")
    late_b = add("late B", "--grade", "B", "--next", "2026-03-17", now="2026-03-10")
    late_a = add("late A", "--grade", "A", "--next", "2026-03-12", now="2026-03-10")
    later_a = add("late A2", "--grade", "A", "--next", "2026-03-16", now="2026-03-10")
    add("future", "--grade", "A", "--next", "2026-03-25", now="2026-03-10")
    items = ok("due", "--json", now="2026-03-18").json()
    assert [i["number"] for i in items] == [late_a, later_a, late_b, today_a, today_c]
    first = items[0]
    assert first["overdue_days"] == 6 and first["kind"] == "follow-up"
    assert first["due"] == "2026-03-12"
    for key in ("number", "name", "grade", "stage", "due", "overdue_days", "kind", "purpose"):
        assert key in first


def test_due_shows_purpose_and_last_contact(ok, add):
    n = add("张三", "--company", "华信科技", "--grade", "B")
    ok("log", n, "--via", "wechat", "--next", "2026-03-20", "--purpose", "送报价", now="2026-03-16")
    items = ok("due", "--date", "2026-03-20", "--json", now="2026-03-18").json()
    assert items[0]["purpose"] == "送报价"
    assert items[0]["last_contact"] == "2026-03-16" and items[0]["last_via"] == "wechat"
    out = ok("due", "--date", "2026-03-21").stdout
    assert "送报价" in out and "1 day late" in out and "华信科技" in out


def test_due_date_and_days_window(ok, add):
    add("a", "--next", "2026-03-19")
    add("b", "--next", "2026-03-21")
    assert [i["name"] for i in ok("due", "--json").json()] == []
    assert [i["name"] for i in ok("due", "--date", "tomorrow", "--json").json()] == ["a"]
    assert [i["name"] for i in ok("due", "--days", "3", "--json").json()] == ["a", "b"]


def test_due_filters_by_owner(ok, add):
    add("mine")
    add("theirs", "--owner", "李强")
    assert [i["name"] for i in ok("due", "--owner", "李强", "--json").json()] == ["theirs"]
    assert [i["name"] for i in ok("due", "--mine", "--json").json()] == ["mine"]


def test_birthdays_on_the_day_or_within_days(ok, add):
    add("寿星", "--birthday", "1986-03-18", "--grade", "E")
    add("下周生日", "--birthday", "03-21", "--grade", "E")
    items = ok("due", "--json").json()
    assert [(i["name"], i["kind"], i["age"]) for i in items] == [("寿星", "birthday", 40)]
    items = ok("due", "--days", "3", "--json").json()
    assert [(i["name"], i["due"]) for i in items] == [
        ("寿星", "2026-03-18"),
        ("下周生日", "2026-03-21"),
    ]
    assert "turns 40" in ok("due").stdout


def test_leap_day_birthday_is_remembered_on_feb_28_in_common_years(ok, add):
    add("leap", "--birthday", "2000-02-29", "--grade", "E")
    assert [i["name"] for i in ok("due", "--date", "2026-02-28", "--json").json()] == ["leap"]


def test_a_won_customer_gone_quiet_is_a_care_reminder(ok, add):
    n = add("老客户", "--grade", "B", now="2025-10-01")
    ok("log", n, "--stage", "won", "--note", "提车")
    assert ok("due", "--json", now="2025-12-15").json() == []
    items = ok("due", "--json", now="2026-01-05").json()  # 96 days quiet
    assert [(i["kind"], i["number"]) for i in items] == [("care", n)]
    ok("config", "set", "care_days", "120")
    assert ok("due", "--json").json() == []


def test_due_on_screen_has_a_limit_and_says_how_many_more(ok, add):
    for i in range(5):
        add(f"p{i}")
    result = ok("due", "--limit", "3")
    assert "p2" in result.stdout and "p3" not in result.stdout
    assert "2 more" in result.stdout
    assert len(ok("due", "--json").json()) == 5


def test_a_huge_due_list_is_counted_up_to_a_cap(ok, add, monkeypatch):
    # A team book can hold hundreds of thousands of overdue cards: counting them all would cost
    # more than the rest of `due`; past the cap the screen says "more than".
    import leadbook.due

    monkeypatch.setattr(leadbook.due, "COUNT_CAP", 4)
    for i in range(7):
        add(f"p{i}")
    assert "more than 4 more follow-ups" in ok("due", "--limit", "2").stdout
    assert "and 2 more follow-ups" in ok("due", "--limit", "5").stdout
    assert len(ok("due", "--json").json()) == 7


def test_nothing_due_says_so(ok):
    assert "Nothing due" in ok("due").stdout
