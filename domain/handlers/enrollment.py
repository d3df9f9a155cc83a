"""Handlers of designations and enrollment."""

from __future__ import annotations

from domain.commands import (
    CertifyStatus,
    DesignateInstitution,
    EndEnrollment,
    EnrollPerson,
    RenewEnrollment,
    RevokeStatus,
)
from domain.handlers.lookup import Aggregates, known_person
from domain.institution import Institution, check_designation
from domain.person import Person, Scheme
from domain.reasons import Awaited, Reason, Rejected


def designate_institution(command: DesignateInstitution, aggregates: Aggregates) -> None:
    """Create an institution, or amend the designation of one already known."""
    check_designation(command.code, command.region, command.kind, command.level)
    existing = aggregates.institution(command.code)
    if existing is None:
        institution = Institution(
            code=command.code,
            region=command.region,
            name=command.name,
            kind=command.kind,
            level=command.level,
            ownership=command.ownership,
            agreement_no=command.agreement_no,
            provenance=command.provenance,
        )
        aggregates.add(institution)
        return
    existing.redesignate(
        name=command.name,
        kind=command.kind,
        level=command.level,
        ownership=command.ownership,
        agreement_no=command.agreement_no,
        provenance=command.provenance,
    )


def enroll_person(command: EnrollPerson, aggregates: Aggregates) -> None:
    """Enroll a new person, or re-enroll one whose coverage had ended."""
    if command.scheme == Scheme.EMPLOYEE and command.employer_id is None:
        raise Rejected(Reason.SCHEMA_INVALID, "employee-scheme enrollment needs an employer_id")
    if command.primary_institution is not None:
        institution = aggregates.institution(command.primary_institution)
        if institution is None:
            raise Rejected(
                Reason.UNKNOWN_REFERENCE,
                f"primary institution {command.primary_institution} has not been designated",
                Awaited("institution", command.primary_institution),
            )
    existing = aggregates.person(command.person_id)
    if existing is None:
        person = Person(
            person_id=command.person_id,
            region=command.region,
            scheme=command.scheme,
            category=command.category,
            employer_id=command.employer_id,
            primary_institution=command.primary_institution,
            provenance=command.provenance,
        )
        aggregates.add(person)
        return
    existing.enroll_again(
        region=command.region,
        scheme=command.scheme,
        category=command.category,
        employer_id=command.employer_id,
        primary_institution=command.primary_institution,
        provenance=command.provenance,
    )


def end_enrollment(command: EndEnrollment, aggregates: Aggregates) -> None:
    """End the coverage of a known person."""
    person = known_person(aggregates, command.person_id)
    person.end_enrollment(reason=command.reason, provenance=command.provenance)


def renew_enrollment(command: RenewEnrollment, aggregates: Aggregates) -> None:
    """Record the annual renewal of a person's enrollment."""
    person = known_person(aggregates, command.person_id)
    person.renew(year=command.year, category=command.category, provenance=command.provenance)


def certify_status(command: CertifyStatus, aggregates: Aggregates) -> None:
    """Record a certified status of a known person."""
    person = known_person(aggregates, command.person_id)
    person.certify(
        status=command.status,
        certified_by=command.certified_by,
        certificate_no=command.certificate_no,
        effective_to=command.effective_to,
        provenance=command.provenance,
    )


def revoke_status(command: RevokeStatus, aggregates: Aggregates) -> None:
    """End a certified status of a known person."""
    person = known_person(aggregates, command.person_id)
    person.revoke_status(
        status=command.status, reason=command.reason, provenance=command.provenance
    )
