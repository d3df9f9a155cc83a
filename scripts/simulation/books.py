"""The generator's own books: what it has sent so far, so later messages stay consistent.

A clawback may not exceed what a claim paid, a disbursement pays what was settled, a deposit
release what was held. The generator computes fund shares with the domain's own rule
(`domain.settlement.fund_share`) from the same policy terms it publishes, so its amounts are the
ledger's amounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.calendar import DayWindow
from domain.money import ZERO, cents
from domain.policy import PolicyTerms
from domain.settlement import YearUsage, fund_share

DEFAULT_TERMS = PolicyTerms(
    deductible={
        "community": Decimal("100.00"),
        "1": Decimal("100.00"),
        "2": Decimal("300.00"),
        "3": Decimal("500.00"),
        "none": Decimal("0.00"),
    },
    ratio={
        "community": Decimal("0.65"),
        "1": Decimal("0.65"),
        "2": Decimal("0.60"),
        "3": Decimal("0.55"),
        "none": Decimal("0.55"),
    },
    outpatient_ratio=Decimal("0.50"),
    later_admission_reduction=Decimal("0.20"),
    special_status_ratio=Decimal("0.80"),
    registered_poor_bonus=Decimal("0.10"),
    annual_cap=Decimal("300000.00"),
    resident_contribution=Decimal("250.00"),
    deposit_rate=Decimal("0.10"),
)
# The domain reference's defaults for both schemes; employees pay no resident contribution.
EMPLOYEE_TERMS = replace(DEFAULT_TERMS, resident_contribution=Decimal("0.00"))
TERMS = {"resident": DEFAULT_TERMS, "employee": EMPLOYEE_TERMS}


@dataclass
class ClaimRecord:
    """A paid claim as the ledger holds it."""

    claim_id: str
    person_id: str
    institution: str
    scheme: str
    period: str  # YYYY-MM of the service date
    fund_share: Decimal
    personal_part: Decimal
    outstanding: Decimal


@dataclass
class Books:
    """Running state of the scenario as the ledger will see it."""

    usage: dict[str, YearUsage] = field(default_factory=dict)
    personal_balance: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    claims: dict[str, ClaimRecord] = field(default_factory=dict)
    # (institution, scheme, period) -> what the fund owes for that month, less refusals.
    receivable: dict[tuple[str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    deposit_held: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    coverage: dict[str, DayWindow] = field(default_factory=dict)
    statuses: dict[str, dict[str, DayWindow]] = field(default_factory=lambda: defaultdict(dict))
    blocked: dict[str, list[tuple[DayWindow, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # entity -> windows in which its claims are refused, with the refusal reason
    # (institution, scheme, period) -> gross disbursed: what bounds a deduction for the period.
    disbursed: dict[tuple[str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    protected: set[str] = field(default_factory=set)  # persons the casebook needs to stay
    audited: set[str] = field(default_factory=set)  # institutions whose old claims are kept

    def forget_before(self, period: str) -> None:
        """Drop paid claims older than `period` except at audited institutions: flat memory."""
        old = [
            claim_id
            for claim_id, c in self.claims.items()
            if c.period < period and c.institution not in self.audited
        ]
        for claim_id in old:
            del self.claims[claim_id]

    def block(self, entity: str, window: DayWindow, refusal_reason: str) -> None:
        self.blocked[entity].append((window, refusal_reason))

    def refusal(self, entities: list[str], day: date) -> str | None:
        """The refusal reason a claim on `day` meets, checking entities in the ledger's order."""
        for entity in entities:
            for window, reason in self.blocked.get(entity, ()):
                if window.in_force_on(day):
                    return reason
        return None

    def covered(self, person_id: str, day: date) -> bool:
        window = self.coverage.get(person_id)
        return window is not None and window.in_force_on(day)

    def statuses_on(self, person_id: str, day: date) -> frozenset[str]:
        return frozenset(
            s for s, w in self.statuses.get(person_id, {}).items() if w.in_force_on(day)
        )

    def settle(
        self,
        claim_id: str,
        person_id: str,
        scheme: str,
        institution: str,
        level: str,
        claim_type: str,
        in_policy_cost: Decimal,
        day: date,
    ) -> Decimal:
        """Charge a paid claim to the person's year; returns the fund share the ledger computes."""
        usage = self.usage.get(person_id, YearUsage())
        share = fund_share(
            TERMS[scheme],
            level,
            claim_type,
            in_policy_cost,
            self.statuses_on(person_id, day),
            usage,
        ).fund_share
        self.usage[person_id] = YearUsage(
            usage.admissions + (1 if claim_type == "inpatient" else 0), usage.fund_paid + share
        )
        return share

    def claims_of(self, period: str) -> list[ClaimRecord]:
        """Paid claims whose service date falls in a month (YYYY-MM), in settlement order."""
        return [c for c in self.claims.values() if c.period == period]

    def claims_at(self, institution: str) -> list[ClaimRecord]:
        """Paid claims of an institution, in settlement order."""
        return [c for c in self.claims.values() if c.institution == institution]

    def record_claim(self, record: ClaimRecord) -> None:
        self.claims[record.claim_id] = record
        key = (record.institution, record.scheme, record.period)
        self.receivable[key] += record.fund_share + record.personal_part
        self.personal_balance[record.person_id] -= record.personal_part

    def take_back(self, claim_id: str, amount: Decimal, undisbursed: bool) -> None:
        """A refusal (before disbursement) or clawback/refund (after) of part of a claim."""
        claim = self.claims[claim_id]
        claim.outstanding -= amount
        if undisbursed:
            self.receivable[(claim.institution, claim.scheme, claim.period)] -= amount

    def reverse(self, claim_id: str) -> None:
        """A settlement undone before disbursement: the ledger releases the person's usage."""
        claim = self.claims.pop(claim_id)
        self.receivable[(claim.institution, claim.scheme, claim.period)] -= (
            claim.fund_share + claim.personal_part
        )
        self.personal_balance[claim.person_id] += claim.personal_part
        usage = self.usage[claim.person_id]
        self.usage[claim.person_id] = YearUsage(
            usage.admissions, usage.fund_paid - claim.fund_share
        )

    def disburse(self, institution: str, scheme: str, period: str) -> tuple[Decimal, Decimal]:
        """The gross amount owed for a month and the deposit the ledger will hold from it."""
        amount = self.receivable.pop((institution, scheme, period), ZERO)
        self.disbursed[(institution, scheme, period)] += amount
        deposit = cents(amount * TERMS[scheme].deposit_rate)
        self.deposit_held[institution] += deposit
        return amount, deposit
