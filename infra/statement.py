"""An account's postings read from the log, each with the event and message behind it.

The balances read model holds cumulative totals per day, not the events that made them, so a
statement that names each posting's log position and message id reads the log. Postings live
inside the stored events (docs/events.md, "Postings"); the server keeps only the events whose
stored JSON contains the quoted account name (a byte search, no decoding of the others), and
each kept event is decoded and its postings matched on the exact account, so a longer name
that contains this one is never counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from infra.store import Ledger


def json_needle(name: str) -> bytes:
    """A name as the stored events' JSON writes it (the library's `ensure_ascii=False`): the
    quotes keep `institution:H1` from matching `institution:H12`, and a quote or backslash in an
    id is escaped as it is there."""
    return json.dumps(name, ensure_ascii=False).encode()


@dataclass(frozen=True)
class AccountPosting:
    """One posting to an account, with the event that carries it."""

    position: int  # the event's notification id: its place in the log
    event_type: str
    message_id: UUID
    occurred_at: datetime  # valid time
    recorded_at: datetime  # system time
    amount: Decimal  # what the account holder gains


def account_postings(ledger: Ledger, account: str) -> Iterator[AccountPosting]:
    """Every posting to `account`, in log order."""
    needle = json_needle(account)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM ledger_events WHERE position(%s::bytea IN state) > 0"
            " ORDER BY notification_id",
            (needle,),
        )
        rows = curs.fetchall()
    for row in rows:
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        event = ledger.mapper.to_domain_event(stored)
        provenance = event.provenance  # type: ignore[attr-defined]
        for posting in getattr(event, "postings", ()):
            if posting.account == account:
                yield AccountPosting(
                    position=row["notification_id"],
                    event_type=type(event).__qualname__,
                    message_id=provenance.message_id,
                    occurred_at=provenance.occurred_at,
                    recorded_at=provenance.recorded_at,
                    amount=posting.amount,
                )
