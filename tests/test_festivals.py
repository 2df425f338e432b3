"""Festival greetings in `due` (节日问候, DOMAIN section 7): 春节, 元宵, 端午 and 中秋 by the
lunar calendar, 元旦 and 国庆, and the book's own dates, for the grades and won customers the
book chooses (greet.grades, default A, B and won), a few days ahead (greet.days, default 3).

The festival dates below are the published ones, written out by hand, not worked out by the
code under test.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from conftest import dump_book
from leadbook.render.grid import cell_width

FAR = "2028-12-01"  # follow-ups planned far away: the due list holds only the greetings


@pytest.fixture
def book(add):
    """One customer of each grade with a mobile, and a won customer graded E."""
    numbers = {
        grade: add(f"客户{grade}", "--grade", grade, "--mobile", f"1380013800{i}", "--next", FAR)
        for i, grade in enumerate("ABCDE")
    }
    numbers["won"] = add(
        "David Chen", "--grade", "E", "--stage", "won", "--mobile", "13900139000", "--next", FAR
    )
    return numbers


def greeted(ok, day, *args):
    """The festival greetings `due --json` lists on ``day``: {number: (festival, date)}."""
    items = ok("due", "--date", day, "--json", *args).json()
    return {i["number"]: (i["festival"], i["due"]) for i in items if i["kind"] == "festival"}


def test_the_lunar_festivals_fall_on_their_published_days():
    from leadbook.festivals import festivals_between

    def found(start, end):
        return {name: f.day for f in festivals_between(start, end, {}) for name in f.names}

    assert found(date(2027, 1, 25), date(2027, 3, 1)) == {
        "春节": date(2027, 2, 6),
        "元宵": date(2027, 2, 20),
    }
    assert found(date(2026, 1, 25), date(2026, 3, 10)) == {
        "春节": date(2026, 2, 17),
        "元宵": date(2026, 3, 3),
    }
    assert found(date(2026, 5, 1), date(2026, 7, 31)) == {"端午": date(2026, 6, 19)}
    assert found(date(2026, 9, 1), date(2026, 10, 31)) == {
        "中秋": date(2026, 9, 25),
        "国庆": date(2026, 10, 1),
    }
    assert found(date(2026, 12, 30), date(2027, 1, 2)) == {"元旦": date(2027, 1, 1)}
    assert found(date(2026, 11, 1), date(2026, 12, 30)) == {}
    # Past the years the lunar calendar knows (to 2100), the solar festivals only.
    assert found(date(2150, 1, 1), date(2150, 12, 31)) == {
        "元旦": date(2150, 1, 1),
        "国庆": date(2150, 10, 1),
    }


def test_spring_festival_2027_greets_a_b_and_won_customers_ahead_and_on_the_day(ok, book):
    chosen = {book["A"], book["B"], book["won"]}
    for day in ("2027-02-03", "2027-02-05", "2027-02-06"):
        listed = greeted(ok, day)
        assert set(listed) == chosen, day  # not the C, D and E customers
        assert set(listed.values()) == {("春节", "2027-02-06")}
    assert greeted(ok, "2027-02-02") == {}  # more than three days ahead
    assert greeted(ok, "2027-02-07") == {}  # the day after
    # --days looks further ahead, as for follow-ups.
    assert set(greeted(ok, "2027-01-30", "--days", "7")) == chosen

    out = ok("due", "--date", "2027-02-03").stdout
    assert "festival greeting: 春节 (Spring Festival)" in out
    assert "in 3 days" in out and "客户A" in out and "David Chen" in out
    assert "138 0013 8000" in out  # the mobile to call, in national form
    assert "客户C" not in out and "客户E" not in out
    assert "today" in ok("due", "--date", "2027-02-06").stdout


def test_mid_autumn_2026_and_the_lantern_festival_2027(ok, book):
    chosen = {book["A"], book["B"], book["won"]}
    listed = greeted(ok, "2026-09-22")
    assert set(listed) == chosen
    assert set(listed.values()) == {("中秋", "2026-09-25")}
    assert greeted(ok, "2026-09-21") == {}
    assert set(greeted(ok, "2027-02-20").values()) == {("元宵", "2027-02-20")}
    assert set(greeted(ok, "2026-06-19").values()) == {("端午", "2026-06-19")}


def test_national_day_and_mid_autumn_on_one_day_are_one_greeting(ok, book):
    # 2020-10-01 was both 国庆 and 中秋: one call, not two.
    listed = greeted(ok, "2020-10-01")
    assert set(listed) == {book["A"], book["B"], book["won"]}
    assert set(listed.values()) == {("国庆、中秋", "2020-10-01")}


def test_a_customer_greeted_already_drops_off(ok, book):
    ok("log", book["A"], "--via", "电话", "--note", "拜年，寄了台历", now="2027-02-04 10:00")
    listed = greeted(ok, "2027-02-05")
    assert book["A"] not in listed and book["B"] in listed
    # A contact before the notice began is no greeting.
    ok("log", book["B"], "--via", "电话", "--note", "报价", now="2027-01-20 10:00")
    assert book["B"] in greeted(ok, "2027-02-05")


def test_greetings_follow_the_owner_filter(ok, add):
    mine = add("我的客户", "--grade", "A", "--next", FAR)
    theirs = add("别人的客户", "--grade", "A", "--owner", "李强", "--next", FAR)
    assert set(greeted(ok, "2027-02-06")) == {mine, theirs}
    assert set(greeted(ok, "2027-02-06", "--mine")) == {mine}
    assert set(greeted(ok, "2027-02-06", "--owner", "李强")) == {theirs}


def test_the_books_own_festival(ok, book):
    assert ok("config", "set", "festival.店庆", "8-18").stdout == ""
    assert ok("config", "--json").json()["festival.店庆"] == "08-18"
    listed = greeted(ok, "2026-08-16")
    assert set(listed) == {book["A"], book["B"], book["won"]}
    assert set(listed.values()) == {("店庆", "2026-08-18")}
    assert "festival greeting: 店庆" in ok("due", "--date", "2026-08-18").stdout
    ok("config", "set", "festival.三八", "03-08")
    assert set(greeted(ok, "2027-03-08").values()) == {("三八", "2027-03-08")}
    # Removed: gone from the settings and from due.
    assert "festival.店庆 = none" in ok("config", "set", "festival.店庆", "none").stderr
    assert "festival.店庆" not in ok("config", "--json").json()
    assert greeted(ok, "2026-08-16") == {}
    assert "festival.三八" in ok("config").stdout


def test_a_built_in_festival_can_be_turned_off_and_on(ok, book):
    assert greeted(ok, "2027-01-01") != {}
    ok("config", "set", "festival.元旦", "off")
    assert greeted(ok, "2027-01-01") == {}
    assert greeted(ok, "2026-10-01") != {}  # 国庆 still on
    assert "festival.元旦 = on" in ok("config", "set", "festival.元旦", "on").stderr
    assert greeted(ok, "2027-01-01") != {}
    assert "festival.元旦" not in ok("config", "--json").json()


def test_whom_to_greet_and_how_far_ahead_are_the_books_choice(ok, book):
    ok("config", "set", "greet.grades", "c, D")
    assert ok("config", "--json").json()["greet.grades"] == "C,D"
    assert set(greeted(ok, "2027-02-06")) == {book["C"], book["D"]}
    ok("config", "set", "greet.grades", "成交")
    assert set(greeted(ok, "2027-02-06")) == {book["won"]}
    ok("config", "set", "greet.grades", "none")
    assert greeted(ok, "2027-02-06") == {}
    ok("config", "set", "greet.grades", "A,B,won")
    ok("config", "set", "greet.days", "0")
    assert greeted(ok, "2027-02-05") == {}
    assert greeted(ok, "2027-02-06") != {}
    ok("config", "set", "greet.days", "10")
    assert greeted(ok, "2027-01-27") != {}


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("festival.x", "13-40", "MM-DD"),
        ("festival.x", "02-30", "MM-DD"),
        ("festival.x", "-1", "MM-DD"),
        ("festival.春节", "02-01", "built in"),
        ("festival.店 庆", "06-18", "without spaces"),
        ("festival.", "06-18", "without spaces"),
        ("greet.grades", "A,F", "'F'"),
        ("greet.grades", "A,lost", "'lost'"),
        ("greet.days", "31", "0 to 30"),
        ("greet.days", "-1", "0 to 30"),
        ("greet.often", "1", "unknown setting"),
    ],
)
def test_bad_festival_settings_are_refused_in_one_line(cli, ok, db_path, key, value, says):
    ok("config", "set", "festival.店庆", "06-18")
    before = dump_book(db_path)
    result = cli("config", "set", key, value)
    assert result.exit_code == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert dump_book(db_path) == before


def test_greetings_in_both_languages_fit_80_columns(ok, add, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    add(
        "欧阳娜娜",
        "--company",
        "北京远航国际物流有限公司",
        "--grade",
        "A",
        "--mobile",
        "13800138000",
        "--next",
        FAR,
    )
    add("Alexandra Montgomery-Smith", "--company", "Northwind Traders", "--grade", "B")
    for day in ("2020-10-01", "2026-06-16"):  # 国庆、中秋 on one day; 端午 in 3 days
        en = ok("due", "--date", day).stdout
        zh = ok("due", "--date", day, lang="zh").stdout
        for out in (en, zh):
            assert all(cell_width(line) <= 80 for line in out.splitlines()), out
            assert "欧阳娜娜" in out and "Alexandra Montgomery-Smith" in out
    assert "Dragon Boat Festival" in en and "festival greeting: 端午" in en
    assert "节日问候：端午" in zh and "Festival" not in zh and "3 天后" in zh


def test_the_screen_shows_the_first_greetings_and_counts_the_rest(ok, add):
    for i in range(23):
        add(f"客户{i:02d}", "--grade", "B", "--next", FAR)
    out = ok("due", "--date", "2027-02-06").stdout
    assert "… and 3 more to greet (`--json` lists all)" in out
    assert len(greeted(ok, "2027-02-06")) == 23


def test_the_lunar_calendar_is_read_only_near_a_lunar_festival():
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from leadbook.festivals import festivals_between\n"
        "festivals_between(date(2026, 10, 10), date(2027, 1, 10), {})\n"
        "assert 'borax' not in sys.modules, 'imported away from any lunar festival'\n"
        "festivals_between(date(2027, 2, 1), date(2027, 2, 4), {})\n"
        "assert 'borax.calendars.lunardate' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_lunar_festival_falls_in_its_season():
    # The seasons let `due` skip the lunar calendar most of the year; the calendar must agree.
    from leadbook.festivals import LUNAR, SEASONS, _lunar_to_solar

    for year in range(1900, 2101):
        for name, (month, day) in LUNAR.items():
            when = _lunar_to_solar(year, month, day)
            assert when is not None
            (m1, d1), (m2, d2) = SEASONS[name]
            assert date(year, m1, d1) < when < date(year, m2, d2), (name, when)
