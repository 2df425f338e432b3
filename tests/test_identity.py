"""Real identities on a team book: on PostgreSQL a salesperson is a database login, and
row-level security (migration 0006) keeps each to their own cards, a manager to everyone's.
On SQLite the name given with --as stays a label.

The PostgreSQL tests make logins of their own (roles are the cluster's, so each name carries
a random suffix) and drop them at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import PG, query

pg_only = pytest.mark.skipif(not PG, reason="logins and row-level security are PostgreSQL's")
sqlite_only = pytest.mark.skipif(bool(PG), reason="SQLite's --as is a label")


@dataclass
class Team:
    wang: str  # a salesperson
    li: str  # another salesperson
    boss: str  # a manager
    urls: dict[str, str]
    use: Callable[[str], None]  # run the next commands as this login


def _drop_roles(names: list[str]) -> None:
    import sqlalchemy

    from leadbook.identity import quote

    admin = sqlalchemy.create_engine(PG)
    try:
        with admin.begin() as conn:
            for name in names:
                exists = conn.execute(
                    sqlalchemy.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
                ).first()
                if exists:
                    conn.exec_driver_sql(f"DROP OWNED BY {quote(name)}")
                    conn.exec_driver_sql(f"DROP ROLE {quote(name)}")
    finally:
        admin.dispose()


@pytest.fixture
def team(ok, book_url, monkeypatch) -> Iterator[Team]:
    """A book set up by its owner (the suite's superuser) with two salespeople and a manager,
    each added with `leadbook team add`."""
    from sqlalchemy.engine import make_url

    suffix = uuid.uuid4().hex[:6]
    wang, li, boss = f"王丽_{suffix}", f"李强_{suffix}", f"张经理_{suffix}"
    created: list[str] = []
    urls = {}
    try:
        for name, extra in ((wang, []), (li, []), (boss, ["--manager"])):
            password = "pw-" + uuid.uuid4().hex[:12]
            ok("team", "add", name, "--password", password, *extra)
            created.append(name)
            urls[name] = (
                make_url(book_url)
                .set(username=name, password=password)
                .render_as_string(hide_password=False)
            )
        monkeypatch.delenv("LEADBOOK_USER", raising=False)

        def use(name: str) -> None:
            monkeypatch.setenv("LEADBOOK_DB", urls[name])

        yield Team(wang, li, boss, urls, use)
    finally:
        _drop_roles(created)


def _card(team: Team, ok: Any, login: str, name: str, *args: str) -> str:
    team.use(login)
    return str(ok("add", name, "--grade", "A", "--next", "2026-03-18", *args).stdout.strip())


@pg_only
def test_a_salesperson_sees_and_changes_only_their_own_cards(ok, cli, team, book_url, tmp_path):
    mine = _card(team, ok, team.wang, "赵一", "--mobile", "13800138001")
    theirs = _card(team, ok, team.li, "钱二", "--mobile", "13800138002", "--note", "秘密备注")
    ok("log", theirs, "--note", "李强的电话")

    team.use(team.wang)
    assert [c["number"] for c in ok("list", "--json").json()] == [mine]
    assert [c["number"] for c in ok("due", "--json").json()] == [mine]
    assert ok("search", "钱二", "--json").json() == []
    assert ok("search", "13800138002", "--json").json() == []
    for args in (
        ["show", theirs],
        ["log", theirs, "--note", "冒充"],
        ["forget", theirs, "--yes"],
        ["edit", theirs, "--note", "改了"],
        ["lost", theirs, "--reason", "x"],
        ["deal", theirs, "--amount", "1000"],
        ["complaint", theirs, "--note", "x"],
        ["swot", theirs, "--add", "o", "x"],
        ["visit", theirs, "--on", "2026-03-20", "--purpose", "x"],
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "no customer numbered" in result.stderr and "Traceback" not in result.stderr
    result = cli("reassign", "--from", team.li, "--to", team.wang)
    assert result.exit_code == 1 and "only a manager" in result.stderr
    # Nothing of 李强's changed or leaked.
    assert query(
        book_url, f"SELECT owner, note, name FROM customers WHERE number = '{theirs}'"
    ) == [(team.li, "秘密备注", "钱二")]
    assert query(book_url, "SELECT count(*) FROM followups")[0][0] == 1
    # Their own card works as ever; an export holds their cards only.
    ok("log", mine, "--note", "自己的电话")
    assert ok("show", mine, "--json").json()["followups"][0]["note"] == "自己的电话"
    ok("export", str(tmp_path / "mine.csv"))
    exported = (tmp_path / "mine.csv").read_text(encoding="utf-8-sig")
    assert "赵一" in exported and "钱二" not in exported and "13800138002" not in exported
    (tmp_path / "new.csv").write_text("name,mobile\n吴五,13800138005\n", encoding="utf-8")
    ok("import", str(tmp_path / "new.csv"))
    assert query(book_url, "SELECT owner FROM customers WHERE name = '吴五'") == [(team.wang,)]
    ok("forget", mine, "--yes")
    card = ok("show", mine, "--json", "--audit").json()
    assert card["name"].startswith("(forgotten") and card["followups"][0]["note"] is None
    assert card["edits"][-1]["action"] == "forget"


@pg_only
def test_a_salesperson_cannot_give_a_card_to_a_colleague(cli, ok, team, book_url):
    team.use(team.wang)
    result = cli("add", "孙三", "--owner", team.li)
    assert result.exit_code == 1 and "may not do this" in result.stderr
    assert query(book_url, "SELECT count(*) FROM customers")[0][0] == 0


@pg_only
def test_a_manager_reads_and_changes_everyones_cards(ok, cli, team, book_url):
    a = _card(team, ok, team.wang, "赵一")
    b = _card(team, ok, team.li, "钱二")
    team.use(team.boss)
    assert sorted(c["number"] for c in ok("list", "--json").json()) == sorted([a, b])
    assert ok("show", b, "--json").json()["name"] == "钱二"
    ok("log", b, "--note", "经理打的电话")
    assert ok("reassign", "--from", team.li, "--to", team.wang).stderr
    assert ok("show", b, "--json").json()["owner"] == team.wang
    ok("forget", a, "--yes")
    assert ok("show", a, "--json").json()["name"].startswith("(forgotten")
    # And the cards 李强 no longer owns are gone from his view.
    team.use(team.li)
    assert ok("list", "--json").json() == []


@pg_only
def test_the_audit_trail_shows_the_real_login(ok, cli, team, book_url):
    n = _card(team, ok, team.wang, "赵一")
    team.use(team.wang)
    ok("edit", n, "--company", "华信")
    team.use(team.boss)
    ok("--as", team.wang, "edit", n, "--company", "华信科技")  # a manager acting for her
    ok("reassign", "--from", team.wang, "--to", team.li)
    edits = ok("show", n, "--json", "--audit").json()["edits"]
    assert [(e["action"], e.get("field"), e["by"]) for e in edits] == [
        ("create", None, team.wang),
        ("edit", "company", team.wang),
        ("edit", "company", team.boss),
        ("edit", "owner", team.boss),
    ]
    # Written straight into the table under another name, the login still shows.
    team.use(team.li)
    import sqlalchemy

    engine = sqlalchemy.create_engine(team.urls[team.li])
    with engine.begin() as conn:
        cid = conn.exec_driver_sql(f"SELECT id FROM customers WHERE number = '{n}'").scalar()
        conn.exec_driver_sql(
            "INSERT INTO audit (customer_id, action, at, by) "
            f"VALUES ({cid}, 'edit', now(), '{team.boss}')"
        )
    with pytest.raises(sqlalchemy.exc.ProgrammingError), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit SET by = 'nobody'")  # nor is the trail rewritten
    engine.dispose()
    assert query(book_url, "SELECT by FROM audit ORDER BY id DESC LIMIT 1") == [(team.li,)]
    assert query(book_url, "SELECT count(*) FROM audit WHERE by = 'nobody'") == [(0,)]


@pg_only
def test_as_names_a_colleague_only_for_a_manager(ok, cli, team, book_url, monkeypatch):
    team.use(team.wang)
    result = cli("--as", team.li, "add", "冒名客户")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "only a manager may act for" in result.stderr
    assert team.wang in result.stderr and "--as" in result.stderr
    monkeypatch.setenv("LEADBOOK_USER", team.li)
    result = cli("add", "冒名客户")
    assert result.exit_code == 1 and "LEADBOOK_USER" in result.stderr
    monkeypatch.setenv("LEADBOOK_USER", team.wang)  # her own name is fine
    n = ok("--as", team.wang, "add", "自己的客户").stdout.strip()
    assert ok("show", n, "--json").json()["owner"] == team.wang
    assert query(book_url, "SELECT count(*) FROM customers")[0][0] == 1
    # A manager acts for her: the card is hers, the contact counts as hers.
    team.use(team.boss)
    monkeypatch.delenv("LEADBOOK_USER")
    m = ok("--as", team.wang, "add", "代录客户").stdout.strip()
    ok("--as", team.wang, "log", m, "--note", "代打")
    card = ok("show", m, "--json").json()
    assert card["owner"] == team.wang and card["followups"][0]["by"] == team.wang


@pg_only
def test_running_totals_follow_every_salespersons_writes(ok, team, book_url):
    """Their writes update the totals through the owner's triggers; each reads their own."""
    for login, name in ((team.wang, "赵一"), (team.wang, "孙三"), (team.li, "钱二")):
        n = _card(team, ok, login, name)
        ok("log", n, "--note", "电话", "--stage", "intent")
    team.use(team.wang)
    ok("lost", _card(team, ok, team.wang, "周四"), "--reason", "价格")

    def reached(login: str) -> dict[str, int]:
        team.use(login)
        return {s["stage"]: s["reached"] for s in ok("funnel", "--json").json()["stages"]}

    assert reached(team.wang)["intent"] == 2 and reached(team.li)["intent"] == 1
    assert reached(team.boss)["intent"] == 3
    owners = {o for (o,) in query(book_url, "SELECT DISTINCT owner FROM tallies WHERE n != 0")}
    assert owners == {team.wang, team.li}
    team.use(team.wang)
    assert ok("report", "--json").json()  # reads the totals it may see
    # The totals agree with the rows (the suite's reference count).
    from test_tallies import assert_same_totals

    assert_same_totals(book_url)


@pg_only
def test_settings_are_a_managers(ok, cli, team):
    team.use(team.wang)
    assert ok("config", "--json").json()["interval.B"]
    result = cli("config", "set", "interval.B", "3")
    assert result.exit_code == 1 and "a manager may" in result.stderr
    team.use(team.boss)
    ok("config", "set", "interval.B", "3")
    team.use(team.wang)
    assert ok("config", "--json").json()["interval.B"] == "3"


@pg_only
def test_only_a_manager_adds_salespeople(ok, cli, team):
    suffix = uuid.uuid4().hex[:6]
    newcomer = f"新人_{suffix}"
    team.use(team.wang)
    result = cli("team", "add", newcomer, "--password", "long-enough-1")
    assert result.exit_code == 1 and "only a manager" in result.stderr
    team.use(team.boss)
    try:
        result = ok("team", "add", newcomer)
        password = result.stdout.strip()
        assert len(password) >= 12 and newcomer in result.stderr
        from sqlalchemy.engine import make_url

        team.urls[newcomer] = (
            make_url(team.urls[team.boss])
            .set(username=newcomer, password=password)
            .render_as_string(hide_password=False)
        )
        team.use(newcomer)
        n = ok("add", "新客户").stdout.strip()
        assert ok("show", n, "--json").json()["owner"] == newcomer
        team.use(team.boss)
        again = cli("team", "add", newcomer, "--password", "long-enough-1")
        assert again.exit_code == 1 and "already a database login" in again.stderr
    finally:
        _drop_roles([newcomer])


@pg_only
@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("pg_x", "long-enough-1", "cannot be a database login"),
        ("王" * 22, "long-enough-1", "too long"),
        ("leadbook_manager", "long-enough-1", "leadbook's own roles"),
        ("ok_name", "short", "at least 8"),
        ("ok_name", "has space 123", "no spaces"),
    ],
)
def test_team_add_refuses_bad_names_and_passwords(cli, ok, name, password, message):
    ok("db", "upgrade")
    result = cli("team", "add", name, "--password", password)
    assert result.exit_code == 1 and message in result.stderr, result.stderr


@sqlite_only
def test_on_sqlite_as_is_a_label_and_there_are_no_logins(ok, cli):
    n = ok("--as", "李强", "add", "张三").stdout.strip()
    assert ok("show", n, "--json").json()["owner"] == "李强"
    result = cli("team", "add", "王丽", "--password", "long-enough-1")
    assert result.exit_code == 1 and "label" in result.stderr


def test_team_still_lists_the_salespeople(ok, add):
    add("张三")
    add("李四", "--owner", "李强")
    rows = ok("team", "--json").json()
    assert sorted((r["owner"], r["cards"]) for r in rows) == [("李强", 1), ("王丽", 1)]
    assert "李强" in ok("team").stdout


def test_scram_verifier_matches_rfc_7677():
    """The exchange of RFC 7677 section 3 (password 'pencil'): the server's signature made
    with the stored key is the one the RFC shows."""
    import base64
    import hashlib
    import hmac

    from leadbook.identity import scram_verifier

    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = scram_verifier("pencil", salt)
    assert verifier.startswith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")
    server_key = base64.b64decode(verifier.split("$")[2].split(":")[1])
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    message = (
        f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
        f"c=biws,r={nonce}"
    )
    signature = hmac.new(server_key, message.encode(), hashlib.sha256).digest()
    assert base64.b64encode(signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
