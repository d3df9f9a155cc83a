"""Messages held until an entity they reference is known, instead of dead-lettered.

A message refused only because an entity it references is not known yet (`Rejected.awaits`)
is held; a later message about one of the same entities (domain/handlers/entities.py) is held
behind it, so each entity's facts keep their order. Once the awaited entity's aggregate gets an
event, the held message is ready; ready messages are decided in their queue order, each only
when no earlier held message shares one of its entities.

The hold limit is measured in stream time (the producer timestamps of later records), and in
count, so the same records in the same order hold and expire the same messages whatever the
batches were. An expired message becomes a dead letter with the reason it was held for.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Holding:
    """Holding is on when the ledger is given the contract's decoder and the limit."""

    decode: Decode
    limit: HoldLimit = DEFAULT_HOLD_LIMIT


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
    rows: Iterable[Mapping[str, Any]], decode: Decode, at: datetime
) -> tuple[list[HeldMessage], list[tuple[InboundRecord, int, Undecodable]]]:
    """Stored hold rows as held messages; those that no longer pass the contract apart."""
    held, undecodable = [], []
    for row in rows:
        where = Coordinates(row["source_topic"], row["source_partition"], row["source_offset"])
        key, value = _bytes(row["message_key"]), _bytes(row["message_value"])
        message = decode(value, where, at)
        record = InboundRecord(where, key, value, message, row["stream_at"])
        if isinstance(message, Undecodable):
            undecodable.append((record, int(row["id"]), message))
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
                int(row["id"]),
            )
        )
    return held, undecodable


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class HeldQueue:
    """The held messages of one store (cluster), in queue order, and what a batch changed."""

    def __init__(self, held: Iterable[HeldMessage], limit: HoldLimit) -> None:
        self._held = sorted(held, key=lambda h: h.position)
        self._limit = limit
        self._next_position = max((h.position for h in self._held), default=0) + 1
        self.new: list[HeldMessage] = []  # held by this batch, still held
        self.releases: list[HeldRelease] = []  # stored rows that left the hold

    def __iter__(self) -> Iterator[HeldMessage]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def blocker(self, entities: tuple[str, ...]) -> HeldMessage | None:
        """The earliest held message about one of these entities, if any, but for one that
        awaits one of them: a message about that entity may be the one that makes it known."""
        return next(
            (
                h
                for h in self._held
                if not set(h.entities).isdisjoint(entities)
                and awaits_column(h.awaits) not in entities
            ),
            None,
        )

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
            position, self._next_position = self._next_position, self._next_position + 1
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
        self._held.append(held)
        self._held.sort(key=lambda h: h.position)
        self.new.append(held)
        return held

    def arrived(self, aggregate_ids: set[UUID]) -> None:
        """Mark ready the messages waiting for one of these aggregates (they got events)."""
        for held in self._held:
            if held.awaits is not None and held.awaits.aggregate_id in aggregate_ids:
                held.awaits = None

    def next_ready(self, at: datetime) -> HeldMessage | None:
        """Take the first ready message no earlier held message shares an entity with."""
        seen: set[str] = set()
        for held in self._held:
            if held.awaits is None and seen.isdisjoint(held.entities):
                self._leave(held, "decided", at)
                return held
            seen.update(held.entities)
        return None

    def expired(self, stream_now: datetime | None, at: datetime) -> list[HeldMessage]:
        """Take the messages past the hold limit: held longer than its stream time before
        `stream_now` (a record's timestamp), and the oldest beyond its count."""
        gone = [
            h
            for h in self._held
            if stream_now is not None
            and h.stream_at is not None
            and stream_now - h.stream_at > self._limit.stream_time
        ]
        over = len(self._held) - len(gone) - self._limit.max_messages
        if over > 0:
            gone += [h for h in self._held if h not in gone][:over]
        for held in gone:
            self._leave(held, "expired", at)
        return sorted(gone, key=lambda h: h.position)

    def _leave(self, held: HeldMessage, outcome: str, at: datetime) -> None:
        self._held.remove(held)
        if held.stored_id is None:
            self.new.remove(held)
        else:
            self.releases.append(HeldRelease(held.stored_id, outcome, at))
