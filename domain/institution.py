"""Designated medical institutions (定点医药机构) and their service agreements."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import institution_aggregate_id
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected

# H + 6-digit pooling region + 5-digit sequence for hospitals and clinics, P… for pharmacies.
INSTITUTION_CODE = re.compile(r"^[HP]\d{11}$")


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
    if not INSTITUTION_CODE.match(code):
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
