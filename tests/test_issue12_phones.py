"""Phone extensions are kept (issue 12): "010-12345678 转 8001" and "+1 415 555 0100 ext. 23"
are stored with their extension, shown on the card, exported as written, and a re-import of
the export stores the same number."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from conftest import private_book, query
from leadbook import parsing


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("010-12345678 转 8001", "+861012345678;ext=8001"),
        ("010-12345678转8001", "+861012345678;ext=8001"),
        ("0755-26781234 分机 123", "+8675526781234;ext=123"),
        ("010-62345678-8001", "+861062345678;ext=8001"),
        ("021-61234567#605", "+862161234567;ext=605"),
        ("+1 415 555 0100 ext. 23", "+14155550100;ext=23"),
        ("+1 (415) 555-0100 x23", "+14155550100;ext=23"),
        ("+1 415 555 0100 extension 23", "+14155550100;ext=23"),
        ("+86 10 6234 5678 ext 12", "+861062345678;ext=12"),
        # no extension: as before
        ("010-62345678", "+861062345678"),
        ("138-0013-8000", "+8613800138000"),
        ("0755-2678-1234", "+8675526781234"),
    ],
)
def test_an_extension_is_stored_with_its_number(written: str, stored: str) -> None:
    assert parsing.parse_phone(written) == stored
    for lang in ("en", "zh"):  # what the card and the export show reads back the same
        for spaced in (True, False):
            shown = parsing.display_phone(stored, spaced=spaced, lang=lang)
            assert parsing.parse_phone(shown) == stored, shown


def test_a_mobile_with_a_digit_too_many_is_still_refused_not_read_as_an_extension() -> None:
    from leadbook.errors import InvalidValue

    for text in ("138-0013-80001", "138-0013-8000-1"):
        with pytest.raises(InvalidValue):
            parsing.parse_phone(text)


def test_one_function_shows_numbers_on_the_card_and_in_the_export() -> None:
    assert parsing.display_phone("+8613800138000") == "138 0013 8000"
    assert parsing.display_phone("+8613800138000", spaced=False) == "13800138000"
    assert parsing.display_phone("+861062345678;ext=8001", lang="zh") == "010-62345678 转 8001"
    assert parsing.display_phone("+18602536354") == "+1 860-253-6354"
    assert parsing.display_phone("+18602536354", "US") == "(860) 253-6354"
    assert parsing.display_phone("12345 old text") == "12345 old text"
    from leadbook.exchange import export

    assert not hasattr(export, "national")  # the copy issue 14 found is gone


def test_the_extension_shows_on_the_card_reaches_the_export_and_comes_back(
    ok, add, db_path, tmp_path, monkeypatch
):
    a = add("张三", "--phone", "010-12345678 转 8001", "--mobile", "13800138000")
    b = add("Bob", "--phone", "+1 415 555 0100 ext. 23")
    assert "010-12345678 ext. 8001" in ok("show", a).stdout
    assert "010-12345678 转 8001" in ok("show", a, lang="zh").stdout
    assert "+1 415-555-0100 ext. 23" in ok("show", b).stdout
    # the number is still found by its digits
    assert [c["name"] for c in ok("search", "010 12345678", "--json").json()] == ["张三"]
    stored = query(db_path, "SELECT number, mobile, phone, fax FROM customers ORDER BY number")
    assert stored[0][2] == "+861012345678;ext=8001"
    ok("export", str(tmp_path / "b.xlsx"))
    ok("export", str(tmp_path / "zh.xlsx"), "--lang", "zh")
    ok("export", str(tmp_path / "b.csv"))
    ok("export", str(tmp_path / "b.zip"))

    def phones(name: str, sheet: str, head: str) -> list[Any]:
        rows = CalamineWorkbook.from_path(str(tmp_path / name)).get_sheet_by_name(sheet)
        rows = rows.to_python()
        return [r[rows[0].index(head)] for r in rows[1:]]

    assert phones("b.xlsx", "Customers", "Phone") == [
        "010-12345678 ext. 8001",
        "+1 415-555-0100 ext. 23",
    ]
    assert phones("zh.xlsx", "客户", "固定电话") == [
        "010-12345678 转 8001",
        "+1 415-555-0100 转 23",
    ]
    with (tmp_path / "b.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    # written as the salesperson writes it: no ' in front, though it starts with +
    assert [r["Phone"] for r in lines] == ["010-12345678 ext. 8001", "+1 415-555-0100 ext. 23"]
    for name in ("b.xlsx", "zh.xlsx", "b.csv", "b.zip"):
        with private_book(tmp_path / f"{name}.db") as empty:
            monkeypatch.setenv("LEADBOOK_DB", empty)
            ok("import", str(tmp_path / name))
            again = query(empty, "SELECT number, mobile, phone, fax FROM customers ORDER BY number")
        assert again == stored, name
