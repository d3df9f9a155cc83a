"""Handlers of contributions, subsidies, disbursements and deposit releases."""

from __future__ import annotations

from domain.commands import (
    GrantSubsidy,
    MakeDisbursement,
    PayContribution,
    ReleaseDeposit,
    fingerprint,
)
from domain.handlers.lookup import (
    Aggregates,
    account_of,
    is_repeat,
    known_institution,
    known_person,
)
from domain.person import Scheme
from domain.postings import Posting, balanced, payer, personal_account, pooled_fund
from domain.reasons import Reason, Rejected
from domain.subsidy import Subsidy, subsidy_postings


def pay_contribution(command: PayContribution, aggregates: Aggregates) -> None:
    """Record a contribution into the pooled fund and, for employees, the personal account."""
    person = known_person(aggregates, command.person_id)
    scheme = person.latest_scheme
    personal_part = command.personal_account_amount
    if personal_part > command.amount:
        raise Rejected(
            Reason.OUT_OF_RANGE,
            f"personal-account part {personal_part} exceeds the contribution {command.amount}",
        )
    if personal_part > 0 and scheme != Scheme.EMPLOYEE:
        raise Rejected(
            Reason.PERSONAL_ACCOUNT_NOT_ALLOWED, f"{command.person_id} is a {scheme}, no account"
        )
    if command.payer == "employer":
        if person.employer_id is None:
            raise Rejected(Reason.SCHEMA_INVALID, f"{command.person_id} has no employer")
        source = payer("employer", person.employer_id)
    else:
        source = payer("payer", command.person_id)
    expected = None
    if scheme == Scheme.RESIDENT:
        policy = aggregates.policy(person.region, scheme)
        terms = policy.in_force_at(command.provenance.occurred_at) if policy else None
        expected = terms.resident_contribution if terms else None
    postings = balanced(
        [
            Posting(source, -command.amount),
            Posting(pooled_fund(person.region, scheme), command.amount - personal_part),
            Posting(personal_account(command.person_id), personal_part),
        ]
    )
    account = account_of(aggregates, command.person_id, command.provenance)
    account.record_contribution(
        year=command.year,
        payer=command.payer,
        region=person.region,
        scheme=scheme,
        amount=command.amount,
        personal_account_amount=personal_part,
        expected_amount=expected,
        amount_differs=expected is not None and expected != command.amount,
        postings=postings,
        provenance=command.provenance,
    )


def grant_subsidy(command: GrantSubsidy, aggregates: Aggregates) -> None:
    """Record a subsidy paid into a pooled fund; nothing for an identical re-send."""
    existing = aggregates.subsidy(command.subsidy_id)
    digest = fingerprint(command)
    if is_repeat(existing, digest, f"subsidy {command.subsidy_id}"):
        return
    subsidy = Subsidy(
        subsidy_id=command.subsidy_id,
        region=command.region,
        scheme=command.scheme,
        year=command.year,
        level=command.level,
        amount=command.amount,
        insured_count=command.insured_count,
        fingerprint=digest,
        postings=subsidy_postings(command.region, command.scheme, command.level, command.amount),
        provenance=command.provenance,
    )
    aggregates.add(subsidy)


def make_disbursement(command: MakeDisbursement, aggregates: Aggregates) -> None:
    """Pay an institution, holding the deposit rate of the policy in force."""
    institution = known_institution(aggregates, command.institution)
    policy = aggregates.policy(institution.region, command.scheme)
    terms = policy.in_force_at(command.provenance.occurred_at) if policy else None
    if terms is None:
        raise Rejected(
            Reason.NO_POLICY_IN_FORCE,
            f"no {command.scheme} policy of {institution.region} in force at "
            f"{command.provenance.occurred_at.isoformat()}",
        )
    institution.disburse(
        period=command.period,
        scheme=command.scheme,
        amount=command.amount,
        deposit_rate=terms.deposit_rate,
        provenance=command.provenance,
    )


def release_deposit(command: ReleaseDeposit, aggregates: Aggregates) -> None:
    """Pay out held deposit of a designated institution."""
    institution = known_institution(aggregates, command.institution)
    institution.release_deposit(
        year=command.year, amount=command.amount, provenance=command.provenance
    )
