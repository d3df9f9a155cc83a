"""Commands for domain tests, valid by default, with the default policy of domain.md."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.calendar import REGION_TZ
from domain.commands import (
    CertifyStatus,
    DesignateInstitution,
    EnrollPerson,
    ImposeSanction,
    PublishPolicy,
    RegisterDoctor,
    SettleClaim,
)
from domain.policy import PolicyTerms
from domain.provenance import Provenance
from tests.messages import provenance

REGION = "430422"
LEVEL_3 = "H43042200011"
LEVEL_2 = "H43042200012"
PHARMACY = "P43042200013"
DOCTOR = "D-7"


def on(day: date | str, hour: int = 10) -> Provenance:
    """Provenance of a message whose valid time is the given local day."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return provenance(datetime(d.year, d.month, d.day, hour, tzinfo=REGION_TZ))


def d(text: str) -> date:
    return date.fromisoformat(text)


def default_terms(**changes: Any) -> PolicyTerms:
    values: dict[str, Any] = {
        "deductible": {
            "community": Decimal("100.00"),
            "1": Decimal("100.00"),
            "2": Decimal("300.00"),
            "3": Decimal("500.00"),
            "none": Decimal("0.00"),
        },
        "ratio": {
            "community": Decimal("0.65"),
            "1": Decimal("0.65"),
            "2": Decimal("0.60"),
            "3": Decimal("0.55"),
            "none": Decimal("0.55"),
        },
        "outpatient_ratio": Decimal("0.50"),
        "later_admission_reduction": Decimal("0.20"),
        "special_status_ratio": Decimal("0.80"),
        "registered_poor_bonus": Decimal("0.10"),
        "annual_cap": Decimal("300000.00"),
        "resident_contribution": Decimal("250.00"),
        "deposit_rate": Decimal("0.10"),
    }
    values.update(changes)
    return PolicyTerms(**values)


def publish(scheme: str = "resident", day: str = "2019-01-01", **changes: Any) -> PublishPolicy:
    return PublishPolicy(REGION, scheme, default_terms(**changes), on(day, 0))


def designate(
    code: str = LEVEL_3, level: str = "3", kind: str = "hospital"
) -> DesignateInstitution:
    return DesignateInstitution(
        code=code,
        region=REGION,
        name=code,
        kind=kind,
        level=level,
        ownership="public",
        agreement_no=f"A-{code}",
        provenance=on("2019-01-01", 0),
    )


def enroll(
    person_id: str = "P-1", scheme: str = "resident", day: str = "2019-01-01"
) -> EnrollPerson:
    return EnrollPerson(
        person_id=person_id,
        region=REGION,
        scheme=scheme,
        category="employee" if scheme == "employee" else "adult",
        employer_id="E-1" if scheme == "employee" else None,
        primary_institution=None,
        provenance=on(day, 0),
    )


def register_doctor(doctor_id: str = DOCTOR) -> RegisterDoctor:
    return RegisterDoctor(doctor_id, REGION, (LEVEL_3,), on("2019-01-01", 0))


def certify(status: str, person_id: str = "P-1", day: str = "2019-01-01") -> CertifyStatus:
    return CertifyStatus(person_id, status, "civil-affairs", "C-1", None, on(day, 0))


def settle(
    claim_id: str = "C-1",
    in_policy: str = "12000.00",
    total: str | None = None,
    day: str = "2019-05-03",
    *,
    person_id: str = "P-1",
    institution: str = LEVEL_3,
    claim_type: str = "inpatient",
    doctor_id: str | None = None,
    personal_account: str = "0.00",
    reported: str | None = None,
) -> SettleClaim:
    return SettleClaim(
        claim_id=claim_id,
        region=REGION,
        person_id=person_id,
        institution=institution,
        doctor_id=doctor_id,
        claim_type=claim_type,
        total_cost=Decimal(total or in_policy),
        in_policy_cost=Decimal(in_policy),
        personal_account_amount=Decimal(personal_account),
        reported_fund_share=None if reported is None else Decimal(reported),
        provenance=on(day),
    )


def sanction(
    sanction_id: str = "S-1",
    kind: str = "fine",
    *,
    target_kind: str = "institution",
    target_id: str = LEVEL_3,
    legal_basis: str = "article_38",
    decided: str = "2019-06-01",
    effective_from: str = "2019-06-01",
    effective_to: str | None = None,
    **fields: Any,
) -> ImposeSanction:
    values: dict[str, Any] = {
        "base_amount": None,
        "multiple": None,
        "fine_amount": None,
        "points": None,
        "suspension_months": None,
        "referred_to": None,
    }
    values.update(fields)
    return ImposeSanction(
        sanction_id=sanction_id,
        region=REGION,
        kind=kind,
        target_kind=target_kind,
        target_id=target_id,
        case_id="CASE-1",
        decision_document="DOC-1",
        decision_date=d(decided),
        effective_from=d(effective_from),
        effective_to=None if effective_to is None else d(effective_to),
        legal_basis=legal_basis,
        violation="phantom_bed",
        provenance=on(decided),
        **values,
    )
