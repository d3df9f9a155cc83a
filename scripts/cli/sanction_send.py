"""Sending a checked sanction message, after asking the store whether its sanction is already
recorded, and waiting for the ledger's verdict when asked to; and `sanctions TARGET`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from consumers.topics import Topics, region_key
from domain.calendar import service_day
from domain.commands import ImposeSanction, fingerprint
from infra.application.inbound import Decoded
from infra.clock import utc_now
from infra.held_reads import waiting_for
from infra.kafka import make_producer
from infra.queries import is_known
from infra.readers import reading
from infra.sanction_reads import (
    Verdict,
    differing_fields,
    last_rejection,
    recorded_digest,
    recorded_imposition,
    target_events,
    wait_for_verdict,
)
from infra.services import up
from infra.settings import Settings
from infra.store import READER_ROLE, Ledger, open_ledger
from scripts.cli import output, sanction_list
from scripts.cli.exits import NotKnownError
from scripts.cli.sanction_flags import FLAGS

TOPIC_SUFFIX = "sanctions"
# Exit codes of `--wait` besides 0 (recorded): docs/operations.md, "Exit codes".
REJECTED = 1
UNDECIDED = 4
# What an imposition states, compared with what the ledger recorded under the same id.
# `fine_amount` only when typed: the ledger records the computed fine of a base and a multiple.
STATED = ("kind", "target_kind", "target_id", "region", "case_id", "decision_document",
          "decision_date", "effective_from", "effective_to", "legal_basis", "violation",
          "base_amount", "multiple", "points", "suspension_months", "referred_to")  # fmt: skip


class InvalidInput(ValueError):  # noqa: N818 - what the user is told, not a programming error
    """Input that would be rejected; nothing was sent."""


def send(
    settings: Settings, args: argparse.Namespace, document: dict[str, Any], decoded: Decoded
) -> int:
    """Send the message unless the ledger holds it already; with `--wait`, the verdict."""
    endpoints = up(settings)
    with open_ledger(endpoints.database_url, role=READER_ROLE) as ledger:
        try:
            if already_recorded(ledger, decoded):
                said = {**_ids(document), "verdict": "already recorded (nothing sent)"}
                output.emit(args.json, said, output.key_values)
                return 0
        except InvalidInput as refusal:
            print(f"claims-ledger {args.command}: nothing sent: {refusal}", file=sys.stderr)
            return 2
        after = last_rejection(ledger)
        sent = produce(endpoints.bootstrap, settings, document)
        if not args.wait:
            output.emit(args.json, sent, output.key_values)
            return 0
        verdict = wait_for_verdict(ledger, document["message_id"], after, args.wait_timeout)
        held = None if verdict is not None else waiting_for(ledger, document["message_id"])
    if held is not None:
        output.emit(args.json, {**sent, "verdict": "held", "waits_for": held}, output.key_values)
        print(
            f"claims-ledger {args.command}: sent; the ledger holds it until {held} is known"
            " (`claims-ledger held`)",
            file=sys.stderr,
        )
        return UNDECIDED
    return _report(args, sent, verdict)


def already_recorded(ledger: Ledger, decoded: Decoded) -> bool:
    """Whether the ledger holds this very message; InvalidInput if it holds its key with other
    content (a different command for the same sanction, receipt, appeal or decision)."""
    command = decoded.command
    if isinstance(command, ImposeSanction):
        recorded = recorded_imposition(ledger, command.sanction_id)
        if recorded is not None and recorded.data.get("fingerprint") != fingerprint(command):
            raise InvalidInput(
                f"sanction {command.sanction_id} is recorded with other terms"
                f" ({_conflict(command, recorded.data)}); a different sanction needs another"
                " case id, decision document, kind or target"
            )
        if recorded is not None:
            return True
    digest = recorded_digest(ledger, decoded.message_id)
    if digest is not None and digest != decoded.content_sha256:
        raise InvalidInput(
            f"message {decoded.message_id} ({decoded.type_name} of the same sanction and key)"
            " is recorded with other content"
        )
    return digest is not None


def _conflict(command: ImposeSanction, recorded: dict[str, Any]) -> str:
    names = [*STATED, *(["fine_amount"] if command.fine_amount is not None else [])]
    differing = differing_fields(command, recorded, names)
    if not differing:  # the same terms on another day: only the valid time differs
        return "occurred_at differs"
    return "; ".join(
        f"{FLAGS.get(n, n)} {recorded.get(n)} recorded, {getattr(command, n)} given"
        for n in differing
    )


def produce(bootstrap: str, settings: Settings, document: dict[str, Any]) -> dict[str, Any]:
    producer = make_producer(bootstrap)
    topic = Topics(settings.topic_prefix).inbound(TOPIC_SUFFIX)
    try:
        value = json.dumps(document, ensure_ascii=False).encode()
        meta = producer.send(topic, key=region_key(document), value=value).get(timeout=30)
    finally:
        producer.close()
    return {
        **_ids(document),
        "topic": meta.topic,
        "partition": meta.partition,
        "offset": meta.offset,
    }


def _ids(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": document["message_id"],
        "type": document["type"],
        "sanction_id": document["payload"]["sanction_id"],
    }


def _report(args: argparse.Namespace, sent: dict[str, Any], verdict: Verdict | None) -> int:
    if verdict is None:
        output.emit(args.json, {**sent, "verdict": None}, output.key_values)
        print(
            f"claims-ledger {args.command}: sent, but the ledger did not decide within"
            f" {args.wait_timeout:g} s (is a worker running? `claims-ledger ingest`)",
            file=sys.stderr,
        )
        return UNDECIDED
    if verdict.recorded:
        output.emit(args.json, {**sent, "verdict": "recorded"}, output.key_values)
        return 0
    rejected = {**sent, "verdict": "rejected", "reason": verdict.reason, "detail": verdict.detail}
    output.emit(args.json, rejected, output.key_values)
    print(
        f"claims-ledger {args.command}: rejected by the ledger: {verdict.reason}: {verdict.detail}",
        file=sys.stderr,
    )
    return REJECTED


def target_sanctions(settings: Settings, target: str) -> list[sanction_list.SanctionSummary]:
    """Every measure imposed on `target` (NotKnownError if the log never names it)."""
    with reading(settings) as ledger:
        found = sanction_list.summaries(target_events(ledger, target))
        if not found:
            _known_target(ledger, target)
    return found


def cmd_sanctions(settings: Settings, args: argparse.Namespace) -> int:
    """`sanctions TARGET`: every measure imposed on a target."""
    found = target_sanctions(settings, args.target)
    today = service_day(utc_now())
    if args.json:
        output.print_json([sanction_list.as_json(s, today) for s in found])
    elif found:
        output.table(sanction_list.HEADERS, [sanction_list.row(s, today) for s in found])
    else:
        print(f"no sanction recorded for {args.target}")
    return 0


def _known_target(ledger: Ledger, target: str) -> None:
    kinds = ("institution", "doctor", "person")
    if not is_known(ledger, [f"{kind}:{target}" for kind in kinds]):
        raise NotKnownError(f"the ledger knows no institution, doctor or person {target!r}")
