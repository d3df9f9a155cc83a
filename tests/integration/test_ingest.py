"""Kafka → validated → PostgreSQL, through the real worker, broker and database."""

from __future__ import annotations

import dataclasses
import json

from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.integration.helpers import (
    create_topics,
    ingest,
    read_topic,
    send,
    settings_in_both_consumer_modes,  # noqa: F401 - the fixture `settings`, in both modes
)
from tests.integration.store_reads import counts
from tests.messages import HOSPITAL, designated, encode, ended, enrolled
from tests.seeds import seeded_uuid


def test_reference_and_enrollment_messages_are_recorded_with_provenance(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    enrollment = enrolled("P-1", primary_institution=HOSPITAL)
    # Published in the order the facts happen (docs/events.md "Timestamps"): the worker decides
    # by the producers' timestamps, so the designation goes before the enrollment citing it.
    send(settings, "reference", [designated()])
    send(
        settings, "enrollment", [enrollment, ended("P-1", occurred_at="2019-09-01T00:00:00+08:00")]
    )
    stats = ingest(settings, ledger)
    assert (stats.accepted, stats.rejected) == (3, 0)
    entries = history(ledger, "P-1")
    assert [e.event_type for e in entries] == ["Person.Enrolled", "Person.EnrollmentEnded"]
    first = entries[0].provenance
    assert str(first.message_id) == enrollment["message_id"]
    assert first.source_topic == f"{settings.topic_prefix}enrollment"
    assert first.recorded_by == "test:source"
    assert [e.event_type for e in history(ledger, HOSPITAL)] == ["Institution.Designated"]


def test_every_bad_input_class_is_kept_with_its_own_reason_and_nothing_is_stored(
    settings: Settings, ledger: Ledger
) -> None:
    topics = create_topics(settings)
    original = enrolled("P-1")
    send(settings, "enrollment", [original])
    assert ingest(settings, ledger).accepted == 1
    missing = enrolled("P-2")
    del missing["payload"]["scheme"]
    wrong_type = enrolled("P-3")
    wrong_type["schema_version"] = "one"
    conflicting = json.loads(json.dumps(original))
    conflicting["payload"]["category"] = "elderly"
    bad = [
        b'{"message_id": "' + str(seeded_uuid()).encode(),  # malformed JSON
        missing,
        wrong_type,
        {**enrolled("P-4"), "type": "PersonTeleported"},
        enrolled("P-5", primary_institution="H43042299999"),
        conflicting,
    ]
    send(settings, "enrollment", bad)
    before = counts(ledger)
    # With a hold limit of none, the enrollment citing an unknown institution is a dead letter
    # at once, as every one held past the limit is (tests/integration/test_held.py).
    stats = ingest(dataclasses.replace(settings, hold_max_messages=0), ledger)
    assert (stats.accepted, stats.rejected) == (0, 6)
    assert counts(ledger)["events"] == before["events"] == 1
    reasons = sorted(r.reason for r in rejected(ledger))
    assert reasons == sorted(
        [
            "malformed_json",
            "schema_invalid",
            "schema_invalid",
            "unknown_type",
            "unknown_reference",
            "conflicting_duplicate",
        ]
    )
    kept = {r.message_value for r in rejected(ledger)}
    assert encode(conflicting) in kept
    dead_letters = read_topic(settings, topics.rejected, expected=6)
    assert sorted(dict(d.headers)["reason"].decode() for d in dead_letters) == reasons
    for person in ("P-2", "P-3", "P-4", "P-5"):
        assert history(ledger, person) == []
    assert [e.data["category"] for e in history(ledger, "P-1")] == ["adult"]


def test_an_identical_resend_is_a_no_op(settings: Settings, ledger: Ledger) -> None:
    create_topics(settings)
    message = enrolled("P-1")
    send(settings, "enrollment", [message])
    ingest(settings, ledger)
    resent = json.loads(json.dumps(message, indent=2, sort_keys=True))  # same content, new bytes
    send(settings, "enrollment", [resent, message])
    stats = ingest(settings, ledger)
    assert (stats.consumed, stats.accepted, stats.duplicates, stats.rejected) == (2, 0, 2, 0)
    assert len(history(ledger, "P-1")) == 1


def test_a_restarted_worker_resumes_after_the_stored_offsets(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    send(settings, "enrollment", [enrolled(f"P-{i}") for i in range(20)])
    assert ingest(settings, ledger).accepted == 20
    send(settings, "enrollment", [enrolled(f"Q-{i}") for i in range(5)])
    second = ingest(settings, ledger)
    assert (second.consumed, second.accepted) == (5, 5)
    assert counts(ledger) == {"events": 25, "accepted_messages": 25, "rejected_messages": 0}
