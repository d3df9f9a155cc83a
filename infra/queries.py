"""Reads of the store that the worker and the CLI need: message ids, offsets, history, dead
letters. Each is one indexed query; none replays the log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier

from domain import identity
from domain.provenance import Provenance
from infra.store import Ledger


def known_digests(ledger: Ledger, message_ids: Sequence[UUID]) -> Mapping[UUID, bytes]:
    """Content digests of the given message ids that were accepted before."""
    if not message_ids:
        return {}
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT message_id, content_sha256 FROM ledger_messages WHERE message_id = ANY(%s)",
            (list(message_ids),),
        )
        return {row["message_id"]: bytes(row["content_sha256"]) for row in curs.fetchall()}


def stored_offset(ledger: Ledger, tracking_name: str) -> int | None:
    """The last offset of a partition committed with its events, or None."""
    offset: int | None = ledger.recorder_.max_tracking_id(tracking_name)
    return offset


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded event about an entity, with its provenance."""

    position: int
    entity: str
    version: int
    event_type: str
    provenance: Provenance
    data: dict[str, Any]


# Entity kinds `history` can look up, by the prefix a user types (`claim:JS-1`).
ENTITY_KINDS: dict[str, Callable[[str], UUID]] = {
    "institution": identity.institution_aggregate_id,
    "person": identity.person_aggregate_id,
    "account": identity.person_account_aggregate_id,
    "doctor": identity.doctor_aggregate_id,
    "claim": identity.claim_aggregate_id,
    "sanction": identity.sanction_aggregate_id,
    "clawback": identity.clawback_aggregate_id,
    "refund": identity.refund_aggregate_id,
    "subsidy": identity.subsidy_aggregate_id,
}


def entity_candidates(entity: str) -> dict[UUID, str]:
    """Aggregate ids an entity name may denote: `kind:X` (institution, person, account, doctor,
    claim, sanction, clawback, refund, subsidy), `policy:REGION:SCHEME`, or a bare X of any
    kind. A person's account is shown with the person."""
    kind, _, name = entity.partition(":")
    if kind == "policy" and name:
        region, _, scheme = name.partition(":")
        return {identity.policy_aggregate_id(region, scheme): entity}
    if kind in ENTITY_KINDS and name:
        found = {ENTITY_KINDS[kind](name): f"{kind}:{name}"}
        if kind == "person":
            found[identity.person_account_aggregate_id(name)] = f"account:{name}"
        return found
    return {make(entity): f"{k}:{entity}" for k, make in ENTITY_KINDS.items()}


def history(ledger: Ledger, entity: str) -> list[HistoryEntry]:
    """Every recorded event about an entity, in the global order of the log."""
    candidates = entity_candidates(entity)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM ledger_events WHERE originator_id = ANY(%s) ORDER BY notification_id",
            (list(candidates),),
        )
        rows = curs.fetchall()
    entries = []
    for row in rows:
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        domain_event = ledger.mapper.to_domain_event(stored)
        data = {
            k: v
            for k, v in domain_event.__dict__.items()
            if k not in {"originator_id", "originator_version", "timestamp", "provenance"}
        }
        entries.append(
            HistoryEntry(
                position=row["notification_id"],
                entity=candidates[row["originator_id"]],
                version=row["originator_version"],
                event_type=type(domain_event).__qualname__,
                provenance=domain_event.provenance,  # type: ignore[attr-defined]
                data=data,
            )
        )
    return entries


@dataclass(frozen=True)
class RejectedEntry:
    """A dead letter as stored."""

    id: int
    reason: str
    detail: str
    message_id: UUID | None
    source_cluster: str
    source_topic: str
    source_partition: int
    source_offset: int
    message_key: bytes | None
    message_value: bytes | None
    rejected_at: datetime


def rejected(ledger: Ledger, reason: str | None = None, limit: int = 1000) -> list[RejectedEntry]:
    """Dead letters, oldest first, optionally of one reason."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id, reason, detail, message_id, source_cluster, source_topic,"
            " source_partition, source_offset, message_key, message_value, rejected_at"
            " FROM rejected_messages WHERE (%(reason)s::text IS NULL OR reason = %(reason)s)"
            " ORDER BY id LIMIT %(limit)s",
            {"reason": reason, "limit": limit},
        )
        return rejected_entries(curs.fetchall())


def rejected_entries(rows: Sequence[Mapping[str, Any]]) -> list[RejectedEntry]:
    """Dead letters from rows of `rejected_messages`."""
    return [
        RejectedEntry(
            **{
                **row,
                "message_key": _bytes(row["message_key"]),
                "message_value": _bytes(row["message_value"]),
            }
        )
        for row in rows
    ]


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def foreign_writes(
    ledger: Ledger, after: int | None, own: tuple[int, int] | None
) -> tuple[list[UUID], int]:
    """Aggregates written after position `after` except by our own commit at positions `own`,
    and the highest position seen; with `after` None, no aggregates and the log's head.

    Positions are the commit order (the recorder appends under a table lock), so a later call
    from the returned position misses nothing committed in between.
    """
    table = Identifier(ledger.recorder_.events_table_name)
    with ledger.datastore.transaction(commit=False) as curs:
        if after is None:
            curs.execute(SQL("SELECT max(notification_id) AS head FROM {0}").format(table))
            row = curs.fetchone()
            return [], int(row["head"] or 0) if row else 0
        first, last = own if own is not None else (after + 1, after)
        curs.execute(
            SQL(
                "SELECT notification_id, originator_id FROM {0} WHERE"
                " (notification_id > %s AND notification_id < %s) OR notification_id > %s"
            ).format(table),
            (after, first, max(after, last)),
        )
        rows = curs.fetchall()
    head = max([after, *(row["notification_id"] for row in rows)])
    return [row["originator_id"] for row in rows], head


def aggregates(ledger: Ledger, aggregate_ids: Sequence[UUID]) -> dict[UUID, Aggregate | None]:
    """The current state of each aggregate, None for those with no events: one query for all,
    where `Repository.get` takes one per aggregate. The ledger takes no snapshots."""
    if not aggregate_ids:
        return {}
    table = Identifier(ledger.recorder_.events_table_name)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            SQL(
                "SELECT originator_id, originator_version, topic, state FROM {0}"
                " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
            ).format(table),
            (list(aggregate_ids),),
        )
        rows = curs.fetchall()
    history: dict[UUID, list[Any]] = {aggregate_id: [] for aggregate_id in aggregate_ids}
    for row in rows:
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        history[row["originator_id"]].append(ledger.mapper.to_domain_event(stored))
    return {aggregate_id: _replayed(events) for aggregate_id, events in history.items()}


def _replayed(events: Sequence[Any]) -> Aggregate | None:
    # The library's project_aggregate asserts a runtime Protocol on every event, which cost a
    # tenth of the worker's time at a million events; the mapper only makes domain events.
    aggregate: Aggregate | None = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
