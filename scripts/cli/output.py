"""How the CLI prints: aligned tables for people, JSON for programs."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from consumers.ingest import IngestStats
from infra.queries import HistoryEntry, RejectedEntry


def json_value(value: Any) -> Any:
    """What the JSON output writes for a value the json module cannot: dates and instants in
    ISO 8601, amounts as decimal strings (no float ever rounds money), value objects such as a
    Posting as objects of their fields."""
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def text(value: Any) -> Any:
    """A value as the CLI shows it: money with two decimals, instants in ISO 8601."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    print(json.dumps(value, default=json_value, ensure_ascii=False, indent=2))


def key_values(value: Mapping[str, Any]) -> None:
    width = max((len(k) for k in value), default=0)
    for k, v in value.items():
        print(f"{k.ljust(width)}  {v}")


def emit(
    as_json: bool, value: Mapping[str, Any], human: Callable[[Mapping[str, Any]], None]
) -> None:
    if as_json:
        print_json(value)
    else:
        human(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def history_dict(e: HistoryEntry) -> dict[str, Any]:
    p = e.provenance
    return {
        "position": e.position,
        "entity": e.entity,
        "version": e.version,
        "type": e.event_type,
        "occurred_at": p.occurred_at,
        "recorded_at": p.recorded_at,
        "recorded_by": p.recorded_by,
        "message_id": p.message_id,
        "kafka": {
            "topic": p.source_topic,
            "partition": p.source_partition,
            "offset": p.source_offset,
        },
        "data": e.data,
    }


def history_table(entries: Sequence[HistoryEntry]) -> None:
    table(
        [
            "pos",
            "entity",
            "event",
            "occurred_at",
            "recorded_at",
            "recorded_by",
            "message_id",
            "kafka",
        ],
        [
            [
                e.position,
                e.entity,
                e.event_type,
                e.provenance.occurred_at.isoformat(),
                e.provenance.recorded_at.isoformat(timespec="seconds"),
                e.provenance.recorded_by,
                e.provenance.message_id,
                f"{e.provenance.source_topic}/{e.provenance.source_partition}"
                f"@{e.provenance.source_offset}",
            ]
            for e in entries
        ],
    )


def rejected_dict(e: RejectedEntry) -> dict[str, Any]:
    value = e.message_value
    text = None
    if value is not None:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    return {
        "id": e.id,
        "reason": e.reason,
        "detail": e.detail,
        "message_id": e.message_id,
        "kafka": {
            "cluster": e.source_cluster,
            "topic": e.source_topic,
            "partition": e.source_partition,
            "offset": e.source_offset,
        },
        "key": None if e.message_key is None else e.message_key.decode("utf-8", "replace"),
        "value_base64": None if value is None else base64.b64encode(value).decode(),
        "value_text": text,
        "rejected_at": e.rejected_at,
    }


def rejected_table(entries: Sequence[RejectedEntry]) -> None:
    table(
        ["id", "reason", "kafka", "message_id", "detail"],
        [
            [
                e.id,
                e.reason,
                f"{e.source_topic}/{e.source_partition}@{e.source_offset}",
                e.message_id or "-",
                e.detail[:90],
            ]
            for e in entries
        ],
    )


def stats_dict(s: IngestStats) -> dict[str, Any]:
    return {
        "consumed": s.consumed,
        "accepted": s.accepted,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "events": s.events,
        "batches": s.batches,
        "seconds": round(s.elapsed, 2),
    }
