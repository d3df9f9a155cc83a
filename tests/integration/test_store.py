"""A batch commits its events, offsets, message ids and dead letters together, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from consumers.ingest import inbound_records
from consumers.topics import Topics
from infra.application.batch import BatchOutcome
from infra.application.rows import offset_tracking_name
from infra.queries import history
from infra.store import Ledger
from tests.integration.store_reads import counts
from tests.messages import HOSPITAL, designated, encode, enrolled

NOW = datetime(2020, 1, 15, tzinfo=UTC)


def record(suffix: str, offset: int, value: bytes) -> Any:
    """A consumed Kafka record, as far as the worker reads one."""
    return SimpleNamespace(
        topic=f"ledger.{suffix}", partition=0, offset=offset, key=b"k", value=value
    )


def decide(ledger: Ledger, consumed: list[Any]) -> BatchOutcome:
    """Decode and decide a poll batch as the worker does."""
    records = inbound_records(consumed, Topics("ledger."), NOW)
    return ledger.decide(records, NOW, cluster_id="cluster-a")


def test_a_designation_later_in_the_batch_is_known_to_an_enrollment_citing_it(
    ledger: Ledger,
) -> None:
    outcome = decide(
        ledger,
        [
            record("enrollment", 0, encode(enrolled("P-1", primary_institution=HOSPITAL))),
            record("reference", 0, encode(designated())),
        ],
    )
    assert outcome.record.rejected == []
    assert [type(e).__qualname__ for e in outcome.events] == [
        "Institution.Designated",
        "Person.Enrolled",
    ]


def test_a_committed_batch_holds_events_offsets_message_ids_and_dead_letters(
    ledger: Ledger,
) -> None:
    outcome = decide(
        ledger, [record("enrollment", 41, encode(enrolled("P-1"))), record("enrollment", 42, b"{")]
    )
    ledger.commit(outcome)
    assert counts(ledger) == {"events": 1, "accepted_messages": 1, "rejected_messages": 1}
    name = offset_tracking_name("cluster-a", "ledger.enrollment", 0)
    assert ledger.reads.stored_offset(name) == 42


def test_a_batch_whose_offsets_were_already_committed_writes_nothing(ledger: Ledger) -> None:
    first = decide(ledger, [record("enrollment", 5, encode(enrolled("P-1")))])
    ledger.commit(first)
    # A second writer of the same partition decided the next messages from stale offsets.
    stale = decide(
        ledger, [record("enrollment", 4, encode(enrolled("P-2"))), record("enrollment", 5, b"{")]
    )
    with pytest.raises(IntegrityError):
        ledger.commit(stale)
    assert counts(ledger) == {"events": 1, "accepted_messages": 1, "rejected_messages": 0}
    assert history(ledger, "P-2") == []


def test_the_same_message_id_accepted_twice_in_one_batch_is_stored_once(ledger: Ledger) -> None:
    message = enrolled("P-1")
    outcome = decide(
        ledger, [record("enrollment", 0, encode(message)), record("enrollment", 1, encode(message))]
    )
    assert (len(outcome.events), outcome.duplicates) == (1, 1)
    ledger.commit(outcome)
    assert set(ledger.reads.known_digests([UUID(message["message_id"])])) == {
        UUID(message["message_id"])
    }
