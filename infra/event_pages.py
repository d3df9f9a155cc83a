"""The log read a page at a time, by stream, type and known time (the console's event browser).

Known time never decreases along the log (infra/known_times.py), so a known-time bound is a
position found by bisection: a couple of dozen indexed probes whatever the log's length, and a
page then reads a range of positions, as every other read of the log does, by its primary key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from infra.queries import HistoryEntry, domain_event_of, history_entry
from infra.store import Ledger

PAGE = """
SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events
WHERE notification_id > %(after)s AND notification_id <= %(until)s
  AND (%(streams)s::uuid[] IS NULL OR originator_id = ANY(%(streams)s::uuid[]))
  AND (%(topics)s::text[] IS NULL OR topic = ANY(%(topics)s::text[]))
ORDER BY notification_id LIMIT %(limit)s
"""
AT_OR_AFTER = """
SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events
WHERE notification_id >= %s ORDER BY notification_id LIMIT 1
"""
MESSAGES = """
SELECT message_id, message_type, content_sha256, source_cluster, source_topic, source_partition,
       source_offset, recorded_at FROM ledger_messages WHERE message_id = ANY(%s::uuid[])
"""
NO_END = (1 << 63) - 1  # past any position


@dataclass(frozen=True)
class EventPage:
    """Events of one page, each with the stored row of its message; where the next starts."""

    events: list[tuple[HistoryEntry, UUID]]  # the entry and its stream (aggregate) id
    messages: dict[UUID, dict[str, Any]]
    next_after: int | None  # None: this was the last page


def head(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def known_from(ledger: Ledger, moment: datetime) -> int:
    """The position before the first event known at or after `moment`."""
    return _first_known_after(ledger, moment, inclusive=True) - 1


def known_until(ledger: Ledger, moment: datetime) -> int:
    """The position of the last event known at or before `moment` (0: none)."""
    return _first_known_after(ledger, moment, inclusive=False) - 1


def _first_known_after(ledger: Ledger, moment: datetime, *, inclusive: bool) -> int:
    """The first position whose known time is >= `moment` (> if not inclusive); head + 1 if
    none. Bisection over positions; a gap in the numbering is skipped to the next event."""
    low, high = 1, head(ledger) + 1
    with ledger.datastore.transaction(commit=False) as curs:
        while low < high:
            middle = (low + high) // 2
            curs.execute(AT_OR_AFTER, (middle,))
            row = curs.fetchone()
            if row is None:
                high = middle
                continue
            known = domain_event_of(ledger, row).provenance.recorded_at
            later = known >= moment if inclusive else known > moment
            position = int(row["notification_id"])
            if later:
                high = middle
            else:
                low = position + 1
    return low


def page(
    ledger: Ledger,
    *,
    streams: dict[UUID, str] | None,
    topics: Sequence[str] | None,
    after: int,
    until: int,
    limit: int,
) -> EventPage:
    """Up to `limit` events after position `after` and up to `until`, of the `streams` (ids to
    names) and stored `topics` given (None: any)."""
    params = {
        "after": after,
        "until": until,
        "streams": None if streams is None else list(streams),
        "topics": None if topics is None else list(topics),
        "limit": limit + 1,  # one more tells whether a next page exists
    }
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(PAGE, params)
        rows = curs.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    events = [
        (
            history_entry(ledger, r, (streams or {}).get(r["originator_id"], "")),
            r["originator_id"],
        )
        for r in rows
    ]
    wanted = list({e.provenance.message_id for e, _ in events})
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(MESSAGES, (wanted,))
        messages = {row["message_id"]: dict(row) for row in curs.fetchall()}
    next_after = int(rows[-1]["notification_id"]) if more and rows else None
    return EventPage(events, messages, next_after)
