"""What a run left in the store, read back for the demo and the simulation's own checks:
counts by message type, event type and reason, and the fate of each Kafka coordinate."""

from __future__ import annotations

from collections.abc import Sequence

from infra.store import Ledger

# (topic, partition, offset) of a message as it was read from Kafka.
Coordinates = tuple[str, int, int]

ACCEPTED_BY_TYPE = (
    "SELECT message_type AS name, count(*) AS n FROM ledger_messages GROUP BY 1 ORDER BY 1"
)
EVENTS_BY_TYPE = (
    "SELECT split_part(topic, ':', 2) AS name, count(*) AS n FROM ledger_events"
    " GROUP BY 1 ORDER BY 1"
)
REJECTED_BY_REASON = (
    "SELECT reason AS name, count(*) AS n FROM rejected_messages GROUP BY 1 ORDER BY 1"
)


def _grouped(ledger: Ledger, query: str) -> dict[str, int]:
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(query)
        return {str(row["name"]): int(row["n"]) for row in curs.fetchall()}


def accepted_by_type(ledger: Ledger) -> dict[str, int]:
    """Accepted messages per message type."""
    return _grouped(ledger, ACCEPTED_BY_TYPE)


def events_by_type(ledger: Ledger) -> dict[str, int]:
    """Stored events per event class (`Claim.Settled`)."""
    return _grouped(ledger, EVENTS_BY_TYPE)


def rejected_by_reason(ledger: Ledger) -> dict[str, int]:
    """Dead letters per reason code."""
    return _grouped(ledger, REJECTED_BY_REASON)


def fates(ledger: Ledger, topics: Sequence[str]) -> tuple[set[Coordinates], dict[Coordinates, str]]:
    """The coordinates of the accepted messages read from `topics`, and those of the dead
    letters with their reason."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT source_topic, source_partition, source_offset FROM ledger_messages"
            " WHERE source_topic = ANY(%s)",
            (list(topics),),
        )
        accepted = {
            (row["source_topic"], row["source_partition"], row["source_offset"])
            for row in curs.fetchall()
        }
        curs.execute(
            "SELECT source_topic, source_partition, source_offset, reason FROM rejected_messages"
            " WHERE source_topic = ANY(%s)",
            (list(topics),),
        )
        rejected = {
            (row["source_topic"], row["source_partition"], row["source_offset"]): row["reason"]
            for row in curs.fetchall()
        }
    return accepted, rejected
