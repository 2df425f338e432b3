"""Entries typed after the fact happen on their own day (issue 11, point 4): the grade and
stage changes of `log --at`, and `grade/stage/lost --at`, are counted on the day they happened
in the journal, the report and the running totals; the audit trail keeps when they were typed."""

from __future__ import annotations

from conftest import dump_book, query


def _changes(journal: dict) -> list[tuple[str, str, str]]:
    return [(c["field"], c["old"], c["new"]) for c in journal["changes"]]


def test_the_changes_of_a_contact_typed_a_day_late_are_on_its_day(ok, add):
    c4 = add("赵六", "--grade", "C", now="2026-03-09 09:00")
    ok(
        "log",
        c4,
        "--at",
        "2026-03-12 16:00",
        "--stage",
        "interested",
        "--grade",
        "A",
        now="2026-03-13 09:00",
    )
    day12 = ok("journal", "--day", "2026-03-12", "--json", now="2026-03-13 09:10").json()
    day13 = ok("journal", "--day", "2026-03-13", "--json", now="2026-03-13 09:10").json()
    # before: the 12th showed the contact but not the changes, the 13th showed the changes
    assert _changes(day12) == [("grade", "C", "A"), ("stage", "prospect", "interested")]
    assert _changes(day13) == []
    report = ok(
        "report", "--since", "2026-03-12", "--until", "2026-03-12", "--json", now="2026-03-13"
    ).json()
    assert [(r["owner"], r["advances"]) for r in report] == [("王丽", 1)]
    card = ok("show", c4, "--json", now="2026-03-13 09:10").json()
    assert [(e["field"], e["at"][:10]) for e in card["history"]] == [
        ("grade", "2026-03-09"),
        ("stage", "2026-03-09"),
        ("grade", "2026-03-12"),
        ("stage", "2026-03-12"),
    ]


def test_grade_stage_and_lost_take_the_moment_they_happened(ok, add, db_path):
    c1 = add("张三", now="2026-03-02 09:00")
    ok("grade", c1, "B", "--at", "2026-03-03 10:00", now="2026-03-05")
    ok("stage", c1, "intent", "--at", "2026-03-04 10:00", now="2026-03-05")
    ok("lost", c1, "--reason", "买了别家", "--at", "2026-03-05 08:00", now="2026-03-05 18:00")
    rows = query(
        db_path,
        "SELECT field, new, substr(CAST(at AS TEXT), 1, 16) FROM changes ORDER BY at, id",
    )
    assert rows[2:] == [
        ("grade", "B", "2026-03-03 10:00"),
        ("stage", "intent", "2026-03-04 10:00"),
        ("stage", "lost", "2026-03-05 08:00"),
    ]


def test_an_entry_dated_in_the_future_or_before_the_last_change_is_refused(ok, cli, add, db_path):
    c1 = add("张三", now="2026-03-10 09:00")
    ok("stage", c1, "interested", now="2026-03-12 09:00")
    before = dump_book(db_path)
    for args, words in [
        (("grade", c1, "A", "--at", "2026-03-20"), "in the future"),
        (("stage", c1, "intent", "--at", "2026-03-11 12:00"), "last changed on 2026-03-12"),
    ]:
        result = cli(*args, now="2026-03-13 09:00")
        assert result.exit_code == 1 and words in result.stderr, (args, result.stderr)
        assert dump_book(db_path) == before


def test_a_card_typed_in_a_day_late_is_on_its_own_day(ok, cli, add, db_path):
    c1 = ok("add", "孙七", "--grade", "B", "--at", "2026-03-12 15:00", now="2026-03-13 10:00")
    number = c1.stdout.strip()
    # its first contact was due the day the customer came: one day late now
    due = ok("due", "--json", now="2026-03-13 10:00").json()
    assert [(i["number"], i["due"], i["overdue_days"]) for i in due] == [(number, "2026-03-12", 1)]
    day12 = ok("journal", "--day", "2026-03-12", "--json", now="2026-03-13 10:00").json()
    day13 = ok("journal", "--day", "2026-03-13", "--json", now="2026-03-13 10:00").json()
    assert (day12["new_cards"], day12["due"], day12["done"]) == (1, 1, 0)
    assert day13["new_cards"] == 0
    card = ok("show", number, "--json", now="2026-03-13 10:00").json()
    assert card["created_at"].startswith("2026-03-12T15:00")
    assert [e["at"][:16] for e in card["edits"]] == ["2026-03-13T10:00"]  # typed the 13th
    before = dump_book(db_path)
    future = cli("add", "未来", "--at", "2026-03-20", now="2026-03-13 10:00")
    assert future.exit_code == 1 and "in the future" in future.stderr
    assert dump_book(db_path) == before
