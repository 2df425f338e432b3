"""At 80 columns nothing wraps mid-table, in English or in Chinese (a Chinese character takes
two columns): `report` was 86 wide, a line of `value` 84."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len


@pytest.fixture
def team_month(ok, add):
    """A month's work with six-figure deals: the widths a real report and value reach."""
    a = add("张三", "--company", "华信科技有限公司", "--grade", "A", now="2026-03-02")
    b = add("Michael Brown", "--company", "Brown & Sons Trading", "--grade", "B", now="2026-03-02")
    add("欧阳娜娜", "--grade", "C", now="2026-03-03")
    for day in ("2026-03-03", "2026-03-05", "2026-03-10"):
        ok("log", a, "--via", "电话", "--note", "跟进", now=day)
        ok("log", b, "--via", "visit", now=day)
    ok("deal", a, "--amount", "1234567", now="2026-03-12")
    ok("deal", b, "--amount", "356000", now="2026-03-16")
    return a


def _too_wide(text: str) -> list[str]:
    return [line for line in text.splitlines() if cell_len(line) > 80]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "command",
    [("report",), ("report", "--since", "2026-01-01"), ("value",), ("funnel", "--by", "source")],
    ids=" ".join,
)
def test_nothing_is_wider_than_80_columns(team_month, ok, monkeypatch, zh_from_po, lang, command):
    monkeypatch.setenv("COLUMNS", "80")
    result = ok(*command, lang=lang)
    assert _too_wide(result.stdout + result.stderr) == []


def test_a_report_too_wide_for_the_terminal_comes_as_two_tables(team_month, ok, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = ok("report").stdout.splitlines()
    headers = [line for line in lines if line.startswith("Owner")]
    assert len(headers) == 2
    assert "Contacts/day" in headers[0] and "Won value" in headers[1]
    assert [line.split()[0] for line in lines if line.startswith("王丽")] == ["王丽", "王丽"]
    monkeypatch.setenv("COLUMNS", "100")  # where it fits: one table, as before
    assert len([line for line in ok("report").stdout.splitlines() if line.startswith("Owner")]) == 1


def test_value_wraps_its_sentences_between_words(team_month, ok, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = ok("value").stdout
    assert "All purchases: 1,590,567.00 CNY; last 12 months: 1,590,567.00 CNY; 2 paying" in out
    assert "\ncustomers.\n" in out


def test_wrapping_keeps_the_text_as_typed():
    # Wrapping used to put a space before every Latin letter or sign inside Chinese text:
    # "看了途观L" came out as "看了途观 L", "联系次数:" as "联系次数 :".
    from leadbook.render.grid import wrap

    assert wrap("看了途观L，约周六试驾", 80) == ["看了途观L，约周六试驾"]
    assert wrap("联系次数: 2  (电话 1, 拜访 1)", 80) == ["联系次数: 2  (电话 1, 拜访 1)"]
    assert wrap("看了途观L，约周六试驾 then more words here", 12) == [
        "看了途观L，",
        "约周六试驾",
        "then more",
        "words here",
    ]


@given(st.text(alphabet="张三看了途观约周六试驾ABCxyz12:,.，。 ", max_size=60), st.integers(4, 30))
def test_wrapping_loses_and_adds_nothing_but_line_breaks(text, wide):
    from leadbook.render.grid import cell_width, wrap

    lines = wrap(text, wide)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # A line is over the width only when it is one unbreakable Latin run.
    assert all(cell_width(line) <= wide or " " not in line.strip() for line in lines)
