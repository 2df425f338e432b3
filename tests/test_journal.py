"""Daily and weekly journals: contacts by channel, changes, new cards, due against done."""

from __future__ import annotations


def _week(ok, add):
    """Mon 03-16: two new cards, one called. Tue: one due and done, one missed."""
    a = add("张三", "--grade", "A", now="2026-03-16")
    b = add("李四", "--grade", "B", now="2026-03-16")
    ok("log", a, "--via", "phone", "--note", "first call", now="2026-03-16")  # next 03-17
    ok("log", a, "--via", "visit", "--stage", "interested", "--note", "看车", now="2026-03-17")
    ok("log", a, "--via", "wechat", now="2026-03-17")
    return a, b


def test_day_journal_counts_contacts_changes_new_cards_and_completion(ok, add):
    _a, b = _week(ok, add)
    day = ok("journal", "--day", "2026-03-16", "--json").json()
    assert day["contacts"] == 1 and day["by_channel"] == {"phone": 1}
    assert day["new_cards"] == 2
    assert (day["due"], day["done"], day["completion"]) == (2, 1, 0.5)
    assert [m["number"] for m in day["missed"]] == [b]
    assert {(c["old"], c["new"]) for c in day["changes"]} == {("prospect", "contacted")}

    day = ok("journal", "--day", "2026-03-17", "--json").json()
    assert day["by_channel"] == {"visit": 1, "wechat": 1}
    # Due on Tuesday: 张三's rhythm call and 李四, still overdue from Monday.
    assert (day["due"], day["done"], day["completion"]) == (2, 1, 0.5)
    assert [(c["field"], c["old"], c["new"]) for c in day["changes"]] == [
        ("stage", "contacted", "interested")
    ]


def test_day_journal_on_screen(ok, add):
    _week(ok, add)
    out = ok("journal", "--day", "2026-03-17").stdout
    assert "Journal for 2026-03-17" in out
    assert "visit 1, WeChat 1" in out
    assert "Due / done: 2 / 1" in out and "50%" in out
    assert "看车" in out and "contacted → interested" in out


def test_week_journal_day_by_day(ok, add):
    _week(ok, add)
    week = ok("journal", "--week", "2026-03-18", "--json", now="2026-03-22").json()
    assert week["start"] == "2026-03-16" and week["end"] == "2026-03-22"
    assert [d["contacts"] for d in week["days"]] == [1, 2, 0, 0, 0, 0, 0]
    assert week["contacts"] == 3 and week["by_channel"] == {"phone": 1, "visit": 1, "wechat": 1}
    assert week["new_cards"] == 2
    # Distinct plans due in the week: 张三's first contact, 张三's 03-17 call, 李四's first contact
    # and 张三's 03-18 call (open, due Wednesday).
    assert (week["due"], week["done"]) == (4, 2)
    out = ok("journal", "--week", "2026-03-18").stdout
    assert "Mon 03-16" in out and "Sun 03-22" in out


def test_week_journal_counts_due_only_up_to_today(ok, add):
    _week(ok, add)
    week = ok("journal", "--week", "2026-03-18", "--json", now="2026-03-17").json()
    # Monday's two first contacts and Tuesday's call; Wednesday's call has not come yet.
    assert (week["due"], week["done"]) == (3, 2)
    assert week["days"][1]["completion"] == 0.5
    assert [d["completion"] for d in week["days"][2:]] == [None] * 5


def test_journal_day_and_week_together_is_refused(cli):
    assert cli("journal", "--day", "today", "--week", "today").exit_code == 1


def test_journal_of_another_salesperson(ok, add):
    add("mine")
    add("theirs", "--owner", "李强")
    assert ok("journal", "--owner", "李强", "--json").json()["new_cards"] == 1
