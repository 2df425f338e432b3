"""Issue 11: each entry counts on the day it happened, and `due`, the journals and the report
give the same due/done for the same day (README, "What the numbers mean"). Every expected
number is worked out by hand in the comments."""

from __future__ import annotations

from typing import Any

from conftest import dump_book


def due_numbers(ok: Any, day: str) -> list[tuple[str, str]]:
    return [(i["number"], i["kind"]) for i in ok("due", "--json", now=day).json()]


def day_figures(ok: Any, day: str, now: str) -> tuple[int, int]:
    j = ok("journal", "--day", day, "--json", now=now).json()
    return j["due"], j["done"]


def report_figures(ok: Any, since: str, until: str, now: str) -> tuple[int, int]:
    rows = ok("report", "--since", since, "--until", until, "--json", now=now).json()
    return sum(r["due"] for r in rows), sum(r["done"] for r in rows)


def test_a_card_lost_in_the_afternoon_was_still_due_that_morning(ok, add):
    # Monday 11-09: both added, first contacts due that day; Tuesday morning both are overdue.
    add("张三", "--grade", "B", now="2026-11-09")
    add("李四", "--grade", "C", now="2026-11-09")
    assert due_numbers(ok, "2026-11-10T08:00") == [
        ("C00001", "follow-up"),
        ("C00002", "follow-up"),
    ]
    ok("lost", "C00002", "--reason", "买了别家", now="2026-11-10T15:00")  # no contact
    ok("log", "C00001", now="2026-11-10T16:00")
    # 11-10: due 2 (both open that morning), done 1 (张三's call); the same on every screen
    assert day_figures(ok, "2026-11-10", "2026-11-11") == (2, 1)
    assert report_figures(ok, "2026-11-10", "2026-11-10", "2026-11-11") == (2, 1)
    week = ok("journal", "--week", "2026-11-11", "--json", now="2026-11-11").json()
    # the week so far (11-09..11-11): the same two plans, 张三's done
    assert (week["due"], week["done"]) == (2, 1)
    assert report_figures(ok, "2026-11-09", "2026-11-11", "2026-11-11") == (2, 1)
    missed = ok("journal", "--day", "2026-11-10", "--json", now="2026-11-11").json()["missed"]
    assert [(m["number"], m["due"]) for m in missed] == [("C00002", "2026-11-09")]


def test_a_contact_typed_in_the_next_morning_counts_on_its_day_everywhere(ok, add):
    add("赵六", "--grade", "A", now="2026-11-11")  # due 11-11
    ok("log", "C00001", "--at", "2026-11-12 16:00", now="2026-11-13T09:00")
    # 11-11: due 1, done 0; 11-12: still due (missed the day before), done by the late entry
    assert day_figures(ok, "2026-11-11", "2026-11-13") == (1, 0)
    assert day_figures(ok, "2026-11-12", "2026-11-13") == (1, 1)
    assert report_figures(ok, "2026-11-12", "2026-11-12", "2026-11-13") == (1, 1)
    assert report_figures(ok, "2026-11-11", "2026-11-12", "2026-11-13") == (1, 1)
    # A, 1 day from the contact's day: next 11-13
    assert ok("show", "C00001", "--json", now="2026-11-13").json()["next_due"] == "2026-11-13"


def test_a_past_days_missed_list_shows_the_grade_of_that_day(ok, add):
    add("钱二", "--grade", "C", now="2026-11-09")  # due 11-09, not called
    ok("grade", "C00001", "A", now="2026-11-10")
    missed = ok("journal", "--day", "2026-11-09", "--json", now="2026-11-10").json()["missed"]
    assert [(m["number"], m["grade"]) for m in missed] == [("C00001", "C")]
    missed = ok("journal", "--day", "2026-11-10", "--json", now="2026-11-10").json()["missed"]
    assert [(m["number"], m["grade"]) for m in missed] == [("C00001", "A")]


def test_lost_typed_in_late_closes_the_plans_on_its_day(ok, add):
    add("孙三", "--grade", "B", now="2026-11-09")  # due 11-09
    ok("lost", "C00001", "--reason", "预算没了", "--at", "2026-11-10 11:00", now="2026-11-12")
    # due 11-09 and 11-10 (closed that day, without a contact), gone from 11-11 on
    assert day_figures(ok, "2026-11-10", "2026-11-12") == (1, 0)
    assert day_figures(ok, "2026-11-11", "2026-11-12") == (0, 0)
    assert due_numbers(ok, "2026-11-12") == []


def test_a_deal_typed_in_late_closes_the_plans_due_by_its_day(ok, add):
    add("周七", "--grade", "A", now="2026-11-09")
    ok("log", "C00001", "--next", "2026-11-11", "--purpose", "签合同", now="2026-11-09")
    ok("deal", "C00001", "--amount", "23万", "--date", "2026-11-11", now="2026-11-13")
    assert due_numbers(ok, "2026-11-13") == []
    # 11-11: the signing was due that day and closed by the deal that day; 11-12: nothing due
    assert day_figures(ok, "2026-11-11", "2026-11-13") == (1, 0)
    assert day_figures(ok, "2026-11-12", "2026-11-13") == (0, 0)
    rows = ok(
        "report", "--since", "2026-11-09", "--until", "2026-11-11", "--json", now="2026-11-13"
    )
    assert [(r["won"], r["won_value"]) for r in rows.json()] == [(1, "230000.00")]


def test_reopen_typed_in_late_plans_the_win_back_on_its_day(ok, add):
    add("吴八", "--grade", "C", now="2026-11-09")
    ok("lost", "C00001", "--reason", "嫌贵", now="2026-11-09")
    ok("reopen", "C00001", "--at", "2026-11-11 10:00", now="2026-11-12")
    assert [
        (i["number"], i["due"], i["overdue_days"])
        for i in ok("due", "--json", now="2026-11-12").json()
    ] == [("C00001", "2026-11-11", 1)]


def test_complaint_and_resolution_typed_in_late_put_the_check_back_a_week_after(ok, add):
    add("郑九", "--grade", "B", now="2026-11-02")
    ok("log", "C00001", "--next", "2026-12-31", now="2026-11-02")  # nothing else due
    ok("complaint", "C00001", "--note", "漏水", "--at", "2026-11-09 10:00", now="2026-11-10")
    ok(
        "complaint",
        "resolve",
        "1",
        "--note",
        "上门修好",
        "--at",
        "2026-11-10 17:00",
        now="2026-11-12",
    )
    listed = ok("complaint", "list", "--json", now="2026-11-12").json()
    assert listed[0]["opened_at"].startswith("2026-11-09T10:00")
    assert listed[0]["resolved_at"].startswith("2026-11-10T17:00")
    # resolved 11-10: check back on 11-17
    assert due_numbers(ok, "2026-11-16") == []
    assert due_numbers(ok, "2026-11-17") == [("C00001", "check-back")]


def test_entries_before_the_card_existed_or_in_the_future_are_refused(cli, ok, add, db_path):
    add("王五", "--grade", "B", now="2026-11-10")
    before = dump_book(db_path)
    for args in (
        ("log", "C00001", "--at", "2026-11-09 15:00"),
        ("complaint", "C00001", "--note", "x", "--at", "2026-11-08"),
        ("complaint", "C00001", "--note", "x", "--at", "2026-11-13"),
    ):
        result = cli(*args, now="2026-11-12")
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (
        "added on 2026-11-10" in cli("log", "C00001", "--at", "2026-11-09", now="2026-11-12").stderr
    )
    assert dump_book(db_path) == before
    ok("complaint", "C00001", "--note", "送错货", now="2026-11-12")
    refused = cli(
        "complaint", "resolve", "1", "--note", "x", "--at", "2026-11-11", now="2026-11-12"
    )
    assert refused.exit_code == 1 and "cannot be resolved before" in refused.stderr
    assert ok("complaint", "list", "--json", now="2026-11-12").json()[0]["resolved_at"] is None


def test_a_bad_pinned_clock_is_one_clear_line(cli):
    result = cli("due", now="next tuesday")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: LEADBOOK_NOW is 'next tuesday'")
    assert result.stderr.count("\n") == 1


def test_a_deal_dated_before_the_card_or_its_last_move_is_refused(cli, ok, add, db_path):
    add("孙悦", "--grade", "A", now="2026-11-11")
    ok("stage", "C00001", "ready", now="2026-11-18T11:00")
    before = dump_book(db_path)
    early = cli("deal", "C00001", "--amount", "12万", "--date", "2026-11-10", now="2026-11-19")
    assert early.exit_code == 1 and "added on 2026-11-11" in early.stderr
    moved = cli("deal", "C00001", "--amount", "12万", "--date", "2026-11-12", now="2026-11-19")
    assert moved.exit_code == 1 and "on 2026-11-18" in moved.stderr
    assert dump_book(db_path) == before
    # on the day of the move it is recorded, and the report puts deal and win in one week
    ok("deal", "C00001", "--amount", "12万", "--date", "2026-11-18", now="2026-11-19")
    week = ok(
        "report", "--since", "2026-11-16", "--until", "2026-11-22", "--json", now="2026-11-23"
    )
    assert [(r["won"], r["won_value"]) for r in week.json()] == [(1, "120000.00")]
