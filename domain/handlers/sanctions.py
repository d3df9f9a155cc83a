"""Handlers of sanctions: the decision, its effect on the target, fines, lifting, appeals."""

from __future__ import annotations

from domain.commands import (
    DecideAppeal,
    FileAppeal,
    ImposeSanction,
    LiftSanction,
    PayFine,
    fingerprint,
)
from domain.doctor import Doctor
from domain.handlers.lookup import Aggregates, is_repeat
from domain.institution import Institution
from domain.person import Person
from domain.reasons import Awaited, Reason, Rejected
from domain.sanction import Sanction
from domain.sanction_rules import SanctionKind, TargetKind, check_imposition

Target = Institution | Doctor | Person


def _target(aggregates: Aggregates, target_kind: str, target_id: str) -> Target | None:
    if target_kind == TargetKind.INSTITUTION:
        return aggregates.institution(target_id)
    if target_kind == TargetKind.DOCTOR:
        return aggregates.doctor(target_id)
    return aggregates.person(target_id)


def impose_sanction(command: ImposeSanction, aggregates: Aggregates) -> None:
    """Record a sanction and its effect on the target, all checked before anything is."""
    digest = fingerprint(command)
    if is_repeat(aggregates.sanction(command.sanction_id), digest, command.sanction_id):
        return
    amount = check_imposition(command)
    target = _target(aggregates, command.target_kind, command.target_id)
    if target is None:
        raise Rejected(
            Reason.UNKNOWN_TARGET,
            f"{command.target_kind} {command.target_id} is not known to the ledger",
            Awaited(str(command.target_kind), command.target_id),
        )
    sanction = Sanction(
        sanction_id=command.sanction_id,
        kind=command.kind,
        target_kind=command.target_kind,
        target_id=command.target_id,
        region=command.region,
        case_id=command.case_id,
        decision_document=command.decision_document,
        decision_date=command.decision_date,
        effective_from=command.effective_from,
        effective_to=command.effective_to,
        legal_basis=command.legal_basis,
        violation=command.violation,
        base_amount=command.base_amount,
        multiple=command.multiple,
        fine_amount=amount,
        points=command.points,
        suspension_months=command.suspension_months,
        referred_to=command.referred_to,
        fingerprint=digest,
        provenance=command.provenance,
    )
    aggregates.add(sanction)
    _apply_effect(sanction, target, command)


def _apply_effect(sanction: Sanction, target: Target, command: ImposeSanction) -> None:
    """Place the sanction's restriction on its target, if it places one."""
    sanction_id, provenance = sanction.sanction_id, command.provenance
    start, end = command.effective_from, command.effective_to
    match command.kind, target:
        case SanctionKind.SETTLEMENT_SUSPENSION, Institution():
            target.suspend_settlement(
                sanction_id=sanction_id,
                effective_from=start,
                effective_to=end,
                provenance=provenance,
            )
        case SanctionKind.AGREEMENT_TERMINATION, Institution():
            target.terminate_agreement(
                sanction_id=sanction_id, effective_from=start, provenance=provenance
            )
        case SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION, Person():
            target.suspend_networked_settlement(
                sanction_id=sanction_id,
                effective_from=start,
                effective_to=end,
                provenance=provenance,
            )
        case SanctionKind.DOCTOR_POINTS, Doctor():
            target.record_points(
                sanction_id=sanction_id,
                points=command.points or 0,
                effective_from=start,
                suspension_months=command.suspension_months or 0,
                provenance=provenance,
            )
        case _:
            pass  # the other kinds place no restriction


def _imposed_on(aggregates: Aggregates, sanction_id: str, target_id: str) -> Sanction:
    sanction = aggregates.sanction(sanction_id)
    if sanction is None or sanction.target_id != target_id:
        # Not yet imposed may be held until it is; imposed on another target never will be.
        awaits = Awaited("sanction", sanction_id) if sanction is None else None
        raise Rejected(
            Reason.UNKNOWN_SANCTION, f"no sanction {sanction_id} was imposed on {target_id}", awaits
        )
    return sanction


def _restricted_target(aggregates: Aggregates, sanction: Sanction) -> Institution | Person | None:
    """The target whose restriction this sanction placed, if it placed one."""
    if sanction.kind in {SanctionKind.SETTLEMENT_SUSPENSION, SanctionKind.AGREEMENT_TERMINATION}:
        return aggregates.institution(sanction.target_id)
    if sanction.kind == SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION:
        return aggregates.person(sanction.target_id)
    return None


def lift_sanction(command: LiftSanction, aggregates: Aggregates) -> None:
    """End a sanction's window early, on the sanction and on its target."""
    sanction = _imposed_on(aggregates, command.sanction_id, command.target_id)
    last_day = sanction.lift(reason=command.reason, provenance=command.provenance)
    target = _restricted_target(aggregates, sanction)
    if target is None:
        return
    target.cut_restriction(
        sanction_id=sanction.sanction_id, effective_to=last_day, provenance=command.provenance
    )


def pay_fine(command: PayFine, aggregates: Aggregates) -> None:
    """Record a fine payment."""
    sanction = _imposed_on(aggregates, command.sanction_id, command.target_id)
    sanction.pay_fine(
        amount=command.amount, receipt_no=command.receipt_no, provenance=command.provenance
    )


def file_appeal(command: FileAppeal, aggregates: Aggregates) -> None:
    """Record an appeal."""
    sanction = _imposed_on(aggregates, command.sanction_id, command.target_id)
    sanction.file_appeal(appeal_id=command.appeal_id, provenance=command.provenance)


def decide_appeal(command: DecideAppeal, aggregates: Aggregates) -> None:
    """Record an appeal decision and change the effect on the target from its date on."""
    sanction = _imposed_on(aggregates, command.sanction_id, command.target_id)
    end_before, points_before = sanction.effective_to, sanction.points
    sanction.decide_appeal(
        outcome=command.outcome,
        decision_document=command.decision_document,
        decision_date=command.decision_date,
        multiple=command.multiple,
        fine_amount=command.fine_amount,
        effective_to=command.effective_to,
        points=command.points,
        provenance=command.provenance,
    )
    restricted = _restricted_target(aggregates, sanction)
    if restricted is not None and sanction.effective_to != end_before:
        if sanction.effective_to is not None:
            restricted.cut_restriction(
                sanction_id=sanction.sanction_id,
                effective_to=sanction.effective_to,
                provenance=command.provenance,
            )
        return
    doctor = (
        aggregates.doctor(sanction.target_id)
        if sanction.kind == SanctionKind.DOCTOR_POINTS
        else None
    )
    if doctor is not None and sanction.points != points_before:
        doctor.change_points(
            sanction_id=sanction.sanction_id,
            year=sanction.effective_from.year,
            points=sanction.points or 0,
            from_day=command.decision_date,
            provenance=command.provenance,
        )
