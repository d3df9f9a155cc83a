"""Designations: consistency of code, region, kind and level; effective-dated amendments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.institution import Institution, check_designation
from domain.reasons import Reason, Rejected
from tests.messages import provenance

JAN = datetime(2019, 1, 1, tzinfo=UTC)
JUL = datetime(2019, 7, 1, tzinfo=UTC)


def hospital(at: datetime = JAN) -> Institution:
    institution = Institution(
        code="H43042200011",
        region="430422",
        name="County People's Hospital",
        kind="hospital",
        level="2",
        ownership="public",
        agreement_no="XY-1",
        provenance=provenance(at),
    )
    institution.collect_events()
    return institution


@pytest.mark.parametrize(
    ("code", "region", "kind", "level", "why"),
    [
        ("H4304220001", "430422", "hospital", "2", "not H/P + 11 digits"),
        ("H43042200011", "430421", "hospital", "2", "belongs to region 430422"),
        ("H43042200011", "430422", "pharmacy", "none", "iff pharmacy"),
        ("P43042200011", "430422", "hospital", "2", "iff pharmacy"),
        ("H43042200011", "430422", "hospital", "none", "cannot have level"),
        ("P43042200011", "430422", "pharmacy", "3", "cannot have level"),
    ],
)
def test_inconsistent_designations_are_refused(
    code: str, region: str, kind: str, level: str, why: str
) -> None:
    with pytest.raises(Rejected) as refusal:
        check_designation(code, region, kind, level)
    assert refusal.value.reason is Reason.SCHEMA_INVALID
    assert why in refusal.value.detail


def test_a_consistent_pharmacy_designation_passes() -> None:
    check_designation("P43042200001", "430422", "pharmacy", "none")


def test_a_later_designation_amends_the_grade_from_its_effective_date() -> None:
    institution = hospital()
    institution.redesignate(
        name="County People's Hospital",
        kind="hospital",
        level="3",
        ownership="public",
        agreement_no="XY-2",
        provenance=provenance(JUL),
    )
    [amended] = institution.collect_events()
    assert isinstance(amended, Institution.Redesignated)
    assert (institution.level, institution.designated_from) == ("3", JUL)


def test_a_designation_older_than_the_one_in_force_is_refused() -> None:
    institution = hospital(at=JUL)
    with pytest.raises(Rejected) as refusal:
        institution.redesignate(
            name="X",
            kind="hospital",
            level="3",
            ownership="public",
            agreement_no="XY-0",
            provenance=provenance(JAN),
        )
    assert refusal.value.reason is Reason.OUT_OF_ORDER
    assert institution.pending_events == []
