"""A dead letter as it travels on `ledger.rejected`: its reason and where it came from in
headers, and as much of the record as one produce request carries.

The record is always kept whole in `rejected_messages`; the topic is a notification. A record
too large for a produce request would fail its send again and again (the batch retried forever,
the worker wedged), so the topic gets a truncated copy and a `truncated` header with the
original size. The row is found by the record's source coordinates: `source-cluster` and
`source` (`topic/partition@offset`), unique in `rejected_messages`. Not the row's id: the row is
written by the commit, which comes after the send, so that a crash between them re-sends
rather than loses; the id does not exist yet when the letter is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.application.rows import DeadLetter
from infra.kafka import MAX_REQUEST_BYTES

# Room for what a produce request holds besides the key, value and headers: the request and
# record-batch headers, the topic name, per-record varints. Measured overhead is under 200
# bytes; 16 KiB leaves a long topic prefix and future headers their room.
HEADROOM_BYTES = 16_384
DETAIL_BYTES = 2_000  # the reason's detail quotes input; a header need not carry all of it
KEY_BYTES = 1_024  # keys are entity ids; a longer one is hostile input, cut like the value
TRUNCATED_HEADER = "truncated"
KEY_TRUNCATED_HEADER = "key-truncated"


@dataclass(frozen=True)
class Letter:
    """What is sent to `ledger.rejected` for one dead letter."""

    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def letter_of(dead: DeadLetter, request_bytes: int = MAX_REQUEST_BYTES) -> Letter:
    """The dead letter's record with its headers, cut to fit one produce request."""
    headers = [
        ("reason", dead.reason.encode()),
        ("detail", _cut_text(dead.detail, DETAIL_BYTES)),
        ("source", f"{dead.source_topic}/{dead.source_partition}@{dead.source_offset}".encode()),
        ("source-cluster", dead.source_cluster.encode()),
        ("message_id", str(dead.message_id or "").encode()),
    ]
    key = dead.message_key
    if key is not None and len(key) > KEY_BYTES:
        headers.append((KEY_TRUNCATED_HEADER, str(len(key)).encode()))
        key = key[:KEY_BYTES]
    value = dead.message_value
    # The truncated header's own size is counted whether or not it is added.
    room = request_bytes - HEADROOM_BYTES - len(key or b"") - _size(headers) - 64
    if value is not None and len(value) > room:
        headers.append((TRUNCATED_HEADER, str(len(value)).encode()))
        value = value[: max(room, 0)]
    return Letter(key, value, headers)


def _size(headers: list[tuple[str, bytes]]) -> int:
    return sum(len(name) + len(value) + 8 for name, value in headers)


def _cut_text(text: str, limit: int) -> bytes:
    """At most `limit` bytes of UTF-8, never half a character."""
    return text.encode()[:limit].decode("utf-8", "ignore").encode()
