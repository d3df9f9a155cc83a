"""Dead letters go back to their topic once their cause is fixed; every outcome is recorded and
a second replay of the same message is a duplicate no-op."""

from __future__ import annotations

import dataclasses

from consumers.replay import replay_rejected
from infra.kafka import make_producer
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.store_reads import replay_history
from tests.messages import HOSPITAL, designated, enrolled


def replay(settings: Settings, ledger: Ledger, reason: str | None = None) -> list[int]:
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        return [s.rejected_id for s in replay_rejected(ledger, producer, reason).submitted]
    finally:
        producer.close()


def test_an_enrollment_rejected_for_a_missing_institution_is_accepted_when_replayed(
    settings: Settings, ledger: Ledger
) -> None:
    # With a hold limit of none, a reference not known yet is a dead letter at once, as one
    # held past the limit becomes; replay is how it is decided again once the cause is fixed.
    settings = dataclasses.replace(settings, hold_max_messages=0)
    create_topics(settings)
    send(settings, "enrollment", [enrolled("P-1", primary_institution=HOSPITAL)])
    send(settings, "enrollment", [enrolled("P-2", primary_institution="H43042299999")])
    assert ingest(settings, ledger).rejected == 2
    (first, second) = rejected(ledger)
    assert first.reason == second.reason == "unknown_reference"

    send(settings, "reference", [designated()])
    assert ingest(settings, ledger).accepted == 1
    assert replay(settings, ledger, reason="schema_invalid") == []
    assert replay(settings, ledger, "unknown_reference") == [first.id, second.id]
    assert replay(settings, ledger, "unknown_reference") == [first.id, second.id]  # again
    stats = ingest(settings, ledger)
    assert (stats.accepted, stats.duplicates, stats.rejected) == (1, 1, 2)

    assert [e.event_type for e in history(ledger, "P-1")] == ["Person.Enrolled"]
    assert [(r["kind"], r["reason"]) for r in replay_history(ledger, first.id)] == [
        ("submitted", None),
        ("submitted", None),
        ("accepted", None),
        ("duplicate", None),
    ]
    assert [(r["kind"], r["reason"]) for r in replay_history(ledger, second.id)] == [
        ("submitted", None),
        ("submitted", None),
        ("rejected", "unknown_reference"),
        ("rejected", "unknown_reference"),
    ]
    # The dead letters themselves are unchanged; P-1 is done, P-2 still waits for its cause.
    assert rejected(ledger)[:2] == [first, second]
    assert replay(settings, ledger) == [second.id]
