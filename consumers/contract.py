"""The inbound wire contract: which message types exist, where they travel, how they decode."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from marshmallow import Schema, ValidationError

from consumers.schemas import (
    EnrollmentEndedV1,
    EnvelopeSchema,
    InstitutionDesignatedV1,
    PersonEnrolledV1,
)
from domain.commands import Command, DesignateInstitution, EndEnrollment, EnrollPerson
from domain.provenance import Provenance
from domain.reasons import Reason

Builder = Callable[[Mapping[str, Any], str, Provenance], Command]


@dataclass(frozen=True)
class MessageType:
    """One event type of the contract: its topic, its schema per version, its command."""

    name: str
    topic_suffix: str
    entity_field: str  # the payload field naming the entity; also the Kafka message key
    schemas: Mapping[int, type[Schema]]
    build: Builder


def _designate(payload: Mapping[str, Any], region: str, provenance: Provenance) -> Command:
    return DesignateInstitution(region=region, provenance=provenance, **payload)


def _enroll(payload: Mapping[str, Any], region: str, provenance: Provenance) -> Command:
    return EnrollPerson(region=region, provenance=provenance, **payload)


def _end_enrollment(payload: Mapping[str, Any], _region: str, provenance: Provenance) -> Command:
    return EndEnrollment(provenance=provenance, **payload)


MESSAGE_TYPES: dict[str, MessageType] = {
    t.name: t
    for t in (
        MessageType(
            "InstitutionDesignated", "reference", "code", {1: InstitutionDesignatedV1}, _designate
        ),
        MessageType("PersonEnrolled", "enrollment", "person_id", {1: PersonEnrolledV1}, _enroll),
        MessageType(
            "EnrollmentEnded", "enrollment", "person_id", {1: EnrollmentEndedV1}, _end_enrollment
        ),
    )
}


@dataclass(frozen=True)
class Coordinates:
    """Where a message sat in Kafka."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Decoded:
    """A message that passed the contract, turned into a command."""

    message_id: UUID
    type_name: str
    content_sha256: bytes
    command: Command


@dataclass(frozen=True)
class Undecodable:
    """A message that failed the contract, with the best message id we could read."""

    reason: Reason
    detail: str
    message_id: UUID | None = None


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of repeated keys; a ledger must not guess which one was meant.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(f"key {key!r} appears twice")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise _DuplicateKeyError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity."""
    return json.loads(
        raw.decode("utf-8"),
        object_pairs_hook=_refuse_duplicate_keys,
        parse_constant=_refuse_constant,
    )


def content_digest(document: Any) -> bytes:
    """SHA-256 of the canonical JSON form, so a re-send with other whitespace is identical."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def _first_error(error: ValidationError) -> str:
    return json.dumps(error.messages, ensure_ascii=False, sort_keys=True)[:500]


def _best_message_id(document: Any) -> UUID | None:
    if isinstance(document, dict) and isinstance(document.get("message_id"), str):
        try:
            return UUID(document["message_id"])
        except ValueError:
            return None
    return None


def decode(  # noqa: PLR0911 - one early return per reason, in the order they are checked
    raw: bytes | None, coordinates: Coordinates, topic_suffix: str | None, recorded_at: datetime
) -> Decoded | Undecodable:
    """Check one message against the contract; never raises for bad input."""
    if raw is None:
        return Undecodable(Reason.MALFORMED_JSON, "message has no value (tombstone)")
    try:
        document = parse_json(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return Undecodable(Reason.MALFORMED_JSON, f"not valid UTF-8 JSON: {error}"[:500])
    message_id = _best_message_id(document)
    if not isinstance(document, dict):
        return Undecodable(Reason.SCHEMA_INVALID, "the envelope must be a JSON object", message_id)
    try:
        envelope = EnvelopeSchema().load(document)
    except ValidationError as error:
        return Undecodable(Reason.SCHEMA_INVALID, f"envelope: {_first_error(error)}", message_id)
    message_type = MESSAGE_TYPES.get(envelope["type"])
    if message_type is None:
        known = ", ".join(sorted(MESSAGE_TYPES))
        detail = f"type {envelope['type']!r} is not one of: {known}"
        return Undecodable(Reason.UNKNOWN_TYPE, detail, message_id)
    schema = message_type.schemas.get(envelope["schema_version"])
    if schema is None:
        detail = (
            f"{message_type.name} has no schema_version {envelope['schema_version']}; "
            f"known: {sorted(message_type.schemas)}"
        )
        return Undecodable(Reason.UNSUPPORTED_VERSION, detail, message_id)
    if topic_suffix != message_type.topic_suffix:
        detail = (
            f"{message_type.name} belongs on the '{message_type.topic_suffix}' topic, "
            f"it arrived on {coordinates.topic}"
        )
        return Undecodable(Reason.WRONG_TOPIC, detail, message_id)
    try:
        payload = schema().load(envelope["payload"])
    except ValidationError as error:
        return Undecodable(Reason.SCHEMA_INVALID, f"payload: {_first_error(error)}", message_id)
    provenance = Provenance(
        message_id=envelope["message_id"],
        recorded_by=envelope["recorded_by"],
        occurred_at=envelope["occurred_at"],
        recorded_at=recorded_at,
        source_topic=coordinates.topic,
        source_partition=coordinates.partition,
        source_offset=coordinates.offset,
    )
    command = message_type.build(payload, envelope["region"], provenance)
    return Decoded(envelope["message_id"], message_type.name, content_digest(document), command)
