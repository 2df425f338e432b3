"""The half-month and month journals (半月志 for C customers, 月志 for D; seed 000): the week's
numbers over the 1st to the 15th, the 16th to the month's end, or the month; and every journal
screen fits 80 columns in both languages without splitting a row."""

from __future__ import annotations

import re
from datetime import date

import pytest

from leadbook.journal import period_bounds
from leadbook.render.grid import cell_width


@pytest.mark.parametrize(
    ("period", "day", "bounds"),
    [
        ("half", date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 15))),
        ("half", date(2026, 3, 15), (date(2026, 3, 1), date(2026, 3, 15))),
        ("half", date(2026, 3, 16), (date(2026, 3, 16), date(2026, 3, 31))),
        ("half", date(2026, 4, 30), (date(2026, 4, 16), date(2026, 4, 30))),
        ("half", date(2026, 2, 20), (date(2026, 2, 16), date(2026, 2, 28))),
        ("half", date(2028, 2, 29), (date(2028, 2, 16), date(2028, 2, 29))),
        ("month", date(2026, 2, 1), (date(2026, 2, 1), date(2026, 2, 28))),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
        ("week", date(2026, 3, 18), (date(2026, 3, 16), date(2026, 3, 22))),
    ],
)
def test_period_bounds(period, day, bounds):
    assert period_bounds(period, day) == bounds


@pytest.fixture
def march(ok, add):
    """Three plans across the half-month boundary and the month's end, worked by hand:

    X: due 03-14, done 03-16 (late, in the second half); next due 03-20, never done.
    Y: due 03-15, done 03-15 (showroom); next due 04-02.
    Z: due 03-31, done 04-01 (a visit, in April); next due 04-10.
    """
    x = add("X", "--grade", "C", "--next", "2026-03-14", now="2026-03-10T09:00")
    y = add("Y", "--grade", "C", "--next", "2026-03-15", now="2026-03-10T09:00")
    z = add("Z", "--grade", "D", "--next", "2026-03-31", now="2026-03-10T09:00")
    ok("log", y, "--via", "showroom", "--next", "2026-04-02", now="2026-03-15T10:00")
    ok("log", x, "--via", "phone", "--next", "2026-03-20", now="2026-03-16T10:00")
    ok("log", z, "--via", "visit", "--next", "2026-04-10", now="2026-04-01T10:00")
    return x, y, z


def _journal(ok, *args, now="2026-04-20"):
    j = ok("journal", *args, "--json", now=now).json()
    days = {d["date"]: (d["due"], d["done"]) for d in j["days"]}
    return j, days


def test_half_month_journals_split_on_the_15th_and_16th(ok, march):
    first, days = _journal(ok, "--half", "--date", "2026-03-15")
    assert (first["period"], first["start"], first["end"]) == ("half", "2026-03-01", "2026-03-15")
    assert len(first["days"]) == 15
    # Due in the half: X (03-14) and Y (03-15); done in it: Y only (X was done on the 16th).
    assert (first["due"], first["done"], first["completion"]) == (2, 1, 0.5)
    assert (first["contacts"], first["by_channel"], first["new_cards"]) == (1, {"showroom": 1}, 3)
    assert days["2026-03-14"] == (1, 0) and days["2026-03-15"] == (2, 1)

    second, days = _journal(ok, "--half", "--date", "2026-03-16")
    assert (second["start"], second["end"], len(second["days"])) == ("2026-03-16", "2026-03-31", 16)
    # X (still open on the 16th, done then), X's next (03-20, never done), Z (03-31, done 04-01).
    assert (second["due"], second["done"], second["completion"]) == (3, 1, 0.3333)
    assert (second["contacts"], second["by_channel"], second["new_cards"]) == (1, {"phone": 1}, 0)
    assert days["2026-03-16"] == (1, 1) and days["2026-03-31"] == (2, 0)

    april, days = _journal(ok, "--half", "--date", "2026-04-01")
    assert (april["start"], april["end"]) == ("2026-04-01", "2026-04-15")
    # X's next (open), Z (done on the 1st), Y's next (04-02), Z's next (04-10).
    assert (april["due"], april["done"], april["by_channel"]) == (4, 1, {"visit": 1})
    assert days["2026-04-01"] == (2, 1) and days["2026-04-15"] == (3, 0)


def test_month_journal_counts_each_plan_once(ok, march):
    month, days = _journal(ok, "--month", "--date", "2026-03-31")
    assert (month["period"], month["start"], month["end"]) == ("month", "2026-03-01", "2026-03-31")
    assert len(month["days"]) == 31
    # X, Y, X's next, Z: four plans; X and Y done in March. X is due on both the 14th and
    # the 16th, and counted once.
    assert (month["due"], month["done"], month["completion"]) == (4, 2, 0.5)
    assert (month["contacts"], month["new_cards"]) == (2, 3)
    assert month["by_channel"] == {"showroom": 1, "phone": 1}
    assert days["2026-03-15"] == (2, 1) and days["2026-03-16"] == (1, 1)
    # The month's numbers are those of its two halves' plans, as the week's are of its days'.
    assert ok("journal", "--month", "--json", now="2026-03-31").json()["due"] == 4


def test_a_period_still_running_counts_only_up_to_today(ok, march):
    second, _days = _journal(ok, "--half", "--date", "2026-03-16", now="2026-03-20")
    assert (second["due"], second["done"]) == (2, 1)  # Z's plan of 03-31 is not due yet
    rates = {d["date"]: d["completion"] for d in second["days"]}
    assert rates["2026-03-20"] == 0.0 and rates["2026-03-21"] is None
    # Without --date: the half month holding today.
    assert ok("journal", "--half", "--json", now="2026-03-20").json()["start"] == "2026-03-16"


def test_periods_are_given_one_at_a_time(cli, ok):
    for args in (
        ["--half", "--month"],
        ["--week", "today", "--month"],
        ["--day", "today", "--half"],
    ):
        result = cli("journal", *args)
        assert result.exit_code == 1 and "--half" in result.stderr, args
        assert result.stderr.count("\n") == 1
    result = cli("journal", "--week", "today", "--date", "2026-03-01")
    assert result.exit_code == 1 and "--date" in result.stderr
    # --date alone is the day's journal.
    assert ok("journal", "--date", "2026-03-17", "--json").json()["date"] == "2026-03-17"


def _day_rows(out: str, title: str) -> list[str]:
    """The rows of the day-by-day table: from the rule under its header to the blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rule = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("─"))
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        rows.append(line)
    return rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_journals_fit_80_columns_without_splitting_a_row(ok, add, monkeypatch, lang):
    # Every channel used in one week: more than fit 80 columns side by side.
    vias = ["phone", "visit", "showroom", "email", "sms", "wechat", "fax", "other"]
    for i, via in enumerate(vias):
        n = add(f"客户{i}", "--grade", "B", now="2026-03-09")
        for k in range(i + 1):
            ok("log", n, "--via", via, "--note", "跟进", now=f"2026-03-1{6 + k % 3}T1{k % 10}:00")
    monkeypatch.setenv("COLUMNS", "80")
    title = {"en": "Day by day", "zh": "每日明细"}[lang]
    for args, count in (
        (["--week", "2026-03-18"], 7),
        (["--half", "--date", "2026-03-18"], 16),
        (["--month", "--date", "2026-03-18"], 31),
    ):
        out = ok("journal", *args, lang=lang, now="2026-03-20").stdout
        assert max(cell_width(line) for line in out.splitlines()) <= 80, out
        rows = _day_rows(out, title)
        assert len(rows) == count, out  # one line a day: nothing wrapped
        assert all(re.match(r"\S+ \d\d-\d\d ", row) for row in rows), out
        assert "…" not in out
    for day in ("2026-03-16", "2026-03-18"):
        out = ok("journal", "--day", day, lang=lang, now="2026-03-20").stdout
        assert max(cell_width(line) for line in out.splitlines()) <= 80, out


def test_the_chinese_week_keeps_each_channel_with_its_count(ok, add, monkeypatch):
    # The issue: at 80 columns "来店" went on one line and its count on the next.
    for via in ("phone", "visit", "showroom"):
        n = add(f"客户{via}", "--grade", "B", now="2026-03-09")
        ok("log", n, "--via", via, now="2026-03-17T10:00")
    monkeypatch.setenv("COLUMNS", "80")
    out = ok("journal", "--week", "2026-03-18", lang="zh", now="2026-03-18").stdout
    header = next(line for line in out.splitlines() if line.strip().startswith("日期"))
    assert all(word in header for word in ("电话", "拜访", "来店"))
    tuesday = next(line for line in out.splitlines() if "03-17" in line)
    columns = header.split()
    values = tuesday.split()
    # 周二 03-17 | 3 contacts | 1 phone | 1 visit | 1 showroom | ...
    assert values[:6] == ["周二", "03-17", "3", "1", "1", "1"], (columns, values)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_long_reasons_notes_and_purposes_wrap_within_80_columns_and_are_never_cut(
    ok, add, monkeypatch, lang
):
    # The journals' contact, change and missed-plan tables are plain aligned lines (a busy
    # week holds hundreds of rows, which Rich took a second to lay out): a text wider than
    # its column goes on over the next lines, whole, as Rich folded it.
    why = "客户说预算要等下个季度才批下来，先把报价单发给采购部的李经理看看再说 budget next quarter"
    note = "聊了很久 talked through the whole fleet quote, every model, every option and the delivery dates"
    a = add("欧阳长孙诸葛无忌", "--grade", "B", now="2026-03-16")
    add(
        "拖延",
        "--grade",
        "A",
        "--purpose",
        "把新的报价单当面交给采购部的李经理并约好试驾的时间",
        now="2026-03-17",
    )
    ok("grade", a, "A", "--why", why, now="2026-03-17T09:00")
    ok("log", a, "--via", "phone", "--note", note, now="2026-03-17T10:00")
    monkeypatch.setenv("COLUMNS", "80")
    for args in (["--day", "2026-03-17"], ["--week", "2026-03-17"]):
        out = ok("journal", *args, lang=lang, now="2026-03-18").stdout
        assert max(cell_width(line) for line in out.splitlines()) <= 80, out
        assert "…" not in out
        joined = re.sub(r"\s+", "", out)
        assert re.sub(r"\s+", "", why) in joined, out
        assert "欧阳长孙诸葛无忌" in joined
        if args[0] == "--day":
            assert re.sub(r"\s+", "", note) in joined, out
            assert "把新的报价单当面交给采购部的李经理并约好试驾的时间" in joined, out
