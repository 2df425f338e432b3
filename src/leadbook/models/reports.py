"""Funnel, plan and report results (dataclasses: see models/__init__). ``models.lines.to_json``
dumps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class StageFlow:
    stage: str
    count: int  # cards at this stage now
    reached: int  # cards that reached it in the period (a jump passes through)
    went_on: int  # of those, how many reached the next stage by the period's end
    conversion: float | None  # went_on / reached; None for won/lost or nothing reached
    avg_days: float | None = None  # open cards: average days in this stage so far
    usual_days: float | None = None  # how long cards usually stayed in it


@dataclass
class Diagnosis:
    code: str
    message: str
    advice: str
    stage: str | None = None


@dataclass
class Funnel:
    since: date | None
    until: date
    owner: str | None
    stages: list[StageFlow]
    lost_reasons: dict[str, int]
    won_value: Decimal
    diagnosis: list[Diagnosis] = field(default_factory=list)
    group: str | None = None  # the value of --by this funnel is for


@dataclass
class FunnelSplit:
    by: str
    since: date | None
    until: date
    groups: list[Funnel]


@dataclass
class OwnerReport:
    owner: str
    new_cards: int
    contacts: int
    contacts_per_day: float
    by_channel: dict[str, int]
    due: int
    done: int
    discipline: float | None  # done / due
    advances: int
    won: int
    lost: int
    win_rate: float | None  # won / (won + lost)
    won_value: Decimal
    avg_days_to_win: float | None
    flags: list[str] = field(default_factory=list)
    new_calls_per_day: float = 0.0  # first contacts per working day, as the flag shows it
    new_cards_per_month: float = 0.0  # new cards at a month's pace, as the flag shows it


@dataclass
class Report:
    since: date
    until: date
    working_days: int
    rows: list[OwnerReport]


@dataclass
class StageNeed:
    stage: str
    rate: float | None  # conversion from this stage to the next
    rate_source: str  # observed, given or default
    to_won: float  # chance a card here becomes a deal
    need: int  # cards that must still pass through this stage to reach the target
    have: int  # open cards at this stage now
    gap: int = 0  # need - have: still to come from the stage above (at prospect: new ones)


@dataclass
class WeekPlan:
    week: date  # its Monday
    new_planned: int
    new_actual: int | None = None
    won_actual: int | None = None
    completion: float | None = None
    days: int = 5  # its working days (Monday to Friday) inside the plan
    replanned: int | None = None  # plan check: its share of what is still needed (weeks ahead)


@dataclass
class Plan:
    id: int | None
    owner: str | None
    target: int
    start: date
    end: date
    won_so_far: int
    expected_from_pipeline: float
    new_needed: int
    weeks: list[WeekPlan]
    stages: list[StageNeed]
    window_days: int
    notes: list[str] = field(default_factory=list)
    finished: bool = False
    average_rates: dict[str, float | None] = field(default_factory=dict)
    average_completion: float | None = None


@dataclass
class CustomerValue:
    number: str
    name: str
    value: Decimal  # all purchases
    value_12m: Decimal  # purchases in the last 12 months
    purchases: int
    first: date
    last: date
    cycle_days: float | None  # average days between purchases (repeat buyers)
    next_expected: date | None
    group: str  # strategic, retain, develop, relationship
    share: float  # of all value
    top: bool  # among the customers who make up 80% of value


@dataclass
class ValueGroup:
    group: str
    count: int
    treatment: str


@dataclass
class ValueReport:
    total: Decimal
    total_12m: Decimal
    customers: int
    top_count: int  # how many customers make 80% of the value
    top_share: float  # that many as a share of paying customers
    value_threshold: Decimal  # 12-month value at or above which a customer counts as high value
    groups: list[ValueGroup]
    rows: list[CustomerValue]


@dataclass
class Referrer:
    number: str
    name: str
    referred: int
    won: int
    referred_value: Decimal
