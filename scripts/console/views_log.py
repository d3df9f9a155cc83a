"""The log's side: its events page by page, dead letters, held messages, digest and verify."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from consumers.outbound_types import TYPES
from infra import event_pages
from infra.clock import utc_now
from infra.queries import HistoryEntry, entity_candidates, is_known
from infra.readers import reading
from scripts.cli import audit, held, output
from scripts.cli.exits import NotKnownError
from scripts.cli.main import rejected_entries
from scripts.console import schemas
from scripts.console.api import endpoint, settings
from scripts.console.params import query
from scripts.console.problems import bad_parameter

DEFAULT_LIMIT = 1000  # as the CLI's --limit


@endpoint(
    "/rejected",
    "messages that could not be accepted (dead letters), newest first, with their reasons",
    schemas.RejectedMessage(many=True),
    params=("reason", "limit"),
)
def rejected() -> list[dict[str, Any]]:
    q = query(("reason", "limit"))
    found = rejected_entries(settings(), q["reason"], q["limit"] or DEFAULT_LIMIT)
    return [output.rejected_dict(e) for e in found]


@endpoint(
    "/held",
    "messages held until what they reference is known, in queue order",
    schemas.HeldMessage(many=True),
    params=("limit",),
)
def held_messages() -> list[dict[str, Any]]:
    q = query(("limit",))
    found = held.held_entries(settings(), q["limit"] or DEFAULT_LIMIT)
    now = utc_now()
    return [held.held_dict(e, now) for e in found]


@endpoint(
    "/digest",
    "the log's position and hash chain head: keep it outside the database",
    schemas.Digest,
)
def digest() -> dict[str, object]:
    query(())
    return audit.digest_doc(settings())


@endpoint(
    "/verify",
    "re-check the whole hash chain, and whether the log still extends a digest kept earlier",
    schemas.Verification,
    params=("from_digest",),
)
def verify() -> dict[str, object]:
    return audit.verify_doc(settings(), query(("from_digest",))["from_digest"])


def _topics(type_name: str | None) -> list[str] | None:
    """The stored topics of an event type, named as `history` shows it (Claim.Settled) or as
    the outbound contract does (ClaimSettled)."""
    if type_name is None:
        return None
    topics = {
        name: get_topic(t.event_class)
        for t in TYPES
        for name in (t.event_class.__qualname__, t.name)
    }
    if type_name not in topics:
        raise bad_parameter(
            "type", type_name, "is no event type (e.g. Claim.Settled; docs/events.md lists them)"
        )
    return [topics[type_name]]


EVENTS = ("stream", "type", "known_from", "known_until", "after", "limit")


@endpoint(
    "/events",
    "the log in order, by stream, type and known time, a page at a time, each event with its"
    " message",
    schemas.EventsPage,
    params=EVENTS,
)
def events() -> dict[str, Any]:
    q = query(EVENTS)
    topics = _topics(q["type"])
    with reading(settings()) as ledger:
        streams = None
        if q["stream"] is not None:
            streams = entity_candidates(q["stream"])
            if not is_known(ledger, [q["stream"]]):
                raise NotKnownError(f"the ledger knows no entity {q['stream']!r}")
        after = q["after"] or 0
        until = event_pages.head(ledger)
        if q["known_from"] is not None:
            after = max(after, event_pages.known_from(ledger, q["known_from"]))
        if q["known_until"] is not None:
            until = event_pages.known_until(ledger, q["known_until"])
        found = event_pages.page(
            ledger,
            streams=streams,
            topics=topics,
            after=after,
            until=until,
            limit=q["limit"] or DEFAULT_LIMIT,
        )
    return {
        "events": [
            output.history_dict(entry)
            | {"stream_id": stream, "message": _message(found.messages, entry)}
            for entry, stream in found.events
        ],
        "next_after": found.next_after,
    }


def _message(messages: dict[UUID, dict[str, Any]], entry: HistoryEntry) -> dict[str, Any] | None:
    row = messages.get(entry.provenance.message_id)
    if row is None:  # events the ledger made itself from no message (none today)
        return None
    return {
        "message_id": row["message_id"],
        "type": row["message_type"],
        "content_sha256": bytes(row["content_sha256"]).hex(),
        "kafka": {
            "cluster": row["source_cluster"],
            "topic": row["source_topic"],
            "partition": row["source_partition"],
            "offset": row["source_offset"],
        },
        "recorded_at": row["recorded_at"],
    }
