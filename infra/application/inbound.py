"""What the ledger decides: consumed records, each with what the wire contract made of it.

The contract (`consumers/contract.py`) decodes on the worker's side and fills these in, so the
application depends on no schema library and the dependencies point one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.commands import Command
from domain.reasons import Reason


@dataclass(frozen=True)
class Coordinates:
    """Where a message sat in Kafka."""

    topic: str
    partition: int
    offset: int

    def as_tuple(self) -> tuple[str, int, int]:
        # Not `dataclasses.astuple`: it deep-copies field by field, and it ran for every record
        # of every batch (8 % of deciding's profile).
        return (self.topic, self.partition, self.offset)


@dataclass(frozen=True)
class Decoded:
    """A message that passed the contract, turned into a command."""

    message_id: UUID
    type_name: str
    content_sha256: bytes
    command: Command


@dataclass(frozen=True)
class Undecodable:
    """A message that failed the contract, with the best message id we could read."""

    reason: Reason
    detail: str
    message_id: UUID | None = None


def internal_error(error: BaseException, message_id: UUID | None = None) -> Undecodable:
    """A message whose decoding or deciding raised: set aside with the error's class named, so
    one record never stops the messages around it."""
    return Undecodable(Reason.INTERNAL_ERROR, f"{type(error).__name__}: {error}", message_id)


def printable(text: str, limit: int = 1000) -> str:
    """Text that PostgreSQL and Kafka headers can hold: lone surrogates and NUL escaped, cut
    to `limit` characters. A dead letter's detail may quote the hostile input it refuses."""
    escaped = text[:limit].encode("utf-8", "backslashreplace").decode("utf-8")
    return escaped.replace("\x00", "\\x00")


@dataclass(frozen=True)
class InboundRecord:
    """A consumed Kafka record as the ledger keeps it, and what the contract made of it."""

    coordinates: Coordinates
    key: bytes | None
    value: bytes | None
    message: Decoded | Undecodable
    # The producer's timestamp: stream time, the clock of the hold limit (held.py).
    timestamp: datetime | None = None
    # The dead letter a `rejected replay` re-sent, as the record's `replay-of` header claims.
    replay_of: int | None = None
