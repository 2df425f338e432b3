"""Reverse planning (倒推法): the arithmetic, defaults on thin history, saved plans and checks."""

from __future__ import annotations

from datetime import date

import pytest

from leadbook.planning import STEPS, compute, mondays, parse_rates

RATES = {"prospect": 0.5, "contacted": 0.5, "interested": 0.5, "intent": 0.5, "ready": 0.5}
SOURCES = dict.fromkeys(STEPS, "given")


def test_the_arithmetic_works_backwards_from_the_target():
    weeks = mondays(date(2026, 3, 16), date(2026, 4, 12))  # four weeks
    needs, expected, new_needed, plan_weeks = compute(
        target=4,
        won_so_far=0,
        pipeline={"ready": 2, "intent": 2},
        rates=RATES,
        sources=SOURCES,
        weeks=weeks,
    )
    by_stage = {n.stage: n for n in needs}
    # ready -> won 50%: 4 deals need 8 cards at ready, 2 there, 6 to come from intent, which
    # needs 12 (2 there, 10 to come); interested 20, contacted 40, prospect 80 (1/32 to won).
    assert (by_stage["ready"].need, by_stage["ready"].have, by_stage["ready"].gap) == (8, 2, 6)
    assert (by_stage["intent"].need, by_stage["intent"].have, by_stage["intent"].gap) == (12, 2, 10)
    assert by_stage["prospect"].need == 80 and by_stage["prospect"].to_won == 0.0312
    # The pipeline should bring 2 x 0.5 + 2 x 0.25 = 1.5 deals; 2.5 more need 80 prospects.
    assert expected == 1.5
    assert new_needed == 80
    assert [w.new_planned for w in plan_weeks] == [20, 20, 20, 20]


def test_a_target_already_covered_needs_no_new_prospects():
    _needs, _expected, new_needed, weeks = compute(
        target=1, won_so_far=1, pipeline={}, rates=RATES, sources=SOURCES, weeks=[date(2026, 3, 16)]
    )
    assert new_needed == 0 and weeks[0].new_planned == 0


def test_rates_are_read_as_fractions_or_percentages():
    assert parse_rates("60%,0.5,50%,0.6,70%")["ready"] == 0.7
    from leadbook.errors import InvalidValue

    for bad in ("0.5,0.5", "0.5,0.5,0.5,0.5,1.5", "a,b,c,d,e", "0,0.5,0.5,0.5,0.5"):
        with pytest.raises(InvalidValue):
            parse_rates(bad)


def test_plan_on_thin_history_says_so_and_uses_default_rates(ok, add):
    add("a")
    plan = ok("plan", "--target", "3", "--by", "2026-04-30", "--json").json()
    assert {s["rate_source"] for s in plan["stages"]} == {"default"}
    assert plan["notes"] and "default" in plan["notes"][0]
    assert sum(w["new_planned"] for w in plan["weeks"]) == plan["new_needed"]
    assert plan["weeks"][0]["week"] == "2026-03-16"
    assert "too thin" in ok("plan", "--target", "3", "--by", "2026-04-30", "--dry-run").stdout


def test_plan_uses_observed_rates_when_history_allows(ok, add):
    for i in range(40):
        n = add(f"p{i}", now="2026-02-01")
        if i < 30:
            ok("stage", n, "contacted", now="2026-02-05")
    plan = ok("plan", "--target", "2", "--by", "2026-05-31", "--json", now="2026-03-18").json()
    prospect = next(s for s in plan["stages"] if s["stage"] == "prospect")
    assert prospect["rate_source"] == "observed" and prospect["rate"] == 0.75


def test_plan_check_compares_weeks_replans_and_summarises(ok, add):
    ok("plan", "--target", "2", "--by", "2026-03-29", "--rates", "1,1,1,1,0.5", now="2026-03-16")
    # Week 1: the plan asked for 2 new prospects a week (4 cards at 50% for 2 deals, 2 weeks).
    a = add("a", now="2026-03-17")
    ok("deal", a, "--amount", "100", now="2026-03-18")
    check = ok("plan", "check", "--json", now="2026-03-22").json()
    first = check["weeks"][0]
    assert (first["new_planned"], first["new_actual"], first["won_actual"]) == (2, 1, 1)
    assert first["completion"] == 0.5
    assert check["won_so_far"] == 1
    # One deal to go at 50%: two new prospects, all in the week left.
    assert check["weeks"][1]["new_planned"] == 2 and check["new_needed"] == 2
    assert check["finished"] is False
    end = ok("plan", "check", "--json", now="2026-04-02").json()
    assert end["finished"] is True
    assert end["average_completion"] is not None
    assert "prospect" in end["average_rates"]
    out = ok("plan", "check", now="2026-04-02").stdout
    assert "period is over" in out


def test_plan_check_without_a_plan_is_one_clear_line(cli):
    result = cli("plan", "check")
    assert result.exit_code == 1 and "--target" in result.stderr


def test_plan_refuses_bad_input(cli):
    for args in (
        ("--target", "0", "--by", "+30d"),
        ("--target", "3", "--by", "2020-01-01"),
        ("--target", "3"),
        ("--target", "3", "--by", "+30d", "--rates", "1,2"),
    ):
        assert cli("plan", *args).exit_code == 1, args
