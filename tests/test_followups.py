"""Grades, stages, the follow-up rhythm and logging contacts (DOMAIN sections 2-4)."""

from __future__ import annotations

from conftest import dump_book


def card(ok, number):
    return ok("show", number, "--json").json()


def test_log_without_next_follows_the_grade_rhythm(ok, add):
    expected = {"A": "2026-03-19", "B": "2026-03-25", "C": "2026-04-02", "D": "2026-04-17"}
    for grade, due in expected.items():
        n = add(f"card {grade}", "--grade", grade)
        ok("log", n, "--note", "called")
        assert card(ok, n)["next_due"] == due, grade


def test_grade_e_has_no_rhythm_and_no_first_contact(ok, add):
    n = add("dead", "--grade", "E")
    assert card(ok, n)["next_due"] is None
    ok("log", n)
    assert card(ok, n)["next_due"] is None


def test_explicit_next_wins_over_the_rhythm(ok, add):
    n = add("张三", "--grade", "A")
    result = ok("log", n, "--next", "下周一", "--purpose", "送报价", "--json").json()
    assert result["next_due"] == "2026-03-23"
    assert result["next_purpose"] == "送报价"
    assert card(ok, n)["next_purpose"] == "送报价"


def test_rhythm_counts_from_the_contact_date(ok, add):
    n = add("张三", "--grade", "B", "--at", "2026-03-09")  # typed in late
    ok("log", n, "--at", "2026-03-10")
    assert card(ok, n)["next_due"] == "2026-03-17"  # already overdue: it shows in due


def test_intervals_are_book_settings(ok, add):
    ok("config", "set", "interval.B", "3")
    ok("config", "set", "interval.D", "none")
    assert ok("config", "--json").json()["interval.B"] == "3"
    b = add("b", "--grade", "B")
    ok("log", b)
    assert card(ok, b)["next_due"] == "2026-03-21"
    d = add("d", "--grade", "D")
    ok("log", d)
    assert card(ok, d)["next_due"] is None


def test_bad_setting_is_refused(cli):
    assert cli("config", "set", "interval.B", "0").exit_code == 1
    assert cli("config", "set", "interval.B", "soon").exit_code == 1
    assert cli("config", "set", "interval.Z", "3").exit_code == 1


def test_new_card_is_due_today_unless_next_says_otherwise(ok, add):
    assert card(ok, add("a"))["next_due"] == "2026-03-18"
    assert card(ok, add("b", "--next", "+3d"))["next_due"] == "2026-03-21"


def test_log_can_change_grade_and_stage_and_keeps_history(ok, add):
    n = add("张三", "--grade", "C")
    ok("log", n, "--grade", "A", "--stage", "intent", "--note", "要报价")
    c = card(ok, n)
    assert c["grade"] == "A" and c["stage"] == "intent"
    assert c["next_due"] == "2026-03-19"  # the new grade's rhythm
    changes = [(h["field"], h["old"], h["new"], h["reason"]) for h in c["history"] if h["old"]]
    assert ("grade", "C", "A", "要报价") in changes
    assert ("stage", "prospect", "intent", "要报价") in changes


def test_first_contact_moves_a_prospect_to_contacted(ok, add):
    n = add("张三")
    ok("log", n)
    assert card(ok, n)["stage"] == "contacted"


def test_grade_change_moves_a_rhythm_plan_but_not_an_explicit_one(ok, add):
    n = add("rhythm", "--grade", "D", now="2026-03-10")
    ok("log", n)  # next by rhythm: 2026-04-09
    ok("grade", n, "A", "--why", "hot", now="2026-03-18")
    assert card(ok, n)["next_due"] == "2026-03-18"  # 03-11 would be past: today
    m = add("explicit", "--grade", "D")
    ok("log", m, "--next", "2026-04-01")
    ok("grade", m, "A")
    assert card(ok, m)["next_due"] == "2026-04-01"
    ok("grade", m, "E")
    assert card(ok, m)["next_due"] == "2026-04-01"  # an explicit plan stays even for E
    ok("grade", n, "E")
    assert card(ok, n)["next_due"] is None


def test_grade_and_stage_changes_are_kept_with_date_and_reason(ok, add):
    n = add("张三", "--grade", "C")
    ok("grade", n, "B", "--why", "预算批了", now="2026-03-19")
    ok("stage", n, "认同", "--why", "喜欢外观", now="2026-03-20")
    history = card(ok, n)["history"]
    assert [(h["field"], h["old"], h["new"]) for h in history] == [
        ("grade", None, "C"),
        ("stage", None, "prospect"),
        ("grade", "C", "B"),
        ("stage", "prospect", "interested"),
    ]
    assert history[2]["reason"] == "预算批了" and history[2]["at"].startswith("2026-03-19")
    assert history[3]["by"] == "王丽"


def test_grade_without_value_suggests_one(ok, add):
    n = add("张三", "--expected", "2026-05-01", "--grade", "D")
    result = ok("grade", n)
    assert "suggests B" in result.stderr
    assert card(ok, n)["grade"] == "D"


def test_lost_needs_a_reason_and_reopen_restores_the_stage(cli, ok, add):
    n = add("张三")
    ok("stage", n, "intent")
    assert cli("lost", n).exit_code == 2  # --reason is required
    ok("lost", n, "--reason", "买了竞品")
    c = card(ok, n)
    assert c["stage"] == "lost" and c["lost_reason"] == "买了竞品" and c["next_due"] is None
    ok("reopen", n, "--why", "竞品交不了车", now="2026-03-25")
    c = card(ok, n)
    assert c["stage"] == "intent" and c["lost_reason"] is None
    assert c["next_due"] == "2026-03-25"
    result = cli("reopen", n)
    assert result.exit_code == 1 and "not lost" in result.stderr


def test_bad_grade_stage_via_or_date_writes_nothing(cli, add, db_path):
    n = add("张三")
    before = dump_book(db_path)
    for args in (
        ("grade", n, "F"),
        ("stage", n, "bought"),
        ("log", n, "--via", "pigeon"),
        ("log", n, "--at", "2026-02-30"),
        ("log", n, "--next", "someday soon"),
        ("log", n, "--at", "tomorrow"),
        ("log", n, "--next", "2026-03-01"),
        ("log", "C00042"),
        ("add", "李四", "--birthday", "1990-13-01"),
        ("add", "李四", "--budget", "lots"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert dump_book(db_path) == before


def test_debug_shows_the_traceback(cli, add):
    result = cli("--debug", "show", "C00042")
    assert result.exit_code == 1
    assert result.exception is not None and "C00042" in str(result.exception)


def test_late_entry_for_an_older_contact_keeps_the_current_plan(ok, add):
    n = add("张三", "--grade", "B", "--at", "2026-03-14")
    ok("log", n, "--note", "today")  # next 2026-03-25
    ok("log", n, "--at", "2026-03-15", "--note", "forgot to log this one")
    c = card(ok, n)
    assert c["next_due"] == "2026-03-25"
    assert c["last_contact_at"].startswith("2026-03-18")
    assert len(c["followups"]) == 2
