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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg import Cursor
from psycopg.rows import dict_row

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


# A page of the events that may concern a name (`events_naming`).
NAMING = """
SELECT notification_id, originator_id, originator_version, topic, state FROM ledger_events
WHERE notification_id > %(after)s
  AND (position(%(needle)s::bytea IN state) > 0
       OR topic LIKE ANY(%(topics)s::text[])
       OR originator_id = %(owner)s::uuid)
ORDER BY notification_id LIMIT %(size)s
"""
PAGE = 5000


def events_naming(
    curs: Cursor[Any], name: str, topics: Sequence[str], owner: UUID | None = None
) -> Iterator[dict[str, Any]]:
    """The stored events, in log order, whose JSON holds `name` anywhere (a byte search, nothing
    decoded: a superset of the events about it, such as `institution:H1:receivable` for H1),
    whose topic matches one of the LIKE patterns `topics`, or that are `owner`'s. Paged, in the
    caller's transaction, so the caller may run other statements between rows."""
    params: dict[str, Any] = {"needle": json_needle(name)[1:-1], "topics": list(topics)}
    params |= {"owner": owner, "size": PAGE, "after": 0}
    with curs.connection.cursor(row_factory=dict_row) as rows:
        while page := rows.execute(NAMING, params).fetchall():
            yield from page
            params["after"] = page[-1]["notification_id"]
