"""Search on a team book (PostgreSQL) with row-level security: a salesperson finds their own
cards and never a colleague's, a manager everyone's, and both through the trigram index.

Under a policy PostgreSQL may not use the index for LIKE itself (LIKE is not leakproof), so
search asks ``leadbook_search_ids`` (migration 0006), which reads the index as the book's owner
and applies the policy's rule itself.
"""

from __future__ import annotations

from typing import Any

import pytest

import test_identity
from conftest import PG, query

pytestmark = pytest.mark.skipif(not PG, reason="logins and row-level security are PostgreSQL's")

team = test_identity.team  # two salespeople and a manager, dropped afterwards
Team = test_identity.Team


def found(ok: Any, text: str) -> list[str]:
    return sorted(c["number"] for c in ok("search", text, "--json", "--limit", "0").json())


def _cards(team: Team, ok: Any) -> tuple[str, str]:
    mine = test_identity._card(
        team, ok, team.wang, "张伟华", "--mobile", "138 0013 8001", "--company", "华信科技"
    )
    theirs = test_identity._card(
        team, ok, team.li, "张伟强", "--mobile", "138 0013 8002", "--company", "华信物流"
    )
    return mine, theirs


def test_a_salesperson_finds_only_their_own_cards(ok, team, book_url):
    mine, theirs = _cards(team, ok)
    team.use(team.wang)
    for text in ("张伟华", "张伟", "zhangwei", "zhangweihua", "zwh", "13800138001", "1380013800"):
        assert found(ok, text) == [mine], text
    assert found(ok, "zhangwei 华信") == [mine]  # the other terms filter what the index finds
    for text in ("张伟强", "zhangweiqiang", "zwq", "13800138002", "138 0013 8002", "华信物流"):
        assert found(ok, text) == [], text
    # The count of matches holds her card only: nothing hints at a colleague's.
    assert "shown" not in ok("search", "zhangwei", "--limit", "1").stderr
    # Called directly, the function gives her no colleague's card either.
    import sqlalchemy

    engine = sqlalchemy.create_engine(team.urls[team.wang])
    with engine.connect() as conn:
        ids = conn.execute(
            sqlalchemy.text("SELECT leadbook_search_ids(:pattern)"), {"pattern": "%zhangwei%"}
        ).scalar_one()
    engine.dispose()
    assert ids == [
        r[0] for r in query(book_url, f"SELECT id FROM customers WHERE number = '{mine}'")
    ]

    team.use(team.li)
    assert found(ok, "zhangwei") == [theirs] and found(ok, "13800138001") == []


def test_a_manager_and_the_books_owner_find_everyones_cards(ok, team, monkeypatch, book_url):
    both = sorted(_cards(team, ok))
    for url in (team.urls[team.boss], book_url):
        monkeypatch.setenv("LEADBOOK_DB", url)
        for text in ("张伟", "zhangwei", "1380013800", "华信", "zw"):
            assert found(ok, text) == both, (url, text)


def test_a_salespersons_search_reads_the_trigram_index(ok, team, book_url):
    """The plans of the statements a salesperson's search runs (auto_explain, nested ones
    too): her cards come through the trigram index, not by reading every card she may see."""
    import sqlalchemy

    from leadbook.identity import quote
    from leadbook.store import customers as repo

    mine, _theirs = _cards(team, ok)
    query(
        book_url,
        "INSERT INTO customers (number, name, search_key, grade, stage, owner, created_at, "
        "updated_at) SELECT 'X' || i, '客户' || i, '|x' || i || '|kehu' || i || '|', 'C', "
        f"'prospect', CASE WHEN mod(i, 2) = 0 THEN '{team.wang}' ELSE '{team.li}' END, "
        "now(), now() FROM generate_series(1, 2000) AS i",
    )
    query(book_url, "ANALYZE customers")
    plans: list[str] = []
    engine = sqlalchemy.create_engine(book_url)
    try:
        with engine.connect() as conn:
            try:
                conn.exec_driver_sql("LOAD 'auto_explain'")
            except sqlalchemy.exc.DBAPIError:
                pytest.skip("the server has no auto_explain")
            raw: Any = conn.connection.dbapi_connection
            raw.add_notice_handler(lambda notice: plans.append(notice.message_primary))
            for setting in (
                "auto_explain.log_min_duration = 0",
                "auto_explain.log_nested_statements = on",
                "auto_explain.log_level = notice",
                "client_min_messages = notice",
                # Whether the index may be used at all under the policy, not whether the
                # planner prefers it for a book this small.
                "enable_seqscan = off",
                f"SESSION AUTHORIZATION {quote(team.wang)}",  # her login, policy and all
            ):
                conn.exec_driver_sql(f"SET {setting}")
            assert conn.exec_driver_sql("SELECT row_security_active('customers')").scalar()
            plans.clear()
            rows, total = repo.search(conn, "zhangweihua")
            conn.rollback()
    finally:
        engine.dispose()
    assert [r["number"] for r in rows] == [mine] and total == 1
    nested = [p for p in plans if "zhangweihua" in p]
    assert any("Bitmap Index Scan on ix_customers_search_key_trgm" in p for p in nested), plans
    # The search itself reads her cards by number from what the index found.
    (outer,) = [p for p in nested if "count(*) OVER" in p]
    assert "Index Cond: (id = ANY" in outer and "Seq Scan on customers" not in outer, outer
