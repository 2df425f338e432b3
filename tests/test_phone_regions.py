"""Phones of any country: the book's home country (phone.region), import --region, and a
number refused at home that says which country it looks like (issue 12, point 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook import parsing
from leadbook.errors import InvalidValue

DATA = Path(__file__).parent / "data"
ZOHO = "zoho_leads_excerpt.csv"  # 30 Zoho CRM leads, US mobiles written 860-253-6354


def zoho(tmp_path: Path) -> Path:
    target = tmp_path / ZOHO
    shutil.copy(DATA / ZOHO, target)
    return target


def test_a_us_number_in_a_chinese_book_says_which_country_and_how(cli):
    result = cli("add", "Mary Hall", "--mobile", "860-253-6354")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "looks like a US number: --region US" in lines[0]
    assert "+1 860-253-6354" in lines[0]
    assert cli("list", "--json").json() == []


def test_zoho_leads_import_whole_with_region_us(ok, cli, tmp_path):
    source = zoho(tmp_path)
    # Read as Chinese numbers, most are refused, each with the way out; nothing is written.
    refused = cli("import", str(source), "--json")
    assert refused.exit_code == 1
    report = refused.json()
    assert report["written"] is False and report["bad_rows"] == 19
    assert all("--region US" in p["reason"] for p in report["problems"]), report["problems"]

    result = ok("import", str(source), "--region", "US", "--json").json()
    assert (result["created"], result["bad_rows"]) == (30, 0)
    hall = next(c for c in ok("list", "--json").json() if c["name"] == "Hall")
    assert hall["mobile"] == "+18602536354"
    # the one read as a Chinese landline at home (+86 660 4850224) is American here
    denson = next(c for c in ok("list", "--json").json() if c["name"] == "Denson")
    assert denson["mobile"] == "+16604850224"


def test_the_book_region_is_a_setting_import_follows(ok, cli, tmp_path):
    assert ok("config", "--json").json()["phone.region"] == "CN"
    bad = cli("config", "set", "phone.region", "America")
    assert bad.exit_code == 1 and "not a country code" in bad.stderr
    assert ok("config", "--json").json()["phone.region"] == "CN"
    ok("config", "set", "phone.region", "us")
    assert ok("config", "--json").json()["phone.region"] == "US"
    result = ok("import", str(zoho(tmp_path)), "--json").json()
    assert (result["created"], result["bad_rows"]) == (30, 0)


def test_import_region_is_checked_before_anything_is_read(cli, tmp_path):
    result = cli("import", str(zoho(tmp_path)), "--region", "USA")
    assert result.exit_code == 1
    assert "'USA' is not a country code" in result.stderr
    assert cli("list", "--json").json() == []


def test_add_and_edit_follow_the_book_region(ok):
    ok("config", "set", "phone.region", "US")
    n = ok("add", "Mary Hall", "--mobile", "860-253-6354").stdout.strip()
    assert ok("list", "--json").json()[0]["mobile"] == "+18602536354"
    ok("edit", n, "--phone", "(212) 555-0100")
    assert ok("show", n, "--json").json()["phone"] == "+12125550100"


def test_parse_phone_reads_numbers_of_the_region_given():
    assert parsing.parse_phone("860-253-6354", region="US") == "+18602536354"
    assert parsing.parse_phone("1 (860) 253-6354", region="US") == "+18602536354"
    assert parsing.parse_phone("020 7946 0958", region="GB") == "+442079460958"
    # a number with its country code is the same number whatever the home country
    assert parsing.parse_phone("+86 138 0013 8000", region="US") == "+8613800138000"
    assert parsing.parse_phone("+1 860-253-6354") == "+18602536354"
    # the default stays China, with its fast path and its messages
    assert parsing.parse_phone("138 0013 8000") == "+8613800138000"
    assert parsing.parse_phone("010-62345678") == "+861062345678"
    with pytest.raises(InvalidValue, match="a Chinese mobile has 11 digits"):
        parsing.parse_phone("1380013800")


def test_the_home_region_holds_inside_its_block_only():
    with parsing.phone_region("US"):
        assert parsing.home_region() == "US"
        assert parsing.parse_phone("(860) 253-6354") == "+18602536354"
    assert parsing.home_region() == "CN"
    with pytest.raises(InvalidValue, match="looks like a US number"):
        parsing.parse_phone("(860) 253-6354")


def test_a_chinese_mobile_in_an_american_book_points_home():
    with pytest.raises(InvalidValue) as exc:
        parsing.parse_phone("13800138000", region="US")
    assert "looks like a CN number: --region CN" in exc.value.message
    assert "+86 138 0013 8000" in exc.value.message


def test_no_hint_when_no_country_fits_or_the_code_is_given():
    with pytest.raises(InvalidValue) as exc:
        parsing.parse_phone("+1 123-456-7890")
    assert "looks like" not in exc.value.message
    with pytest.raises(InvalidValue) as exc:
        parsing.parse_phone("000-000-0000")
    assert "looks like" not in exc.value.message


def test_region_codes():
    assert parsing.parse_region(" us ") == "US"
    assert parsing.parse_region("uk") == "GB"
    with pytest.raises(InvalidValue, match="not a country code"):
        parsing.parse_region("XX")


def test_the_hint_in_chinese(cli):
    result = cli("add", "Mary Hall", "--mobile", "860-253-6354", lang="zh")
    assert result.exit_code == 1
    assert "看起来是 US 的号码：导入时加 --region US" in result.stderr


@settings(deadline=None)  # no time limit: the first example pays for lazy imports
@given(st.text(alphabet="0123456789 +-()", max_size=20), st.sampled_from(["CN", "US", "GB", "HK"]))
def test_no_number_crashes_the_parser_in_any_region(text, region):
    try:
        stored = parsing.parse_phone(text, region=region)
    except InvalidValue as exc:
        assert "\n" not in exc.message
    else:
        number, _sep, extension = stored.partition(";ext=")  # an extension is kept (issue 12)
        assert number.startswith("+") and number[1:].isdigit()
        assert extension == "" or extension.isdigit()
