"""Messages held until an entity they reference is known, instead of dead-lettered.

A message refused only because an entity it references is not known yet (`Rejected.awaits`)
is held; a later message about one of the same entities (domain/handlers/entities.py) is held
behind it, so each entity's facts keep their order (not behind one that awaits that very
entity: the later message may be what makes it known). Once the awaited entity's aggregate gets
an event, the held message is ready; ready messages are decided in their queue order, each only
when no earlier held message shares one of its entities (with the same exception).

The hold limit is measured in stream time (the producer timestamps of later records), and in
count, so the same records in the same order hold and expire the same messages whatever the
batches were. An expired message becomes a dead letter with the reason it was held for.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.handlers.entities import entity_keys
from domain.reasons import Awaited, Reason
from infra.application.inbound import Coordinates, Decoded, InboundRecord, Undecodable
from infra.application.rows import HeldRelease


@dataclass(frozen=True)
class HoldLimit:
    """How long, in stream time, and how many messages may be held before the oldest expire."""

    stream_time: timedelta = timedelta(days=1)
    max_messages: int = 10_000


DEFAULT_HOLD_LIMIT = HoldLimit()

# Decodes a held record's bytes again when a later batch loads it (the worker's contract).
Decode = Callable[[bytes | None, Coordinates, datetime], Decoded | Undecodable]


@dataclass
class Holding:
    """Holding is on when the ledger is given the contract's decoder and the limit; it keeps
    what held rows decode to between batches (`load_held`)."""

    decode: Decode
    limit: HoldLimit = DEFAULT_HOLD_LIMIT
    decoded: dict[int, Decoded | Undecodable] = dataclasses.field(default_factory=dict)
    # The partition numbers whose held rows this worker owns (a group member's assignment);
    # None: all of them, as the one worker of a store does.
    partitions: list[int] | None = None


@dataclass(frozen=True)
class Hold:
    """Why a message is held: the dead letter it would be, and the entity it awaits (None
    when it only waits behind an earlier held message of its entity)."""

    reason: Reason
    detail: str
    awaits: Awaited | None


@dataclass
class HeldMessage:
    """One held message, as the queue keeps it."""

    record: InboundRecord
    message: Decoded
    entities: tuple[str, ...]
    awaits: Awaited | None  # None: ready, or held only behind an earlier message
    reason: Reason
    detail: str
    position: int
    held_at: datetime
    stored_id: int | None = None  # the hold row's id once a batch committed it

    @property
    def stream_at(self) -> datetime | None:
        return self.record.timestamp

    @property
    def waits_for(self) -> str:
        return str(self.awaits) if self.awaits is not None else self.detail


def awaits_column(awaits: Awaited | None) -> str | None:
    """How a hold row names the awaited entity: "kind:id"."""
    return None if awaits is None else f"{awaits.kind}:{awaits.entity_id}"


def load_held(
    rows: Iterable[Mapping[str, Any]],
    decode: Decode,
    at: datetime,
    decoded: dict[int, Decoded | Undecodable],
) -> tuple[list[HeldMessage], list[tuple[InboundRecord, int, Undecodable]]]:
    """Stored hold rows as held messages; those that no longer pass the contract apart.

    A hold row never changes, so what its bytes decode to is kept in `decoded` (by row id)
    from one batch to the next, and dropped once the row is no longer held: decoding every
    held message again in every batch cost a second per 2 000 held. The one thing decoding
    takes from the batch, `recorded_at`, is set again when the message is decided
    (`at_recorded`)."""
    held, undecodable = [], []
    still_held = set()
    for row in rows:
        where = Coordinates(row["source_topic"], row["source_partition"], row["source_offset"])
        key, value = _bytes(row["message_key"]), _bytes(row["message_value"])
        row_id = int(row["id"])
        still_held.add(row_id)
        message = decoded.get(row_id)
        if message is None:
            message = decoded[row_id] = decode(value, where, at)
        record = InboundRecord(where, key, value, message, row["stream_at"])
        if isinstance(message, Undecodable):
            undecodable.append((record, row_id, message))
            continue
        kind, _, entity_id = (row["awaits"] or "").partition(":")
        held.append(
            HeldMessage(
                record,
                message,
                tuple(row["entity_keys"]),
                Awaited(kind, entity_id) if row["awaits"] else None,
                Reason(row["reason"]),
                row["detail"],
                int(row["queue_position"]),
                row["held_at"],
                row_id,
            )
        )
    for gone in decoded.keys() - still_held:
        del decoded[gone]
    return held, undecodable


def at_recorded(message: Decoded, at: datetime) -> Decoded:
    """The message as decided by a batch at `at`: its provenance's `recorded_at` is `at`."""
    command: Any = message.command
    provenance = dataclasses.replace(command.provenance, recorded_at=at)
    return dataclasses.replace(message, command=dataclasses.replace(command, provenance=provenance))


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class HeldQueue:
    """The held messages of one store (cluster), in queue order, and what a batch changed.

    Indexed so that each step costs about the messages it concerns, not all held ones: by
    position (queue order), by entity (each entity's held messages in queue order), by awaited
    aggregate, and heaps for the oldest, the earliest in stream time and the ready candidates
    (entries leave the heaps lazily, once they are found gone).
    """

    def __init__(self, held: Iterable[HeldMessage], limit: HoldLimit) -> None:
        self._limit = limit
        self._by_position: dict[int, HeldMessage] = {}
        self._by_entity: dict[str, list[HeldMessage]] = {}
        self._awaiting: dict[UUID, list[HeldMessage]] = {}
        self._oldest: list[int] = []  # positions
        self._stream: list[tuple[datetime, int]] = []  # (stream_at, position)
        self._candidates: list[int] = []  # positions that may be ready and unblocked
        self._next_position = 1
        self._new: dict[int, HeldMessage] = {}  # held by this batch, still held
        self.releases: list[HeldRelease] = []  # stored rows that left the hold
        for entry in sorted(held, key=lambda h: h.position):
            self._add(entry)

    @property
    def new(self) -> list[HeldMessage]:
        """The messages this batch held that are still held, in queue order."""
        return sorted(self._new.values(), key=lambda h: h.position)

    def __iter__(self) -> Iterator[HeldMessage]:
        return iter(sorted(self._by_position.values(), key=lambda h: h.position))

    def __len__(self) -> int:
        return len(self._by_position)

    def __contains__(self, held: HeldMessage) -> bool:
        return self._by_position.get(held.position) is held

    def blocker(self, entities: tuple[str, ...]) -> HeldMessage | None:
        """The earliest held message about one of these entities, if any, but for one that
        awaits one of them: a message about that entity may be the one that makes it known."""
        found = [self._first_blocking(self._by_entity.get(key, []), entities) for key in entities]
        return min((b for b in found if b is not None), key=lambda h: h.position, default=None)

    def hold(
        self,
        record: InboundRecord,
        message: Decoded,
        why: Hold,
        at: datetime,
        position: int | None = None,
    ) -> HeldMessage:
        """Hold a message: at the end of the queue, or at `position` (held again)."""
        if position is None:
            position = self._next_position
        held = HeldMessage(
            record,
            message,
            entity_keys(message.command),
            why.awaits,
            why.reason,
            why.detail,
            position,
            at,
        )
        self._add(held)
        self._new[position] = held
        return held

    def awaited(self) -> list[UUID]:
        """The aggregates held messages wait for."""
        return sorted(self._awaiting, key=str)

    def arrived(self, aggregate_ids: set[UUID]) -> None:
        """Mark ready the messages waiting for one of these aggregates (they got events)."""
        for aggregate_id in aggregate_ids & self._awaiting.keys():
            for held in self._awaiting.pop(aggregate_id):
                held.awaits = None
                heapq.heappush(self._candidates, held.position)

    def next_ready(self, at: datetime) -> HeldMessage | None:
        """Take the first ready message no earlier held message shares an entity with (but
        for one that awaits that very entity)."""
        while self._candidates:
            held = self._by_position.get(heapq.heappop(self._candidates))
            if held is None or held.awaits is not None:
                continue
            if any(
                self._first_blocking(self._by_entity[key], held.entities) is not held
                for key in held.entities
            ):
                continue  # pushed again when what blocks it leaves
            self._leave(held, "decided", at)
            return held
        return None

    def expired(self, stream_now: datetime | None, at: datetime) -> list[HeldMessage]:
        """Take the messages past the hold limit: held longer than its stream time before
        `stream_now` (a record's timestamp), and the oldest beyond its count."""
        gone: list[HeldMessage] = []
        while stream_now is not None and self._stream:
            stream_at, position = self._stream[0]
            if stream_now - stream_at <= self._limit.stream_time:
                break
            heapq.heappop(self._stream)
            held = self._by_position.get(position)
            if held is not None and held.stream_at == stream_at:
                self._leave(held, "expired", at)
                gone.append(held)
        while len(self._by_position) > self._limit.max_messages:
            held = self._by_position.get(heapq.heappop(self._oldest))
            if held is not None:
                self._leave(held, "expired", at)
                gone.append(held)
        return sorted(gone, key=lambda h: h.position)

    def _add(self, held: HeldMessage) -> None:
        self._by_position[held.position] = held
        self._next_position = max(self._next_position, held.position + 1)
        for key in held.entities:
            bisect.insort(self._by_entity.setdefault(key, []), held, key=lambda h: h.position)
        if held.awaits is None:
            heapq.heappush(self._candidates, held.position)
        else:
            self._awaiting.setdefault(held.awaits.aggregate_id, []).append(held)
        heapq.heappush(self._oldest, held.position)
        if held.stream_at is not None:
            heapq.heappush(self._stream, (held.stream_at, held.position))

    def _leave(self, held: HeldMessage, outcome: str, at: datetime) -> None:
        del self._by_position[held.position]
        if held.awaits is not None:
            self._awaiting[held.awaits.aggregate_id].remove(held)
        for key in held.entities:
            same = self._by_entity[key]
            same.remove(held)
            # The first ready message of the entity may go on now.
            ready = next((h for h in same if h.awaits is None), None)
            if ready is not None:
                heapq.heappush(self._candidates, ready.position)
            if not same:
                del self._by_entity[key]
        if held.stored_id is None:
            del self._new[held.position]
        else:
            self.releases.append(HeldRelease(held.stored_id, outcome, at))

    @staticmethod
    def _first_blocking(
        same_entity: list[HeldMessage], entities: tuple[str, ...]
    ) -> HeldMessage | None:
        return next((h for h in same_entity if awaits_column(h.awaits) not in entities), None)
