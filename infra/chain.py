"""The hash chain over the global order: what each entry commits to, byte for byte.

One definition, used by the recorder that writes the chain, by `verify`, and by the relay's
headers, so a downstream can check events with nothing but this layout (docs/operations.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

GENESIS = bytes(32)  # the predecessor of the first entry
DOMAIN_TAG = b"claims-ledger/chain/v1\x00"  # a hash of this chain is no hash of anything else


def link(
    previous: bytes, position: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> bytes:
    """The hash of one entry: its predecessor's hash, its position and the event's stored bytes.

    Every variable-length field is length-prefixed, so no two different entries encode alike.
    """
    topic_bytes = topic.encode()
    h = hashlib.sha256(DOMAIN_TAG)
    h.update(previous)
    h.update(position.to_bytes(8, "big", signed=True))
    h.update(originator_id.bytes)
    h.update(version.to_bytes(8, "big", signed=True))
    h.update(len(topic_bytes).to_bytes(4, "big"))
    h.update(topic_bytes)
    h.update(len(state).to_bytes(8, "big"))
    h.update(state)
    return h.digest()


@dataclass(frozen=True)
class Digest:
    """A position of the log and the chain's hash there: what an auditor keeps outside it."""

    position: int
    hash: bytes

    def __str__(self) -> str:
        return f"{self.position}:{self.hash.hex()}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        """Read `POSITION:HEX` as printed by `claims-ledger digest`."""
        position, sep, hex_hash = text.strip().partition(":")
        try:
            digest = cls(int(position), bytes.fromhex(hex_hash))
        except ValueError:
            digest = None
        if not sep or digest is None or len(digest.hash) != 32 or digest.position < 0:
            raise ValueError(f"not a digest (expected POSITION:64 hex digits): {text!r}")
        return digest


EMPTY = Digest(0, GENESIS)  # the digest of an empty log
