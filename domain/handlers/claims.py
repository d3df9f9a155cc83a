"""Handlers of settlements and reversals: judged on the service date."""

from __future__ import annotations

from domain.calendar import service_day
from domain.claim import Claim, settlement_postings
from domain.commands import ReverseClaim, SettleClaim, fingerprint
from domain.handlers.lookup import (
    Aggregates,
    account_of,
    is_repeat,
    known_claim,
    known_doctor,
    known_institution,
    known_person,
)
from domain.institution import Institution, InstitutionKind
from domain.money import ZERO
from domain.person import Person, Scheme
from domain.policy import PolicyTerms
from domain.reasons import Reason, Rejected
from domain.settlement import ClaimType, Share, fund_share


def _refusal(
    command: SettleClaim, person: Person, institution: Institution, aggregates: Aggregates
) -> str | None:
    day = service_day(command.provenance.occurred_at)
    if person.covered_at(command.provenance.occurred_at) is None:
        return "not_covered"
    refusal = institution.refusal_on(day)
    if refusal is None and command.doctor_id is not None:
        refusal = known_doctor(aggregates, command.doctor_id).refusal_on(day)
    if refusal is None and person.networked_settlement_suspended_on(day):
        refusal = "networked_settlement_suspended"
    return refusal


def _check_costs(command: SettleClaim, institution: Institution, scheme: str) -> None:
    if command.in_policy_cost > command.total_cost:
        raise Rejected(
            Reason.OUT_OF_RANGE,
            f"in-policy cost {command.in_policy_cost} exceeds total cost {command.total_cost}",
        )
    if command.claim_type == ClaimType.INPATIENT and institution.kind == InstitutionKind.PHARMACY:
        raise Rejected(Reason.SCHEMA_INVALID, f"{institution.code} is a pharmacy: no admissions")
    if command.personal_account_amount > 0 and (
        scheme != Scheme.EMPLOYEE or command.claim_type == ClaimType.INPATIENT
    ):
        raise Rejected(
            Reason.PERSONAL_ACCOUNT_NOT_ALLOWED,
            f"a {scheme} {command.claim_type} claim cannot draw on a personal account",
        )


def _terms(aggregates: Aggregates, command: SettleClaim, region: str, scheme: str) -> PolicyTerms:
    policy = aggregates.policy(region, scheme)
    terms = policy.in_force_at(command.provenance.occurred_at) if policy else None
    if terms is None:
        raise Rejected(
            Reason.NO_POLICY_IN_FORCE,
            f"no {scheme} policy of {region} in force at "
            f"{command.provenance.occurred_at.isoformat()}",
        )
    return terms


def settle_claim(command: SettleClaim, aggregates: Aggregates) -> None:
    """Record a claim paid by the policy in force on its service date, or refused with why."""
    digest = fingerprint(command)
    if is_repeat(aggregates.claim(command.claim_id), digest, f"claim {command.claim_id}"):
        return
    person = known_person(aggregates, command.person_id)
    institution = known_institution(aggregates, command.institution)
    if command.doctor_id is not None:
        known_doctor(aggregates, command.doctor_id)
    moment = command.provenance.occurred_at
    period = person.covered_at(moment)
    scheme = period.scheme if period else person.latest_scheme
    _check_costs(command, institution, scheme)
    refusal = _refusal(command, person, institution, aggregates)
    admission = command.claim_type == ClaimType.INPATIENT
    if refusal is not None:
        share = Share(ZERO, ZERO, ZERO, cap_limited=False)
        personal_part = ZERO
        account = None
    else:
        terms = _terms(aggregates, command, person.region, scheme)
        account = account_of(aggregates, command.person_id, command.provenance)
        day = service_day(moment)
        share = fund_share(
            terms,
            institution.level,
            command.claim_type,
            command.in_policy_cost,
            person.statuses_on(day),
            account.usage_in(day.year),
        )
        personal_part = command.personal_account_amount
        patient_share = command.total_cost - share.fund_share
        if personal_part > patient_share:
            raise Rejected(
                Reason.OUT_OF_RANGE,
                f"personal-account part {personal_part} exceeds the patient share {patient_share}",
            )
        if personal_part > account.balance:
            raise Rejected(
                Reason.INSUFFICIENT_BALANCE,
                f"personal account of {command.person_id} holds {account.balance}, "
                f"not {personal_part}",
            )
    reported = command.reported_fund_share
    claim = Claim(
        claim_id=command.claim_id,
        person_id=command.person_id,
        region=person.region,
        scheme=scheme,
        institution=command.institution,
        institution_level=institution.level,
        doctor_id=command.doctor_id,
        claim_type=command.claim_type,
        total_cost=command.total_cost,
        in_policy_cost=command.in_policy_cost,
        outcome="refused" if refusal else "paid",
        refusal_reason=refusal,
        deductible=share.deductible,
        ratio=share.ratio,
        fund_share=share.fund_share,
        personal_account_amount=personal_part,
        patient_share=command.total_cost - share.fund_share - personal_part,
        admission=admission,
        cap_limited=share.cap_limited,
        reported_fund_share=reported,
        discrepancy=None
        if reported is None or reported == share.fund_share
        else reported - share.fund_share,
        fingerprint=digest,
        postings=settlement_postings(
            person.region,
            scheme,
            command.institution,
            command.person_id,
            share.fund_share,
            personal_part,
        ),
        provenance=command.provenance,
    )
    aggregates.add(claim)
    if account is None:
        return
    account.charge(
        claim_id=command.claim_id,
        year=service_day(moment).year,
        fund_share=share.fund_share,
        personal_account_amount=personal_part,
        admission=admission,
        provenance=command.provenance,
    )


def reverse_claim(command: ReverseClaim, aggregates: Aggregates) -> None:
    """Undo a settlement and the person's year usage it counted."""
    claim = known_claim(aggregates, command.claim_id)
    if claim.person_id != command.person_id:
        raise Rejected(
            Reason.UNKNOWN_CLAIM, f"claim {command.claim_id} is not one of {command.person_id}"
        )
    claim.reverse(reason=command.reason, provenance=command.provenance)
    if claim.outcome != "paid":
        return
    account = account_of(aggregates, command.person_id, command.provenance)
    account.release(
        claim_id=claim.claim_id,
        year=service_day(claim.service_at).year,
        fund_share=claim.fund_share,
        personal_account_amount=claim.personal_account_amount,
        admission=claim.admission,
        provenance=command.provenance,
    )
