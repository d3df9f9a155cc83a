"""The inbound wire contract: which message types exist, where they travel, how they decode."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from marshmallow import Schema, ValidationError

from consumers import fast_decode, schemas
from consumers.schemas import EnvelopeSchema, amount_error
from domain import commands
from domain.commands import Command
from domain.provenance import Provenance, known_time
from domain.reasons import Reason
from infra.application.inbound import Coordinates, Decoded, Undecodable

Builder = Callable[[Mapping[str, Any], str, Provenance], Command]


@dataclass(frozen=True)
class MessageType:
    """One event type of the contract: its topic, its schema per version, its command."""

    name: str
    topic_suffix: str
    entity_field: str  # the payload field naming the entity the message is about
    schemas: Mapping[int, type[Schema]]
    build: Builder
    # Versions whose payload names another entity or builds another command than version 1:
    # version -> (entity field, builder). ClawbackOrdered 2 is one order's part, keyed by it.
    later: Mapping[int, tuple[str, Builder]] = dataclasses.field(default_factory=dict)

    def entity_field_of(self, version: int) -> str:
        """The payload field naming the entity a message of this version is about."""
        return self.later[version][0] if version in self.later else self.entity_field

    def build_of(self, version: int) -> Builder:
        """The command builder of this version."""
        return self.later[version][1] if version in self.later else self.build


def command_of(command_type: type[Any]) -> Builder:
    """Build a command from a loaded payload; the envelope's region goes where it is a field."""
    takes_region = "region" in {f.name for f in fields(command_type)}

    def build(payload: Mapping[str, Any], region: str, provenance: Provenance) -> Command:
        extra = {"region": region} if takes_region else {}
        return cast(Command, command_type(**payload, **extra, provenance=provenance))

    return build


def _type(name: str, topic: str, key: str, command_type: type[Any]) -> MessageType:
    return MessageType(
        name, topic, key, {1: getattr(schemas, f"{name}V1")}, command_of(command_type)
    )


MESSAGE_TYPES: dict[str, MessageType] = {
    t.name: t
    for t in (
        _type("InstitutionDesignated", "reference", "code", commands.DesignateInstitution),
        _type("PolicyPublished", "reference", "scheme", commands.PublishPolicy),
        _type("BudgetAllocated", "reference", "institution", commands.AllocateBudget),
        _type("DoctorRegistered", "reference", "doctor_id", commands.RegisterDoctor),
        _type("PersonEnrolled", "enrollment", "person_id", commands.EnrollPerson),
        _type("EnrollmentRenewed", "enrollment", "person_id", commands.RenewEnrollment),
        _type("EnrollmentEnded", "enrollment", "person_id", commands.EndEnrollment),
        _type("StatusCertified", "enrollment", "person_id", commands.CertifyStatus),
        _type("StatusRevoked", "enrollment", "person_id", commands.RevokeStatus),
        _type("ContributionPaid", "payments", "person_id", commands.PayContribution),
        _type("SubsidyGranted", "payments", "subsidy_id", commands.GrantSubsidy),
        _type("DisbursementMade", "payments", "institution", commands.MakeDisbursement),
        _type("DepositReleased", "payments", "institution", commands.ReleaseDeposit),
        _type("ClaimSettled", "claims", "person_id", commands.SettleClaim),
        _type("ClaimReversed", "claims", "person_id", commands.ReverseClaim),
        _type("ClaimRefused", "clawbacks", "institution", commands.RefuseClaim),
        _type("ClawbackOrdered", "clawbacks", "institution", commands.OrderClawback),
        _type("ClawbackRecovered", "clawbacks", "institution", commands.RecoverClawback),
        _type("RefundVolunteered", "clawbacks", "institution", commands.VolunteerRefund),
        _type("SanctionImposed", "sanctions", "target_id", commands.ImposeSanction),
        _type("SanctionLifted", "sanctions", "target_id", commands.LiftSanction),
        _type("FinePaid", "sanctions", "target_id", commands.PayFine),
        _type("AppealFiled", "sanctions", "target_id", commands.FileAppeal),
        _type("AppealDecided", "sanctions", "target_id", commands.DecideAppeal),
        _type("MisuseRecoveryOrdered", "clawbacks", "person_id", commands.OrderMisuseRecovery),
        _type("MisuseRecovered", "clawbacks", "person_id", commands.RecoverMisuse),
        _type("DeductionImposed", "clawbacks", "institution", commands.ImposeDeduction),
    )
}
MESSAGE_TYPES["ClawbackOrdered"] = dataclasses.replace(
    MESSAGE_TYPES["ClawbackOrdered"],
    schemas={1: schemas.ClawbackOrderedV1, 2: schemas.ClawbackOrderedV2},
    later={2: ("clawback_id", command_of(commands.OrderClawbackPart))},
)


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


@functools.cache
def _schema(schema_type: type[Schema]) -> Schema:
    # Building a schema deep-copies its declared fields, which cost more than the load itself;
    # our schemas keep no state between loads, so one instance of each serves every message.
    return schema_type()


def _first_error(error: ValidationError) -> str:
    text = json.dumps(error.messages, ensure_ascii=False, sort_keys=True)[:500]
    # An unknown field's name is echoed; a lone surrogate in it would not encode as UTF-8.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _best_message_id(document: Any) -> UUID | None:
    if isinstance(document, dict) and isinstance(document.get("message_id"), str):
        try:
            return UUID(document["message_id"])
        except ValueError:
            return None
    return None


def decode(
    raw: bytes | None, coordinates: Coordinates, topic_suffix: str | None, committed_at: datetime
) -> Decoded | Undecodable:
    """Check one message against the contract; never raises for bad input. `committed_at` is
    the batch's clock: the ledger's commit time, and the latest known time a message may state."""
    if raw is None:
        return Undecodable(Reason.MALFORMED_JSON, "message has no value (tombstone)")
    fast = fast_decoded(raw, coordinates, topic_suffix, committed_at)
    if fast is not None:
        return fast
    return strict_decode(raw, coordinates, topic_suffix, committed_at)


def strict_decode(  # noqa: PLR0911 - one early return per reason, in the order they are checked
    raw: bytes, coordinates: Coordinates, topic_suffix: str | None, committed_at: datetime
) -> Decoded | Undecodable:
    """`decode` by marshmallow alone: the contract, and the source of every rejection's detail."""
    try:
        document = parse_json(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return Undecodable(Reason.MALFORMED_JSON, f"not valid UTF-8 JSON: {error}"[:500])
    except RecursionError:
        return Undecodable(Reason.MALFORMED_JSON, "JSON nested too deeply to read")
    message_id = _best_message_id(document)
    try:
        digest = content_digest(document)
    except UnicodeEncodeError as error:  # an escaped lone surrogate, "\ud800": not Unicode text
        detail = f"a string is not Unicode text: {error.reason}"
        return Undecodable(Reason.MALFORMED_JSON, detail, message_id)
    except RecursionError:
        return Undecodable(Reason.MALFORMED_JSON, "JSON nested too deeply to read", message_id)
    if not isinstance(document, dict):
        return Undecodable(Reason.SCHEMA_INVALID, "the envelope must be a JSON object", message_id)
    try:
        envelope = _schema(EnvelopeSchema).load(document)
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
        payload = _schema(schema).load(envelope["payload"])
    except ValidationError as error:
        reason = Reason.INVALID_AMOUNT if amount_error(error.messages) else Reason.SCHEMA_INVALID
        return Undecodable(reason, f"payload: {_first_error(error)}", message_id)
    return _decoded(message_type, envelope, payload, digest, coordinates, committed_at)


def fast_decoded(
    raw: bytes, coordinates: Coordinates, topic_suffix: str | None, committed_at: datetime
) -> Decoded | None:
    """The message decoded by the fast path (consumers/fast_decode.py), or None if it steps
    aside; it accepts only what `decode` would accept, with the same values."""

    def schema_of(type_name: str, version: int) -> type[Schema] | None:
        message_type = MESSAGE_TYPES.get(type_name)
        if message_type is None or message_type.topic_suffix != topic_suffix:
            return None
        return message_type.schemas.get(version)

    accepted = fast_decode.accept(raw, schema_of)
    if accepted is None:
        return None
    message_type = MESSAGE_TYPES[accepted.envelope["type"]]
    digest = hashlib.sha256(accepted.canonical).digest()
    return _decoded(
        message_type, accepted.envelope, accepted.payload, digest, coordinates, committed_at
    )


def _decoded(
    message_type: MessageType,
    envelope: Mapping[str, Any],
    payload: Mapping[str, Any],
    digest: bytes,
    coordinates: Coordinates,
    committed_at: datetime,
) -> Decoded:
    provenance = Provenance(
        message_id=envelope["message_id"],
        recorded_by=envelope["recorded_by"],
        occurred_at=envelope["occurred_at"],
        recorded_at=known_time(envelope["recorded_at"], committed_at),
        source_topic=coordinates.topic,
        source_partition=coordinates.partition,
        source_offset=coordinates.offset,
        committed_at=committed_at,
    )
    build = message_type.build_of(envelope["schema_version"])
    command = build(payload, envelope["region"], provenance)
    return Decoded(envelope["message_id"], message_type.name, digest, command)
