"""A batch commits its events, offsets, message ids and dead letters together, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from consumers.batch import BatchDecider, InboundRecord
from consumers.contract import Coordinates
from consumers.topics import Topics
from infra.queries import history, known_digests, stored_offset
from infra.store import Ledger, offset_tracking_name
from tests.integration.store_reads import counts
from tests.messages import HOSPITAL, designated, encode, enrolled

NOW = datetime(2020, 1, 15, tzinfo=UTC)


def decider(ledger: Ledger) -> BatchDecider:
    return BatchDecider(
        ledger.repository, lambda ids: known_digests(ledger, ids), Topics("ledger."), "cluster-a"
    )


def record(suffix: str, offset: int, value: bytes) -> InboundRecord:
    return InboundRecord(Coordinates(f"ledger.{suffix}", 0, offset), b"k", value)


def test_a_designation_later_in_the_batch_is_known_to_an_enrollment_citing_it(
    ledger: Ledger,
) -> None:
    outcome = decider(ledger).decide(
        [
            record("enrollment", 0, encode(enrolled("P-1", primary_institution=HOSPITAL))),
            record("reference", 0, encode(designated())),
        ],
        NOW,
    )
    assert outcome.record.rejected == []
    assert [type(e).__qualname__ for e in outcome.events] == [
        "Institution.Designated",
        "Person.Enrolled",
    ]


def test_a_committed_batch_holds_events_offsets_message_ids_and_dead_letters(
    ledger: Ledger,
) -> None:
    outcome = decider(ledger).decide(
        [record("enrollment", 41, encode(enrolled("P-1"))), record("enrollment", 42, b"{")], NOW
    )
    ledger.save(*outcome.events, batch=outcome.record)
    assert counts(ledger) == {"events": 1, "accepted_messages": 1, "rejected_messages": 1}
    name = offset_tracking_name("cluster-a", "ledger.enrollment", 0)
    assert stored_offset(ledger, name) == 42


def test_a_batch_whose_offsets_were_already_committed_writes_nothing(ledger: Ledger) -> None:
    first = decider(ledger).decide([record("enrollment", 5, encode(enrolled("P-1")))], NOW)
    ledger.save(*first.events, batch=first.record)
    # A second writer of the same partition decided the next messages from stale offsets.
    stale = decider(ledger).decide(
        [record("enrollment", 4, encode(enrolled("P-2"))), record("enrollment", 5, b"{")], NOW
    )
    with pytest.raises(IntegrityError):
        ledger.save(*stale.events, batch=stale.record)
    assert counts(ledger) == {"events": 1, "accepted_messages": 1, "rejected_messages": 0}
    assert history(ledger, "P-2") == []


def test_the_same_message_id_accepted_twice_in_one_batch_is_stored_once(ledger: Ledger) -> None:
    message = enrolled("P-1")
    outcome = decider(ledger).decide(
        [record("enrollment", 0, encode(message)), record("enrollment", 1, encode(message))], NOW
    )
    assert (len(outcome.events), outcome.duplicates) == (1, 1)
    ledger.save(*outcome.events, batch=outcome.record)
    assert set(known_digests(ledger, [UUID(message["message_id"])])) == {
        UUID(message["message_id"])
    }
