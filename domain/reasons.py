"""Stable reason codes for messages the ledger cannot accept."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a message was not accepted; the codes are a public contract, never renamed."""

    MALFORMED_JSON = "malformed_json"
    SCHEMA_INVALID = "schema_invalid"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    WRONG_TOPIC = "wrong_topic"
    UNKNOWN_REFERENCE = "unknown_reference"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    ALREADY_EXISTS = "already_exists"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ENROLLED = "not_enrolled"
    OUT_OF_ORDER = "out_of_order"


class Rejected(Exception):  # noqa: N818 - a rejection is an outcome, not a programming error
    """A message is refused for a stated reason; nothing of it is applied."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
