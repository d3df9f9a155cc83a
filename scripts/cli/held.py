"""`claims-ledger held`: messages held until an entity they reference is known, with how long
they have been held and what they wait for (docs/operations.md, "Held messages")."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from infra.clock import utc_now
from infra.held_reads import HeldEntry, awaited_text, held_messages
from infra.readers import reading
from infra.settings import Settings
from scripts.cli import display, output
from scripts.cli.argtypes import positive_int
from scripts.cli.commandline import AddCommand, Handler

DETAIL_COLUMNS = 60


def held_entries(settings: Settings, limit: int) -> list[HeldEntry]:
    """The first `limit` held messages, in queue order."""
    with reading(settings) as ledger:
        return held_messages(ledger, limit)


def cmd_held(settings: Settings, args: argparse.Namespace) -> int:
    entries = held_entries(settings, args.limit)
    now = utc_now()
    if args.json:
        output.print_json([held_dict(e, now) for e in entries])
    elif not entries:
        print("no held messages")
    else:
        held_table(entries, now)
    return 0


def waits_for(entry: HeldEntry) -> str:
    """The awaited entity as "kind id", or the earlier held message it waits behind."""
    return awaited_text(entry.awaits, entry.detail)


def age(held_at: datetime, now: datetime) -> str:
    """How long ago, in whole units: 45s, 12m 05s, 3h 02m, 2d 04h."""
    seconds = max(0, int((now - held_at).total_seconds()))
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    days, h = divmod(hours, 24)
    if days:
        return f"{days}d {h:02d}h"
    if hours:
        return f"{hours}h {m:02d}m"
    return f"{minutes}m {s:02d}s" if minutes else f"{s}s"


def held_table(entries: Sequence[HeldEntry], now: datetime) -> None:
    output.table(
        ["held at", "age", "kafka", "type", "message_id", "waits for", "reason"],
        [
            [
                e.held_at,
                age(e.held_at, now),
                f"{e.source_topic}/{e.source_partition}@{e.source_offset}",
                e.message_type,
                e.message_id,
                display.shorten(display.cell(waits_for(e)), DETAIL_COLUMNS),
                e.reason,
            ]
            for e in entries
        ],
    )


def held_dict(e: HeldEntry, now: datetime) -> dict[str, Any]:
    return {
        "id": e.id,
        "held_at": e.held_at,
        "age_seconds": max(0, int((now - e.held_at).total_seconds())),
        "stream_at": e.stream_at,
        "kafka": {
            "cluster": e.source_cluster,
            "topic": e.source_topic,
            "partition": e.source_partition,
            "offset": e.source_offset,
        },
        "message_type": e.message_type,
        "message_id": e.message_id,
        "awaits": e.awaits,
        "waits_for": waits_for(e),
        "reason": e.reason,
        "detail": e.detail,
    }


def register(add: AddCommand) -> Mapping[str, Handler]:
    """Add the command of this group to the CLI."""
    p = add("held", "messages held until what they reference is known, with age and what for")
    p.add_argument(
        "--limit", type=positive_int, default=1000, help="the first N in queue order (default 1000)"
    )
    return {"held": cmd_held}
