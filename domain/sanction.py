"""Sanctions (行政处罚 and agreement measures) with their fines, lifting and appeals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.calendar import ONE_DAY, service_day, working_days_after
from domain.identity import sanction_aggregate_id
from domain.money import ZERO, cents
from domain.postings import Posting, balanced, payer, treasury_fines
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected
from domain.sanction_rules import (
    FIXED_FINE_RANGE,
    WINDOW_KINDS,
    AppealOutcome,
    LegalBasis,
    SanctionKind,
    check_multiple,
)

APPEAL_WORKING_DAYS = 10


class Sanction(Aggregate):
    """One decided sanction; its effect may change later (lifted, appealed), never its past."""

    class Imposed(Aggregate.Created):
        sanction_id: str
        kind: str
        target_kind: str
        target_id: str
        region: str
        case_id: str
        decision_document: str
        decision_date: date
        effective_from: date
        effective_to: date | None
        legal_basis: str
        violation: str
        base_amount: Decimal | None
        multiple: Decimal | None
        fine_amount: Decimal | None
        points: int | None
        suspension_months: int | None
        referred_to: str | None
        fingerprint: str
        provenance: Provenance

    class Lifted(Aggregate.Event):
        effective_to: date
        reason: str
        provenance: Provenance

    class FinePaid(Aggregate.Event):
        amount: Decimal
        receipt_no: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class AppealFiled(Aggregate.Event):
        appeal_id: str
        provenance: Provenance

    class AppealDecided(Aggregate.Event):
        outcome: str
        decision_document: str
        decision_date: date
        fine_amount: Decimal | None  # the fine due from now on
        multiple: Decimal | None
        effective_to: date | None  # the window's last day from now on
        points: int | None
        provenance: Provenance

    @staticmethod
    def create_id(sanction_id: str, **_: Any) -> UUID:
        return sanction_aggregate_id(sanction_id)

    @event(Imposed)
    def __init__(
        self,
        *,
        sanction_id: str,
        kind: str,
        target_kind: str,
        target_id: str,
        region: str,
        case_id: str,
        decision_document: str,
        decision_date: date,
        effective_from: date,
        effective_to: date | None,
        legal_basis: str,
        violation: str,
        base_amount: Decimal | None,
        multiple: Decimal | None,
        fine_amount: Decimal | None,
        points: int | None,
        suspension_months: int | None,
        referred_to: str | None,
        fingerprint: str,
        provenance: Provenance,
    ) -> None:
        self.sanction_id = sanction_id
        self.kind = kind
        self.target_kind = target_kind
        self.target_id = target_id
        self.region = region
        self.decision_date = decision_date
        self.effective_from = effective_from
        self.effective_to = effective_to
        self.legal_basis = legal_basis
        self.base_amount = base_amount
        self.multiple = multiple
        self.fine_due = fine_amount
        self.fine_paid = ZERO
        self.points = points
        self.fingerprint = fingerprint
        self.appeal_filed_on: date | None = None
        self.appeal_decided = False

    def is_window_running(self, day: date) -> bool:
        """Whether the sanction's window has not ended before `day`."""
        return self.kind in WINDOW_KINDS and (self.effective_to is None or self.effective_to >= day)

    def lift(self, *, reason: str, provenance: Provenance) -> date:
        """End a window early: its last day becomes the day before the effective date."""
        day = service_day(provenance.occurred_at)
        if not self.is_window_running(day):
            raise Rejected(
                Reason.NOT_IN_FORCE,
                f"sanction {self.sanction_id} ({self.kind}) has no window running on {day}",
            )
        last_day = day - ONE_DAY
        self._lifted(effective_to=last_day, reason=reason, provenance=provenance)
        return last_day

    @event(Lifted)
    def _lifted(self, *, effective_to: date, reason: str, provenance: Provenance) -> None:
        self.effective_to = effective_to

    def pay_fine(self, *, amount: Decimal, receipt_no: str, provenance: Provenance) -> None:
        """Record a fine payment: the payer's money goes to the treasury, never the fund."""
        if self.fine_due is None:
            raise Rejected(Reason.NOT_A_FINE, f"sanction {self.sanction_id} is a {self.kind}")
        still_due = self.fine_due - self.fine_paid
        if amount > still_due:
            raise Rejected(
                Reason.EXCEEDS_DUE,
                f"payment of {amount} exceeds what is due on {self.sanction_id} ({still_due})",
            )
        postings = balanced(
            [
                Posting(payer(self.target_kind, self.target_id), -amount),
                Posting(treasury_fines(self.region), amount),
            ]
        )
        self._fine_paid(
            amount=amount, receipt_no=receipt_no, postings=postings, provenance=provenance
        )

    @event(FinePaid)
    def _fine_paid(
        self,
        *,
        amount: Decimal,
        receipt_no: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.fine_paid += amount

    def file_appeal(self, *, appeal_id: str, provenance: Provenance) -> None:
        """Record an appeal filed within 10 working days of the decision."""
        if self.appeal_filed_on is not None:
            raise Rejected(
                Reason.ALREADY_APPEALED, f"sanction {self.sanction_id} was appealed already"
            )
        filed_on = service_day(provenance.occurred_at)
        late = working_days_after(self.decision_date, filed_on) > APPEAL_WORKING_DAYS
        if filed_on < self.decision_date or late:
            raise Rejected(
                Reason.APPEAL_OUT_OF_TIME,
                f"an appeal filed on {filed_on} is not within {APPEAL_WORKING_DAYS} working days "
                f"after the decision of {self.decision_date}",
            )
        self._appeal_filed(appeal_id=appeal_id, provenance=provenance)

    @event(AppealFiled)
    def _appeal_filed(self, *, appeal_id: str, provenance: Provenance) -> None:
        self.appeal_filed_on = service_day(provenance.occurred_at)

    def decide_appeal(
        self,
        *,
        outcome: str,
        decision_document: str,
        decision_date: date,
        multiple: Decimal | None,
        fine_amount: Decimal | None,
        effective_to: date | None,
        points: int | None,
        provenance: Provenance,
    ) -> None:
        """Uphold, reduce or revoke the sanction from `decision_date` on."""
        if self.appeal_filed_on is None or self.appeal_decided:
            raise Rejected(
                Reason.NO_PENDING_APPEAL, f"sanction {self.sanction_id} has no pending appeal"
            )
        if decision_date < self.appeal_filed_on:
            raise Rejected(
                Reason.DATES_OUT_OF_ORDER,
                f"appeal decided on {decision_date}, before it was filed on {self.appeal_filed_on}",
            )
        new_multiple, new_fine = self._fine_after(outcome, multiple, fine_amount)
        self._appeal_decided(
            outcome=outcome,
            decision_document=decision_document,
            decision_date=decision_date,
            fine_amount=new_fine,
            multiple=new_multiple,
            effective_to=self._window_after(outcome, decision_date, effective_to),
            points=self._points_after(outcome, points),
            provenance=provenance,
        )

    def _fine_after(
        self, outcome: str, multiple: Decimal | None, fixed: Decimal | None
    ) -> tuple[Decimal | None, Decimal | None]:
        if self.fine_due is None or outcome == AppealOutcome.UPHELD:
            return self.multiple, self.fine_due
        if outcome == AppealOutcome.REVOKED:
            return self.multiple, self.fine_paid  # what was paid stays paid; nothing more is due
        if self.legal_basis == LegalBasis.ARTICLE_39:
            low, high = FIXED_FINE_RANGE
            if fixed is None or not (low <= fixed < self.fine_due) or fixed > high:
                raise Rejected(
                    Reason.OUT_OF_RANGE, f"a reduced article 39 fine lies in {low}-{self.fine_due}"
                )
            return None, max(fixed, self.fine_paid)
        if (
            multiple is None
            or self.multiple is None
            or self.base_amount is None
            or multiple >= self.multiple
        ):
            raise Rejected(Reason.OUT_OF_RANGE, f"a reduced multiple is below {self.multiple}")
        check_multiple(self.legal_basis, multiple)
        return multiple, max(cents(self.base_amount * multiple), self.fine_paid)

    def _window_after(
        self, outcome: str, decision_date: date, requested: date | None
    ) -> date | None:
        if self.kind not in WINDOW_KINDS or outcome == AppealOutcome.UPHELD:
            return self.effective_to
        held = decision_date - ONE_DAY  # what was in force before the decision stays so
        if outcome == AppealOutcome.REVOKED:
            return held if self.effective_to is None else min(self.effective_to, held)
        shorter = requested is not None and (
            self.effective_to is None or requested < self.effective_to
        )
        if requested is None or not shorter or requested < self.effective_from:
            raise Rejected(
                Reason.OUT_OF_RANGE,
                f"a reduced window of {self.sanction_id} ends between {self.effective_from} "
                f"and {self.effective_to}",
            )
        later = max(requested, held)
        return later if self.effective_to is None else min(later, self.effective_to)

    def _points_after(self, outcome: str, points: int | None) -> int | None:
        if self.kind != SanctionKind.DOCTOR_POINTS or outcome == AppealOutcome.UPHELD:
            return self.points
        if outcome == AppealOutcome.REVOKED:
            return 0
        if points is None or self.points is None or not 0 <= points < self.points:
            raise Rejected(Reason.OUT_OF_RANGE, f"reduced points lie in 0-{self.points}, exclusive")
        return points

    @event(AppealDecided)
    def _appeal_decided(
        self,
        *,
        outcome: str,
        decision_document: str,
        decision_date: date,
        fine_amount: Decimal | None,
        multiple: Decimal | None,
        effective_to: date | None,
        points: int | None,
        provenance: Provenance,
    ) -> None:
        self.appeal_decided = True
        self.fine_due = fine_amount
        self.multiple = multiple
        self.effective_to = effective_to
        self.points = points
