"""Message identity: a message id is decided once, by its first arrival in decide order.

What the first arrival was (accepted, rejected, held) and its content's digest fix what the
id means. A later copy with the same content is a duplicate of that decision (a no-op); with
other content it is `conflicting_duplicate`, whatever the first decision was. The one way to
have a rejected message decided again is `rejected replay`: the same bytes as the dead letter,
with a `replay-of` header naming it (docs/events.md, "Message identity").
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from domain.reasons import Reason
from infra.application.inbound import Decoded, InboundRecord, Undecodable

ACCEPTED, REJECTED, HELD = "accepted", "rejected", "held"
_WAS = {ACCEPTED: "was accepted", REJECTED: "was rejected", HELD: "is held"}


@dataclass(frozen=True)
class FirstDecision:
    """What became of a message id's first arrival, and the digest of its content."""

    content_sha256: bytes
    kind: str  # accepted, rejected or held


DECIDE, DUPLICATE = "decide", "duplicate"


class Identities:
    """The first decisions of a batch's message ids, kept up to date as the batch decides."""

    def __init__(
        self, first: Mapping[UUID, FirstDecision], dead_letter_digests: Mapping[int, bytes | None]
    ) -> None:
        self._first = dict(first)
        self._dead_letter_digests = dead_letter_digests

    def verdict(self, record: InboundRecord, message: Decoded) -> str | Undecodable:
        """DECIDE a new message (or a replay), DUPLICATE a copy of a decided one, or the
        conflicting_duplicate refusal of a copy with other content."""
        first = self._first.get(message.message_id)
        if first is None:
            return DECIDE
        if first.content_sha256 != message.content_sha256:
            detail = f"message_id {message.message_id} {_WAS[first.kind]} before with other content"
            return Undecodable(Reason.CONFLICTING_DUPLICATE, detail, message.message_id)
        if first.kind == REJECTED and self._is_replay(record):
            return DECIDE
        return DUPLICATE

    def note(self, message: Decoded, kind: str) -> None:
        """Record what this batch decided for a message; acceptance (of a replay) prevails."""
        if kind == ACCEPTED or message.message_id not in self._first:
            self._first[message.message_id] = FirstDecision(message.content_sha256, kind)

    def _is_replay(self, record: InboundRecord) -> bool:
        # The header is the sender's claim: it counts only for the dead letter's own bytes.
        if record.replay_of is None or record.replay_of not in self._dead_letter_digests:
            return False
        value = None if record.value is None else hashlib.sha256(record.value).digest()
        return self._dead_letter_digests[record.replay_of] == value
