"""The funnel's shapes (DOMAIN section 5, seed 003): the ideal, piled up in the middle (堆积),
thin below the top (青黄不接), an empty or thin top; never "healthy" while one of them holds.

The unit tests give ``shapes`` literal counts and rates and expect what was worked out by hand
from the rules in ``funnel.SHAPE_RULES`` (top_min 5, pile_min 2, full_min 5, thin_share 0.5,
behind_min 3): "promise" below is the cards at the level above times its rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest

from leadbook import i18n
from leadbook.funnel import Shape, diagnose, shapes
from leadbook.models.reports import Funnel, StageFlow

# The plan's default rates, written out: prospect→contacted ... ready→won.
RATES = {"prospect": 0.6, "contacted": 0.5, "interested": 0.5, "intent": 0.6, "ready": 0.7}
PO = Path(__file__).resolve().parents[1] / "src/leadbook/locale/zh/LC_MESSAGES/leadbook.po"


def levels(prospect=0, contacted=0, interested=0, intent=0, ready=0):
    return {
        "prospect": prospect,
        "contacted": contacted,
        "interested": interested,
        "intent": intent,
        "ready": ready,
    }


def codes(found):
    return [s.code for s in found]


def test_fewer_prospects_than_contacted_is_a_thin_top_not_healthy():
    # Seen: prospect 2, contacted 6, interested 1, ready 1, won 1 was called healthy.
    # top: 2 < 6 at contacted -> thin. interested 1 < 1.5 (half of 6 x 0.5) but only ready 1
    # and won 1 are behind it (2 < 3): not 青黄不接. No level of 2 or more above its neighbour.
    found = shapes(levels(2, 6, 1, 0, 1), 1, RATES)
    assert found == [Shape("thin-top", "prospect", 2, "contacted", 6)]


def test_no_prospects_is_an_empty_top_and_the_thin_level_is_named_for_its_stage():
    # Seen: 0 prospects, 11 contacted gave "Only 0 cards at interested under 11 prospects" and
    # no word about the empty top. interested 0 < 2.75 (half of 11 x 0.5), with intent 2,
    # ready 1 and won 2 (5 >= 3) behind it: 青黄不接 at interested, under contacted.
    found = shapes(levels(0, 11, 0, 2, 1), 2, RATES)
    assert found == [
        Shape("empty-top", "prospect", 0, "contacted", 11),
        Shape(
            "thin-interested",
            "interested",
            0,
            "contacted",
            11,
            (("intent", 2), ("ready", 1), ("won", 2)),
        ),
    ]


def test_each_level_smaller_by_its_rate_is_healthy():
    # contacted 8 >= 4.8 (half of 16 x 0.6); interested 4 >= 2 (half of 8 x 0.5);
    # intent 2 >= 1 (half of 4 x 0.5); ready 0 under 2 at intent (fewer than 5): nothing fails.
    assert codes(shapes(levels(16, 8, 4, 2, 0), 0, RATES)) == ["healthy"]


def test_the_seeds_pile_few_deals_few_prospects_many_interested():
    # prospect 1 (< 5): thin top. interested 6 > contacted 2: a pile. intent 1 < 1.5 (half of
    # 6 x 0.5) but only won 1 behind it: not thin.
    found = shapes(levels(1, 2, 6, 1, 0), 1, RATES)
    assert found == [
        Shape("thin-top", "prospect", 1, "contacted", 2),
        Shape("pile-at-interested", "interested", 6, "contacted", 2),
    ]


def test_a_pile_is_measured_against_the_nearest_level_with_cards():
    # contacted is empty: intent 4 is compared with interested 3 above it -> pile at intent;
    # interested 3 is compared with prospect 8 -> no pile. contacted 0 < 2.4 (half of 8 x 0.6)
    # with 7 behind it: thin at contacted.
    found = shapes(levels(8, 0, 3, 4, 0), 0, RATES)
    assert found == [
        Shape("thin-contacted", "contacted", 0, "prospect", 8, (("interested", 3), ("intent", 4))),
        Shape("pile-at-intent", "intent", 4, "interested", 3),
    ]


def test_the_seeds_thin_middle_many_deals_many_prospects_few_interested():
    # Top 20 >= 10 at contacted. contacted 10 >= 6 (half of 20 x 0.6). interested 1 < 2.5
    # (half of 10 x 0.5) with intent 3, ready 2, won 8 behind it: 青黄不接. intent 3 is more
    # than the thin interested above it, but cards under a hole are not a pile: measured
    # against contacted 10 instead. ready 2 < intent 3: no pile; intent 3 < 5: promises nothing.
    found = shapes(levels(20, 10, 1, 3, 2), 8, RATES)
    assert found == [
        Shape(
            "thin-interested",
            "interested",
            1,
            "contacted",
            10,
            (("intent", 3), ("ready", 2), ("won", 8)),
        )
    ]


def test_thin_is_judged_by_the_level_above_and_its_own_rate():
    # interested 1 under contacted 10: with a 50% rate the promise is 5 (half: 2.5) -> thin;
    # with a 10% rate the promise is 1 (half: 0.5) -> as the ideal says.
    # Behind it: intent 1 and won 2 (3).
    counts = levels(20, 10, 1, 1, 0)
    assert codes(shapes(counts, 2, RATES)) == ["thin-interested"]
    assert codes(shapes(counts, 2, {**RATES, "contacted": 0.1})) == ["healthy"]


def test_small_numbers_are_not_shapes():
    # A single card is not a pile (ready 1 under intent 0), and a level of fewer than 5
    # promises nothing below it (intent 0 under interested 2).
    assert codes(shapes(levels(10, 5, 2, 0, 1), 0, RATES)) == ["healthy"]


def test_an_empty_book_has_an_empty_top():
    assert codes(shapes(levels(), 0, RATES)) == ["empty-top"]


def funnel_of(counts, won, reached=None):
    rows = [StageFlow(s, n, (reached or {}).get(s, n), 0, None) for s, n in counts.items()]
    rows.append(StageFlow("won", won, won, 0, None))
    rows.append(StageFlow("lost", 0, 0, 0, None))
    return Funnel(None, date(2026, 3, 18), None, rows, {}, Decimal(0))


def test_diagnose_never_says_healthy_beside_a_shape():
    found = diagnose(funnel_of(levels(2, 6, 1, 0, 1), 1))
    assert [d.code for d in found] == ["thin-top"]
    assert found[0].message == (
        "Only 2 at prospect, fewer than the 6 at contacted below it: the top of the funnel is thin."
    )
    assert "Healthy" not in " ".join(d.advice for d in found)


def chinese(monkeypatch):
    """The Chinese catalog as the .po file has it now (the .mo is compiled at release)."""
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    buffer = BytesIO()
    write_mo(buffer, read_po(PO.open("rb")))
    monkeypatch.setattr(i18n, "_translation", gettext.GNUTranslations(BytesIO(buffer.getvalue())))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Nobody at prospect: the top of the funnel is empty.",
                "→ Refill the top (prospect): at least 5 calls a day to new prospects, at least 5 "
                "new customers a month.",
                "11 at contacted but none at interested, with intent 2, ready 1, won 2 further "
                "down: thin below the top.",
                "→ Move cards from contacted down to interested now: the deals will dry up when "
                "the current ones close.",
            ],
        ),
        (
            "zh",
            [
                "「潜在客户」一个都没有：漏斗顶部空了。",
                "→ 补充漏斗顶部的「潜在客户」：每天至少给 5 位新客户打电话，每月至少新增 5 位客户。",
                "「联系客户」有 11 个，「认同客户」却一个都没有，"
                "下面还有意向客户 2 个、准备购买 1 个、成交 2 个：青黄不接。",
                "→ 现在就把「联系客户」往「认同客户」推进：等手上这些单子成交完，后面就接不上了。",
            ],
        ),
    ],
)
def test_the_advice_names_the_real_stages_in_the_users_language(monkeypatch, lang, expected):
    if lang == "zh":
        chinese(monkeypatch)
    found = diagnose(funnel_of(levels(0, 11, 0, 2, 1), 2))
    assert [line for d in found for line in (d.message, "→ " + d.advice)] == expected


def test_chinese_pile_reads_naturally(monkeypatch):
    chinese(monkeypatch)
    found = diagnose(funnel_of(levels(1, 2, 6, 1, 0), 1))
    assert [(d.message, d.advice) for d in found][1] == (
        "「认同客户」堆了 6 个，比上面「联系客户」的 2 个还多：漏斗中间堆积了。",
        "趁热打铁，尽快促成：和这 6 个客户逐个约好下一步做什么、哪天做。",
    )


def test_funnel_command_on_a_real_book(ok, add):
    # The first case seen, built with the real commands: 2 prospects, 6 contacted,
    # 1 interested, 1 ready, 1 won, and 1 lost (out of the funnel's levels).
    prospects = [add(f"p{i}") for i in range(2)]
    for i in range(6):
        ok("stage", add(f"c{i}"), "contacted")
    interested = add("i0")
    ok("stage", interested, "interested")
    ok("stage", add("r0"), "ready")
    ok("deal", add("w0"), "--amount", "5万")
    ok("lost", add("l0"), "--reason", "买了别家")
    result = ok("funnel", "--json").json()
    assert {s["stage"]: s["count"] for s in result["stages"]} == {
        "prospect": 2,
        "contacted": 6,
        "interested": 1,
        "intent": 0,
        "ready": 1,
        "won": 1,
        "lost": 1,
    }
    assert [d["code"] for d in result["diagnosis"]] == ["thin-top"]
    out = ok("funnel").stdout
    assert "Healthy" not in out
    assert (
        "• Only 2 at prospect, fewer than the 6 at contacted below it: the top of the funnel is "
        "thin." in out
    )
    # Then the second case seen: the prospects called (none left), 11 contacted, the
    # interested card moved on to intent beside a new one, another deal.
    for n in prospects + [add(f"c{i}") for i in range(6, 9)]:
        ok("stage", n, "contacted")
    ok("stage", interested, "intent")
    ok("stage", add("t1"), "intent")
    ok("deal", add("w1"), "--amount", "8万")
    result = ok("funnel", "--json").json()
    counts = {s["stage"]: s["count"] for s in result["stages"]}
    assert [counts[s] for s in ("prospect", "contacted", "interested", "intent", "ready")] == [
        0,
        11,
        0,
        2,
        1,
    ]
    # Besides the shapes, the step rule sees contacted convert 5 of 16 (31%) where the other
    # measured steps (5 or more cards) convert 16 of 17, 5 of 5 and 3 of 5: a weak step.
    assert [(d["code"], d["stage"]) for d in result["diagnosis"]] == [
        ("empty-top", "prospect"),
        ("thin-interested", "interested"),
        ("weak-step", "contacted"),
    ]
    assert "11 at contacted but none at interested, with intent 2, ready 1, won 2 further" in (
        " ".join(ok("funnel").stdout.split())
    )
