"""Dates as salespeople type them: ISO, relative, English and Chinese; impossible dates refused."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.errors import InvalidValue
from leadbook.parsing import parse_amount, parse_date, parse_email, parse_phone

WED = date(2026, 3, 18)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("today", WED),
        ("Tomorrow", date(2026, 3, 19)),
        ("yesterday", date(2026, 3, 17)),
        ("+3d", date(2026, 3, 21)),
        ("+2w", date(2026, 4, 1)),
        ("-1d", date(2026, 3, 17)),
        ("+1m", date(2026, 4, 18)),
        ("in 3 days", date(2026, 3, 21)),
        ("next friday", date(2026, 3, 20)),
        ("friday", date(2026, 3, 20)),
        ("next wednesday", date(2026, 3, 25)),
        ("今天", WED),
        ("明天", date(2026, 3, 19)),
        ("后天", date(2026, 3, 20)),
        ("下周一", date(2026, 3, 23)),
        ("下周日", date(2026, 3, 29)),
        ("本周五", date(2026, 3, 20)),
        ("上周一", date(2026, 3, 9)),  # last week's: dateparser did not read these
        ("上个星期五", date(2026, 3, 13)),
        ("上上周日", date(2026, 3, 8)),
        ("周一", date(2026, 3, 23)),
        ("3天后", date(2026, 3, 21)),
        ("两周后", date(2026, 4, 1)),
        ("3月5日", date(2026, 3, 5)),
        ("3月25号", date(2026, 3, 25)),
        ("2027年1月2日", date(2027, 1, 2)),
    ],
)
def test_dates_users_type(text, expected):
    assert parse_date(text, WED) == expected


def test_a_month_and_day_looks_forward_for_next_dates_and_back_for_past_ones():
    assert parse_date("3月5日", WED, prefer="future") == date(2027, 3, 5)
    assert parse_date("12月1日", WED, prefer="past") == date(2025, 12, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2025-02-29", "2月30日", "3/35/2026"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(InvalidValue):
        parse_date(text, WED)


@pytest.mark.parametrize("text", ["", "soon", "someday", "32", "2026-3"])
def test_unreadable_dates_are_refused_with_examples(text):
    with pytest.raises(InvalidValue, match="2026-03-05"):
        parse_date(text, WED)


def test_phone_numbers_normalise_to_one_form():
    forms = [
        "13800138000",
        "+86 138-0013-8000",
        "+8613800138000",
        "0086 138 0013 8000",
        "138 0013 8000",
    ]
    assert {parse_phone(f) for f in forms} == {"+8613800138000"}
    assert parse_phone("010-62345678") == "+861062345678"
    assert parse_phone("+1 650-253-0000") == "+16502530000"


def test_amounts_are_exact():
    assert str(parse_amount("1.2万")) == "12000.00"
    assert str(parse_amount("¥12,000")) == "12000.00"
    assert str(parse_amount("$22,700.00")) == "22700.00"
    assert str(parse_amount("0.1")) == "0.10"
    with pytest.raises(InvalidValue):
        parse_amount("-5")
    with pytest.raises(InvalidValue):
        parse_amount("1.234")
    for text in ("NaN", "NAN", "sNaN", "-nan", "Infinity", "-Infinity"):
        with pytest.raises(InvalidValue):  # NaN crashed the negative check
            parse_amount(text)


@settings(deadline=None)  # no time limit: the first example pays for lazy imports
@given(st.text(max_size=30))
def test_no_text_crashes_the_date_parser(text):
    with contextlib.suppress(InvalidValue):
        parse_date(text, WED)


@settings(deadline=None)  # no time limit: the first example pays for lazy imports
@given(st.text(max_size=30))
def test_no_text_crashes_the_phone_email_or_amount_parsers(text):
    for parse in (parse_phone, parse_email, parse_amount):
        with contextlib.suppress(InvalidValue):
            parse(text)


def test_last_weeks_day_is_read_as_funnel_since_reads_it():
    """`funnel --since 上周一` on Friday 2026-11-27 (a start date, read preferring the past)
    was refused as unreadable."""
    friday = date(2026, 11, 27)
    assert parse_date("上周一", friday, prefer="past") == date(2026, 11, 16)
    assert parse_date("上周五", friday, prefer="past") == date(2026, 11, 20)
