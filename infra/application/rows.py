"""The rows a batch writes beside its events, in the events' transaction (`LedgerRecorder`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import Tracking


@dataclass(frozen=True)
class AcceptedMessage:
    """An accepted message's idempotency row."""

    message_id: UUID
    content_sha256: bytes
    message_type: str
    source_cluster: str
    source_topic: str
    source_partition: int
    source_offset: int
    recorded_at: datetime


@dataclass(frozen=True)
class SourceRecord:
    """The Kafka record a message came in, kept whole: where it was read, its key and value.
    Its fields come first in the rows that keep one, in the order of their table's columns."""

    source_cluster: str
    source_topic: str
    source_partition: int
    source_offset: int
    message_key: bytes | None
    message_value: bytes | None


@dataclass(frozen=True)
class DeadLetter(SourceRecord):
    """A message that could not be accepted, kept whole with its reason."""

    message_id: UUID | None
    reason: str
    detail: str
    rejected_at: datetime
    # The canonical content's digest of a message that passed the contract: its first decision
    # fixes what its message id means (docs/events.md, "Message identity"). None otherwise.
    content_sha256: bytes | None = None


@dataclass(frozen=True)
class HeldRow(SourceRecord):
    """A message held until an entity it references is known (infra/application/held.py)."""

    message_id: UUID
    content_sha256: bytes
    message_type: str
    entity_keys: list[str]
    awaits: str | None  # "kind id" of the awaited entity; None when held behind another message
    reason: str  # the dead letter's reason should the hold limit pass
    detail: str
    queue_position: int  # the order in which held messages are decided once ready
    stream_at: datetime | None  # the record's producer timestamp: the hold limit's clock
    held_at: datetime


@dataclass(frozen=True)
class HeldRelease:
    """A held message leaving the hold: decided (accepted, rejected or held again under a
    new row) or expired into a dead letter; at most one per hold row."""

    held_id: int
    outcome: str  # decided or expired
    released_at: datetime


@dataclass(frozen=True)
class ReplayOutcome:
    """What became of a replayed dead letter, written with the batch that decided it."""

    rejected_id: int
    kind: str  # accepted, duplicate or rejected
    reason: str | None
    detail: str
    source_topic: str
    source_partition: int
    source_offset: int
    recorded_at: datetime


@dataclass
class BatchRecord:
    """Everything besides events that one poll batch writes in the events' transaction."""

    offsets: list[Tracking] = field(default_factory=list)
    accepted: list[AcceptedMessage] = field(default_factory=list)
    rejected: list[DeadLetter] = field(default_factory=list)
    replays: list[ReplayOutcome] = field(default_factory=list)
    holds: list[HeldRow] = field(default_factory=list)
    releases: list[HeldRelease] = field(default_factory=list)


def offset_tracking_name(cluster_id: str, topic: str, partition: int) -> str:
    """Tracking key of a partition. The cluster id is part of it because offsets only mean
    something within one cluster: a fresh memory-only broker starts again at offset 0."""
    return f"kafka:{cluster_id}:{topic}:{partition}"


OFFSET_TRACKING_PREFIX = "kafka:"


def parse_offset_tracking_name(name: str) -> tuple[str, str, int]:
    """(cluster id, topic, partition) of a name `offset_tracking_name` built. A Kafka topic
    name holds no colon, so the last two fields split off safely whatever the cluster id."""
    cluster_id, topic, partition = name.removeprefix(OFFSET_TRACKING_PREFIX).rsplit(":", 2)
    return cluster_id, topic, int(partition)
