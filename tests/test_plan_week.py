"""Planning by the week (倒推法, 按周重新计划, 期末检查) and the report's rules of thumb: issue 11,
cases 6 and 7. The clock is pinned for every command; every expected number below is worked out
by hand from the method (the working is in the comments), not computed by the code under test.

The dates: 2026-03-09 is a Monday, 2026-03-15 a Sunday, 2026-04-01 a Wednesday.
"""

from __future__ import annotations

from datetime import date

# Rates given with --rates: prospect→contacted 50%, contacted→interested 50%, interested→intent
# 100%, intent→ready 100%, ready→won 50%. So a card's chance to be won is 1/2 at ready, intent
# and interested, 1/4 at contacted, 1/8 at prospect.
RATES = "0.5,0.5,1,1,0.5"


def _row(out: str, label: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(label))


def _week_row(out: str, week: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(week))


def _book_before_the_plan(ok, add) -> dict[str, str]:
    """15 cards added Monday 03-09 to Saturday 03-14; on Friday 03-13, c0-c3 are contacted and
    c4 is ready. At the plan: 10 prospects, 4 contacted, 1 ready."""
    days = ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14"]
    cards = {f"c{i}": add(f"c{i}", now=days[i % 6]) for i in range(15)}
    for i in range(4):
        ok("stage", cards[f"c{i}"], "contacted", now="2026-03-13")
    ok("stage", cards["c4"], "ready", now="2026-03-13")
    return cards


# --- case 7: a plan made on Sunday, one figure for what is still needed ----------------------


def test_a_plan_made_on_sunday_begins_on_monday_and_its_gap_is_the_figure_still_needed(ok, add):
    _book_before_the_plan(ok, add)
    args = ("plan", "--target", "6", "--by", "2026-04-01", "--rates", RATES)
    # As seen: "Gap 33" at prospect beside "New prospects still needed: 26", and a first week
    # (03-09) that was over before the plan was made.
    out = ok(*args, "--dry-run", now="2026-03-15").stdout
    assert "New prospects still needed: 26" in out
    assert _row(out, "prospect")[-3:] == ["36", "10", "26"]
    assert "2026-03-09" not in out
    assert "it begins on Monday 2026-03-16" in out
    assert "The week of 2026-03-30 counts from 2026-03-30 to 2026-04-01: 3 of its 5" in out
    plan = ok(*args, "--json", now="2026-03-15").json()
    # Working back from 6 deals: ready needs 6 / 0.5 = 12, has 1, gap 11; intent and
    # interested need 11 / 1 = 11, have 0, gap 11; contacted needs 11 / 0.5 = 22, has 4, gap
    # 18; prospect needs 18 / 0.5 = 36, has 10, gap 26. The cards should bring
    # 10/8 + 4/4 + 1/2 = 2.75 deals; (6 - 2.75) / (1/8) = 26 new prospects as well.
    rows = {s["stage"]: (s["need"], s["have"], s["gap"]) for s in plan["stages"]}
    assert rows == {
        "prospect": (36, 10, 26),
        "contacted": (22, 4, 18),
        "interested": (11, 0, 11),
        "intent": (11, 0, 11),
        "ready": (12, 1, 11),
    }
    assert plan["expected_from_pipeline"] == 2.75
    assert plan["new_needed"] == 26
    # No working day is left in the week of 03-09: the plan's weeks are 03-16 (5 working
    # days), 03-23 (5) and 03-30 (Monday to Wednesday 04-01: 3), 13 in all. By the end of each
    # week, 26 x 5/13 = 10, 26 x 10/13 = 20, 26: quotas 10, 10, 6.
    weeks = [(w["week"], w["days"], w["new_planned"]) for w in plan["weeks"]]
    assert weeks == [("2026-03-16", 5, 10), ("2026-03-23", 5, 10), ("2026-03-30", 3, 6)]


def test_plan_check_compares_each_week_replans_and_sums_up_after_the_end(ok, add):
    cards = _book_before_the_plan(ok, add)
    ok("plan", "--target", "6", "--by", "2026-04-01", "--rates", RATES, now="2026-03-15")
    # Week of 03-16: six new cards, c5 and c6 contacted, c4 won.
    new = {}
    for i in range(3):
        new[f"n{i}"] = add(f"n{i}", now="2026-03-16")
    for i in range(3, 6):
        new[f"n{i}"] = add(f"n{i}", now="2026-03-17")
    ok("stage", cards["c5"], "contacted", now="2026-03-18")
    ok("stage", cards["c6"], "contacted", now="2026-03-18")
    ok("deal", cards["c4"], "--amount", "1000", now="2026-03-19")

    sunday = ok("plan", "check", "--json", now="2026-03-22").json()
    # 1 deal won, 5 to go. Open now: 14 prospects (10 - 2 + 6), 6 contacted, nothing below.
    # Working back: ready 5 / 0.5 = 10, gap 10; intent, interested 10; contacted 20 - 6 = 14;
    # prospect 14 / 0.5 = 28 - 14 = 14 new prospects. The week of 03-16 is over: 6 made of
    # its 10, 60%. The weeks not begun share the 14 by working days (5 and 3, 8 in all):
    # 14 x 5/8 = 8.75, up to 9, then 14 - 9 = 5.
    assert sunday["won_so_far"] == 1 and sunday["new_needed"] == 14
    assert sunday["finished"] is False
    assert [
        (w["week"], w["new_planned"], w["new_actual"], w["won_actual"], w["completion"])
        for w in sunday["weeks"]
    ] == [
        ("2026-03-16", 10, 6, 1, 0.6),
        ("2026-03-23", 10, None, None, None),
        ("2026-03-30", 6, None, None, None),
    ]
    assert [w["replanned"] for w in sunday["weeks"]] == [None, 9, 5]
    assert sunday["average_completion"] == 0.6
    prospect = next(s for s in sunday["stages"] if s["stage"] == "prospect")
    assert (prospect["need"], prospect["have"], prospect["gap"]) == (28, 14, 14)

    # Tuesday of the second week, two more cards on Monday: 16 prospects, 6 contacted.
    new["n6"] = add("n6", now="2026-03-23")
    new["n7"] = add("n7", now="2026-03-23")
    tuesday = ok("plan", "check", "--json", now="2026-03-24").json()
    # prospect: 28 - 16 = 12 still needed. This week's quota stays 10 (2 made, 20%, not in
    # the average while the week runs); 10 - 2 = 8 of the 12 are left of it, the week of 03-30
    # gets the other 4.
    assert tuesday["new_needed"] == 12
    assert [(w["new_planned"], w["new_actual"], w["completion"]) for w in tuesday["weeks"]] == [
        (10, 6, 0.6),
        (10, 2, 0.2),
        (6, None, None),
    ]
    assert [w["replanned"] for w in tuesday["weeks"]] == [None, None, 4]
    assert tuesday["average_completion"] == 0.6
    out = ok("plan", "check", now="2026-03-24").stdout
    assert "New prospects still needed: 12" in out
    assert _row(out, "prospect")[-3:] == ["28", "16", "12"]
    assert _week_row(out, "2026-03-30") == ["2026-03-30", "3", "6", "-", "-", "-", "4"]

    ok("stage", cards["c0"], "interested", now="2026-03-25")
    new["n8"] = add("n8", now="2026-03-31")
    ok("stage", new["n0"], "contacted", now="2026-04-01")
    # After the end date: neither counts.
    ok("stage", cards["c1"], "interested", now="2026-04-02")
    add("n9", now="2026-04-02")

    end = ok("plan", "check", "--json", now="2026-04-06").json()
    assert end["finished"] is True
    assert end["new_needed"] == 0 and end["stages"] == []
    assert end["won_so_far"] == 1
    # Weeks: 6 of 10 (60%), 2 of 10 (20%), 1 of 6 (n8; 16.67%); average (0.6 + 0.2 +
    # 0.1667) / 3 = 0.3222.
    assert [(w["new_planned"], w["new_actual"], w["completion"]) for w in end["weeks"]] == [
        (10, 6, 0.6),
        (10, 2, 0.2),
        (6, 1, 0.1667),
    ]
    assert end["average_completion"] == 0.3222
    # Rates over 03-15..04-01, of the cards at each stage during it:
    # prospect: c5-c14 there at the start (10) and n0-n8 added (9) = 19; c5, c6, n0 went on:
    #   3/19 = 0.1579.
    # contacted: c0-c3 there (4), c5, c6 and n0 reached it (3) = 7; c0 went on: 1/7 = 0.1429
    #   (c1's move on 04-02 is after the end).
    # interested: c0 = 1, went no further: 0. intent: nobody. ready: c4, won: 1/1.
    assert end["average_rates"] == {
        "prospect": 0.1579,
        "contacted": 0.1429,
        "interested": 0.0,
        "intent": None,
        "ready": 1.0,
    }
    out = ok("plan", "check", now="2026-04-06").stdout
    assert "still needed" not in out
    assert "The plan's period is over." in out
    assert "Average weekly completion: 32%" in out
    # 6 + 2 + 1 = 9 made of 10 + 10 + 6 = 26 planned: 35%.
    assert "New prospects over the period: 9 made of 26 planned (35%)." in out
    assert "  prospect → 16%" in out and "  intent → -" in out and "  ready → 100%" in out


def test_plan_check_after_a_period_with_no_moves_still_gives_the_rates(ok, add):
    # Case 7 as seen: nothing moved after the plan was made, and the check after the end date
    # showed every average rate as "-" and still asked for new prospects.
    a = add("a", now="2026-03-09")
    add("b", now="2026-03-09")
    add("c", now="2026-03-09")
    ok("stage", a, "contacted", now="2026-03-10")
    ok("plan", "--target", "1", "--by", "2026-03-20", now="2026-03-15")
    end = ok("plan", "check", "--json", now="2026-03-23").json()
    # The two prospects and the contacted card sat where they were: 0 of 2 and 0 of 1 went on.
    assert end["average_rates"] == {
        "prospect": 0.0,
        "contacted": 0.0,
        "interested": None,
        "intent": None,
        "ready": None,
    }
    # Default rates 60%, 50%, 50%, 60%, 70%: ready needs 1 / 0.7 = 1.43, intent 2.38,
    # interested 4.76, contacted 9.52 - 1 = 8.52, prospect 14.21 - 2 = 12.21: 13 new
    # prospects, all in the one week (03-16 to 03-20); none made.
    assert [(w["week"], w["new_planned"], w["new_actual"]) for w in end["weeks"]] == [
        ("2026-03-16", 13, 0)
    ]
    assert end["average_completion"] == 0.0 and end["new_needed"] == 0
    out = ok("plan", "check", now="2026-03-23").stdout
    assert "still needed" not in out
    assert "  prospect → 0%" in out and "  contacted → 0%" in out
    assert "New prospects over the period: 0 made of 13 planned (0%)." in out


def test_a_plan_made_midweek_gives_its_first_and_last_weeks_their_share(ok, add):
    _book_before_the_plan(ok, add)
    plan = ok(
        "plan", "--target", "6", "--by", "2026-04-01", "--rates", RATES, "--json", now="2026-03-18"
    ).json()
    # Same book, so 26 new prospects; made on Wednesday 03-18: that week has 3 working days
    # (Wednesday to Friday), the next 5, the last 3; 11 in all. By each week's end:
    # 26 x 3/11 = 7.09 -> 8; 26 x 8/11 = 18.9 -> 19 (11 more); 26 (7 more).
    assert plan["new_needed"] == 26
    weeks = [(w["week"], w["days"], w["new_planned"]) for w in plan["weeks"]]
    assert weeks == [("2026-03-16", 3, 8), ("2026-03-23", 5, 11), ("2026-03-30", 3, 7)]
    out = ok("plan", "--target", "6", "--by", "2026-04-01", "--rates", RATES, "--dry-run").stdout
    assert "The week of 2026-03-16 counts from 2026-03-18 to 2026-03-22: 3 of its 5" in out


def test_a_plan_with_no_working_day_is_refused_in_one_line(cli, add, db_path):
    from conftest import dump_book

    add("a")
    before = dump_book(db_path)
    # Saturday 03-21 to Sunday 03-22.
    result = cli("plan", "--target", "1", "--by", "2026-03-22", now="2026-03-21")
    assert result.exit_code == 1 and "no working day" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump_book(db_path) == before


def test_the_arithmetic_of_still_needed_and_of_the_weekly_spread():
    from leadbook.planning import STEPS, spread, still_needed

    rates = {"prospect": 0.6, "contacted": 0.5, "interested": 0.5, "intent": 0.6, "ready": 0.7}
    sources = dict.fromkeys(STEPS, "default")
    # 5 deals, 1 prospect and 1 contacted: ready 5 / 0.7 = 7.14 -> 8; intent 11.9 -> 12;
    # interested 23.8 -> 24; contacted 47.6 - 1 = 46.6 -> 47; prospect 77.7 - 1 = 76.7 -> 77.
    rows = still_needed(5, {"prospect": 1, "contacted": 1}, rates, sources)
    assert [(r.stage, r.need, r.have, r.gap) for r in rows] == [
        ("prospect", 78, 1, 77),
        ("contacted", 48, 1, 47),
        ("interested", 24, 0, 24),
        ("intent", 12, 0, 12),
        ("ready", 8, 0, 8),
    ]
    # A stage holding more than it needs leaves nothing to find above it.
    rows = still_needed(2, {"intent": 10}, rates, sources)
    assert [r.gap for r in rows] == [0, 0, 0, 0, 3]
    # By each week's end, the share of the working days so far, rounded up.
    assert spread(13, [3, 5, 5, 5]) == [3, 3, 4, 3]
    assert spread(80, [5, 5, 5, 5]) == [20, 20, 20, 20]
    assert spread(0, [5, 3]) == [0, 0]
    assert date(2026, 3, 15).weekday() == 6  # the Sunday the tests plan on


# --- case 6: a flag shows the figure it is based on ---------------------------------------


def test_report_flag_shows_the_calls_a_day_it_is_based_on(ok, add):
    # Monday 03-16, report --period week: one working day lived. Four new cards called for the
    # first time, two of them called again: 6 contacts a day, 4 of them first calls to new
    # prospects, fewer than 5.
    cards = [add(f"p{i}", now="2026-03-16 09:00") for i in range(4)]
    for n in cards:
        ok("log", n, "--note", "first call", now="2026-03-16 10:00")
    for n in cards[:2]:
        ok("log", n, "--note", "second call", now="2026-03-16 15:00")
    out = ok("report", "--period", "week", now="2026-03-16 18:00").stdout
    assert "⚑ 王丽: 4.0 calls a day to new prospects, fewer than 5" in out
    assert "Contacts/day" in out and _row(out, "王丽")[2] == "6.0"
    (row,) = ok("report", "--period", "week", "--json").json()
    assert row["contacts_per_day"] == 6.0
    assert row["new_calls_per_day"] == 4.0
    assert row["flags"] == ["4.0 calls a day to new prospects, fewer than 5"]


def test_report_flag_for_new_customers_shows_the_pace(ok, add):
    # March to the 18th: 18 days lived, 18 / 30.4 = 0.592 of a month. 2 new cards: 2 / 0.592 =
    # 3.38, shown 3.4 a month, fewer than 5.
    add("a", now="2026-03-02")
    add("b", now="2026-03-03")
    out = ok("report", now="2026-03-18").stdout.replace("\n", " ")
    assert (
        "⚑ 王丽: 0.0 calls a day to new prospects, fewer than 5; 3.4 new customers a month, " in out
    )
    (row,) = ok("report", "--json").json()
    assert row["new_cards_per_month"] == 3.4
    assert "3.4 new customers a month, fewer than 5" in row["flags"]
