"""The event store: an eventsourcing application on PostgreSQL whose transactions also carry
Kafka offsets, accepted message ids and dead letters, so a batch commits all of it or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, StoredEvent, Tracking, Transcoding
from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow

from domain.provenance import Provenance
from infra.transcodings import register_domain_transcodings


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


@dataclass
class BatchRecord:
    """Everything besides events that one poll batch writes in the events' transaction."""

    offsets: list[Tracking] = field(default_factory=list)
    accepted: list[AcceptedMessage] = field(default_factory=list)
    rejected: list[DeadLetter] = field(default_factory=list)


def offset_tracking_name(cluster_id: str, topic: str, partition: int) -> str:
    """Tracking key of a partition. The cluster id is part of it because offsets only mean
    something within one cluster: a fresh memory-only broker starts again at offset 0."""
    return f"kafka:{cluster_id}:{topic}:{partition}"


INSERT_ACCEPTED = (
    "INSERT INTO ledger_messages (message_id, content_sha256, message_type, source_cluster,"
    " source_topic, source_partition, source_offset, recorded_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
INSERT_REJECTED = (
    "INSERT INTO rejected_messages (source_cluster, source_topic, source_partition,"
    " source_offset, message_key, message_value, message_id, reason, detail, rejected_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


class LedgerRecorder(PostgresProcessRecorder):
    """The library's process recorder, extended to write a `BatchRecord` atomically."""

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        batch = kwargs.get("batch")
        if isinstance(batch, BatchRecord):
            for tracking in batch.offsets:
                # Single-row tracking refuses an offset that is not ahead of the stored one,
                # so a second writer of the same partition fails instead of doubling events.
                self._insert_tracking(curs, tracking)
            if batch.accepted:
                curs.executemany(INSERT_ACCEPTED, [_row(m) for m in batch.accepted])
            if batch.rejected:
                curs.executemany(INSERT_REJECTED, [_row(d) for d in batch.rejected])
        super()._insert_events(curs, stored_events, **kwargs)


def _row(record: AcceptedMessage | DeadLetter) -> tuple[Any, ...]:
    return tuple(record.__dict__.values())


class DateAsISO(Transcoding):
    """The library has no default transcoding for `datetime.date`."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ProvenanceAsDict(Transcoding):
    type = Provenance
    name = "provenance"

    def encode(self, obj: Provenance) -> dict[str, Any]:
        return dict(obj.__dict__)

    def decode(self, data: dict[str, Any]) -> Provenance:
        return Provenance(**data)


class Ledger(Application[UUID]):
    """The ledger's event-sourced application; its events table is `ledger_events`."""

    name = "Ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ProvenanceAsDict())
        register_domain_transcodings(transcoder)

    def construct_recorder(self) -> LedgerRecorder:
        return cast(LedgerRecorder, self.factory.process_recorder())

    @property
    def recorder_(self) -> LedgerRecorder:
        return cast(LedgerRecorder, self.recorder)

    @property
    def datastore(self) -> PostgresDatastore:
        return cast(PostgresFactory, self.factory).datastore


def ledger_env(database_url: str, *, pool_size: int = 2) -> dict[str, str]:
    """The eventsourcing settings for a PostgreSQL URL (socket directories allowed as host)."""
    params = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_PRE_PING": "y",
        # The library reads SINGLE_ROW_TRACKING (its docs say POSTGRES_SINGLE_ROW_TRACKING).
        "SINGLE_ROW_TRACKING": "y",
        "PROCESS_RECORDER_TOPIC": get_topic(LedgerRecorder),
        # POSTGRES_ENABLE_DB_FUNCTIONS stays off: it skips the lock that keeps the
        # notification order equal to the commit order.
    }


def open_ledger(database_url: str, *, pool_size: int = 2) -> Ledger:
    """Open the store, creating its tables if needed. Nothing here runs at import time."""
    ledger = Ledger(env=ledger_env(database_url, pool_size=pool_size))
    schema = resources.files("infra").joinpath("schema.sql").read_text(encoding="utf-8")
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(schema.encode())
    return ledger
