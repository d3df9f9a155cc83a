"""Designated medical institutions (定点医药机构) and their service agreements."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deduction import DeductionRecord, Period
from domain.identity import institution_aggregate_id
from domain.money import ZERO, cents
from domain.postings import (
    Posting,
    balanced,
    institution_bank,
    institution_deposit_held,
    institution_receivable,
)
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected
from domain.restrictions import Restriction, RestrictionKind, cut, in_force

# H + 6-digit pooling region + 5-digit sequence for hospitals and clinics, P… for pharmacies.
# ASCII digits only, the whole value (use `fullmatch`): no look-alikes in other scripts, no "\n".
INSTITUTION_CODE = re.compile(r"[HP][0-9]{11}")


class InstitutionKind(StrEnum):
    """What the institution is."""

    HOSPITAL = "hospital"
    PHARMACY = "pharmacy"
    CLINIC = "clinic"


class InstitutionLevel(StrEnum):
    """Hospital grade; it selects the deductible and ratio of the policy."""

    COMMUNITY = "community"
    LEVEL_1 = "1"
    LEVEL_2 = "2"
    LEVEL_3 = "3"
    NONE = "none"  # pharmacies have no grade


class Ownership(StrEnum):
    """Public or private ownership."""

    PUBLIC = "public"
    PRIVATE = "private"


def region_of_code(code: str) -> str:
    """The pooling region embedded in an institution code."""
    return code[1:7]


def check_designation(code: str, region: str, kind: str, level: str) -> None:
    """Refuse a designation whose code, region, kind and level contradict each other."""
    if not INSTITUTION_CODE.fullmatch(code):
        raise Rejected(Reason.SCHEMA_INVALID, f"institution code {code!r} is not H/P + 11 digits")
    if region_of_code(code) != region:
        raise Rejected(
            Reason.SCHEMA_INVALID,
            f"institution {code} belongs to region {region_of_code(code)}, not {region}",
        )
    is_pharmacy = kind == InstitutionKind.PHARMACY
    if is_pharmacy != code.startswith("P"):
        raise Rejected(
            Reason.SCHEMA_INVALID, f"{kind} code {code} must start with 'P' iff pharmacy"
        )
    if is_pharmacy != (level == InstitutionLevel.NONE):
        raise Rejected(Reason.SCHEMA_INVALID, f"a {kind} cannot have level {level!r}")


class Institution(Aggregate):
    """A designated institution; its designation history is effective-dated."""

    class Designated(Aggregate.Created):
        code: str
        region: str
        name: str
        kind: str
        level: str
        ownership: str
        agreement_no: str
        provenance: Provenance

    class Redesignated(Aggregate.Event):
        name: str
        kind: str
        level: str
        ownership: str
        agreement_no: str
        provenance: Provenance

    class BudgetAllocated(Aggregate.Event):
        year: int
        amount: Decimal
        provenance: Provenance

    class DisbursementMade(Aggregate.Event):
        period: str
        scheme: str
        amount: Decimal
        deposit_rate: Decimal
        deposit: Decimal
        paid: Decimal
        postings: tuple[Posting, ...]
        provenance: Provenance

    class DepositReleased(Aggregate.Event):
        year: int
        amount: Decimal
        postings: tuple[Posting, ...]
        provenance: Provenance

    class DeductionImposed(Aggregate.Event):
        deduction_id: str
        kind: str
        scheme: str
        period: str
        basis: str
        case_id: str
        decision_document: str
        decision_date: date
        amount: Decimal
        paid_for_period: Decimal
        fingerprint: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class SettlementSuspended(Aggregate.Event):
        sanction_id: str
        effective_from: date
        effective_to: date | None
        provenance: Provenance

    class AgreementTerminated(Aggregate.Event):
        sanction_id: str
        effective_from: date
        provenance: Provenance

    class RestrictionCut(Aggregate.Event):
        sanction_id: str
        effective_to: date
        provenance: Provenance

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return institution_aggregate_id(code)

    @event(Designated)
    def __init__(
        self,
        *,
        code: str,
        region: str,
        name: str,
        kind: str,
        level: str,
        ownership: str,
        agreement_no: str,
        provenance: Provenance,
    ) -> None:
        self.code = code
        self.region = region
        self.name = name
        self.kind = kind
        self.level = level
        self.ownership = ownership
        self.agreement_no = agreement_no
        self.designated_from = provenance.occurred_at
        self.budgets: dict[int, Decimal] = {}
        self.deposit_held = ZERO
        self.restrictions: tuple[Restriction, ...] = ()
        # Gross disbursed per (scheme, month) and deductions by id: what bounds a deduction.
        self.disbursed: dict[tuple[str, str], Decimal] = {}
        self.deductions: dict[str, DeductionRecord] = {}

    def redesignate(
        self,
        *,
        name: str,
        kind: str,
        level: str,
        ownership: str,
        agreement_no: str,
        provenance: Provenance,
    ) -> None:
        """Record a renewed or amended designation (new grade, new agreement)."""
        check_designation(self.code, self.region, kind, level)
        if provenance.occurred_at < self.designated_from:
            raise Rejected(
                Reason.OUT_OF_ORDER,
                f"designation of {self.code} effective {provenance.occurred_at.isoformat()} "
                f"precedes the one in force since {self.designated_from.isoformat()}",
            )
        self._redesignated(
            name=name,
            kind=kind,
            level=level,
            ownership=ownership,
            agreement_no=agreement_no,
            provenance=provenance,
        )

    @event(Redesignated)
    def _redesignated(
        self,
        *,
        name: str,
        kind: str,
        level: str,
        ownership: str,
        agreement_no: str,
        provenance: Provenance,
    ) -> None:
        self.name = name
        self.kind = kind
        self.level = level
        self.ownership = ownership
        self.agreement_no = agreement_no
        self.designated_from = provenance.occurred_at

    # Settlement restrictions, as a settlement on a given date sees them.

    def refusal_on(self, day: date) -> str | None:
        """Why a settlement on a day is refused because of this institution, or None."""
        if in_force(self.restrictions, RestrictionKind.AGREEMENT_TERMINATION, day):
            return "agreement_terminated"
        if in_force(self.restrictions, RestrictionKind.SETTLEMENT_SUSPENSION, day):
            return "institution_suspended"
        return None

    @event(BudgetAllocated)
    def allocate_budget(self, *, year: int, amount: Decimal, provenance: Provenance) -> None:
        """Record the annual budget (a later allocation for the year replaces it)."""
        self.budgets = {**self.budgets, year: amount}

    def disburse(
        self,
        *,
        period: str,
        scheme: str,
        amount: Decimal,
        deposit_rate: Decimal,
        provenance: Provenance,
    ) -> None:
        """Pay a month's amount less the quality deposit, which stays held."""
        deposit = cents(amount * deposit_rate)
        paid = amount - deposit
        postings = balanced(
            [
                Posting(institution_receivable(self.code), -amount),
                Posting(institution_bank(self.code), paid),
                Posting(institution_deposit_held(self.code), deposit),
            ]
        )
        self._disbursed(
            period=period,
            scheme=scheme,
            amount=amount,
            deposit_rate=deposit_rate,
            deposit=deposit,
            paid=paid,
            postings=postings,
            provenance=provenance,
        )

    @event(DisbursementMade)
    def _disbursed(
        self,
        *,
        period: str,
        scheme: str,
        amount: Decimal,
        deposit_rate: Decimal,
        deposit: Decimal,
        paid: Decimal,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.deposit_held += deposit
        key = (scheme, period)
        self.disbursed = {**self.disbursed, key: self.disbursed.get(key, ZERO) + amount}

    def release_deposit(self, *, year: int, amount: Decimal, provenance: Provenance) -> None:
        """Pay out held quality deposit after the annual assessment."""
        if amount > self.deposit_held:
            raise Rejected(
                Reason.EXCEEDS_HELD,
                f"release of {amount} exceeds the deposit held for {self.code} "
                f"({self.deposit_held})",
            )
        postings = balanced(
            [
                Posting(institution_deposit_held(self.code), -amount),
                Posting(institution_bank(self.code), amount),
            ]
        )
        self._deposit_released(year=year, amount=amount, postings=postings, provenance=provenance)

    @event(DepositReleased)
    def _deposit_released(
        self, *, year: int, amount: Decimal, postings: tuple[Posting, ...], provenance: Provenance
    ) -> None:
        self.deposit_held -= amount

    @event(DeductionImposed)
    def record_deduction(
        self,
        *,
        deduction_id: str,
        kind: str,
        scheme: str,
        period: str,
        basis: str,
        case_id: str,
        decision_document: str,
        decision_date: date,
        amount: Decimal,
        paid_for_period: Decimal,
        fingerprint: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        """Record a deduction not tied to claims (checked by domain/handlers/deductions.py)."""
        record = DeductionRecord(fingerprint, scheme, Period.parse(period), amount)
        self.deductions = {**self.deductions, deduction_id: record}

    @event(SettlementSuspended)
    def suspend_settlement(
        self,
        *,
        sanction_id: str,
        effective_from: date,
        effective_to: date | None,
        provenance: Provenance,
    ) -> None:
        """Record a settlement suspension imposed by a sanction (checked by the sanction)."""
        kind = RestrictionKind.SETTLEMENT_SUSPENSION
        restriction = Restriction(
            sanction_id, kind, effective_from=effective_from, effective_to=effective_to
        )
        self.restrictions = (*self.restrictions, restriction)

    @event(AgreementTerminated)
    def terminate_agreement(
        self, *, sanction_id: str, effective_from: date, provenance: Provenance
    ) -> None:
        """Record the termination of the service agreement imposed by a sanction."""
        kind = RestrictionKind.AGREEMENT_TERMINATION
        restriction = Restriction(
            sanction_id, kind, effective_from=effective_from, effective_to=None
        )
        self.restrictions = (*self.restrictions, restriction)

    @event(RestrictionCut)
    def cut_restriction(
        self, *, sanction_id: str, effective_to: date, provenance: Provenance
    ) -> None:
        """End a sanction's restriction no later than `effective_to` (lifted or appealed)."""
        self.restrictions = cut(self.restrictions, sanction_id, effective_to)
