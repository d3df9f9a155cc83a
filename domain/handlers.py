"""Command handlers: look up what a decision depends on, decide, and trigger events."""

from __future__ import annotations

from typing import Protocol

from eventsourcing.domain import Aggregate

from domain.commands import Command, DesignateInstitution, EndEnrollment, EnrollPerson
from domain.institution import Institution, check_designation
from domain.person import Person, Scheme
from domain.reasons import Reason, Rejected


class Aggregates(Protocol):
    """What handlers may read: aggregates as recorded so far, including this batch's."""

    def institution(self, code: str) -> Institution | None: ...

    def person(self, person_id: str) -> Person | None: ...


def designate_institution(command: DesignateInstitution, aggregates: Aggregates) -> Institution:
    """Create an institution, or amend the designation of one already known."""
    check_designation(command.code, command.region, command.kind, command.level)
    existing = aggregates.institution(command.code)
    if existing is None:
        return Institution(
            code=command.code,
            region=command.region,
            name=command.name,
            kind=command.kind,
            level=command.level,
            ownership=command.ownership,
            agreement_no=command.agreement_no,
            provenance=command.provenance,
        )
    existing.redesignate(
        name=command.name,
        kind=command.kind,
        level=command.level,
        ownership=command.ownership,
        agreement_no=command.agreement_no,
        provenance=command.provenance,
    )
    return existing


def enroll_person(command: EnrollPerson, aggregates: Aggregates) -> Person:
    """Enroll a new person, or re-enroll one whose coverage had ended."""
    if command.scheme == Scheme.EMPLOYEE and command.employer_id is None:
        raise Rejected(Reason.SCHEMA_INVALID, "employee-scheme enrollment needs an employer_id")
    if command.primary_institution is not None:
        institution = aggregates.institution(command.primary_institution)
        if institution is None:
            raise Rejected(
                Reason.UNKNOWN_REFERENCE,
                f"primary institution {command.primary_institution} has not been designated",
            )
    existing = aggregates.person(command.person_id)
    if existing is None:
        return Person(
            person_id=command.person_id,
            region=command.region,
            scheme=command.scheme,
            category=command.category,
            employer_id=command.employer_id,
            primary_institution=command.primary_institution,
            provenance=command.provenance,
        )
    existing.enroll_again(
        region=command.region,
        scheme=command.scheme,
        category=command.category,
        employer_id=command.employer_id,
        primary_institution=command.primary_institution,
        provenance=command.provenance,
    )
    return existing


def end_enrollment(command: EndEnrollment, aggregates: Aggregates) -> Person:
    """End the coverage of a known person."""
    person = aggregates.person(command.person_id)
    if person is None:
        raise Rejected(Reason.UNKNOWN_REFERENCE, f"person {command.person_id} was never enrolled")
    person.end_enrollment(reason=command.reason, provenance=command.provenance)
    return person


def handle(command: Command, aggregates: Aggregates) -> Aggregate:
    """Decide one command; raises Rejected, leaving every aggregate untouched, if it fails."""
    match command:
        case DesignateInstitution():
            return designate_institution(command, aggregates)
        case EnrollPerson():
            return enroll_person(command, aggregates)
        case EndEnrollment():
            return end_enrollment(command, aggregates)
