"""Importing the same file again is a no-op; a later version of it updates the cards it made
(issue 12). Each imported card remembers where it came from: the source's own id, or a
fingerprint of its row."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import dump_book, query

DATA = Path(__file__).parent / "data"


def counts(db_path: object) -> tuple[int, int, int]:
    ((cards, deals, plans),) = query(
        db_path,
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM deals), "
        "(SELECT count(*) FROM plans)",
    )
    return int(cards), int(deals), int(plans)


def test_maven_imported_twice_gives_the_same_cards(ok, tmp_path, db_path):
    # 42 of the excerpt's 400 opportunities have no account: they once matched nothing and
    # came in again as new cards.
    source = shutil.copy(DATA / "maven_sales_pipeline_excerpt.csv", tmp_path)
    first = ok("import", str(source), "--map", "opportunity_id=name", "--json").json()
    assert first["created"] == 400
    before = counts(db_path)
    again = ok("import", str(source), "--map", "opportunity_id=name", "--json").json()
    assert (again["created"], again["skipped"]) == (0, 400)
    assert counts(db_path) == before
    updated = ok(
        "import", str(source), "--map", "opportunity_id=name", "--on-duplicate", "update", "--json"
    ).json()
    assert (updated["created"], updated["updated"], updated["deals"]) == (0, 0, 0)
    assert counts(db_path) == before


def test_rows_without_an_id_or_a_phone_are_found_by_their_fingerprint(ok, tmp_path, db_path):
    source = tmp_path / "名单.csv"
    source.write_text(
        "姓名,意向产品,备注\n张三,途观L,展会\n张三,途观L,展会\n李四,,\n王五,帕萨特,\n",
        encoding="utf-8",
    )
    ok("import", str(source))
    before = dump_book(db_path)
    again = ok("import", str(source), "--json").json()
    assert (again["created"], again["skipped"]) == (0, 4)
    assert dump_book(db_path) == before
    # the same rows with the columns in another order are the same rows
    source.write_text(
        "备注,姓名,意向产品\n展会,张三,途观L\n,李四,\n,王五,帕萨特\n", encoding="utf-8"
    )
    assert ok("import", str(source), "--json").json()["created"] == 0


def test_a_later_version_updates_the_cards_by_the_sources_own_id(ok, tmp_path):
    source = tmp_path / "zoho.csv"
    source.write_text(
        "Lead ID,Last Name,Company,Lead Status\nzcrm_1,Smith,,Contacted\nzcrm_2,Jones,,Contacted\n",
        encoding="utf-8",
    )
    ok("import", str(source))
    # the later export: a name corrected, a stage moved on, a new lead
    source.write_text(
        "Lead ID,Last Name,Company,Lead Status\n"
        "zcrm_1,Smyth,Acme,Contacted\n"
        "zcrm_2,Jones,,Qualified\n"
        "zcrm_3,Brown,,New\n",
        encoding="utf-8",
    )
    report = ok("import", str(source), "--on-duplicate", "update", "--json").json()
    assert (report["created"], report["updated"]) == (1, 2)
    cards = {c["number"]: c for c in (ok("show", n, "--json").json() for n in ("C00001", "C00002"))}
    assert cards["C00001"]["company"] == "Acme"
    assert cards["C00002"]["stage"] != "contacted"
    assert len(ok("list", "--json").json()) == 3


def test_the_id_column_can_be_named(ok, cli, tmp_path, db_path):
    source = tmp_path / "sheet.csv"
    source.write_text("编码,姓名\nK-1,张三\nK-2,张三\n", encoding="utf-8")
    # Two cards of the same name, told apart by the sheet's own code only.
    assert ok("import", str(source), "--id", "编码", "--json").json()["created"] == 2
    source.write_text("编码,姓名,备注\nK-1,张三,老客户\nK-2,张三,新客户\n", encoding="utf-8")
    report = ok("import", str(source), "--id", "编码", "--on-duplicate", "update", "--json").json()
    assert (report["created"], report["updated"]) == (0, 2)
    notes = sorted(ok("show", n, "--json").json()["note"] for n in ("C00001", "C00002"))
    assert notes == ["新客户", "老客户"]
    before = dump_book(db_path)
    wrong = cli("import", str(source), "--id", "Lead ID")
    assert wrong.exit_code == 1
    assert len(wrong.stderr.strip().splitlines()) == 1 and "Lead ID" in wrong.stderr
    assert dump_book(db_path) == before
