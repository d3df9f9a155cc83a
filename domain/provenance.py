"""Where a recorded fact came from: the traceability every ledger entry carries (有案可查)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Provenance:
    """Who said what, when it was true, when the ledger learnt it, and the source coordinates."""

    message_id: UUID
    recorded_by: str
    occurred_at: datetime  # valid time: the service or effective date the source states
    recorded_at: datetime  # system time: when the ledger accepted the fact
    source_topic: str
    source_partition: int
    source_offset: int

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.recorded_at.tzinfo is None:
            raise ValueError("provenance times must be timezone-aware")
