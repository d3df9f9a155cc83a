"""The held queue on its own: the order held messages are decided in, entity order, the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain import identity
from domain.commands import Command, EnrollPerson, RefuseClaim, SettleClaim
from domain.reasons import Awaited, Reason
from infra.application.held import HeldQueue, Hold, HoldLimit
from infra.application.inbound import Coordinates, Decoded, InboundRecord
from tests.messages import provenance
from tests.seeds import seeded_uuid

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PERSON = Awaited("person", "P-1")


def settle(claim_id: str, person_id: str = "P-1") -> SettleClaim:
    return SettleClaim(
        claim_id=claim_id,
        region="430422",
        person_id=person_id,
        institution="H1",
        doctor_id=None,
        claim_type="outpatient",
        total_cost=Decimal("10.00"),
        in_policy_cost=Decimal("10.00"),
        personal_account_amount=Decimal("0.00"),
        reported_fund_share=None,
        provenance=provenance(T0),
    )


def enroll(person_id: str, primary_institution: str) -> EnrollPerson:
    return EnrollPerson(
        person_id=person_id,
        region="430422",
        scheme="resident",
        category="adult",
        employer_id=None,
        primary_institution=primary_institution,
        provenance=provenance(T0),
    )


def refuse(claim_id: str) -> RefuseClaim:
    return RefuseClaim(
        claim_id=claim_id,
        institution="H1",
        amount=Decimal("5.00"),
        case_id="C-1",
        violation="duplicate_billing",
        detection_source="audit",
        provenance=provenance(T0),
    )


def held_by(
    queue: HeldQueue, offset: int, command: Command, awaits: Awaited | None, at: datetime = T0
) -> None:
    message = Decoded(seeded_uuid(), type(command).__name__, bytes(32), command)
    record = InboundRecord(Coordinates("ledger.claims", 0, offset), None, b"{}", message, at)
    queue.hold(record, message, Hold(Reason.UNKNOWN_REFERENCE, "not yet", awaits), AT)


def offsets_ready(queue: HeldQueue) -> list[int]:
    taken = []
    while (ready := queue.next_ready(AT)) is not None:
        taken.append(ready.record.coordinates.offset)
    return taken


def test_nothing_is_ready_until_the_awaited_entity_gets_an_event() -> None:
    queue = HeldQueue([], HoldLimit())
    held_by(queue, 0, settle("C-1"), PERSON)
    assert offsets_ready(queue) == []
    queue.arrived({identity.person_aggregate_id("P-2")})
    assert offsets_ready(queue) == []
    queue.arrived({identity.person_aggregate_id("P-1")})
    assert offsets_ready(queue) == [0]
    assert len(queue) == 0


def test_a_message_behind_a_held_one_of_its_entity_waits_and_then_follows_in_order() -> None:
    queue = HeldQueue([], HoldLimit())
    held_by(queue, 0, settle("C-1"), PERSON)
    assert queue.blocker(("claim:C-1",)) is not None
    assert queue.blocker(("claim:C-9",)) is None
    held_by(queue, 1, refuse("C-1"), None)  # about the same claim: behind it, ready at once
    held_by(queue, 2, settle("C-2", "P-2"), None)  # another entity: not behind anything
    assert offsets_ready(queue) == [2]  # the refusal still waits behind the settlement
    # What may make the awaited person known is not held behind what awaits it.
    assert queue.blocker(("person:P-1",)) is None
    queue.arrived({identity.person_aggregate_id("P-1")})
    assert offsets_ready(queue) == [0, 1]


def test_stream_time_past_the_limit_expires_the_oldest_and_count_the_surplus() -> None:
    queue = HeldQueue([], HoldLimit(stream_time=timedelta(hours=1), max_messages=2))
    held_by(queue, 0, settle("C-1"), PERSON, T0)
    held_by(queue, 1, settle("C-2", "P-2"), Awaited("person", "P-2"), T0 + timedelta(minutes=30))
    assert queue.expired(T0 + timedelta(hours=1), AT) == []  # exactly the limit: still held
    gone = queue.expired(T0 + timedelta(hours=1, seconds=1), AT)
    assert [g.record.coordinates.offset for g in gone] == [0]
    held_by(queue, 2, settle("C-3", "P-3"), Awaited("person", "P-3"))
    held_by(queue, 3, settle("C-4", "P-4"), Awaited("person", "P-4"))
    assert [g.record.coordinates.offset for g in queue.expired(None, AT)] == [1]
    assert [h.record.coordinates.offset for h in queue] == [2, 3]


def test_only_stored_rows_that_leave_the_hold_get_a_release_row() -> None:
    queue = HeldQueue([], HoldLimit())
    held_by(queue, 0, settle("C-1"), PERSON)
    queue.arrived({identity.person_aggregate_id("P-1")})
    assert offsets_ready(queue) == [0]
    assert (queue.new, queue.releases) == ([], [])


def test_a_held_message_that_would_make_known_what_an_earlier_one_awaits_is_not_behind_it() -> None:
    queue = HeldQueue([], HoldLimit())
    held_by(queue, 0, settle("C-1"), PERSON)  # waits for P-1's enrollment
    enrollment = enroll("P-1", primary_institution="H9")
    held_by(queue, 1, enrollment, Awaited("institution", "H9"))  # P-1's, waits for H9
    queue.arrived({identity.institution_aggregate_id("H9")})
    assert offsets_ready(queue) == [1]  # decided although an earlier P-1 message is held
