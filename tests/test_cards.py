"""The customer card (DOMAIN section 1): add, duplicates, phones and e-mails, show, edit, list, search."""

from __future__ import annotations

from conftest import dump_book, query


def test_add_prints_a_short_number_accepted_in_any_case(cli, ok, add):
    assert add("张三", "--company", "华信科技") == "C00001"
    assert add("李四") == "C00002"
    for spelling in ("C00002", "c00002", "c2", "2"):
        assert ok("show", spelling, "--json").json()["name"] == "李四"


def test_add_json_prints_the_card(ok):
    card = ok("add", "张三", "--mobile", "13800138000", "--grade", "B", "--json").json()
    assert card["number"] == "C00001"
    assert card["grade"] == "B"
    assert card["stage"] == "prospect"
    assert card["mobile"] == "+8613800138000"
    assert card["next_due"] == "2026-03-18"  # due for a first contact on the day it is added


def test_add_takes_every_card_field(ok, add):
    referrer = add("老客户", "--mobile", "13900000001")
    card = ok(
        "add",
        "张三",
        "--company",
        "华信科技",
        "--title",
        "采购经理",
        "--gender",
        "男",
        "--birthday",
        "1985-03-05",
        "--mobile",
        "13800138000",
        "--phone",
        "010-62345678",
        "--email",
        "zhang@huaxin.example",
        "--wechat",
        "zhang_san",
        "--address",
        "北京市海淀区中关村大街1号",
        "--district",
        "海淀区",
        "--industry",
        "IT",
        "--source",
        "介绍",
        "--source-detail",
        "老客户介绍",
        "--referrer",
        referrer,
        "--owner",
        "李强",
        "--product",
        "途观L",
        "--budget",
        "25万",
        "--expected",
        "2026-04-30",
        "--payment",
        "按揭",
        "--tags",
        "VIP,试驾",
        "--note",
        "周末方便",
        "--json",
    ).json()
    assert card["gender"] == "male"
    assert card["birthday"] == "1985-03-05"
    assert card["phone"] == "+861062345678"
    assert card["source"] == "referral"
    assert card["referrer"] == referrer
    assert card["owner"] == "李强"
    assert card["budget"] == "250000.00"
    assert card["payment"] == "instalment"
    assert card["tags"] == ["VIP", "试驾"]
    assert card["grade"] == "B"  # suggested from the expected purchase date (43 days away)


def test_grade_is_suggested_from_expected_date(ok):
    assert ok("add", "a", "--expected", "+20d", "--json").json()["grade"] == "A"
    assert ok("add", "b", "--expected", "+80d", "--json").json()["grade"] == "B"
    assert ok("add", "c", "--expected", "+150d", "--json").json()["grade"] == "C"
    assert ok("add", "d", "--expected", "+300d", "--json").json()["grade"] == "D"
    assert ok("add", "e", "--json").json()["grade"] == "D"
    assert ok("add", "f", "--expected", "+20d", "--grade", "C", "--json").json()["grade"] == "C"


def test_same_mobile_in_another_format_is_a_duplicate(cli, add, db_path):
    add("张三", "--mobile", "+86 138-0013-8000")
    before = dump_book(db_path)
    result = cli("add", "张三丰", "--mobile", "13800138000")
    assert result.exit_code == 1
    assert "C00001" in result.stderr and "--force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump_book(db_path) == before


def test_same_email_or_same_name_at_same_company_is_a_duplicate(cli, add):
    add("Emily", "--email", "emily@example.com", "--company", "Acme")
    assert cli("add", "E. Carter", "--email", "Emily@EXAMPLE.com").exit_code == 1
    result = cli("add", "Emily", "--company", "acme")
    assert result.exit_code == 1 and "C00001" in result.stderr
    assert add("Emily", "--company", "Other Co") == "C00002"  # same name elsewhere is fine


def test_the_duplicate_check_looks_up_its_index_whatever_the_statistics_say(
    cli, tmp_path, monkeypatch
):
    """A SQLite book analysed while no card had an e-mail or a mobile kept statistics that
    made the planner scan every card for `add`'s duplicate check (194 ms at 1M cards). The
    indexes hold only the filled values now. SQLite's planner is the subject: a SQLite book."""
    import sqlalchemy
    from sqlalchemy import event

    book = tmp_path / "analysed.db"
    monkeypatch.setenv("LEADBOOK_DB", str(book))
    for i in range(30):
        assert cli("add", f"客户{i}").exit_code == 0
    query(book, "ANALYZE")
    assert cli("add", "张三", "--mobile", "13800138000", "--email", "z@example.com").exit_code == 0
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "customers.mobile = ?" in statement or "customers.email = ?" in statement:
            seen.append((statement, parameters))

    event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", record)
    monkeypatch.setenv("LEADBOOK_FULL_STACK", "1")  # the statements as SQLAlchemy runs them
    try:
        result = cli("add", "李四", "--mobile", "13800138000", "--email", "z@example.com")
    finally:
        event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", record)
    assert result.exit_code == 1 and "C00031" in result.stderr
    assert len(seen) == 2
    # and as the fast path runs them (the same text, compiled by SQLAlchemy)
    from leadbook.store import fast

    for key, value in (("w:duplicates:mobile", "+8613800138000"), ("w:duplicates:email", "z@x")):
        statement = fast.statement(key)
        assert statement is not None
        seen.append((statement["sql"], (value, 1, 0)))  # LIMIT 1 OFFSET 0
    for statement, parameters in seen:
        engine = sqlalchemy.create_engine(f"sqlite:///{book}")
        with engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        engine.dispose()
        assert any("USING INDEX ix_customers_" in str(step) for step in plan), plan


def test_force_adds_a_duplicate(add):
    add("张三", "--mobile", "13800138000")
    assert add("张三", "--mobile", "13800138000", "--force") == "C00002"


def test_malformed_phone_and_email_are_refused_with_the_reason(cli, add, db_path):
    add("someone")
    before = dump_book(db_path)
    for args, words in (
        (("--mobile", "12345"), "too short"),
        (("--mobile", "1380013800"), "11 digits"),
        (("--mobile", "138001380001234"), "too long"),
        (("--phone", "010-1234"), "phone"),
        (("--email", "zhang@@example"), "e-mail"),
        (("--email", "no-at-sign"), "e-mail"),
    ):
        result = cli("add", "张三", *args)
        assert result.exit_code == 1, args
        assert words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    assert dump_book(db_path) == before


def test_show_renders_card_and_timeline_at_80_columns(ok, add, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    n = add("张三", "--company", "华信科技有限公司", "--mobile", "13800138000", "--grade", "B")
    ok("log", n, "--via", "visit", "--note", "介绍新款配置", "--outcome", "约了试驾")
    ok("grade", n, "A", "--why", "试驾很满意")
    out = ok("show", n).stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "张三" in out and "华信科技有限公司" in out and "138 0013 8000" in out
    assert "介绍新款配置" in out and "grade B → A (试驾很满意)" in out
    assert "prospect → contacted" in out


def test_show_json_has_fields_and_followups(ok, add):
    n = add("张三", "--mobile", "13800138000")
    ok("log", n, "--note", "first call")
    card = ok("show", n, "--json").json()
    for key in ("number", "name", "grade", "stage", "next_due", "followups", "mobile"):
        assert key in card
    assert card["followups"][0]["note"] == "first call"


def test_edit_changes_fields_and_keeps_an_audit_trail(ok, add, db_path):
    n = add("张三", "--company", "华信")
    ok("edit", n, "--company", "华信科技", "--mobile", "13800138000", now="2026-03-19")
    card = ok("show", n, "--json").json()
    assert card["company"] == "华信科技" and card["mobile"] == "+8613800138000"
    edits = [e for e in card["edits"] if e["action"] == "edit"]
    assert {(e["field"], e["old"], e["new"], e["by"]) for e in edits} == {
        ("company", "华信", "华信科技", "王丽"),
        ("mobile", None, "+8613800138000", "王丽"),
    }
    assert edits[0]["at"].startswith("2026-03-19")
    ok("edit", n, "--company", "")
    assert ok("show", n, "--json").json()["company"] is None


def test_edit_refuses_a_value_that_duplicates_another_card(cli, add):
    add("张三", "--mobile", "13800138000")
    n = add("李四")
    result = cli("edit", n, "--mobile", "138 0013 8000")
    assert result.exit_code == 1 and "C00001" in result.stderr


def test_edit_with_nothing_to_change_is_a_usage_error(cli, add):
    n = add("张三")
    assert cli("edit", n).exit_code == 2


def test_list_filters_and_sorts(ok, add):
    add("A1", "--grade", "A", "--owner", "王丽", "--tags", "VIP", "--source", "showroom")
    add("B1", "--grade", "B", "--owner", "李强", "--source", "referral")
    add("C1", "--grade", "C", "--owner", "王丽", "--next", "2026-03-10")
    names = lambda r: [c["name"] for c in r.json()]  # noqa: E731
    assert names(ok("list", "--json")) == ["A1", "B1", "C1"]
    assert names(ok("list", "--grade", "A,B", "--json")) == ["A1", "B1"]
    assert names(ok("list", "--owner", "李强", "--json")) == ["B1"]
    assert names(ok("list", "--mine", "--json")) == ["A1", "C1"]
    assert names(ok("list", "--tag", "VIP", "--json")) == ["A1"]
    assert names(ok("list", "--source", "介绍", "--json")) == ["B1"]
    assert names(ok("list", "--overdue", "--json")) == ["C1"]
    assert names(ok("list", "--sort", "next", "--json"))[0] == "C1"
    assert names(ok("list", "--stage", "prospect", "--json")) == ["A1", "B1", "C1"]


def test_search_by_pinyin_initials_phone_and_email(ok, add):
    add("张三", "--company", "华信科技", "--mobile", "13800138000")
    add("李四", "--email", "lisi@example.com", "--phone", "010-62345678")
    add("Emily Carter", "--company", "Brightside")
    found = lambda text: [c["name"] for c in ok("search", text, "--json").json()]  # noqa: E731
    assert found("zhangsan") == ["张三"]
    assert found("zs") == ["张三"]
    assert found("zhang san") == ["张三"]
    assert found("张") == ["张三"]
    assert found("华信") == ["张三"]
    assert found("+86 138-0013-8000") == ["张三"]
    assert found("0013 8000") == ["张三"]
    assert found("62345678") == ["李四"]
    assert found("LISI@example") == ["李四"]
    assert found("carter") == ["Emily Carter"]
    assert found("brightside") == ["Emily Carter"]
    assert found("nobody") == []


def test_search_treats_like_wildcards_literally(ok, add):
    add("100% Cotton Co")
    add("Plain")
    assert [c["name"] for c in ok("search", "%", "--json").json()] == ["100% Cotton Co"]
    assert ok("search", "_", "--json").json() == []


def test_unknown_customer_number_is_one_clear_line(cli, add):
    add("张三")
    for bad in ("C00999", "not a number!"):
        result = cli("show", bad)
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_book_is_created_owner_only_with_wal(ok, add, db_path):
    add("张三")
    if isinstance(db_path, str):  # PostgreSQL: no file; the password never shows
        assert ":***@" in ok("db", "path").stdout
        return
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert query(db_path, "PRAGMA journal_mode")[0][0] == "wal"


def test_interactive_add_asks_for_the_main_fields(cli, ok, monkeypatch):
    from leadbook.cli import cards

    monkeypatch.setattr(cards, "interactive", lambda: True)
    answers = (
        "\n".join(["张三", "华信科技", "12345", "13800138000", "", "途观L", "", "", "B", ""]) + "\n"
    )
    result = cli("add", input=answers)
    assert result.exit_code == 0, result.stderr
    card = ok("show", "C00001", "--json").json()
    assert card["name"] == "张三" and card["company"] == "华信科技"
    assert (
        card["mobile"] == "+8613800138000" and card["grade"] == "B" and card["product"] == "途观L"
    )
    assert "too short" in result.stderr  # the bad mobile was asked again


def test_add_without_name_off_a_terminal_is_a_usage_error(cli):
    result = cli("add", input="")
    assert result.exit_code == 2
    assert "NAME" in result.stderr
