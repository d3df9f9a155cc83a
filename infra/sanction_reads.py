"""What the sanction commands read from the store: a sanction already recorded under a derived
id, every sanction of a target, and the ledger's verdict on a message sent.

They read the log itself, not the penalty read model: an inspector checks what the ledger holds
right after `--wait`, without waiting for `project`, and the read model keeps neither the
measures without an effect (interview, public criticism, rectification, referral) nor the
decision document.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.sanction import Sanction
from infra.queries import HistoryEntry, domain_event_of, history
from infra.store import Ledger

IMPOSED = "Sanction.Imposed"
POLL_INTERVAL_S = 0.2

# The stored events of every sanction imposed on a target. Sanctions are a sliver of the log
# and the state is plain JSON, so the filter runs in PostgreSQL; one round trip per listing.
TARGET_EVENTS = """
SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events
WHERE originator_id IN (
    SELECT originator_id FROM ledger_events
    WHERE topic = %(imposed)s AND convert_from(state, 'UTF8')::jsonb ->> 'target_id' = %(target)s)
ORDER BY notification_id
"""


def recorded_imposition(ledger: Ledger, sanction_id: str) -> HistoryEntry | None:
    """The Imposed event of a sanction id, if the ledger recorded one."""
    for entry in history(ledger, f"sanction:{sanction_id}"):
        if entry.event_type == IMPOSED:
            return entry
    return None


# The imposition a message recorded: the library writes a UUID as its hex digits, so a byte
# search among the (few) Imposed events narrows to it; decoding then confirms it.
IMPOSED_BY_MESSAGE = """
SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events
WHERE topic = %(imposed)s AND position(%(needle)s::bytea IN state) > 0
ORDER BY notification_id
"""


def imposed_by_message(ledger: Ledger, message_id: UUID) -> str | None:
    """The sanction id a recorded SanctionImposed message imposed, if it was one."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            IMPOSED_BY_MESSAGE,
            {"imposed": get_topic(Sanction.Imposed), "needle": message_id.hex.encode()},
        )
        rows = curs.fetchall()
    for row in rows:
        event = domain_event_of(ledger, row)
        if event.provenance.message_id == message_id:
            return str(event.sanction_id)
    return None


def recorded_digest(ledger: Ledger, message_id: UUID) -> bytes | None:
    """The content digest the ledger accepted a message id with, if it did."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT content_sha256 FROM ledger_messages WHERE message_id = %s", (message_id,)
        )
        row = curs.fetchone()
    return None if row is None else bytes(row["content_sha256"])


def target_events(ledger: Ledger, target: str) -> list[tuple[UUID, str, dict[str, Any]]]:
    """Every event of every sanction imposed on a target, in log order: (sanction aggregate,
    event type, event data)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(TARGET_EVENTS, {"imposed": get_topic(Sanction.Imposed), "target": target})
        rows = curs.fetchall()
    found = []
    for row in rows:
        event = domain_event_of(ledger, row)
        found.append((row["originator_id"], type(event).__qualname__, dict(event.__dict__)))
    return found


@dataclass(frozen=True)
class Verdict:
    """What the ledger decided about one message: recorded, or rejected with its reason."""

    recorded: bool
    reason: str = ""
    detail: str = ""


def last_rejection(ledger: Ledger) -> int:
    """The newest dead letter's id: rejections up to it are about earlier sends."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT COALESCE(max(id), 0) AS last FROM rejected_messages")
        row = curs.fetchone()
    return int(row["last"]) if row else 0


def verdict(ledger: Ledger, message_id: str, after_rejection: int) -> Verdict | None:
    """The ledger's verdict on a message, or None while it has not decided."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT EXISTS (SELECT 1 FROM ledger_messages WHERE message_id = %s) AS recorded",
            (message_id,),
        )
        row = curs.fetchone()
        if row and row["recorded"]:
            return Verdict(recorded=True)
        curs.execute(
            "SELECT reason, detail FROM rejected_messages WHERE message_id = %s AND id > %s"
            " ORDER BY id LIMIT 1",
            (message_id, after_rejection),
        )
        rejected = curs.fetchone()
    if rejected:
        return Verdict(recorded=False, reason=rejected["reason"], detail=rejected["detail"])
    return None


def wait_for_verdict(
    ledger: Ledger, message_id: str, after_rejection: int, timeout_s: float
) -> Verdict | None:
    """Poll the store until the ledger decides about the message, or None after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        decided = verdict(ledger, message_id, after_rejection)
        if decided is not None or time.monotonic() >= deadline:
            return decided
        time.sleep(POLL_INTERVAL_S)  # the worker commits in batches: ask again shortly


def differing_fields(stated: Any, recorded: dict[str, Any], names: Sequence[str]) -> list[str]:
    """The fields a command states differently from what the ledger recorded."""
    return [name for name in names if getattr(stated, name) != recorded.get(name)]
