"""Reads of the store that the CLI needs: history, dead letters, replays, counts. Each is one
indexed query; none replays the log. The worker's reads are in infra/application/reads.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain import identity
from domain.provenance import Provenance
from infra.store import Ledger
from infra.tallies import Coordinates


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
    "recovery": identity.misuse_recovery_aggregate_id,
    "clawback-parts": identity.clawback_parts_aggregate_id,
}


def entity_candidates(entity: str) -> dict[UUID, str]:
    """Aggregate ids an entity name may denote: `kind:X` (institution, person, account, doctor,
    claim, sanction, clawback, refund, subsidy, recovery), `policy:REGION:SCHEME`, or a bare X
    of any kind. A person's account is shown with the person."""
    kind, _, name = entity.partition(":")
    if kind == "policy" and name:
        region, _, scheme = name.partition(":")
        return {identity.policy_aggregate_id(region, scheme): entity}
    if kind in ENTITY_KINDS and name:
        found = {ENTITY_KINDS[kind](name): f"{kind}:{name}"}
        if kind == "person":
            found[identity.person_account_aggregate_id(name)] = f"account:{name}"
        if kind == "clawback":  # a decision over several institutions, with its parts
            found[identity.clawback_parts_aggregate_id(name)] = f"clawback-parts:{name}"
        return found
    return {make(entity): f"{k}:{entity}" for k, make in ENTITY_KINDS.items()}


def is_known(ledger: Ledger, entities: Sequence[str]) -> bool:
    """Whether the log holds any event about one of the entities (names as `history` takes
    them): one indexed lookup, so a typed id can be told from an idle one."""
    candidates = [uuid for entity in entities for uuid in entity_candidates(entity)]
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT EXISTS (SELECT 1 FROM ledger_events WHERE originator_id = ANY(%s)) AS known",
            (candidates,),
        )
        row = curs.fetchone()
    return bool(row and row["known"])


def domain_event_of(ledger: Ledger, row: Mapping[str, Any]) -> Any:
    """The domain event of a `ledger_events` row (originator_id, originator_version, topic,
    state)."""
    stored = StoredEvent(
        row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
    )
    return ledger.mapper.to_domain_event(stored)


EVENTS_OF_AGGREGATES = (
    "SELECT notification_id, originator_id, originator_version, topic, state"
    " FROM ledger_events WHERE originator_id = ANY(%s) ORDER BY notification_id"
)
EVENTS_OF_TYPES = (
    "SELECT notification_id, originator_id, originator_version, topic, state"
    " FROM ledger_events WHERE split_part(topic, ':', 2) = ANY(%s) ORDER BY notification_id"
)


def _event_rows(ledger: Ledger, query: LiteralString, values: list[Any]) -> list[Any]:
    """The `ledger_events` rows one of the queries above selects, in log order."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(query, (values,))
        return list(curs.fetchall())


def events_by_source(
    ledger: Ledger, topics: Sequence[str], event_types: Sequence[str]
) -> dict[Coordinates, list[Any]]:
    """The domain events of the given types (`Claim.Settled`), by the Kafka coordinates of the
    message that recorded them, for messages read from `topics`."""
    wanted = set(topics)
    found: dict[Coordinates, list[Any]] = {}
    for row in _event_rows(ledger, EVENTS_OF_TYPES, list(event_types)):
        event = domain_event_of(ledger, row)
        source = event.provenance
        if source.source_topic in wanted:
            coordinates = (source.source_topic, source.source_partition, source.source_offset)
            found.setdefault(coordinates, []).append(event)
    return found


def history(ledger: Ledger, entity: str) -> list[HistoryEntry]:
    """Every recorded event about an entity, in the global order of the log."""
    return [entry for entry, _ in history_of(ledger, entity_candidates(entity))]


def history_of(ledger: Ledger, candidates: Mapping[UUID, str]) -> list[tuple[HistoryEntry, UUID]]:
    """Every event of the aggregates, named as given, with each one's aggregate id, in log order."""
    rows = _event_rows(ledger, EVENTS_OF_AGGREGATES, list(candidates))
    return [
        (history_entry(ledger, row, candidates[row["originator_id"]]), row["originator_id"])
        for row in rows
    ]


def history_entry(ledger: Ledger, row: Mapping[str, Any], entity: str) -> HistoryEntry:
    """A `ledger_events` row (notification_id, originator_id, originator_version, topic, state)
    as an entry of the history of `entity`."""
    domain_event = domain_event_of(ledger, row)
    data = {
        k: v
        for k, v in domain_event.__dict__.items()
        if k not in {"originator_id", "originator_version", "timestamp", "provenance"}
    }
    return HistoryEntry(
        position=row["notification_id"],
        entity=entity,
        version=row["originator_version"],
        event_type=type(domain_event).__qualname__,
        provenance=domain_event.provenance,
        data=data,
    )


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


def rejected(
    ledger: Ledger, reason: str | None = None, limit: int = 1000, *, newest_first: bool = False
) -> list[RejectedEntry]:
    """Dead letters, oldest first (or newest first), optionally of one reason."""
    # The limit keeps the first rows of the order: newest first, a long history cannot hide
    # today's rejections behind a thousand old ones.
    order = "DESC" if newest_first else "ASC"
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id, reason, detail, message_id, source_cluster, source_topic,"
            " source_partition, source_offset, message_key, message_value, rejected_at"
            " FROM rejected_messages WHERE (%(reason)s::text IS NULL OR reason = %(reason)s)"
            f" ORDER BY id {order} LIMIT %(limit)s",
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


def events_of_types(ledger: Ledger, event_types: Sequence[str]) -> list[Any]:
    """The domain events of the given types (`Clawback.Ordered`), in log order."""
    return [
        domain_event_of(ledger, row) for row in _event_rows(ledger, EVENTS_OF_TYPES, [*event_types])
    ]
