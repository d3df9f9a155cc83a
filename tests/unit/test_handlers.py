"""Handlers look up what a decision depends on before anything is triggered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.commands import DesignateInstitution, EndEnrollment, EnrollPerson
from domain.handlers import handle
from domain.reasons import Reason, Rejected
from tests.memory import InMemoryAggregates
from tests.messages import HOSPITAL, provenance

AT = datetime(2019, 3, 1, tzinfo=UTC)


def enroll(person_id: str = "P-1", **changes: object) -> EnrollPerson:
    values: dict[str, object] = {
        "person_id": person_id,
        "region": "430422",
        "scheme": "resident",
        "category": "adult",
        "employer_id": None,
        "primary_institution": None,
        "provenance": provenance(AT),
    }
    values.update(changes)
    return EnrollPerson(**values)  # type: ignore[arg-type]


def designate() -> DesignateInstitution:
    return DesignateInstitution(
        code=HOSPITAL,
        region="430422",
        name="H",
        kind="hospital",
        level="3",
        ownership="public",
        agreement_no="XY",
        provenance=provenance(AT),
    )


def test_enrolling_with_an_undesignated_primary_institution_is_an_unknown_reference() -> None:
    with pytest.raises(Rejected) as refusal:
        handle(enroll(primary_institution=HOSPITAL), InMemoryAggregates())
    assert refusal.value.reason is Reason.UNKNOWN_REFERENCE
    assert HOSPITAL in refusal.value.detail


def test_enrolling_with_a_designated_primary_institution_is_accepted() -> None:
    known = InMemoryAggregates.given(designate())
    handle(enroll(primary_institution=HOSPITAL), known)
    person = known.person("P-1")
    assert person is not None
    assert person.primary_institution == HOSPITAL


def test_an_employee_enrollment_without_employer_is_refused() -> None:
    with pytest.raises(Rejected) as refusal:
        handle(enroll(scheme="employee", category="employee"), InMemoryAggregates())
    assert refusal.value.reason is Reason.SCHEMA_INVALID


def test_ending_the_enrollment_of_an_unknown_person_is_an_unknown_reference() -> None:
    command = EndEnrollment(person_id="nobody", reason="other", provenance=provenance(AT))
    with pytest.raises(Rejected) as refusal:
        handle(command, InMemoryAggregates())
    assert refusal.value.reason is Reason.UNKNOWN_REFERENCE


def test_designating_a_known_institution_again_amends_it() -> None:
    known = InMemoryAggregates.given(designate())
    first = known.institution(HOSPITAL)
    assert first is not None
    handle(designate(), known)
    assert known.institution(HOSPITAL) is first
    assert [type(e).__name__ for e in first.collect_events()] == ["Redesignated"]
