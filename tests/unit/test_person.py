"""Given events / when command / then events, for insured persons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.person import Person
from domain.reasons import Reason, Rejected
from tests.messages import provenance

JAN = datetime(2019, 1, 1, tzinfo=UTC)
JUN = datetime(2019, 6, 1, tzinfo=UTC)
DEC = datetime(2019, 12, 1, tzinfo=UTC)


def enrolled_person(at: datetime = JAN) -> Person:
    person = Person(
        person_id="P-1",
        region="430422",
        scheme="resident",
        category="adult",
        employer_id=None,
        primary_institution=None,
        provenance=provenance(at),
    )
    person.collect_events()
    return person


def event_names(person: Person) -> list[str]:
    return [type(e).__name__ for e in person.collect_events()]


def test_enrolling_a_new_person_records_enrolled_with_its_provenance() -> None:
    when = provenance(JAN)
    person = Person(
        person_id="P-1",
        region="430422",
        scheme="resident",
        category="adult",
        employer_id=None,
        primary_institution=None,
        provenance=when,
    )
    [created] = person.collect_events()
    assert isinstance(created, Person.Enrolled)
    assert created.provenance == when
    assert person.current_period is not None
    assert person.current_period.started_at == JAN


def test_ending_an_enrollment_closes_the_period_at_the_effective_date() -> None:
    person = enrolled_person()
    person.end_enrollment(reason="moved_away", provenance=provenance(JUN))
    assert event_names(person) == ["EnrollmentEnded"]
    assert person.current_period is None
    assert person.periods[-1].ended_at == JUN


def test_ending_twice_is_refused_as_not_enrolled() -> None:
    person = enrolled_person()
    person.end_enrollment(reason="moved_away", provenance=provenance(JUN))
    person.collect_events()
    with pytest.raises(Rejected) as refusal:
        person.end_enrollment(reason="moved_away", provenance=provenance(DEC))
    assert refusal.value.reason is Reason.NOT_ENROLLED
    assert person.pending_events == []


def test_ending_before_the_enrollment_started_is_refused_as_out_of_order() -> None:
    person = enrolled_person(at=JUN)
    with pytest.raises(Rejected) as refusal:
        person.end_enrollment(reason="moved_away", provenance=provenance(JAN))
    assert refusal.value.reason is Reason.OUT_OF_ORDER
    assert person.pending_events == []


def test_enrolling_while_enrolled_is_refused() -> None:
    person = enrolled_person()
    with pytest.raises(Rejected) as refusal:
        person.enroll_again(
            region="430422",
            scheme="employee",
            category="employee",
            employer_id="E1",
            primary_institution=None,
            provenance=provenance(JUN),
        )
    assert refusal.value.reason is Reason.ALREADY_ENROLLED


def test_re_enrolling_after_an_end_opens_a_new_period() -> None:
    person = enrolled_person()
    person.end_enrollment(reason="switched_scheme", provenance=provenance(JUN))
    person.enroll_again(
        region="430422",
        scheme="employee",
        category="employee",
        employer_id="E1",
        primary_institution=None,
        provenance=provenance(DEC),
    )
    assert event_names(person) == ["EnrollmentEnded", "Reenrolled"]
    assert [p.scheme for p in person.periods] == ["resident", "employee"]
    assert person.current_period is not None
    assert person.current_period.started_at == DEC


def test_replaying_the_events_rebuilds_the_same_person() -> None:
    person = Person(
        person_id="P-2",
        region="430422",
        scheme="resident",
        category="child",
        employer_id=None,
        primary_institution="H43042200011",
        provenance=provenance(JAN),
    )
    person.end_enrollment(reason="lapsed", provenance=provenance(JUN))
    events = person.collect_events()
    rebuilt = None
    for e in events:
        rebuilt = e.mutate(rebuilt)
    assert rebuilt == person
