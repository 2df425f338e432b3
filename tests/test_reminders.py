"""The life cycle of reminders over days (issue 11, points 1 and 3): a deal closes what was due
by it, a regrade never hides a missed contact. Dates are pinned day by day; the expected lists
are worked out by hand from the method."""

from __future__ import annotations


def due(ok, day: str, *args: str) -> list[tuple[str, str, int, str | None]]:
    return [
        (i["number"], i["due"], i["overdue_days"], i["purpose"])
        for i in ok("due", "--json", *args, now=day).json()
        if i["kind"] == "follow-up"
    ]


def test_a_deal_closes_the_overdue_contract_signing_it_happened_at(ok, add):
    c1 = add("张三", "--grade", "B", now="2026-03-09")
    ok("log", c1, "--next", "2026-03-11", "--purpose", "签合同", now="2026-03-09")
    assert due(ok, "2026-03-18") == [(c1, "2026-03-11", 7, "签合同")]
    ok("deal", c1, "--amount", "18万", now="2026-03-18")
    assert due(ok, "2026-03-18") == []  # before: "won, 7 days late, 签合同"
    assert due(ok, "2026-03-25", "--days", "30") == []


def test_a_later_plan_set_by_hand_outlives_the_deal(ok, add):
    c1 = add("张三", "--grade", "B", now="2026-03-09")
    ok("log", c1, "--next", "2026-03-25", "--purpose", "交车", now="2026-03-18")
    ok("deal", c1, "--amount", "18万", now="2026-03-18")
    assert due(ok, "2026-03-25") == [(c1, "2026-03-25", 0, "交车")]


def test_regrading_keeps_a_missed_first_contact_missed(ok, add):
    c4 = add("赵六", "--grade", "C", now="2026-03-09")  # first contact due 03-09
    assert due(ok, "2026-03-12") == [(c4, "2026-03-09", 3, None)]
    ok("grade", c4, "A", now="2026-03-12")
    # before: moved to today, no longer late, and "first contact" gone
    assert due(ok, "2026-03-12") == [(c4, "2026-03-09", 3, None)]
    out = ok("due", now="2026-03-12").stdout
    assert "3 days late" in out and "first contact" in out


def test_regrading_keeps_a_missed_plan_with_its_purpose(ok, add):
    c2 = add("钱二", "--grade", "C", now="2026-03-02")
    ok("log", c2, "--next", "2026-03-10", "--purpose", "报价", now="2026-03-02")
    ok("grade", c2, "A", now="2026-03-12")
    ok("grade", c2, "D", now="2026-03-13")
    assert due(ok, "2026-03-13") == [(c2, "2026-03-10", 3, "报价")]


def test_regrading_up_brings_the_rhythms_plan_earlier_never_later(ok, add):
    c3 = add("孙三", "--grade", "D", now="2026-03-02")
    ok("log", c3, now="2026-03-02")  # D: next 30 days on, 04-01
    ok("grade", c3, "B", now="2026-03-05")  # B: 7 days from the contact, 03-09
    assert due(ok, "2026-03-09") == [(c3, "2026-03-09", 0, None)]
    ok("grade", c3, "C", now="2026-03-06")  # C would be 03-17: later, so it stays 03-09
    assert due(ok, "2026-03-09") == [(c3, "2026-03-09", 0, None)]


def check_backs(ok, day: str) -> list[tuple[str, str, int]]:
    return [
        (i["number"], i["due"], i["ref"])
        for i in ok("due", "--json", now=day).json()
        if i["kind"] == "check-back"
    ]


def test_an_unrelated_call_does_not_close_a_complaints_check_back(ok, cli, add, db_path):
    from conftest import dump_book

    c1 = add("张三", "--grade", "B", now="2026-03-02")
    ok("complaint", c1, "--note", "质量问题", now="2026-03-02")
    ok("complaint", "resolve", "1", "--note", "换货", now="2026-03-03")
    ok("log", c1, "--note", "换货完成", now="2026-03-04")  # an ordinary call the next day
    # before: the check-back was gone after this call
    assert check_backs(ok, "2026-03-10") == [(c1, "2026-03-10", 1)]
    before = dump_book(db_path)
    late = cli("log", c1, "--check-back", "--at", "2026-03-02 10:00", now="2026-03-10")
    assert late.exit_code == 1 and "no resolved complaint" in late.stderr  # before it was solved
    assert dump_book(db_path) == before
    ok("log", c1, "--check-back", "--note", "很满意", now="2026-03-10")
    assert check_backs(ok, "2026-03-10") == []


def test_complaint_check_logs_the_check_back_as_a_contact(ok, add):
    c1 = add("张三", now="2026-03-02")
    ok("complaint", c1, "--note", "送货晚了", now="2026-03-02")
    ok("complaint", "resolve", "1", "--note", "退了运费", now="2026-03-03")
    ok("complaint", "check", "1", "--note", "满意", now="2026-03-10")
    assert check_backs(ok, "2026-03-10") == []
    card = ok("show", c1, "--json").json()
    assert card["last_contact_at"].startswith("2026-03-10")


def thanks(ok, day: str) -> list[tuple[str, str, str]]:
    return [
        (i["kind"], i["number"], i["about"])
        for i in ok("due", "--json", now=day).json()
        if i["kind"] in ("thank-you", "thank-referral")
    ]


def test_a_referrer_is_thanked_when_the_referral_comes_and_again_when_they_buy(ok, add):
    ref = add("老王", now="2026-03-02")
    ok("log", ref, now="2026-03-02")
    a = add("朋友甲", "--referrer", ref, now="2026-03-09")
    # before: nothing until a deal, although the seeds thank them for the referral itself
    assert thanks(ok, "2026-03-09") == [("thank-referral", ref, f"{a} 朋友甲")]
    assert "thank them for referring" in ok("due", now="2026-03-09").stdout
    ok("log", ref, "--note", "谢谢介绍", now="2026-03-10")
    assert thanks(ok, "2026-03-10") == []
    ok("deal", a, "--amount", "5万", now="2026-03-16")
    assert thanks(ok, "2026-03-16") == [("thank-you", ref, f"{a} 朋友甲")]
    ok("log", ref, "--note", "再次感谢", now="2026-03-17")
    assert thanks(ok, "2026-03-17") == []
