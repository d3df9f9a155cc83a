"""Stored offsets against the broker's log: one home for the comparison the worker makes at
every assignment and periodically, and that `claims-ledger offsets` shows.

Offsets here are Kafka's *next* offsets (the next message to read), as the broker's log start
and end are: the tracking row holds the last offset committed, so its next offset is one more.
Pure: no I/O; the worker and the CLI fetch the numbers and hand them in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from uuid import UUID


class OffsetState(Enum):
    """How a partition's stored next offset sits in the broker's log."""

    OK = "ok"
    BEYOND_END = "beyond end"  # the broker lost its log (reset, topic recreated)
    BELOW_START = "below start"  # retention deleted messages nobody read
    NO_STORED_OFFSET = "no stored offset"  # read from the log start, as a new partition is


def classify(stored_next: int | None, log_start: int, log_end: int) -> OffsetState:
    """Where `stored_next` lies in the log [`log_start`, `log_end`]; the end itself is fine:
    the worker has read everything and waits for the next message."""
    if stored_next is None:
        return OffsetState.NO_STORED_OFFSET
    if stored_next > log_end:
        return OffsetState.BEYOND_END
    if stored_next < log_start:
        return OffsetState.BELOW_START
    return OffsetState.OK


@dataclass(frozen=True)
class PartitionOffsets:
    """One partition of one cluster: the offset stored with its events and the broker's log."""

    cluster_id: str
    topic: str
    partition: int
    stored_next: int | None
    """The next offset the worker reads; None when nothing of the partition is stored."""
    log_start: int
    log_end: int

    @property
    def state(self) -> OffsetState:
        return classify(self.stored_next, self.log_start, self.log_end)

    @property
    def unreadable(self) -> bool:
        """Reading on from the stored offset would skip messages without a trace."""
        return self.state in (OffsetState.BEYOND_END, OffsetState.BELOW_START)


def reset_command(p: PartitionOffsets) -> str:
    """What the operator runs once they have decided where the worker reads on."""
    return (
        f"claims-ledger offsets reset --topic {p.topic} --partition {p.partition}"
        " --to start --reason '...'"
    )


class UntrustedOffsetError(Exception):
    """Reading on from a stored offset would skip messages: the worker stops (exit 5)."""


class StoredOffsetOutOfLogError(UntrustedOffsetError):
    """A partition's stored offset lies outside the broker's log: reading on would skip."""

    def __init__(self, p: PartitionOffsets) -> None:
        self.partition = p
        why = (
            "the broker's log ends before it (broker reset or topic recreated with the same"
            " cluster id)"
            if p.state is OffsetState.BEYOND_END
            else "the broker's log starts after it (retention deleted messages never read)"
        )
        super().__init__(
            f"stored offset {p.stored_next} of {p.topic}/{p.partition} (cluster {p.cluster_id})"
            f" is {p.state.value} of the log [{p.log_start}, {p.log_end}]: {why}; nothing was"
            f" skipped. Check with `claims-ledger offsets`, then run `{reset_command(p)}`"
        )


def message_id_of(value: bytes | None) -> UUID | None:
    """The envelope's message id of a record, if it has a readable one."""
    try:
        document = json.loads(value or b"")
        return UUID(str(document["message_id"]))
    except (ValueError, TypeError, KeyError):
        return None


def read_here_before(
    value: bytes | None, dead_letter_sha256: bytes | None, dead_letter: bool, accepted: bool
) -> bool:
    """Whether the broker's record `value`, at the offset the ledger read last, can be the
    record it read there: the dead letter kept at those coordinates (same bytes), or else a
    message whose id the ledger accepted (there, or before as the original of a duplicate).
    Anything else was never read by this ledger: the log was replaced under the same id."""
    if dead_letter:
        return dead_letter_sha256 == (None if value is None else hashlib.sha256(value).digest())
    return accepted


class LogReplacedError(UntrustedOffsetError):
    """The record before the stored offset is not the one the ledger read there."""

    def __init__(self, p: PartitionOffsets) -> None:
        self.partition = p
        super().__init__(
            f"the record at offset {(p.stored_next or 0) - 1} of {p.topic}/{p.partition}"
            f" (cluster {p.cluster_id}) is not the one stored from there: the log was replaced"
            " (broker reset or topic recreated with the same cluster id) and has grown past"
            f" the stored offset {p.stored_next}; nothing was skipped. Run"
            f" `{reset_command(p)}` to read the new log from its start"
        )


class ClusterChangedError(Exception):
    """The broker the worker talks to now reports another cluster id."""

    def __init__(self, was: str, now: str) -> None:
        super().__init__(
            f"the broker's cluster id changed from {was} to {now} under the running worker;"
            " it stopped so as not to label new messages with the old id. Start it again: it"
            " reads the new cluster's partitions from their start (`claims-ledger offsets`)"
        )
