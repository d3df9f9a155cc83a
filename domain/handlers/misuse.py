"""Handlers of orders against persons to return misused fund money, and of their returns."""

from __future__ import annotations

from domain.clawback import ClaimLine
from domain.commands import fingerprint
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from domain.handlers.lookup import (
    Aggregates,
    check_decided_after,
    is_repeat,
    known_claim,
    known_person,
)
from domain.misuse import MisuseRecovery, fund_parts, owed_postings
from domain.money import ZERO
from domain.reasons import Awaited, Reason, Rejected


def order_misuse_recovery(command: OrderMisuseRecovery, aggregates: Aggregates) -> None:
    """Order a person to return misused money: never more than the fund paid for the person
    (per claim when claims are named), less what was ordered back before."""
    digest = fingerprint(command)
    if is_repeat(aggregates.misuse_recovery(command.recovery_id), digest, command.recovery_id):
        return
    person = known_person(aggregates, command.person_id)
    check_decided_after(command.decision_date, command.provenance)
    lined = sum((line.amount for line in command.lines), ZERO)
    if command.lines and lined != command.amount:
        raise Rejected(
            Reason.OUT_OF_RANGE,
            f"the lines of misuse recovery {command.recovery_id} sum to {lined}, "
            f"not its amount {command.amount}",
        )
    checked = []
    for wanted in command.lines:
        claim = known_claim(aggregates, wanted.claim_id)
        claim.check_misused(command.person_id, wanted.amount)
        checked.append(
            (claim, ClaimLine(claim.claim_id, claim.region, claim.scheme, wanted.amount))
        )
    account = aggregates.account(command.person_id)
    paid = ZERO if account is None else account.fund_paid
    before = ZERO if account is None else account.misuse_ordered
    if account is None or command.amount > paid - before:
        raise Rejected(
            Reason.EXCEEDS_PAID,
            f"misuse recovery of {command.amount} exceeds what the fund paid for person "
            f"{command.person_id} ({paid}, of which {before} ordered back before)",
        )
    lines = tuple(line for _, line in checked)
    scheme = person.latest_scheme
    parts = fund_parts(lines, command.region, scheme, command.amount)
    recovery = MisuseRecovery(
        recovery_id=command.recovery_id,
        person_id=command.person_id,
        region=command.region,
        scheme=scheme,
        case_id=command.case_id,
        decision_document=command.decision_document,
        decision_date=command.decision_date,
        violation=command.violation,
        detection_source=command.detection_source,
        amount=command.amount,
        lines=lines,
        no_claims_reason=command.no_claims_reason,
        fingerprint=digest,
        postings=owed_postings(command.person_id, parts),
        provenance=command.provenance,
    )
    aggregates.add(recovery)
    for claim, line in checked:
        claim.note_misuse(
            recovery_id=command.recovery_id, amount=line.amount, provenance=command.provenance
        )
    account.note_misuse(
        recovery_id=command.recovery_id, amount=command.amount, provenance=command.provenance
    )


def recover_misuse(command: RecoverMisuse, aggregates: Aggregates) -> None:
    """Record money a person returned: it goes back to the pooled funds it was owed to."""
    recovery = aggregates.misuse_recovery(command.recovery_id)
    if recovery is None or recovery.person_id != command.person_id:
        raise Rejected(
            Reason.UNKNOWN_RECOVERY,
            f"no misuse recovery {command.recovery_id} was ordered against person "
            f"{command.person_id}",
            Awaited("recovery", command.recovery_id) if recovery is None else None,
        )
    recovery.recover(amount=command.amount, provenance=command.provenance)
