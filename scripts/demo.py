"""`make demo`: the whole path once, on embedded services, in about half a minute."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from consumers.ingest import IngestStats
from consumers.topics import Topics
from infra.kafka import make_producer
from infra.queries import counts, history, rejected
from infra.services import up
from infra.settings import Settings
from infra.store import open_ledger
from scripts import output
from scripts.publish import Outgoing, publish, route
from scripts.sample import bad_lines, sample_messages

IngestRun = Callable[[Settings, float | None, bool], IngestStats]


def say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text)


def run_demo(settings: Settings, ingest: IngestRun, quiet: bool) -> int:
    """Publish a sample through Kafka, ingest it, send bad input and a re-send, show the store."""
    topics = Topics(settings.topic_prefix)
    endpoints = up(settings)
    say(
        quiet,
        f"services: PostgreSQL {endpoints.database_url}\n          Kafka {endpoints.bootstrap}",
    )
    good = sample_messages()
    lines = [json.dumps(m, ensure_ascii=False).encode() for m in good]
    producer = make_producer(endpoints.bootstrap)
    try:
        # Kafka orders messages within a partition, not across topics: reference data is
        # ingested first so that the enrollments citing it find it (see docs/operations.md).
        is_reference = [m["type"] == "InstitutionDesignated" for m in good]
        reference = [ln for ln, ref in zip(lines, is_reference, strict=True) if ref]
        enrollment = [ln for ln, ref in zip(lines, is_reference, strict=True) if not ref]
        say(quiet, f"\n1. publishing {len(reference)} designations, then ingesting them")
        publish(producer, route(reference, topics, None), quiet)
        first = ingest(settings, 2.0, quiet)
        say(quiet, f"   {output.stats_dict(first)}")
        say(quiet, f"2. publishing {len(enrollment)} enrollment messages, then ingesting them")
        publish(producer, route(enrollment, topics, None), quiet)
        enrolled = ingest(settings, 2.0, quiet)
        say(quiet, f"   {output.stats_dict(enrolled)}")
        say(quiet, "3. a source re-sends one message and sends five it should not have")
        resend = route(lines[-1:], topics, None)
        hostile = [Outgoing(topics.inbound("enrollment"), b"demo", b) for b in bad_lines()]
        publish(producer, resend + hostile, quiet)
        second = ingest(settings, 2.0, quiet)
        say(quiet, f"   {output.stats_dict(second)}")
    finally:
        producer.close()
    ledger = open_ledger(endpoints.database_url)
    try:
        summary = counts(ledger)
        institution = good[0]["payload"]["code"]
        person = next(m for m in good if m["type"] == "EnrollmentEnded")["payload"]["person_id"]
        if quiet:
            output.print_json(
                {
                    "store": summary,
                    "first": output.stats_dict(first),
                    "enrollments": output.stats_dict(enrolled),
                    "second": output.stats_dict(second),
                    "at": datetime.now(UTC),
                }
            )
            return 0
        print("\n4. the store now holds")
        output.key_values(summary)
        print(f"\n   history of institution {institution}:")
        output.history_table(history(ledger, institution))
        print(f"\n   history of person {person}:")
        output.history_table(history(ledger, person))
        print("\n   rejected messages (kept with their original bytes):")
        output.rejected_table(rejected(ledger))
        from scripts.asof_story import demo_story  # noqa: PLC0415 - the read models' hook

        demo_story(ledger, institution)
    finally:
        ledger.close()
    print(
        "\nQuery further:   .venv/bin/claims-ledger history <code or person id> [--json]\n"
        "                 .venv/bin/claims-ledger rejected [--json]\n"
        "Stop services:   .venv/bin/claims-ledger down   (PostgreSQL data stays in .ledger/pg)"
    )
    return 0
