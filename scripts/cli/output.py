"""How the CLI prints: aligned tables for people, JSON for programs."""

from __future__ import annotations

import base64
import csv
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any
from uuid import UUID

from consumers.ingest import IngestStats
from infra.queries import HistoryEntry, RejectedEntry
from scripts.cli import display


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
    """A value as machine output (--json, --csv) writes it: plain decimals, ISO 8601 instants."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write_csv(out: IO[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows as CSV (`report --csv`, the console's `?format=csv`): a header of the first row's
    keys, then values as machine output writes them."""
    writer = csv.writer(out)
    if rows:
        writer.writerow(rows[0].keys())
    writer.writerows([[text(v) for v in r.values()] for r in rows])


def print_json(value: Any) -> None:
    print(json.dumps(value, default=json_value, ensure_ascii=False, indent=2))


def key_values(value: Mapping[str, Any]) -> None:
    """One `key  value` line each, keys padded to one display width, numbers right-aligned."""
    width = max((display.width(k) for k in value), default=0)
    numbers = [display.cell(v) for v in value.values() if display.is_number(v)]
    number_width = max((display.width(n) for n in numbers), default=0)
    for k, v in value.items():
        shown = display.cell(v)
        if display.is_number(v):
            shown = display.pad(shown, number_width, right=True)
        print(f"{display.pad(k, width)}  {shown}".rstrip())
    if display.shows_time(value):
        print(display.ZONE_NOTE)


def emit(
    as_json: bool, value: Mapping[str, Any], human: Callable[[Mapping[str, Any]], None]
) -> None:
    if as_json:
        print_json(value)
    else:
        human(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Columns aligned by display width (a CJK character takes two), numbers right-aligned."""
    for line in table_lines(headers, rows):
        print(line)


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The lines `table` prints; the zone note last when a cell is a time."""
    texts = [[display.cell(v) for v in row] for row in rows]
    columns = range(len(headers))
    right = [
        any(display.is_number(r[i]) for r in rows)
        and all(display.is_number(r[i]) or r[i] is None for r in rows)
        for i in columns
    ]
    widths = [
        max([display.width(headers[i])] + [display.width(t[i]) for t in texts]) for i in columns
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            display.pad(c, widths[i], right=right[i]) for i, c in enumerate(cells)
        ).rstrip()

    lines = [line(headers), *(line(t) for t in texts)]
    if any(display.shows_time(v) for row in rows for v in row):
        lines.append(display.ZONE_NOTE)
    return lines


# Columns that say at which point a report was taken: said once above its table, not per row.
POINT_COLUMNS = ("region", "year", "as_of", "known_at")


def point_table(rows: Sequence[Mapping[str, Any]]) -> None:
    """A report's rows as a table, the columns that every row shares a value of said above it."""
    shared = [
        k for k in POINT_COLUMNS if k in rows[0] and all(r.get(k) == rows[0][k] for r in rows)
    ]
    key_values({k: rows[0][k] for k in shared})
    print()
    headers = [k for k in rows[0] if k not in shared]
    table(headers, [[r[k] for k in headers] for r in rows])


def history_dict(e: HistoryEntry) -> dict[str, Any]:
    p = e.provenance
    return {
        "position": e.position,
        "entity": e.entity,
        "version": e.version,
        "type": e.event_type,
        "occurred_at": p.occurred_at,
        "recorded_at": p.recorded_at,  # the known time
        "committed_at": p.committed_at,  # the ledger's commit (equal unless migrated history)
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
            "occurred at",
            "recorded at",
            "recorded by",
            "message_id",
            "kafka",
        ],
        [
            [
                e.position,
                e.entity,
                e.event_type,
                e.provenance.occurred_at,
                e.provenance.recorded_at,
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


# Wide enough for a reason's first clause; `rejected --json` has the whole detail.
DETAIL_COLUMNS = 60


def rejected_table(entries: Sequence[RejectedEntry]) -> None:
    table(
        ["rejected at", "id", "reason", "kafka", "message_id", "detail"],
        [
            [
                e.rejected_at,
                e.id,
                e.reason,
                f"{e.source_topic}/{e.source_partition}@{e.source_offset}",
                e.message_id,
                display.shorten(display.cell(e.detail), DETAIL_COLUMNS),
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
        "order_waits_expired": s.order_waits_expired,
        "seconds": round(s.elapsed, 2),
    }
