"""A fortnight in the life of a salesperson: issue 11's acceptance test.

王丽 sells cars. From Monday 2026-11-09 to Sunday 2026-11-22 she works her book day by day, the
clock pinned for every command: a dozen customers across the grades A-E, contacts by phone,
visit, showroom and WeChat, a plan target, a deal typed in a day late, a complaint with its
check-back a week after the resolution, a customer lost and won back, another lost for good,
regrades (one of a card already overdue), a referral and the referred customer's purchase, a
contact typed in the next morning and a walk-in's card typed in the next day.

After each day the due list is checked; at the end, the journals of two days and of both weeks,
the report of each week and of the fortnight, the funnel and the plan check. Every expected value
is a literal worked out by hand from the method (DOMAIN.md sections 3-5 and 7) and the README
("When a reminder comes and goes", "What the numbers mean"), with the working in a comment;
nothing expected is computed by leadbook.

- The rhythm, the book's defaults: A every day, B every 7 days, C 15, D 30, E none.
- Due on a day: a plan dated that day or earlier, open at some time of that day (open that
  morning, or made that day for that day). Done on a day: a plan due that day that a contact
  made that day closed. Over a week or a report's dates each plan counts once: due if due on
  some day of it, done if a contact in it closed it.
- Plans are named P<customer>.<n>: P刘洋.1 is 刘洋's first plan (his first contact).

The story runs to its end even when a step disagrees, so that one run lists every
disagreement; the test then fails with the whole list.
"""

from __future__ import annotations

import shlex
from datetime import date
from typing import Any

from conftest import dump_book, url_of
from test_tallies import assert_totals_read_as_the_rows


def d(md: str) -> str:
    """A day of the fortnight: '11-09' -> '2026-11-09'."""
    return "2026-" + md


def F(card: str, grade: str, day: str, purpose: str | None = None) -> tuple:
    """A follow-up in the due list: (kind, card, its grade now, due day, purpose)."""
    return ("follow-up", card, grade, day, purpose)


class Story:
    """Runs the fortnight's commands at their moment and collects every disagreement.

    Commands are written as typed, with ``{label}`` for a customer's number."""

    def __init__(self, cli: Any, book: Any) -> None:
        self.cli, self.book = cli, book
        self.today = ""
        self.now = ""
        self.cards: dict[str, str] = {}
        self.failures: list[str] = []

    def on(self, day: str) -> None:
        self.today = day

    def _invoke(self, time: str, line: str) -> Any:
        self.now = f"{d(self.today)}T{time}"
        args = [a.format(**self.cards) for a in shlex.split(line)]
        return self.cli(*args, now=self.now)

    def run(self, time: str, line: str) -> Any:
        result = self._invoke(time, line)
        if result.exit_code != 0:
            why = (result.stderr or repr(result.exception)).strip()[:300]
            self.failures.append(f"[{self.now}] leadbook {line}: exit {result.exit_code}: {why}")
        return result

    def json(self, time: str, line: str) -> Any:
        result = self.run(time, line + " --json")
        return result.json() if result.exit_code == 0 else None

    def add(self, time: str, label: str, line: str) -> None:
        result = self.run(time, "add " + line)
        self.cards[label] = result.stdout.strip() if result.exit_code == 0 else f"<{label}>"

    def refused(self, time: str, line: str) -> None:
        """A command that must be refused with one line (exit code 1) and write nothing."""
        before = dump_book(self.book)
        result = self._invoke(time, line)
        lines = (result.stderr or "").strip().splitlines()
        if result.exit_code != 1 or len(lines) != 1 or dump_book(self.book) != before:
            self.failures.append(
                f"[{self.now}] leadbook {line}: expected a one-line refusal that writes nothing, "
                f"got exit {result.exit_code}: {(result.stderr or result.stdout).strip()[:300]}"
            )

    def n(self, label: str) -> str:
        return self.cards[label]

    def check(self, what: str, got: Any, expected: Any) -> None:
        if got != expected:
            self.failures.append(
                f"[{self.now}] {what}:\n    expected {expected!r}\n    got      {got!r}"
            )

    def due(self, time: str, *expected: tuple, when: str, days: int = 0) -> None:
        """The whole due list: (kind, card, grade, due day, purpose) items. Follow-ups come
        "overdue first, then by grade" (`leadbook due --help`); nothing orders the rest, and
        neither follow-ups of one grade, so the items are compared as a set and the follow-ups'
        order by that rule."""
        items = self.json(time, f"due --days {days}" if days else "due")
        if items is None:
            return
        got = [(i["kind"], i["number"], i["grade"], i["due"], i["purpose"]) for i in items]
        want = [(kind, self.n(c), g, d(day), p) for kind, c, g, day, p in expected]
        self.check(f"due, {when}", sorted(got), sorted(want))
        keys = [(i["overdue_days"] <= 0, i["grade"]) for i in items if i["kind"] == "follow-up"]
        self.check(f"due, {when}: follow-ups overdue first, then by grade", keys, sorted(keys))

    def card(self, time: str, label: str, *fields: str) -> tuple | None:
        shown = self.json(time, f"show {{{label}}}")
        return tuple(shown[f] for f in fields) if shown is not None else None


def day_numbers(journal: dict) -> dict:
    keys = ("due", "done", "completion", "contacts", "by_channel", "new_cards")
    return {k: journal[k] for k in keys}


def test_a_fortnight_in_the_life(cli, db_path):
    s = Story(cli, db_path)
    run, add, due = s.run, s.add, s.due

    # ================================================================ week 1 ==================
    # --- Monday 11-09 ---------------------------------------------------------------------------
    s.on("11-09")
    # Before the day begins she plans 2 deals by Friday 11-20, with her own rates:
    # prospect→contacted 50%, contacted→interested 50%, →intent 100%, →ready 100%, →won 50%.
    plan = s.json("08:30", "plan --target 2 --by 2026-11-20 --rates 0.5,0.5,1,1,0.5")
    if plan is not None:
        # An empty book: ready needs 2 / 0.5 = 4, intent 4 / 1 = 4, interested 4, contacted
        # 4 / 0.5 = 8, prospect 8 / 0.5 = 16 new prospects. Made on Monday morning, the rest of
        # this week is all of it: weeks of 5 and 5 working days, 16 x 5/10 = 8 each.
        s.check("plan: new prospects needed", plan["new_needed"], 16)
        s.check(
            "plan: weeks (Monday, working days, new planned)",
            [(w["week"], w["days"], w["new_planned"]) for w in plan["weeks"]],
            [(d("11-09"), 5, 8), (d("11-16"), 5, 8)],
        )
    # Six cards; every one with a rhythm is due for its first contact today (P<name>.1).
    add("09:00", "zhang", "张伟 --grade B --mobile 13800138001 --company 华信科技")
    add("09:05", "wang", "王芳 --grade C --mobile 13900139002")
    add("09:10", "li", "李强 --grade A --mobile 13700137003 --product 帕萨特")
    add("09:15", "liu", "刘洋 --grade D --company 远大物流")
    add("09:20", "chen", "陈静 --grade E")  # no need, no chance: no rhythm, no plan
    add("09:25", "yang", "杨帆 --grade B --mobile 13600136006")
    run("10:00", "log {zhang} --via phone --note 介绍途观L")  # P张伟.1 done; B: P张伟.2 11-16
    run("10:30", "log {li} --via visit --note 看车 --stage interested")  # A: P李强.2 11-10
    run("11:00", "log {wang} --via wechat --note 发了资料")  # C: P王芳.2 11-24
    # 刘洋 and 杨帆 were not called: both due today, B before D.
    due("18:00", F("yang", "B", "11-09"), F("liu", "D", "11-09"), when="Monday evening")

    # --- Tuesday 11-10 --------------------------------------------------------------------------
    s.on("11-10")
    run("09:30", "log {li} --via phone --stage intent --note 谈价格")  # A: P李强.3 11-11
    run("10:00", "log {yang} --via phone --note 有兴趣")  # P杨帆.1 (11-09) done; B: P杨帆.2 11-17
    run("11:00", "grade {wang} B --why 预算批了")
    # A regrade up: B's 7 days from her last contact 11-09 give 11-16, before C's 11-24, so the
    # rhythm's plan comes earlier: P王芳.2 is dropped, P王芳.3 is due 11-16.
    add("14:00", "huang", "黄磊 --grade C --mobile 13500135007 --birthday 1988-11-18")
    run("14:30", "log {huang} --via phone --note 外拓电话")  # P黄磊.1 done; C: P黄磊.2 11-25
    due("18:00", F("liu", "D", "11-09"), when="Tuesday evening")  # one day late

    # --- Wednesday 11-11 ------------------------------------------------------------------------
    s.on("11-11")
    add("09:00", "zhao", "赵敏 --grade D --company 红星超市 --industry 零售")  # P赵敏.1 today
    add("09:30", "sun", "孙悦 --grade B --mobile 13300133009 --source referral --referrer {zhang}")
    # P孙悦.1 today; 张伟 brought her: he is due a thank-you from today, until she calls him.
    run(
        "10:00",
        "log {li} --via showroom --stage ready --note 定了配置 --next 2026-11-12 --purpose 签合同",
    )
    # P李强.3 done; P李强.4 due 11-12 "签合同", set by hand
    run("11:00", "grade {zhang} D --why 预算推迟")
    # A regrade down: D would be 11-09 + 30 = 12-09, later than 11-16: P张伟.2 stays 11-16.
    run("14:00", "log {sun} --via phone --note 朋友介绍来的")  # P孙悦.1 done; B: P孙悦.2 11-18
    due(
        "18:00",
        F("liu", "D", "11-09"),  # two days late
        F("zhao", "D", "11-11"),  # not seen today
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Wednesday evening",
    )
    # The week so far, the same in the journal and the report (each plan once): Monday's five
    # first contacts, Tuesday's P李强.2 and P黄磊.1, Wednesday's P李强.3, P赵敏.1, P孙悦.1: 10.
    # Done: Monday 3, Tuesday 3 (P李强.2, P杨帆.1 a day late, P黄磊.1), Wednesday 2: 8.
    week = s.json("18:05", "journal --week today")
    report = s.json("18:05", "report --period week")
    if week is not None and report is not None:
        s.check("journal --week so far: due, done", (week["due"], week["done"]), (10, 8))
        s.check(
            "report --period week so far: due, done",
            [(r["due"], r["done"]) for r in report],
            [(10, 8)],
        )

    # --- Thursday 11-12 -------------------------------------------------------------------------
    s.on("11-12")
    run("09:30", "grade {liu} A --why 下月要车")
    # A regrade of an overdue card: his first contact stays due 11-09, late, with its purpose.
    run("10:00", "log {zhao} --via visit --note 拜访门店")  # P赵敏.1 (11-11) done; D: 12-12
    # 14:00 李强 signs the contract at the showroom; she types nothing today.
    due(
        "18:00",
        F("liu", "A", "11-09"),
        F("li", "A", "11-12", "签合同"),
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Thursday evening",
    )

    # --- Friday 11-13 ---------------------------------------------------------------------------
    s.on("11-13")
    due(
        "09:00",
        F("liu", "A", "11-09"),
        F("li", "A", "11-12", "签合同"),  # a day late: the deal is not typed in yet
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Friday morning",
    )
    run("09:10", "deal {li} --amount 18万 --product 帕萨特 --date 2026-11-12")
    # Won on 11-12. The deal closes every plan due by its day, on its day: P李强.4 was due on
    # 11-12 and not done (a deal is not a contact), and is not due on 11-13.
    due(
        "09:20",
        F("liu", "A", "11-09"),
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Friday after the deal",
    )
    run("09:30", "log {liu} --via phone --note 约试驾 --next 2026-11-16 --purpose 试驾")
    # P刘洋.1 (11-09) done, four days late; P刘洋.2 11-16 "试驾"
    run("10:00", "log {li} --via phone --note 约交车 --next 2026-11-19 --purpose 交车")
    # nothing open to close; P李强.5 11-19 "交车"
    # 15:00 李强 phones to complain about the invoice; she types it in tomorrow morning.
    due("18:00", ("thank-referral", "zhang", "D", "11-11", None), when="Friday evening")

    # --- Saturday 11-14 and Sunday 11-15 --------------------------------------------------------
    s.on("11-14")
    complaint = run("09:00", 'complaint {li} --note 发票抬头开错了 --at "2026-11-13 15:00"')
    complaint_id = complaint.stdout.strip()
    # 10:00 she has the invoice re-issued; she types the resolution in on Monday.
    due(
        "18:00",
        ("complaint", "li", "A", "11-13", None),  # open complaints are due until resolved
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Saturday evening",
    )
    s.on("11-15")
    due(
        "18:00",
        ("complaint", "li", "A", "11-13", None),
        ("thank-referral", "zhang", "D", "11-11", None),
        when="Sunday evening",
    )
    # The plan half way. The week of 11-09 is over: 9 new cards of its 8 (1.125), 1 deal (李强).
    # Open now: prospect 1 (陈静), contacted 7 (张伟 王芳 杨帆 黄磊 赵敏 孙悦 刘洋), nothing lower.
    # One deal to go at the plan's rates (far too few cards to measure any): ready needs
    # 1 / 0.5 = 2, gap 2; intent 2; interested 2; contacted needs 2 / 0.5 = 4 and has 7, gap 0;
    # prospect needs 0. Nothing is still needed: the week of 11-16 is re-planned to 0.
    check = s.json("18:10", "plan check")
    if check is not None:
        s.check(
            "plan check on Sunday: won, new needed, re-planned",
            (check["won_so_far"], check["new_needed"], [w["replanned"] for w in check["weeks"]]),
            (1, 0, [None, 0]),
        )
        s.check(
            "plan check on Sunday: weeks (Monday, planned, made, won, completion)",
            [
                (w["week"], w["new_planned"], w["new_actual"], w["won_actual"], w["completion"])
                for w in check["weeks"]
            ],
            [(d("11-09"), 8, 9, 1, 1.125), (d("11-16"), 8, None, None, None)],
        )

    # ================================================================ week 2 ==================
    # --- Monday 11-16 ---------------------------------------------------------------------------
    s.on("11-16")
    run("09:00", f'complaint resolve {complaint_id} --note 已重开发票 --at "2026-11-14 10:00"')
    # Resolved on Saturday 11-14: the check-back is due a week later, Saturday 11-21.
    run("09:30", "log {zhang} --via phone --note 谢谢介绍孙悦")
    # P张伟.2 (11-16) done, and the thank-you said. D: P张伟.3 11-16 + 30 = 12-16.
    run("10:00", "log {liu} --via showroom --note 试驾 --stage interested")
    # P刘洋.2 done; A: P刘洋.3 11-17
    add("11:00", "wu", "吴昊 --grade C --mobile 13200132010 --source showroom")
    run("11:10", "log {wu} --via showroom --note 来店看车")  # P吴昊.1 done; C: 12-01
    add("11:30", "zheng", "郑爽 --grade C --company 郑氏贸易")
    run("11:40", "log {zheng} --via phone --note 问预算 --next 2026-11-19 --purpose 报价")
    # P郑爽.1 done; P郑爽.2 11-19 "报价"
    # 17:00 she calls 王芳, due today; she types it in tomorrow morning.
    due("18:00", F("wang", "B", "11-16"), when="Monday evening")

    # --- Tuesday 11-17 --------------------------------------------------------------------------
    s.on("11-17")
    due(
        "09:00",
        F("wang", "B", "11-16"),  # a day late: yesterday's call is not typed in yet
        F("liu", "A", "11-17"),
        F("yang", "B", "11-17"),  # P杨帆.2, 7 days after 11-10
        when="Tuesday morning",
    )
    run(
        "09:05", 'log {wang} --at "2026-11-16 17:00" --via phone --note 同意报价 --stage interested'
    )
    # Yesterday's call: P王芳.3 done on 11-16; B from 11-16: P王芳.4 11-23; the stage moved on 11-16.
    run("09:30", "log {liu} --via phone --grade B --note 要等年终奖")
    # P刘洋.3 done; graded B by this contact, so B's rhythm from today: P刘洋.4 11-24.
    # 15:00 a walk-in, 周杰; 16:00 杨帆 phones: he bought elsewhere. Both typed in tomorrow.
    due("18:00", F("yang", "B", "11-17"), when="Tuesday evening")

    # --- Wednesday 11-18 ------------------------------------------------------------------------
    s.on("11-18")
    due(
        "09:00",
        F("yang", "B", "11-17"),  # a day late: the loss is not typed in yet
        F("sun", "B", "11-18"),  # P孙悦.2, 7 days after 11-11
        ("birthday", "huang", "C", "11-18", None),  # 黄磊, born 1988-11-18
        when="Wednesday morning",
    )
    run("09:05", 'lost {yang} --reason 买了别家 --at "2026-11-17 16:00"')
    # Lost on 11-17: every plan closed that day. P杨帆.2 was due on 11-17, not done.
    add(
        "09:10",
        "zhou",
        '周杰 --grade B --mobile 13100131012 --source showroom --at "2026-11-17 15:00"',
    )
    # He came yesterday: his first contact P周杰.1 was due, and made, on 11-17.
    s.refused("09:12", 'log {zhou} --at "2026-11-16 10:00"')  # before he came: refused
    run("09:14", 'log {liu} --at "2026-11-16 20:00" --via wechat --note 发了报价单')
    # Older than his last contact (11-17 09:30): his plan stays P刘洋.4 11-24, and his last
    # contact stays Tuesday's call.
    s.check(
        "刘洋 after an older contact typed in late",
        s.card("09:14", "liu", "next_due", "last_contact_at", "last_contact_via"),
        (d("11-24"), "2026-11-17T09:30:00", "phone"),
    )
    due(
        "09:15",
        F("zhou", "B", "11-17"),
        F("sun", "B", "11-18"),
        ("birthday", "huang", "C", "11-18", None),
        when="Wednesday after the late entries",
    )
    run("10:00", "log {zhou} --via phone --grade C --note 明年再买")
    # P周杰.1 (11-17) done; graded C by this contact: C from today, 12-03.
    run(
        "11:00",
        "log {sun} --via visit --stage ready --note 带家人看车 --next 2026-11-19 --purpose 签合同",
    )
    # P孙悦.2 done; P孙悦.3 11-19 "签合同"
    due("18:00", ("birthday", "huang", "C", "11-18", None), when="Wednesday evening")

    # --- Thursday 11-19 -------------------------------------------------------------------------
    s.on("11-19")
    due(
        "09:00",
        F("li", "A", "11-19", "交车"),
        F("sun", "B", "11-19", "签合同"),
        F("zheng", "C", "11-19", "报价"),
        when="Thursday morning",
    )
    run("10:00", "log {sun} --via showroom --note 签合同 --next 2026-11-26 --purpose 交车")
    # P孙悦.3 done; P孙悦.4 11-26 "交车", set by hand
    s.refused("10:25", "deal {sun} --amount 12万 --date 2026-11-10")  # before she was a customer
    run("10:30", "deal {sun} --amount 12万 --product 朗逸 --contract HT-1119")
    # 孙悦 bought: her referrer 张伟 is due a thank-you again. Her delivery, later than the deal
    # and set by hand, stays.
    s.check(
        "孙悦 after her deal",
        s.card("10:35", "sun", "stage", "next_due", "next_purpose"),
        ("won", d("11-26"), "交车"),
    )
    run("14:00", "log {li} --via visit --note 交车，客户满意")
    # P李强.5 done. An unrelated call: the complaint's check-back stays.
    run("16:00", "lost {zheng} --reason 预算不够")
    # Lost in the afternoon: P郑爽.2 closed. It was due this morning: due today, not done.
    # 17:00 杨帆 calls back: the other dealer has no car. She reopens his card tomorrow.
    due("18:00", ("thank-you", "zhang", "D", "11-19", None), when="Thursday evening")

    # --- Friday 11-20 ---------------------------------------------------------------------------
    s.on("11-20")
    run("09:00", 'reopen {yang} --why 那家没货了 --at "2026-11-19 17:00"')
    # Reopened on 11-19, back at contacted (his stage before the loss), with a win-back due
    # that day (P杨帆.3, made on 11-19 for 11-19): a day late now.
    due(
        "09:10",
        F("yang", "B", "11-19", "win back"),
        ("thank-you", "zhang", "D", "11-19", None),
        when="Friday after the reopen",
    )
    run("09:30", "log {zhang} --via phone --note 感谢介绍孙悦成交")
    # The thank-you said. P张伟.3 (12-16, not due) closed; D: 12-20.
    run("09:40", "grade {huang} E --why 已经买了别的车")
    # E has no rhythm: his rhythm's plan P黄磊.2 (11-25, not yet due) is dropped.
    s.check("黄磊 graded E: next contact", s.card("09:45", "huang", "next_due"), (None,))
    run("10:00", "log {yang} --via phone --stage interested --note 重新报价")
    # P杨帆.3 done; B: 11-27
    due("18:00", when="Friday evening")  # nothing left
    # What the coming week holds: 王芳 11-16 + 7, 刘洋 11-17 + 7, 孙悦's delivery, 杨帆 11-20 + 7,
    # and 李强's check-back tomorrow (resolved 11-14 + 7). 吴昊 and 郑爽's rhythm (12-01), 周杰's
    # (12-03), 赵敏's (12-12) and 张伟's (12-20) are further; 陈静 and 黄磊 (E) and 李强 have none.
    due(
        "18:05",
        F("wang", "B", "11-23"),
        F("liu", "B", "11-24"),
        F("sun", "B", "11-26", "交车"),
        F("yang", "B", "11-27"),
        ("check-back", "li", "A", "11-21", None),
        when="Friday evening, the next 7 days",
        days=7,
    )

    # --- Saturday 11-21 and Sunday 11-22 --------------------------------------------------------
    s.on("11-21")
    due("18:00", ("check-back", "li", "A", "11-21", None), when="Saturday evening")
    s.on("11-22")
    run("10:00", "log {li} --check-back --via phone --note 发票已收到，很满意")
    due("18:00", when="Sunday evening")

    # ================================================================ the numbers =============
    the_numbers(s)

    assert not s.failures, f"{len(s.failures)} disagreements:\n" + "\n".join(s.failures)
    # The same numbers counted from the rows (tests/tallies_reference.py), as the running
    # totals are tested against: the journals, the reports and the funnel checked above.
    assert_totals_read_as_the_rows(
        url_of(db_path),
        today=date(2026, 11, 22),
        owners=(None,),
        periods=(
            (date(2026, 11, 9), date(2026, 11, 15)),
            (date(2026, 11, 16), date(2026, 11, 22)),
            (date(2026, 11, 9), date(2026, 11, 22)),
        ),
        days=(date(2026, 11, 12), date(2026, 11, 17)),
    )


def the_numbers(s: Story) -> None:
    """The journals of two days and both weeks, the reports, the funnel and the plan check at
    the end of the fortnight."""
    s.on("11-22")

    # --- journal --day 11-12, Thursday ----------------------------------------------------------
    # Due: P刘洋.1 (11-09, open), P赵敏.1 (11-11, open that morning, done), P李强.4 (签合同, closed
    # on 11-12 by the deal typed in the next morning): 3. Done: P赵敏.1. 1/3.
    # Not done: 刘洋 (graded A at 09:30 that day: A at its end) and 李强 (A).
    day = s.json("20:00", "journal --day 2026-11-12")
    if day is not None:
        s.check(
            "journal 11-12",
            day_numbers(day),
            {
                "due": 3,
                "done": 1,
                "completion": 0.3333,
                "contacts": 1,
                "by_channel": {"visit": 1},
                "new_cards": 0,
            },
        )
        s.check(
            "journal 11-12: due but not done",
            sorted((m["number"], m["grade"], m["due"], m["purpose"]) for m in day["missed"]),
            sorted([(s.n("liu"), "A", d("11-09"), None), (s.n("li"), "A", d("11-12"), "签合同")]),
        )
        s.check(
            "journal 11-12: changes",
            sorted((c["number"], c["field"], c["old"], c["new"]) for c in day["changes"]),
            sorted(
                [
                    (s.n("liu"), "grade", "D", "A"),
                    (s.n("zhao"), "stage", "prospect", "contacted"),  # the visit
                    (s.n("li"), "stage", "ready", "won"),  # the deal dated 11-12
                ]
            ),
        )

    # --- journal --day 11-17, Tuesday -----------------------------------------------------------
    # Due: P刘洋.3 (done), P杨帆.2 (closed by the loss at 16:00), P周杰.1 (made on 11-17 for 11-17
    # by the card typed in the next morning): 3. Done 1. One contact: 刘洋's call (王芳's, typed
    # in that morning, happened on 11-16; 周杰's refused one never was). One new card: 周杰.
    # Not done: 杨帆 (B) and 周杰, B that day (he became C on 11-18).
    day = s.json("20:00", "journal --day 2026-11-17")
    if day is not None:
        s.check(
            "journal 11-17",
            day_numbers(day),
            {
                "due": 3,
                "done": 1,
                "completion": 0.3333,
                "contacts": 1,
                "by_channel": {"phone": 1},
                "new_cards": 1,
            },
        )
        s.check(
            "journal 11-17: due but not done",
            sorted((m["number"], m["grade"], m["due"], m["purpose"]) for m in day["missed"]),
            sorted([(s.n("yang"), "B", d("11-17"), None), (s.n("zhou"), "B", d("11-17"), None)]),
        )
        s.check(
            "journal 11-17: changes",
            sorted((c["number"], c["field"], c["old"], c["new"]) for c in day["changes"]),
            sorted([(s.n("liu"), "grade", "A", "B"), (s.n("yang"), "stage", "contacted", "lost")]),
        )

    # --- journal --week, week 1: 11-09 to 11-15 -------------------------------------------------
    # Day by day, due / done:
    #   Mon: the first contacts of 张伟 王芳 李强 刘洋 杨帆: 5 / 3 (刘洋 and 杨帆 missed)
    #   Tue: P李强.2, P刘洋.1, P杨帆.1 (done), P黄磊.1 (made and done): 4 / 3
    #   Wed: P李强.3, P刘洋.1, P赵敏.1, P孙悦.1: 4 / 2
    #   Thu: P李强.4, P刘洋.1, P赵敏.1 (done): 3 / 1
    #   Fri: P刘洋.1 (done): 1 / 1. Sat, Sun: no plan due (the complaint is not a plan).
    # The week, each plan once: those 11, all done but P李强.4 (closed by the deal): 11 / 10.
    # Contacts: Mon 3, Tue 3, Wed 2, Thu 1, Fri 2 = 11: phone 7 (张伟; 李强 杨帆 黄磊; 孙悦; 刘洋
    # 李强), visit 2 (李强, 赵敏), WeChat 1 (王芳), showroom 1 (李强). New cards: 6, 1, 2 = 9.
    week = s.json("20:00", "journal --week 2026-11-09")
    if week is not None:
        s.check(
            "journal week 1: each day's (due, done, contacts, new cards)",
            [(x["due"], x["done"], x["contacts"], x["new_cards"]) for x in week["days"]],
            [
                (5, 3, 3, 6),
                (4, 3, 3, 1),
                (4, 2, 2, 2),
                (3, 1, 1, 0),
                (1, 1, 2, 0),
                (0, 0, 0, 0),
                (0, 0, 0, 0),
            ],
        )
        s.check(
            "journal week 1: due, done, contacts, by channel, new cards",
            (week["due"], week["done"], week["contacts"], week["by_channel"], week["new_cards"]),
            (11, 10, 11, {"phone": 7, "visit": 2, "wechat": 1, "showroom": 1}, 9),
        )

    # --- journal --week, week 2: 11-16 to 11-22 -------------------------------------------------
    #   Mon: P张伟.2, P王芳.3 (done by the call typed in next morning), P刘洋.2, P吴昊.1, P郑爽.1: 5 / 5
    #   Tue: P刘洋.3 (done), P杨帆.2 (lost), P周杰.1 (typed in late): 3 / 1
    #   Wed: P周杰.1 (done), P孙悦.2 (done): 2 / 2 (P杨帆.2 was closed on 11-17)
    #   Thu: P孙悦.3, P李强.5 (both done), P郑爽.2 (lost at 16:00), P杨帆.3 (the win-back made on
    #        11-19 by the reopen typed in next morning): 4 / 2
    #   Fri: P杨帆.3 (done): 1 / 1. Sat, Sun: no plan due (the check-back is a complaint's).
    # The week: 13 plans (P周杰.1 and P杨帆.3 once each), all done but P杨帆.2, P郑爽.2: 13 / 11.
    # Contacts: Mon 6 (张伟 phone, 刘洋 showroom, 吴昊 showroom, 郑爽 phone, 王芳 phone at 17:00 and
    # 刘洋 WeChat at 20:00, both typed in later), Tue 1, Wed 2 (周杰 phone, 孙悦 visit), Thu 2
    # (孙悦 showroom, 李强 visit), Fri 2 (phone), Sun 1 (the check-back, phone) = 14: phone 8,
    # showroom 3, visit 2, WeChat 1. New cards: 吴昊 郑爽 on Monday, 周杰 on Tuesday = 3.
    week = s.json("20:00", "journal --week 2026-11-16")
    if week is not None:
        s.check(
            "journal week 2: each day's (due, done, contacts, new cards)",
            [(x["due"], x["done"], x["contacts"], x["new_cards"]) for x in week["days"]],
            [
                (5, 5, 6, 2),
                (3, 1, 1, 1),
                (2, 2, 2, 0),
                (4, 2, 2, 0),
                (1, 1, 2, 0),
                (0, 0, 0, 0),
                (0, 0, 1, 0),
            ],
        )
        s.check(
            "journal week 2: due, done, contacts, by channel, new cards",
            (week["due"], week["done"], week["contacts"], week["by_channel"], week["new_cards"]),
            (13, 11, 14, {"phone": 8, "showroom": 3, "visit": 2, "wechat": 1}, 3),
        )
        # Each grade and stage change at the moment it happened, whenever it was typed in.
        s.check(
            "journal week 2: changes",
            sorted(
                (c["at"][:16], c["number"], c["field"], c["old"], c["new"]) for c in week["changes"]
            ),
            [
                ("2026-11-16T10:00", s.n("liu"), "stage", "contacted", "interested"),
                ("2026-11-16T11:10", s.n("wu"), "stage", "prospect", "contacted"),
                ("2026-11-16T11:40", s.n("zheng"), "stage", "prospect", "contacted"),
                ("2026-11-16T17:00", s.n("wang"), "stage", "contacted", "interested"),  # typed 17th
                ("2026-11-17T09:30", s.n("liu"), "grade", "A", "B"),
                ("2026-11-17T16:00", s.n("yang"), "stage", "contacted", "lost"),  # typed 18th
                ("2026-11-18T10:00", s.n("zhou"), "grade", "B", "C"),
                ("2026-11-18T10:00", s.n("zhou"), "stage", "prospect", "contacted"),
                ("2026-11-18T11:00", s.n("sun"), "stage", "contacted", "ready"),
                ("2026-11-19T10:30", s.n("sun"), "stage", "ready", "won"),
                ("2026-11-19T16:00", s.n("zheng"), "stage", "contacted", "lost"),
                ("2026-11-19T17:00", s.n("yang"), "stage", "lost", "contacted"),  # typed 20th
                ("2026-11-20T09:40", s.n("huang"), "grade", "C", "E"),
                ("2026-11-20T10:00", s.n("yang"), "stage", "contacted", "interested"),
            ],
        )

    # --- report: each week and the fortnight ----------------------------------------------------
    # Due and done as the journals count them. Advances: moves down the funnel (a jump counts
    # once, won counts, a move out of lost does not). Days to win: from the first contact to
    # the move to won (a deal dated on a past day: the start of that day).
    # Week 1: to contacted 张伟 王芳 杨帆 黄磊 孙悦 赵敏 刘洋 (7), 李强 prospect→interested→intent→
    #   ready→won (4): 11. Won 李强, 180,000 on 11-12; from 11-09 10:30 to 11-12 00:00 =
    #   2 d 13.5 h = 2.6 days. First contacts 8 (3 Mon, 2 Tue, 1 Wed, 1 Thu, 1 Fri) in 5 working
    #   days: 1.6 a day, flagged with that figure. Contacts 11 / 5 = 2.2 a day.
    # Week 2: to contacted 吴昊 郑爽 周杰 (3), to interested 刘洋 王芳 (2), 孙悦 contacted→ready and
    #   ready→won (2), 杨帆 to interested after the reopen (1): 8. Lost 杨帆 (11-17), 郑爽 (11-19):
    #   2. Won 孙悦, 120,000 on 11-19 10:30; from 11-11 14:00: 7 d 20.5 h = 7.9 days. Win rate
    #   1 / (1 + 2). First contacts 3 (吴昊 郑爽, 周杰): 0.6 a day. Contacts 14 / 5 = 2.8.
    # The fortnight: the sums; no plan was due in both weeks, so 24 / 21; days to win
    #   (2.5625 + 7.8542) / 2 = 5.2; 11 first contacts and 25 contacts in 10 working days.
    expected = {
        ("11-09", "11-15"): {
            "new_cards": 9, "contacts": 11, "contacts_per_day": 2.2, "due": 11, "done": 10,
            "advances": 11, "won": 1, "lost": 0, "win_rate": 1.0, "won_value": "180000.00",
            "avg_days_to_win": 2.6, "new_calls_per_day": 1.6,
        },
        ("11-16", "11-22"): {
            "new_cards": 3, "contacts": 14, "contacts_per_day": 2.8, "due": 13, "done": 11,
            "advances": 8, "won": 1, "lost": 2, "win_rate": 0.3333, "won_value": "120000.00",
            "avg_days_to_win": 7.9, "new_calls_per_day": 0.6,
        },
        ("11-09", "11-22"): {
            "new_cards": 12, "contacts": 25, "contacts_per_day": 2.5, "due": 24, "done": 21,
            "advances": 19, "won": 2, "lost": 2, "win_rate": 0.5, "won_value": "300000.00",
            "avg_days_to_win": 5.2, "new_calls_per_day": 1.1,
        },
    }  # fmt: skip
    for (since, until), numbers in expected.items():
        rows = s.json("20:00", f"report --since {d(since)} --until {d(until)}")
        if rows is None:
            continue
        s.check(f"report {since} to {until}: owners", [r["owner"] for r in rows], ["王丽"])
        s.check(f"report {since} to {until}", {k: rows[0][k] for k in numbers}, numbers)
        if since == "11-09" and until == "11-15":
            s.check(
                "report week 1: the flag shows its figure",
                [f for f in rows[0]["flags"] if "calls a day" in f],
                ["1.6 calls a day to new prospects, fewer than 5"],
            )

    # --- funnel ---------------------------------------------------------------------------------
    # Now: prospect 陈静; contacted 张伟 黄磊 赵敏 吴昊 周杰; interested 王芳 刘洋 杨帆; won 李强 孙悦;
    # lost 郑爽. Reached over the book: prospect all 12; contacted all but 陈静, 11; interested
    # 王芳 李强 刘洋 杨帆 孙悦, 5 (孙悦 jumped to ready through it); intent, ready and won: 李强 孙悦.
    # One prospect under five contacted: the top is thin, and the shape is not healthy.
    funnel = s.json("20:00", "funnel")
    if funnel is not None:
        s.check(
            "funnel: (now, reached) by stage",
            {
                x["stage"]: (x["count"], x["reached"])
                for x in funnel["stages"]
                if x["stage"] != "lost"
            },
            {
                "prospect": (1, 12),
                "contacted": (5, 11),
                "interested": (3, 5),
                "intent": (0, 2),
                "ready": (0, 2),
                "won": (2, 2),
            },
        )
        s.check(
            "funnel: lost now", [x["count"] for x in funnel["stages"] if x["stage"] == "lost"], [1]
        )
        codes = [x["code"] for x in funnel["diagnosis"]]
        s.check(
            "funnel: thin top, not healthy",
            ("thin-top" in codes, "healthy" in codes),
            (True, False),
        )

    # --- funnel over week 2 (to today, 11-22: read from the running totals) ----------------------
    # The week's stage changes give each card the stages it moved through: 吴昊 郑爽 周杰 were
    # new (prospect) and contacted: 0-1; 杨帆 reopened at contacted, then interested: 1-2 (his
    # loss moved him through none); 刘洋 and 王芳 to interested: 2; 孙悦 contacted -> ready
    # passes interested and intent, then won: 2-5. Went on: past the stage by now (furthest
    # stage: 吴昊 郑爽 周杰 contacted, 杨帆 刘洋 王芳 interested, 孙悦 won).
    #   prospect 3, all went on; contacted 4 (吴昊 郑爽 周杰 杨帆), 杨帆 went on: 1/4;
    #   interested 4 (刘洋 王芳 杨帆 孙悦), 孙悦 went on: 1/4; intent, ready, won: 孙悦 alone.
    week_funnel = s.json("20:00", "funnel --since 2026-11-16")
    if week_funnel is not None:
        s.check(
            "funnel --since 11-16: (reached, went on, conversion) by stage",
            {
                x["stage"]: (x["reached"], x["went_on"], x["conversion"])
                for x in week_funnel["stages"]
                if x["stage"] != "lost"
            },
            {
                "prospect": (3, 3, 1.0),
                "contacted": (4, 1, 0.25),
                "interested": (4, 1, 0.25),
                "intent": (1, 1, 1.0),
                "ready": (1, 1, 1.0),
                "won": (1, 0, None),
            },
        )

    # --- plan check after the end date ----------------------------------------------------------
    # Week of 11-09: 9 new cards of 8 (1.125), 1 won. Week of 11-16, to Friday 11-20 (the plan's
    # end): 吴昊 郑爽 周杰, 3 of 8 (0.375), 1 won. The target (2) is met: nothing still needed.
    # Average completion (1.125 + 0.375) / 2 = 0.75. Average rates over 11-09 to 11-20, of the
    # cards at each stage in the period, the share that went further by its end:
    #   prospect 12, all but 陈静 went on: 11/12 = 0.9167
    #   contacted 11, 王芳 李强 刘洋 杨帆 孙悦 went on: 5/11 = 0.4545
    #   interested 5, 李强 孙悦 went on: 2/5 = 0.4
    #   intent 2 and ready 2: both won, 1.0 and 1.0
    check = s.json("20:00", "plan check")
    if check is not None:
        s.check(
            "plan check after the end: finished, won, new needed, average completion",
            (
                check["finished"],
                check["won_so_far"],
                check["new_needed"],
                check["average_completion"],
            ),
            (True, 2, 0, 0.75),
        )
        s.check(
            "plan check after the end: weeks (Monday, planned, made, won, completion)",
            [
                (w["week"], w["new_planned"], w["new_actual"], w["won_actual"], w["completion"])
                for w in check["weeks"]
            ],
            [(d("11-09"), 8, 9, 1, 1.125), (d("11-16"), 8, 3, 1, 0.375)],
        )
        s.check(
            "plan check after the end: average rates",
            check["average_rates"],
            {
                "prospect": 0.9167,
                "contacted": 0.4545,
                "interested": 0.4,
                "intent": 1.0,
                "ready": 1.0,
            },
        )
