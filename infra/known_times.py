"""Known time never decreases along the log: a batch's known times, lifted under the insert lock.

A message's known time is decided with the batch (domain/provenance.py `known_time`): the time
its source states it was on record, never later than the batch's clock. Whether it is earlier
than a known time already in the log can only be answered where the log cannot move, so the
recorder asks here after it took the events table's lock (the library's, which serialises
every commit: insert order is commit order). Two workers that decided concurrently commit one
after the other, and the second sees the first's events: its earlier known times are lifted to
the first's latest. An event whose known time is lifted is encoded again, before it is inserted
and hashed into the chain, so the stored bytes, the chain and `verify` all carry the lifted time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.provenance import Provenance, not_before

LATEST_EVENT = (
    "SELECT originator_id, originator_version, topic, state"
    " FROM ledger_events ORDER BY notification_id DESC LIMIT 1"
)


class KnownTimes:
    """Reads the log's latest known time and lifts a batch's known times to it."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper

    def latest(self, curs: Cursor[DictRow]) -> datetime | None:
        """The known time of the log's last event (the latest, as none decreases), or None."""
        curs.execute(LATEST_EVENT)
        row = curs.fetchone()
        if row is None:
            return None
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        provenance = _provenance(self._mapper.to_domain_event(stored))
        return None if provenance is None else provenance.recorded_at

    def lifted(
        self,
        curs: Cursor[DictRow],
        events: Sequence[DomainEventProtocol[UUID]],
        stored_events: Sequence[StoredEvent],
    ) -> list[StoredEvent]:
        """The stored events to insert, in order, each known no earlier than the log's latest
        known time and the batch's events before it. Call it holding the insert lock."""
        floor = self.latest(curs)
        out = []
        for event, stored in zip(events, stored_events, strict=True):
            provenance = _provenance(event)
            if provenance is None:
                out.append(stored)
                continue
            known = not_before(provenance.recorded_at, floor)
            if known == provenance.recorded_at:
                out.append(stored)
            else:
                restamped = replace(provenance, recorded_at=known)
                out.append(self._mapper.to_stored_event(_with(event, restamped)))
            floor = known
        return out


def _provenance(event: Any) -> Provenance | None:
    provenance = getattr(event, "provenance", None)
    return provenance if isinstance(provenance, Provenance) else None


def _with(event: Any, provenance: Provenance) -> DomainEventProtocol[UUID]:
    # Domain events are frozen dataclasses; a copy with the lifted provenance encodes alike.
    copy: DomainEventProtocol[UUID] = replace(event, provenance=provenance)
    return copy
