"""The year's inspection story as data: scripted visits, sanctions and what follows them.

Dates are (month, day) of the scenario year; month 16 is April of the next year. Roles name
the cast (see `casebook.Cast`): institutions, doctors and persons picked by position.
"""

from __future__ import annotations

from dataclasses import dataclass

Day = tuple[int, int]


@dataclass(frozen=True)
class ScriptedVisit:
    """A claim the story needs, e.g. on the day a window begins or the day after it ends."""

    person: str
    place: str
    doctor: str | None  # a doctor role, "staff" (an unsanctioned doctor of the place) or None
    claim_type: str
    day: Day
    cost: str


@dataclass(frozen=True)
class Imposed:
    """A sanction decision; `block` is the window in which the books expect claims refused."""

    month: int
    sanction: str  # id stem: "JF-002" becomes JF-{region}-{year}-002
    decided: Day
    kind: str
    target: str
    basis: str
    violation: str
    start: Day | None = None  # default: the decision day
    end: Day | None = None
    points: int | None = None
    months: int | None = None
    multiple: str | None = None
    base: str | None = None  # an amount, or "clawback:ZH-001" for that clawback's total
    fine: str | None = None
    referred_to: str | None = None
    block: str | None = None  # the refusal reason of claims inside `start`..`blocked_to`
    blocked_to: Day | None = None  # last day blocked, when shorter than the window


@dataclass(frozen=True)
class FollowUp:
    """What happens to a sanction later: appeal filed or decided, fine paid, lifted."""

    month: int
    action: str  # appeal, reduced, revoked, paid, lifted
    sanction: str
    target: str
    day: Day
    amount: str | None = None  # fine paid: an amount, or "clawback:ZH-001" (its total)
    multiple: str | None = None
    points: int | None = None


@dataclass(frozen=True)
class Order:
    """A clawback order: `share` of the outstanding of up to `most` claims paid before `month`."""

    month: int
    clawback: str
    place: str
    share: str
    most: int
    period_day: Day  # the valid time: the period the clawback is about
    decided: Day
    violation: str
    source: str


@dataclass(frozen=True)
class Recovery:
    """Part of an order recovered: a share of its total, or `rest` for what remains."""

    month: int
    clawback: str
    share: str
    day: Day


@dataclass(frozen=True)
class MisuseOrder:
    """An order against a person (art. 41) to return up to `most` of the person's paid claims."""

    month: int
    recovery: str  # id stem, as for clawbacks
    person: str
    most: str
    decided: Day


@dataclass(frozen=True)
class MisuseReturn:
    """Part of a misuse order returned by the person: a share of what was ordered."""

    month: int
    recovery: str
    share: str
    day: Day


V = ScriptedVisit
PTS, ART38, ART40, ART41, AGR = (
    "doctor_points",
    "article_38",
    "article_40",
    "article_41",
    "agreement",
)
OPEN = (12, 31)  # blocked to the end of the year: a termination has no end
SUSPENDED, DOCTOR = "institution_suspended", "doctor_suspended"

# fmt: off
VISITS = (
    V("cap_patient", "late", "staff", "inpatient", (2, 12), "200000.00"),
    V("patient", "fraud", "staff", "outpatient", (2, 5), "860.00"),
    V("patient", "fraud", "staff", "inpatient", (3, 8), "9800.00"),
    V("patient", "overcharger", "staff", "inpatient", (3, 20), "5400.00"),
    V("cap_patient", "late", "staff", "inpatient", (4, 9), "200000.00"),
    V("patient", "overcharger", "staff", "outpatient", (4, 2), "420.00"),
    V("patient", "inspecting_1", "staff", "outpatient", (5, 6), "380.00"),
    V("patient", "inspecting_2", "staff", "outpatient", (5, 6), "380.00"),
    V("cap_patient", "late", "staff", "inpatient", (6, 3), "200000.00"),
    V("patient", "late", "nine_points", "outpatient", (6, 14), "300.00"),
    # An admission made with the card lender's card: the fund paid for someone else's stay.
    V("card_lender", "warned", "staff", "inpatient", (6, 8), "5000.00"),
    V("patient", "warned", "appealed_points", "outpatient", (7, 1), "260.00"),
    V("patient", "suspended", "staff", "inpatient", (7, 15), "7200.00"),
    V("cap_patient", "late", "staff", "inpatient", (8, 6), "200000.00"),
    V("patient", "late", "nine_points", "outpatient", (8, 9), "310.00"),
    V("patient", "late", "nine_points", "outpatient", (8, 10), "320.00"),
    V("card_lender", "late", "staff", "outpatient", (8, 5), "250.00"),
    V("leaver", "late", "staff", "outpatient", (8, 20), "180.00"),
    V("patient", "paused_pharmacy", None, "pharmacy", (8, 12), "96.00"),
    V("patient", "paused_pharmacy", None, "pharmacy", (9, 10), "88.00"),
    V("patient", "fraud", "twelve_points", "outpatient", (9, 3), "240.00"),
    V("patient", "terminated_pharmacy", None, "pharmacy", (10, 15), "120.00"),
    V("patient", "late", "staff", "outpatient", (10, 22), "330.00"),
    V("patient", "suspended", "staff", "outpatient", (11, 30), "200.00"),
    V("patient", "suspended", "staff", "outpatient", (12, 1), "210.00"),
)

SANCTIONS = (
    Imposed(2, "JF-001", (2, 20), PTS, "appealed_points", PTS, "over_treatment",
            points=3, months=2),
    Imposed(3, "JF-002", (3, 12), PTS, "nine_points", PTS, "split_prescription",
            points=4, months=3),
    Imposed(4, "YT-001", (4, 2), "interview", "warned", AGR, "over_treatment"),
    Imposed(4, "TB-001", (4, 2), "public_criticism", "warned", AGR, "over_treatment"),
    Imposed(4, "ZG-001", (4, 2), "rectification", "warned", AGR, "over_treatment",
            (4, 10), (6, 30)),
    Imposed(4, "JF-003", (4, 8), PTS, "twelve_points", PTS, "fake_records", points=6, months=3),
    # 4 + 5 = 9 points: suspended from May 10 for three months, to August 9.
    Imposed(5, "JF-004", (5, 10), PTS, "nine_points", PTS, "split_prescription",
            points=5, months=3, block=DOCTOR, blocked_to=(8, 9)),
    Imposed(5, "ZT-001", (5, 20), "settlement_suspension", "suspended", ART38, "split_admission",
            (6, 1), (11, 30), block=SUSPENDED),
    # 3 + 6 = 9 from June 3; the appeal cuts the 6 to 4, so the suspension ends June 23.
    Imposed(6, "JF-005", (6, 3), PTS, "appealed_points", PTS, "over_treatment",
            points=6, months=2, block=DOCTOR, blocked_to=(6, 23)),
    Imposed(6, "CF-001", (6, 18), "fine", "fraud", ART40, "phantom_bed",
            multiple="3", base="clawback:ZH-001"),
    Imposed(6, "ZT-002", (6, 20), "networked_settlement_suspension", "card_lender", ART41,
            "card_lending", (7, 1), (9, 30), block="networked_settlement_suspended"),
    # The fine of article 41 on what the person is ordered to return (GR-001), to the treasury.
    Imposed(6, "CF-002", (6, 20), "fine", "card_lender", ART41, "card_lending",
            multiple="2", base="clawback:GR-001"),
    Imposed(7, "YS-001", (7, 12), "referral", "fraud", AGR, "phantom_bed", referred_to="police"),
    # 6 + 6 = 12 points: terminated from July 5.
    Imposed(7, "JF-006", (7, 5), PTS, "twelve_points", PTS, "fake_records",
            points=6, months=3, block=DOCTOR, blocked_to=OPEN),
    # An agreement suspension for August and September, lifted from September 1.
    Imposed(7, "ZT-003", (7, 25), "settlement_suspension", "paused_pharmacy", AGR,
            "drug_reselling", (8, 1), (9, 30), block=SUSPENDED, blocked_to=(8, 31)),
    Imposed(9, "ZZ-001", (9, 20), "agreement_termination", "terminated_pharmacy", ART40,
            "drug_reselling", (10, 1), block="agreement_terminated", blocked_to=OPEN),
    Imposed(9, "YS-002", (9, 20), "referral", "terminated_pharmacy", AGR, "drug_reselling",
            referred_to="market_regulation"),
    Imposed(9, "CF-003", (9, 12), "fine", "overcharger", ART38, "over_standard_charging",
            multiple="1.5", base="clawback:ZH-002"),
    Imposed(10, "CF-004", (10, 8), "fine", "badly_run", "article_39", "management_failure",
            fine="20000.00"),
    # 暂缓结算 until the management failure is put right (lifted in December); claims still settle.
    Imposed(10, "HJ-001", (10, 8), "deferred_settlement", "badly_run", AGR,
            "management_failure"),
    Imposed(16, "CF-005", (16, 15), "fine", "late", ART38, "over_treatment",
            multiple="2", base="clawback:ZH-003"),
)

ORDERS = (
    Order(6, "ZH-001", "fraud", "0.5", 5, (6, 1), (6, 18), "phantom_bed", "flight_inspection"),
    Order(9, "ZH-002", "overcharger", "0.3", 3, (9, 1), (9, 12), "over_standard_charging",
          "record_review"),
    # Next spring, about this year's claims: the valid time is December 31.
    Order(16, "ZH-003", "late", "0.25", 6, (12, 31), (16, 15), "over_treatment",
          "flight_inspection"),
)
RECOVERIES = (
    Recovery(7, "ZH-001", "0.6", (7, 20)),
    Recovery(9, "ZH-001", "rest", (9, 15)),
    Recovery(10, "ZH-002", "0.5", (10, 20)),  # the other half stays due
    Recovery(16, "ZH-003", "0.25", (16, 28)),
)
MISUSE_ORDERS = (MisuseOrder(6, "GR-001", "card_lender", "1800.00", (6, 20)),)
MISUSE_RETURNS = (MisuseReturn(8, "GR-001", "0.5", (8, 20)),)  # the other half stays owed
# A decision over two institutions (phantom beds at two township centres), ClawbackOrdered
# version 2: (month, id stem, places, share, claims per place, lines per part, period, decided).
JOINT_ORDERS = (
    (10, "ZH-004", ("inspecting_1", "inspecting_2"), "0.3", 2, 3, (10, 1), (10, 16)),
)
# Recovered by one of the two (its share of the decision): (month, id stem, place, day).
JOINT_RECOVERIES = ((11, "ZH-004", "inspecting_1", (11, 5)),)
# Indicator deductions (指标性扣款) of a quarter: (month, id stem, quarter, share of what was paid
# for it, decided); the books pick the hospital paid the most for that quarter.
DEDUCTIONS = ((4, "ZB-001", 1, "0.05", (4, 15)),)
# Self-inspection refunds: (month, refund id stem, place, share, most claims, day)
REFUNDS = (
    (11, "TH-001", "inspecting_1", "0.2", 3, (11, 25)),
    (11, "TH-002", "inspecting_2", "0.2", 3, (11, 25)),
)

FOLLOW_UPS = (
    FollowUp(6, "appeal", "JF-005", "appealed_points", (6, 10)),
    FollowUp(6, "reduced", "JF-005", "appealed_points", (6, 24), points=4),
    FollowUp(6, "appeal", "CF-001", "fraud", (6, 25)),
    FollowUp(7, "reduced", "CF-001", "fraud", (7, 10), multiple="2"),
    FollowUp(6, "lifted", "ZG-001", "warned", (6, 20)),  # rectified before the deadline
    FollowUp(8, "lifted", "ZT-003", "paused_pharmacy", (9, 1)),
    FollowUp(8, "paid", "CF-001", "fraud", (8, 15), amount="clawback:ZH-001"),
    FollowUp(8, "paid", "CF-002", "card_lender", (8, 20), amount="fine:2:GR-001"),
    FollowUp(10, "paid", "CF-001", "fraud", (10, 9), amount="clawback:ZH-001"),
    FollowUp(10, "paid", "CF-003", "overcharger", (10, 20), amount="fine:1.5:ZH-002"),
    FollowUp(10, "appeal", "CF-004", "badly_run", (10, 14)),
    FollowUp(10, "revoked", "CF-004", "badly_run", (10, 28)),
    FollowUp(12, "lifted", "HJ-001", "badly_run", (12, 1)),
)
# fmt: on
