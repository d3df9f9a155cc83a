"""Inspectors record a sanction through Kafka, exactly as `claims-ledger sanction` does: the
CLI's checks (the worker's contract and the domain's rules), its ids, its producer. The console
writes nothing to the store; the ledger's verdict is read back by message id."""

from __future__ import annotations

import argparse
from http import HTTPStatus
from typing import Any
from uuid import UUID

from flask import request, url_for
from marshmallow import ValidationError

from infra.held_reads import waiting_for
from infra.readers import reading
from infra.sanction_reads import imposed_by_message, verdict
from infra.services import up
from infra.store import READER_ROLE, open_ledger
from scripts.cli.sanction_send import InvalidInput, already_recorded, produce
from scripts.cli.sanctions import checked_document, imposed
from scripts.console import auth, schemas
from scripts.console.api import RECORD, endpoint, settings
from scripts.console.params import path_value, query
from scripts.console.problems import Problem, bad_parameter, fields_named


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise Problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the sanction as application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(HTTPStatus.BAD_REQUEST, "the body must be a JSON object of the options")
    if "recorded_by" in body:
        raise Problem(
            HTTPStatus.BAD_REQUEST,
            "recorded_by is not taken: who records the sanction is who logged in",
            errors={"recorded_by": ["comes from the login"]},
        )
    for name, value in body.items():
        if isinstance(value, str) and not _storable(value):
            raise Problem(
                HTTPStatus.BAD_REQUEST,
                f"{name}: contains a NUL or a lone surrogate, which no message may carry",
                errors={name: ["not storable text"]},
            )
    try:
        loaded: dict[str, Any] = schemas.SanctionRequest().load(body)
    except ValidationError as error:
        messages: Any = error.messages
        first = next(iter(messages)) if isinstance(messages, dict) and messages else "body"
        raise Problem(
            HTTPStatus.BAD_REQUEST, f"{first}: {_said(messages, first)}", errors=messages
        ) from None
    return loaded


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _said(messages: Any, name: str) -> str:
    said = messages.get(name, messages) if isinstance(messages, dict) else messages
    return " ".join(map(str, said)) if isinstance(said, list) else str(said)


@endpoint(
    "/sanctions",
    "record a sanction (SanctionImposed) through Kafka, as `claims-ledger sanction` does",
    schemas.SanctionSent,
    method="POST",
    role=RECORD,
    body=schemas.SanctionRequest,
    status=202,
)
def record_sanction() -> tuple[dict[str, Any], int]:
    query(())
    args = argparse.Namespace(
        **_body(), command="sanction", recorded_by=auth.identity().recorded_by
    )
    config = settings()
    try:
        document, decoded = checked_document(config, args, imposed)
    except InvalidInput as error:
        raise Problem(HTTPStatus.BAD_REQUEST, f"nothing sent: {fields_named(str(error))}") from None
    endpoints = up(config)
    with open_ledger(endpoints.database_url, role=READER_ROLE) as ledger:
        try:
            recorded = already_recorded(ledger, decoded)
        except InvalidInput as error:
            raise Problem(
                HTTPStatus.CONFLICT, f"nothing sent: {fields_named(str(error))}"
            ) from None
    message_id = document["message_id"]
    ids = {
        "message_id": message_id,
        "type": document["type"],
        "sanction_id": document["payload"]["sanction_id"],
        "verdict_url": url_for("api.get_sanctions_message_id_verdict", message_id=message_id),
    }
    if recorded:  # a re-send of what the ledger holds: nothing sent, as the CLI does
        return ids | {"verdict": "recorded"}, HTTPStatus.OK
    sent = produce(endpoints.bootstrap, config, document)
    return sent | ids | {"verdict": "pending"}, HTTPStatus.ACCEPTED


@endpoint(
    "/sanctions/<message_id>/verdict",
    "the ledger's verdict on a sent message: recorded (with the sanction id), rejected, pending",
    schemas.Verdict,
    path_params={"message_id": "the message id POST /sanctions returned"},
)
def sanction_verdict(message_id: str) -> dict[str, Any]:
    query(())
    try:
        wanted = UUID(path_value("message_id", message_id))
    except ValueError:
        raise bad_parameter("message_id", message_id, "is not a message id (a UUID)") from None
    with reading(settings()) as ledger:
        # Rejections of any earlier send count too: the ids derive from what was stated, so
        # an earlier send of this id stated the same.
        decided = verdict(ledger, str(wanted), 0)
        if decided is None:
            held = waiting_for(ledger, str(wanted))
            return {"message_id": wanted, "verdict": "pending", "waits_for": held}
        if not decided.recorded:
            return {
                "message_id": wanted,
                "verdict": "rejected",
                "reason": decided.reason,
                "detail": decided.detail,
            }
        sanction_id = imposed_by_message(ledger, wanted)
    return {"message_id": wanted, "verdict": "recorded", "sanction_id": sanction_id}
