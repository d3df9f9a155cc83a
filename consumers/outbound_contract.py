"""The public record of `ledger.events`: one language-neutral JSON envelope per stored event.

Amounts are decimal strings in plain notation, dates and times ISO-8601, value objects plain
objects; no library wrappers (`{"_type_": ...}`) and no Python module paths outside `stored`,
which carries the bytes the hash chain covers (docs/operations.md, "The outbound contract").
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import functools
import json
import typing
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from consumers.outbound_types import CONTRACT, OutboundType, outbound_type
from domain.provenance import Provenance

# The library's own fields, and provenance: the envelope carries them, `data` does not.
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "provenance"}
)


@dataclasses.dataclass(frozen=True)
class ChainLink:
    """Where a stored event sits in the log, and the bytes the chain hash covers."""

    position: int
    previous_position: int
    hash: bytes
    topic: str
    state: bytes


@functools.cache  # resolving annotations costs more than the rest of an envelope: once a type
def data_fields(kind: OutboundType) -> dict[str, Any]:
    """The event's own fields, by name, with their annotated types (the `data` object)."""
    hints = typing.get_type_hints(kind.event_class)
    return {
        name: hint
        for name, hint in hints.items()
        if name not in ENVELOPE_FIELDS and typing.get_origin(hint) is not typing.ClassVar
    }


def envelope(event: Any, link: ChainLink) -> dict[str, Any]:
    """The outbound envelope of a decoded domain event at its place in the log."""
    kind = outbound_type(link.topic)
    provenance: Provenance = event.provenance
    return {
        "contract": CONTRACT,
        "type": kind.name,
        "position": link.position,
        "previous_position": link.previous_position,
        "hash": link.hash.hex(),
        "aggregate": {
            "kind": kind.aggregate_kind,
            "id": str(event.originator_id),
            "version": event.originator_version,
        },
        "occurred_at": plain(provenance.occurred_at),
        "recorded_at": plain(provenance.recorded_at),
        "committed_at": plain(provenance.committed_at),
        "message": {
            "message_id": str(provenance.message_id),
            "recorded_by": provenance.recorded_by,
            "source": {
                "topic": provenance.source_topic,
                "partition": provenance.source_partition,
                "offset": provenance.source_offset,
            },
        },
        "data": {name: plain(getattr(event, name)) for name in data_fields(kind)},
        "stored": {"topic": link.topic, "state": base64.b64encode(link.state).decode()},
    }


def encode(document: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, Chinese names as themselves (not \\u escapes)."""
    return json.dumps(document, ensure_ascii=False).encode()


def plain(value: Any) -> Any:
    """A stored value as JSON: decimal strings (never `1E+2`), ISO dates, objects, arrays."""
    for kind, write in SCALARS:
        if isinstance(value, kind):
            return write(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    raise TypeError(f"no outbound encoding for {type(value).__name__}")


# Checked in order: enums before str (a StrEnum is a str), and no float anywhere.
SCALARS: tuple[tuple[Any, Callable[[Any], Any]], ...] = (
    (type(None), lambda v: v),
    (enum.Enum, lambda v: plain(v.value)),
    (str, str),
    (int, lambda v: v),  # bool too: JSON has it
    (Decimal, lambda v: format(v, "f")),
    (date, lambda v: v.isoformat()),  # datetime is a date: one isoformat for both
    (UUID, str),
)
