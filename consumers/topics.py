"""Topic names, derived from one configurable prefix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INBOUND_SUFFIXES = ("reference", "enrollment", "payments", "claims", "clawbacks", "sanctions")


@dataclass(frozen=True)
class Topics:
    """The ledger's topics under a prefix such as `ledger.`."""

    prefix: str = "ledger."

    def inbound(self, suffix: str) -> str:
        return f"{self.prefix}{suffix}"

    @property
    def all_inbound(self) -> list[str]:
        return [self.inbound(suffix) for suffix in INBOUND_SUFFIXES]

    @property
    def rejected(self) -> str:
        return f"{self.prefix}rejected"

    @property
    def events(self) -> str:
        return f"{self.prefix}events"

    def suffix_of(self, topic: str) -> str | None:
        """The inbound suffix of a topic of ours, or None for a foreign topic."""
        if not topic.startswith(self.prefix):
            return None
        suffix = topic[len(self.prefix) :]
        return suffix if suffix in INBOUND_SUFFIXES else None


def region_key(document: Mapping[str, Any]) -> bytes:
    """The Kafka key of an inbound message: its envelope's pooling region. Every inbound topic
    has the same partition count, so a region's messages of every topic land in the same
    partition number, which one worker of the group holds and merges (docs/operations.md
    "How to run N workers"). A message without a region (hostile, to be dead-lettered) gets the
    empty key: still one fixed partition, never a random one."""
    region = document.get("region")
    return region.encode() if isinstance(region, str) else b""
