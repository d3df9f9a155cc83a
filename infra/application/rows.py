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
class DeadLetter:
    """A message that could not be accepted, kept whole with its reason."""

    source_cluster: str
    source_topic: str
    source_partition: int
    source_offset: int
    message_key: bytes | None
    message_value: bytes | None
    message_id: UUID | None
    reason: str
    detail: str
    rejected_at: datetime


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
