"""Search through the trigram index finds exactly what scanning every key finds, and the index
follows every write: add, edit, import, forget."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PG, url_of
from leadbook.cards import new_card
from leadbook.store import customers as repo
from leadbook.store import writes

NOW = datetime(2026, 3, 18, 9, 0)
# A small alphabet, so generated terms often occur in generated names.
ALPHABET = "张三丰李四王华信科技ab1 "


def found(ok, text: str) -> list[str]:
    return sorted(c["number"] for c in ok("search", text, "--json", "--limit", "0").json())


def test_the_index_follows_edits_imports_and_forget(ok, add, tmp_path):
    n = add("张三丰", "--company", "华信科技", "--mobile", "13800138000")
    assert found(ok, "三丰") == [n] and found(ok, "zhangsanfeng") == [n]
    ok("edit", n, "--name", "王五", "--company", "远航物流")
    assert found(ok, "三丰") == [] and found(ok, "华信") == []
    assert found(ok, "王五") == [n] and found(ok, "远航物流") == [n] and found(ok, "wangwu") == [n]
    source = tmp_path / "list.csv"
    source.write_text("姓名,手机\n赵六七,13900139000\n", encoding="utf-8")
    ok("import", str(source))
    (imported,) = found(ok, "赵六")
    assert found(ok, "139 0013 9000") == [imported]
    ok("forget", n, "--yes")
    assert found(ok, "王五") == [] and found(ok, "13800138000") == [] and found(ok, "wangwu") == []


def test_a_new_book_has_the_trigram_index(ok, add, db_path):
    add("张三")
    engine = sqlalchemy.create_engine(url_of(db_path))
    with engine.connect() as conn:
        if PG:  # the planner uses it for search's LIKE by itself
            sql = (
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexname = 'ix_customers_search_key_trgm'"
            )
            assert "gin_trgm_ops" in conn.exec_driver_sql(sql).scalar_one()
        else:
            assert repo._has_trigram_table(conn)
    engine.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.text(ALPHABET, min_size=1, max_size=8).map(str.strip).filter(bool),
        min_size=1,
        max_size=8,
    ),
    term=st.text(ALPHABET, min_size=1, max_size=4).map(str.strip).filter(bool),
)
def test_indexed_search_finds_what_a_scan_finds(ok, db_path, monkeypatch, names, term):
    engine = sqlalchemy.create_engine(url_of(db_path))
    ok("due")  # the book exists at the current schema
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM customers")
        for name in names:  # each card as `add` makes it
            card = new_card({"name": name}, now=NOW, today=NOW.date(), by="王丽", grade="C")
            writes.insert_card(conn, card, None)
    with engine.connect() as conn:
        indexed = sorted(r["number"] for r in repo.search(conn, term, limit=None)[0])
        with monkeypatch.context() as patch:  # undo() would undo the test's environment too
            patch.setattr(repo, "_has_trigram_table", lambda conn: False)
            scanned = sorted(r["number"] for r in repo.search(conn, term, limit=None)[0])
    engine.dispose()
    assert indexed == scanned


def test_search_says_how_many_it_did_not_show(ok, add):
    for name in ("张伟", "张伟华", "李张伟"):
        add(name)
    result = ok("search", "张伟", "--limit", "2")
    assert result.stdout.count("张伟") == 2
    assert "2 of 3 shown: use --limit 0 for all" in result.stderr


@pytest.mark.parametrize("big", [False, True], ids=["small-import", "big-import"])
def test_imported_cards_are_indexed_in_one_go_and_later_cards_by_the_trigger(
    ok, add, tmp_path, monkeypatch, big
):
    import leadbook.exchange.importer as importer

    if big:  # the import that drops and rebuilds the indexes
        monkeypatch.setattr(importer, "REBUILD_AT", 2)
    add("老客户", "--company", "远航物流")
    source = tmp_path / "big.csv"
    source.write_text(
        "姓名,单位\n张三丰,华信科技\n李四光,东方建材\n王五洲,金桥贸易\n", encoding="utf-8"
    )
    ok("import", str(source))
    assert [c["name"] for c in ok("search", "三丰", "--json").json()] == ["张三丰"]
    assert [c["name"] for c in ok("search", "dfjc", "--json").json()] == ["李四光"]
    assert [c["name"] for c in ok("search", "远航", "--json").json()] == ["老客户"]
    add("赵六合")  # the trigger is back: the index follows new cards again
    assert [c["name"] for c in ok("search", "六合", "--json").json()] == ["赵六合"]
