"""Commands of designations and enrollment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


@dataclass(frozen=True)
class RenewEnrollment:
    """Record the annual renewal of an enrollment in force (EnrollmentRenewed)."""

    person_id: str
    year: int
    category: str | None
    provenance: Provenance


@dataclass(frozen=True)
class CertifyStatus:
    """Record a certified special status from the effective date on (StatusCertified)."""

    person_id: str
    status: str
    certified_by: str
    certificate_no: str
    effective_to: date | None
    provenance: Provenance


@dataclass(frozen=True)
class RevokeStatus:
    """End a certified status from the effective date on (StatusRevoked)."""

    person_id: str
    status: str
    reason: str
    provenance: Provenance
