"""Where a recorded fact came from: the traceability every ledger entry carries (有案可查)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Provenance:
    """Who said what, when it was true, when it was known, and the source coordinates.

    `recorded_at` is the known time the read models' "as known at" reads: when the source had
    the fact on record if its message said so (migrated history), else the ledger's commit;
    the ledger keeps it non-decreasing along the log (see `known_time` and infra/known_times.py).
    `committed_at` is the ledger's own clock at the commit; events stored before it existed
    were known from their commit, so it defaults to `recorded_at`.
    """

    message_id: UUID
    recorded_by: str
    occurred_at: datetime  # valid time: the service or effective date the source states
    recorded_at: datetime  # known time: on record at the source, or at the ledger's commit
    source_topic: str
    source_partition: int
    source_offset: int
    committed_at: datetime = None  # type: ignore[assignment]  # None: see __post_init__

    def __post_init__(self) -> None:
        if self.committed_at is None:
            object.__setattr__(self, "committed_at", self.recorded_at)
        times = (self.occurred_at, self.recorded_at, self.committed_at)
        if any(t.tzinfo is None for t in times):
            raise ValueError("provenance times must be timezone-aware")


def known_time(stated: datetime | None, committed_at: datetime) -> datetime:
    """The known time of a message: the time the source states it was on record, never later
    than the ledger's commit (nobody knew it in the future); none stated, the commit itself.

    The other bound, never earlier than the log's latest known time, needs the log as seen
    under the insert lock, so the recorder applies it (`not_before`)."""
    return committed_at if stated is None or stated > committed_at else stated


def not_before(known: datetime, floor: datetime | None) -> datetime:
    """A known time lifted to the log's latest known time, so known time never decreases."""
    return known if floor is None or known >= floor else floor
