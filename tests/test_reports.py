"""Deals, the funnel, and per-salesperson reports (DOMAIN sections 5, 6, 8)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import url_of
from leadbook.render.grid import cell_width

DATA = Path(__file__).parent / "data"


def stages(ok, *args):
    return {s["stage"]: s for s in ok("funnel", "--json", *args).json()["stages"]}


def test_deal_makes_the_card_won_and_keeps_the_history(ok, add):
    n = add("张三", "--grade", "A", "--at", "2026-03-10")  # typed in late: a customer since 03-10
    ok("stage", n, "intent")
    deal = ok(
        "deal", n, "--amount", "25.8万", "--product", "途观L", "--contract", "HT-1", "--json"
    ).json()
    assert deal["amount"] == "258000.00" and deal["product"] == "途观L"
    card = ok("show", n, "--json").json()
    assert card["stage"] == "won"
    assert [(h["old"], h["new"]) for h in card["history"] if h["field"] == "stage"][-1] == (
        "intent",
        "won",
    )
    ok("deal", n, "--amount", "¥1,200.50", "--date", "yesterday")
    assert [d["amount"] for d in ok("deals", "--json").json()] == ["258000.00", "1200.50"]
    assert len(ok("show", n, "--json").json()["deals"]) == 2


def test_bad_deal_input_is_refused(cli, add):
    n = add("张三")
    for args in (("--amount", "lots"), ("--amount", "0"), ("--amount", "5", "--date", "+3d")):
        result = cli("deal", n, *args)
        assert result.exit_code == 1, args
        assert len(result.stderr.strip().splitlines()) == 1


def test_funnel_counts_a_jump_as_passing_through(ok, add):
    a = add("a")  # prospect -> intent -> won
    b = add("b")  # prospect -> contacted
    add("c")  # stays a prospect
    ok("stage", a, "intent")
    ok("deal", a, "--amount", "100")
    ok("stage", b, "contacted")
    s = stages(ok)
    assert {k: v["reached"] for k, v in s.items()} == {
        "prospect": 3,
        "contacted": 2,
        "interested": 1,
        "intent": 1,
        "ready": 1,
        "won": 1,
        "lost": 0,
    }
    assert {k: v["count"] for k, v in s.items()} == {
        "prospect": 1,
        "contacted": 1,
        "interested": 0,
        "intent": 0,
        "ready": 0,
        "won": 1,
        "lost": 0,
    }
    assert s["prospect"]["conversion"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["contacted"]["conversion"] == 0.5
    assert s["ready"]["conversion"] == 1.0


def test_funnel_period_and_lost_reasons(ok, add):
    old = add("old", now="2026-01-05")
    ok("stage", old, "interested", now="2026-01-06")
    new = add("new", now="2026-03-02")
    ok("lost", new, "--reason", "价格太高", now="2026-03-03")
    ok("lost", old, "--reason", "价格太高", now="2026-03-04")
    result = ok(
        "funnel", "--since", "2026-03-01", "--until", "2026-03-31", "--json", now="2026-03-18"
    ).json()
    reached = {s["stage"]: s["reached"] for s in result["stages"]}
    assert reached["prospect"] == 1  # only the new card entered the funnel in March
    assert reached["interested"] == 0
    assert result["lost_reasons"] == {"价格太高": 2}


def test_funnel_json_shape_and_owner(ok, add):
    add("mine")
    add("theirs", "--owner", "李强")
    result = ok("funnel", "--owner", "李强", "--json").json()
    assert {"stages", "diagnosis"} <= set(result)
    assert {"stage", "count", "reached", "conversion"} <= set(result["stages"][0])
    assert result["stages"][0]["count"] == 1


def test_funnel_diagnoses_a_pile_at_interested(ok, add):
    for i in range(6):
        ok("stage", add(f"i{i}"), "interested")
    add("p1")
    codes = [d["code"] for d in ok("funnel", "--json").json()["diagnosis"]]
    assert "pile-at-interested" in codes
    assert "thin-top" in codes


def test_funnel_diagnoses_a_thin_interested_layer(ok, add):
    for i in range(8):
        ok("stage", add(f"p{i}"), "contacted")
    for i in range(4):
        ok("stage", add(f"n{i}"), "intent")
    codes = [d["code"] for d in ok("funnel", "--json").json()["diagnosis"]]
    assert "thin-interested" in codes


def test_funnel_healthy_shape(ok, add):
    for i in range(16):
        add(f"p{i}")
    for i in range(8):
        ok("stage", add(f"c{i}"), "contacted")
    for i in range(4):
        ok("stage", add(f"i{i}"), "interested")
    for i in range(2):
        ok("stage", add(f"t{i}"), "intent")
    codes = [d["code"] for d in ok("funnel", "--json").json()["diagnosis"]]
    assert codes == ["healthy"]


def test_funnel_flags_a_stage_where_cards_sit_too_long(ok, add):
    quick = [add(f"q{i}", now="2026-01-01") for i in range(4)]
    for n in quick:
        ok("stage", n, "contacted", now="2026-01-01")
        ok("stage", n, "interested", now="2026-01-03")
    for i in range(3):
        ok("stage", add(f"s{i}", now="2026-01-10"), "contacted", now="2026-01-10")
    result = ok("funnel", "--json", now="2026-03-18").json()
    slow = [d for d in result["diagnosis"] if d["code"] == "slow-stage"]
    assert [d["stage"] for d in slow] == ["contacted"]


def test_funnel_chart_reads_at_80_columns_in_both_languages(ok, add, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for i in range(5):
        ok("stage", add(f"c{i}"), "interested")
    for lang in ("en", "zh"):
        out = ok("funnel", lang=lang).stdout
        assert all(cell_width(line) <= 80 for line in out.splitlines()), out
        assert "█" in out


def test_funnel_by_source(ok, add):
    a = add("a", "--source", "展厅")
    add("b", "--source", "介绍")
    ok("deal", a, "--amount", "100")
    groups = ok("funnel", "--by", "source", "--json").json()["groups"]
    won = {
        g["group"]: next(s["reached"] for s in g["stages"] if s["stage"] == "won") for g in groups
    }
    assert won == {"showroom": 1, "referral": 0}


def test_report_per_salesperson(ok, add):
    a = add("a", "--owner", "王丽", now="2026-03-02")
    b = add("b", "--owner", "王丽", now="2026-03-02")
    c = add("c", "--owner", "李强", now="2026-03-02")
    ok("log", a, now="2026-03-02")  # a's and b's first contacts were due 03-02: one done
    ok("deal", a, "--amount", "1000", now="2026-03-05")
    ok("lost", b, "--reason", "no budget", now="2026-03-06")
    ok("lost", c, "--reason", "moved", now="2026-03-06")
    rows = {r["owner"]: r for r in ok("report", "--json", now="2026-03-18").json()}
    wl = rows["王丽"]
    assert (wl["new_cards"], wl["won"], wl["lost"], wl["win_rate"]) == (2, 1, 1, 0.5)
    assert wl["won_value"] == "1000.00"
    assert wl["avg_days_to_win"] == 3.0
    assert (wl["due"], wl["done"]) == (2, 1)
    assert rows["李强"]["win_rate"] == 0.0
    assert any("new prospects" in f for f in wl["flags"])


def load_maven(book_url: str) -> None:
    """The excerpt as cards: engaged on engage_date, won (with a deal) or lost on close_date."""
    from leadbook import cards, deals
    from leadbook.clock import Clock
    from leadbook.store.db import Book

    book = Book(book_url, "import")
    with book.write() as conn, (DATA / "maven_sales_pipeline_excerpt.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            engaged = date.fromisoformat(row["engage_date"])
            clock = Clock(engaged, datetime.combine(engaged, datetime.min.time()))
            values = {
                "name": row["account"] or row["opportunity_id"],
                "owner": row["sales_agent"],
                "product": row["product"],
            }
            number = cards.add_card(conn, values, clock=clock, by=row["sales_agent"], force=True)
            cards.set_stage(conn, number, "contacted", reason=None, clock=clock, by="import")
            if row["deal_stage"] in ("Won", "Lost"):
                closed = date.fromisoformat(row["close_date"])
                clock = Clock(closed, datetime.combine(closed, datetime.min.time()))
            if row["deal_stage"] == "Won":
                deals.record_deal(
                    conn, number, Decimal(row["close_value"]), clock=clock, by="import"
                )
            elif row["deal_stage"] == "Lost":
                cards.set_stage(conn, number, "lost", reason="Lost", clock=clock, by="import")
    book.close()


def test_report_on_real_maven_pipeline_matches_an_independent_count(ok, db_path):
    load_maven(url_of(db_path))
    expected = json.loads((DATA / "maven_sales_pipeline_expected.json").read_text(encoding="utf-8"))
    # The same figures straight from the CSV, to show the stored expectation is honest.
    again: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with (DATA / "maven_sales_pipeline_excerpt.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["deal_stage"] == "Won":
                again[row["sales_agent"]][0] += 1
            elif row["deal_stage"] == "Lost":
                again[row["sales_agent"]][1] += 1
    assert {k: [v["won"], v["lost"]] for k, v in expected.items()} == dict(again)
    rows = ok(
        "report", "--since", "2016-01-01", "--until", "2017-12-31", "--json", now="2018-01-02"
    ).json()
    got = {
        r["owner"]: {
            "won": r["won"],
            "lost": r["lost"],
            "win_rate": r["win_rate"],
            "won_value": r["won_value"],
        }
        for r in rows
        if r["owner"] in expected
    }
    assert got == expected
