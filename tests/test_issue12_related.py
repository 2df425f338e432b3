"""The other sheets of an exported workbook follow their cards (issue 12): imported into a book
that already numbers its own cards C00001 ..., the file's cards get new numbers, and every
follow-up, planned contact, deal, complaint and referral lands on the card it belongs to."""

from __future__ import annotations

from typing import Any

from conftest import private_book, query

NAMES = ["甲", "乙", "丙", "丁", "戊"]


def cards_by_name(ok: Any) -> dict[str, dict[str, Any]]:
    numbers = {c["name"]: c["number"] for c in ok("list", "--json").json()}
    return {name: ok("show", number, "--json").json() for name, number in numbers.items()}


def test_related_rows_follow_their_cards_into_a_book_with_the_same_numbers(
    ok, add, tmp_path, monkeypatch
):
    numbers = [add(name, now="2026-03-01") for name in NAMES]
    for name, number in zip(NAMES, numbers, strict=True):
        ok(
            "log",
            number,
            "--note",
            f"{name}的跟进",
            "--next",
            "2026-04-01",
            "--purpose",
            f"给{name}报价",
            now="2026-03-02",
        )
    ok("deal", numbers[3], "--amount", "1234", now="2026-03-05")
    ok("complaint", numbers[4], "--note", "戊的投诉", now="2026-03-06")
    ok("edit", numbers[4], "--referrer", numbers[3], now="2026-03-06")
    target = tmp_path / "a.xlsx"
    ok("export", str(target))

    with private_book(tmp_path / "b.db") as other:
        monkeypatch.setenv("LEADBOOK_DB", other)
        # book B numbers its own cards C00001 ... C00003, with their own follow-ups
        own = [add(name, now="2026-03-01") for name in ("子", "丑", "寅")]
        assert own == ["C00001", "C00002", "C00003"]
        for name, number in zip(("子", "丑", "寅"), own, strict=True):
            ok("log", number, "--note", f"{name}的跟进", now="2026-03-03")
        result = ok("import", str(target), "--json", now="2026-03-18").json()
        assert result["created"] == 5 and not result["left_out"]
        cards = cards_by_name(ok)
        complaints = query(
            other,
            "SELECT c.name, k.note FROM complaints k JOIN customers c ON c.id = k.customer_id",
        )

    assert sorted(cards) == sorted([*NAMES, "子", "丑", "寅"])
    for name in [*NAMES, "子", "丑", "寅"]:
        card = cards[name]
        assert [f["note"] for f in card["followups"]] == [f"{name}的跟进"], name
    for name in NAMES:
        assert cards[name]["number"] not in own
        assert cards[name]["next_purpose"] == f"给{name}报价", name
        assert [d["amount"] for d in cards[name]["deals"]] == (
            ["1234.00"] if name == "丁" else []
        ), name
    assert cards["戊"]["referrer_name"] == "丁"
    assert cards["戊"]["referrer"] == cards["丁"]["number"]
    assert complaints == [("戊", "戊的投诉")]
    for name in ("子", "丑", "寅"):
        assert cards[name]["deals"] == [] and cards[name]["stage"] == "contacted"


def test_a_card_numbered_like_another_books_card_is_not_taken_for_it(
    ok, add, tmp_path, monkeypatch
):
    add("张三", "--mobile", "13800138000")
    target = tmp_path / "a.xlsx"
    ok("export", str(target))
    with private_book(tmp_path / "b.db") as other:
        monkeypatch.setenv("LEADBOOK_DB", other)
        add("李四")  # C00001 here too, someone else
        report = ok("import", str(target), "--json").json()
        names = sorted(c["name"] for c in ok("list", "--json").json())
        again = ok("import", str(target), "--json").json()  # now found by where it came from
    assert (report["created"], report["skipped"]) == (1, 0)
    assert names == ["张三", "李四"]
    assert (again["created"], again["skipped"]) == (0, 1)


def test_importing_the_books_own_export_again_says_the_records_are_already_there(
    ok, add, tmp_path, db_path
):
    from conftest import dump_book

    a = add("张三")
    ok("log", a, "--note", "看车")
    target = tmp_path / "a.xlsx"
    ok("export", str(target))
    before = dump_book(db_path)
    result = ok("import", str(target))
    report = ok("import", str(target), "--json").json()
    assert dump_book(db_path) == before
    assert report["left_out"] == {} and report["in_book"]["followups"] == 1
    assert "Left out" not in result.stderr
    assert "already in it: Follow-ups 1" in result.stderr
