"""What the fault tests publish: what settlements cite, settlements, clawbacks of them,
enrollments with re-sends, and poison from the hostile corpus, each on its type's topic."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from consumers.topics import Topics
from infra.kafka import make_producer
from infra.settings import Settings
from tests.examples import documented
from tests.hostile import hostile_cases, record_bytes, worker_records
from tests.messages import designated, encode, enrolled

HOSPITAL = "H43042200011"
SERVICE_DAY = "2019-05-03T10:20:00+08:00"


@dataclass(frozen=True)
class Record:
    """One record to publish: the inbound topic's suffix, the key and the value."""

    suffix: str
    key: bytes
    value: bytes


def of(suffix: str, document: dict[str, Any]) -> Record:
    """A message keyed by its entity, as the contract asks of producers."""
    payload = document["payload"]
    entity = payload.get("person_id") or payload.get("code") or payload.get("institution")
    return Record(suffix, str(entity).encode(), encode(document))


def publish(settings: Settings, records: Sequence[Record]) -> int:
    """Publish in this order and wait for every acknowledgement; the number published."""
    assert settings.kafka_bootstrap_servers is not None
    topics = Topics(settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        futures = [
            producer.send(topics.inbound(r.suffix), key=r.key, value=r.value) for r in records
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    return len(records)


def settlement_references() -> list[Record]:
    """What a settlement cites: the policy, the hospital (designated before the service day)
    and the person, enrolled with no primary institution so nothing here waits for another."""
    return [
        of("reference", documented("PolicyPublished")),
        of("reference", designated(HOSPITAL, occurred_at="2019-01-01T00:00:00+08:00")),
        of("enrollment", documented("PersonEnrolled", primary_institution=None)),
    ]


def claim_id(n: int) -> str:
    return f"JS-{HOSPITAL}-2019-{n:06d}"


def settlements(count: int) -> list[Record]:
    """Outpatient settlements of the one person: 50.00 each from the fund, far below the cap
    whatever their number, so each is accepted in any order."""
    return [
        of(
            "claims",
            documented(
                "ClaimSettled",
                SERVICE_DAY,
                claim_id=claim_id(n),
                claim_type="outpatient",
                total_cost="120.00",
                in_policy_cost="100.00",
                reported_fund_share=None,
                doctor_id=None,
            ),
        )
        for n in range(count)
    ]


def clawback(lines: int, number: int = 1) -> Record:
    """Order number `number` to claw back 1.00 of each of the first `lines` settlements."""
    return of(
        "clawbacks",
        documented(
            "ClawbackOrdered",
            "2020-04-15T09:00:00+08:00",
            clawback_id=f"ZH-FAULTS-{number}",
            lines=[{"claim_id": claim_id(n), "amount": "1.00"} for n in range(lines)],
        ),
    )


def poison() -> list[Record]:
    """Every refused case of the hostile corpus (each class: text, dates, lookalike, amounts)
    and every record that once broke the worker: each a dead letter, in any order."""
    refused = [
        Record(c.topic_suffix, b"poison", c.raw()) for c in hostile_cases() if c.reason is not None
    ]
    broke = [Record(r["topic"], b"poison", record_bytes(r)) for r in worker_records()]
    return refused + broke


@dataclass(frozen=True)
class Mix:
    """Good messages, identical re-sends, conflicting re-sends and poison, and the fate the
    books must show for them."""

    records: list[Record]
    stored: int
    duplicates: int
    dead: int


def mixed(rng: random.Random, people: int, resent: int, conflicting: int) -> Mix:
    """Enrollments and designations in a seeded order with poison among them; then re-sends of
    some (identical: duplicates) and, after their originals on the same partition, changed
    copies under the same message id (conflicting duplicates: dead letters)."""
    good = [of("enrollment", enrolled(f"P{i:07d}")) for i in range(people)]
    good += [of("reference", designated(f"H4304227{i:04d}")) for i in range(people // 50)]
    # Keyed apart, so the poison sits among the good records of every partition.
    bad = [Record(r.suffix, f"poison-{i}".encode(), r.value) for i, r in enumerate(poison())]
    originals = rng.sample(range(people), resent + conflicting)
    records = good + bad + [good[i] for i in originals[:resent]]
    rng.shuffle(records)
    records += [_conflicting(good[i]) for i in originals[resent:]]
    return Mix(records, len(good), resent, len(bad) + conflicting)


def _conflicting(record: Record) -> Record:
    """The same message id with other content; same key, so it lands after its original."""
    changed = copy.deepcopy(json.loads(record.value))
    changed["payload"]["category"] = "child"
    return Record(record.suffix, record.key, encode(changed))
