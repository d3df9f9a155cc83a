"""Play a scenario through the real contract and handlers in memory: no broker, no database.

What the worker does per message, minus the store: decode, dedupe by message id and content,
decide. The fate of each message is `accepted`, `duplicate` or the rejection reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from consumers.contract import decode
from domain.reasons import Rejected
from infra.application.inbound import Coordinates, Decoded
from scripts.simulation.plan import ACCEPTED, DUPLICATE, Planned
from tests.memory import InMemoryAggregates

RECORDED_AT = datetime(2020, 6, 1, tzinfo=UTC)


def intended_good(message: Planned) -> bool:
    """Planned to be accepted, or to be dropped as a harmless duplicate."""
    return message.expect in (ACCEPTED, DUPLICATE)


def replay(planned: Iterable[Planned]) -> Iterator[tuple[Planned, str, list[Any]]]:
    """Each message with its fate and the events it recorded."""
    aggregates = InMemoryAggregates()
    digests: dict[UUID, bytes] = {}
    for offset, message in enumerate(planned):
        coordinates = Coordinates(f"ledger.{message.topic_suffix}", 0, offset)
        decoded = decode(message.value(), coordinates, message.topic_suffix, RECORDED_AT)
        if not isinstance(decoded, Decoded):
            yield message, decoded.reason.value, []
            continue
        seen = digests.get(decoded.message_id)
        if seen is not None:
            yield (
                message,
                DUPLICATE if seen == decoded.content_sha256 else "conflicting_duplicate",
                [],
            )
            continue
        try:
            events = aggregates.decide(decoded.command)
        except Rejected as refusal:
            assert not aggregates.pending(), f"{message.type_name} half-applied"
            yield message, refusal.reason.value, []
            continue
        digests[decoded.message_id] = decoded.content_sha256
        yield message, ACCEPTED, events
