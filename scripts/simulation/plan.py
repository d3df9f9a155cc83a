"""What the scenario generator produces: messages with their route, their wave and their fate."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from scripts.simulation.decisions import Decision

# The fates a message is meant to meet, besides a rejection reason code.
ACCEPTED = "accepted"
DUPLICATE = "duplicate"  # an identical re-send: neither stored again nor rejected


class Phase(IntEnum):
    """Within a month, facts happen in this order; one phase is one inbound topic."""

    REFERENCE = 0
    ENROLLMENT = 1
    PAYMENTS = 2
    CLAIMS = 3
    CLAWBACKS = 4
    SANCTIONS = 5

    @property
    def topic_suffix(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Planned:
    """One message to send: its document (or raw bytes), where it goes, and what should happen.

    `wave` orders delivery: a wave is published only once every earlier wave is stored or
    rejected. `needs` names entities (by their Kafka key) that must be recorded before this
    message is decided, so the feeder never puts a message in the same wave as a message with
    another key that records what it needs. `decision` is what the ledger must decide about
    an accepted message beyond accepting it (a claim paid or refused, and the amounts).
    """

    wave: tuple[int, int]
    topic_suffix: str
    key: str
    document: dict[str, Any] | None
    expect: str = ACCEPTED
    raw: bytes | None = None
    needs: frozenset[str] = field(default_factory=frozenset)
    decision: Decision | None = None

    @property
    def type_name(self) -> str:
        return str(self.document["type"]) if self.document is not None else "(not JSON)"

    def value(self) -> bytes:
        """The bytes put on the topic."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.document, ensure_ascii=False).encode()


def waves(planned: Iterable[Planned], max_size: int = 5_000) -> Iterator[list[Planned]]:
    """Group consecutive messages into waves, splitting where delivery order could matter.

    Kafka orders one partition only: a message may be decided before one published earlier
    under another key. So a message that needs an entity written in the current wave under
    another key starts a new wave. Splitting never loses order, it only costs a wait, so
    large waves are also cut at `max_size` to keep memory flat.
    """
    current: list[Planned] = []
    written: set[str] = set()  # keys of this wave's messages
    needed: dict[str, str] = {}  # entity needed in this wave -> key of the message needing it
    for message in planned:
        clash = any(e in written and e != message.key for e in message.needs) or (
            needed.get(message.key, message.key) != message.key
        )
        if current and (message.wave != current[0].wave or clash or len(current) >= max_size):
            yield current
            current, written, needed = [], set(), {}
        current.append(message)
        written.add(message.key)
        for e in message.needs:
            needed.setdefault(e, message.key)
    if current:
        yield current
