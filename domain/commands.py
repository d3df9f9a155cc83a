"""Imperative requests the ledger decides on; each carries the provenance of its message."""

from __future__ import annotations

from dataclasses import dataclass

from domain.provenance import Provenance


@dataclass(frozen=True)
class DesignateInstitution:
    """Record that an institution holds a service agreement (InstitutionDesignated)."""

    code: str
    region: str
    name: str
    kind: str
    level: str
    ownership: str
    agreement_no: str
    provenance: Provenance


@dataclass(frozen=True)
class EnrollPerson:
    """Record that a person is covered from the effective date on (PersonEnrolled)."""

    person_id: str
    region: str
    scheme: str
    category: str
    employer_id: str | None
    primary_institution: str | None
    provenance: Provenance


@dataclass(frozen=True)
class EndEnrollment:
    """Record that a person's coverage ends on the effective date (EnrollmentEnded)."""

    person_id: str
    reason: str
    provenance: Provenance


Command = DesignateInstitution | EnrollPerson | EndEnrollment
