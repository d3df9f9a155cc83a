"""`claims-ledger sanction ...`: inspectors record sanctions by producing them to Kafka.

Every message is checked before it is sent, by the worker's own contract (`consumers.contract`
decode: schema, amounts, dates) and by the domain's own `check_imposition`, the function the
worker's handler runs (kind and target, fine multiple per article, window length and order, doctor
points, fields a kind does not take), so the CLI refuses exactly what the worker refuses. Invalid
input exits with 2 and
nothing is sent. What needs the ledger's state (does the target exist? is the fine still due?)
is decided by the worker, which rejects with a reason code (see `claims-ledger rejected`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from consumers.contract import decode
from consumers.envelope import envelope
from consumers.topics import Topics
from domain.calendar import REGION_TZ
from domain.commands import ImposeSanction
from domain.institution import INSTITUTION_CODE
from domain.reasons import Rejected
from domain.sanction_rules import SanctionKind, check_imposition
from infra.application.inbound import Coordinates, Decoded
from infra.clock import utc_now
from infra.kafka import make_producer
from infra.services import up
from infra.settings import Settings
from scripts.cli import output
from scripts.cli.commandline import AddCommand, Handler

TOPIC_SUFFIX = "sanctions"
BASES = ("38", "39", "40", "41", "agreement", "doctor_points")


class InvalidInput(ValueError):  # noqa: N818 - what the user is told, not a programming error
    """Input that would be rejected; nothing was sent."""


def _common(parser: argparse.ArgumentParser, *, decision: bool = True) -> None:
    parser.add_argument("--target", required=True, help="institution code, doctor id or person id")
    parser.add_argument(
        "--region", help="6-digit pooling region (default: from an institution code)"
    )
    parser.add_argument("--recorded-by", help="who records it (default inspector:<login>)")
    parser.add_argument("--message-id", help="idempotency key to re-send the same message (UUID)")
    parser.add_argument("--dry-run", action="store_true", help="check and print, send nothing")
    if not decision:
        parser.add_argument("--date", required=True, help="the day it happened, YYYY-MM-DD")


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The sanction commands and their handlers."""
    p = add("sanction", "record a sanction decided by inspectors (SanctionImposed)")
    p.add_argument("--kind", required=True, choices=[k.value for k in SanctionKind])
    p.add_argument("--target-kind", choices=["institution", "doctor", "person"])
    p.add_argument("--sanction-id", help="default: derived from the case id and message id")
    p.add_argument("--case-id", required=True)
    p.add_argument("--decision-document", required=True)
    p.add_argument("--decision-date", required=True, help="YYYY-MM-DD")
    p.add_argument("--effective-from", help="YYYY-MM-DD (default: the decision date)")
    p.add_argument("--effective-to", help="YYYY-MM-DD, last day in force")
    p.add_argument("--legal-basis", required=True, help=f"one of {', '.join(BASES)}")
    p.add_argument("--violation", default="other", help="e.g. phantom_bed, card_lending")
    p.add_argument("--base", help="fine base: the loss or amount defrauded, e.g. 15000.00")
    p.add_argument("--multiple", help="fine multiple, e.g. 2 or 1.5")
    p.add_argument("--fine-amount", help="article 39 fixed fine, 10000-50000")
    p.add_argument("--points", type=int, help="doctor points of this incident (1-12)")
    p.add_argument("--suspension-months", type=int, help="doctor suspension if points reach 9")
    p.add_argument(
        "--referred-to",
        choices=["police", "health_commission", "market_regulation", "discipline_commission"],
    )
    _common(p)
    p = add("sanction-lift", "end a suspension, termination or rectification early")
    p.add_argument("--sanction-id", required=True)
    p.add_argument("--reason", required=True)
    _common(p, decision=False)
    p = add("sanction-fine-paid", "record a fine payment to the treasury")
    p.add_argument("--sanction-id", required=True)
    p.add_argument("--amount", required=True)
    p.add_argument("--receipt-no", required=True)
    _common(p, decision=False)
    p = add("sanction-appeal", "record an appeal filed against a sanction")
    p.add_argument("--sanction-id", required=True)
    p.add_argument("--appeal-id", required=True)
    _common(p, decision=False)
    p = add("sanction-appeal-decided", "record the decision on an appeal")
    p.add_argument("--sanction-id", required=True)
    p.add_argument("--outcome", required=True, choices=["upheld", "reduced", "revoked"])
    p.add_argument("--decision-document", required=True)
    p.add_argument("--decision-date", required=True)
    p.add_argument("--multiple")
    p.add_argument("--fine-amount")
    p.add_argument("--effective-to")
    p.add_argument("--points", type=int)
    _common(p)
    return {
        "sanction": _command(_imposed),
        "sanction-lift": _command(_lifted),
        "sanction-fine-paid": _command(_fine_paid),
        "sanction-appeal": _command(_appeal_filed),
        "sanction-appeal-decided": _command(_appeal_decided),
    }


Builder = Callable[[argparse.Namespace], tuple[str, date, dict[str, Any]]]


def _command(build: Builder) -> Handler:
    def handler(settings: Settings, args: argparse.Namespace) -> int:
        try:
            document = _checked_document(args, build)
        except InvalidInput as error:
            print(f"claims-ledger {args.command}: nothing sent: {error}", file=sys.stderr)
            return 2
        if args.dry_run:
            output.print_json(document)
            return 0
        return _send(settings, args, document)

    return handler


def _checked_document(args: argparse.Namespace, build: Builder) -> dict[str, Any]:
    type_name, day, payload = build(args)
    document = envelope(
        type_name,
        datetime.combine(day, datetime.min.time(), REGION_TZ),
        _region(args),
        args.recorded_by or f"inspector:{getpass.getuser()}",
        payload,
        message_id=args.message_id,
    )
    raw = json.dumps(document, ensure_ascii=False).encode()
    topic = Topics().inbound(TOPIC_SUFFIX)
    decoded = decode(raw, Coordinates(topic, 0, 0), TOPIC_SUFFIX, utc_now())
    if not isinstance(decoded, Decoded):
        raise InvalidInput(f"{decoded.reason}: {decoded.detail}")
    if isinstance(decoded.command, ImposeSanction):
        try:
            check_imposition(decoded.command)
        except Rejected as refusal:
            raise InvalidInput(f"{refusal.reason}: {refusal.detail}") from None
    return document


def _send(settings: Settings, args: argparse.Namespace, document: dict[str, Any]) -> int:
    endpoints = up(settings)
    producer = make_producer(endpoints.bootstrap)
    topic = Topics(settings.topic_prefix).inbound(TOPIC_SUFFIX)
    try:
        value = json.dumps(document, ensure_ascii=False).encode()
        key = str(document["payload"]["target_id"]).encode()
        meta = producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()
    sent = {
        "message_id": document["message_id"],
        "type": document["type"],
        "sanction_id": document["payload"]["sanction_id"],
        "topic": meta.topic,
        "partition": meta.partition,
        "offset": meta.offset,
    }
    output.emit(args.json, sent, output.key_values)
    return 0


def _region(args: argparse.Namespace) -> str:
    if args.region:
        return str(args.region)
    if INSTITUTION_CODE.fullmatch(args.target):
        return str(args.target[1:7])
    raise InvalidInput("--region is needed when the target is not an institution code")


def _day(text: str | None, option: str) -> date:
    if text is None:
        raise InvalidInput(f"{option} is needed")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} must be a date YYYY-MM-DD, not {text!r}") from None


def _basis(text: str) -> str:
    """`38` or `article_38`, `agreement`, `doctor_points`, as the contract spells them."""
    spelled = f"article_{text}" if text.isdigit() else text
    if spelled not in {f"article_{b}" if b.isdigit() else b for b in BASES}:
        raise InvalidInput(f"--legal-basis must be one of {', '.join(BASES)}, not {text!r}")
    return spelled


def _target_kind(args: argparse.Namespace) -> str:
    if args.target_kind:
        return str(args.target_kind)
    if INSTITUTION_CODE.fullmatch(args.target):
        return "institution"
    implied = {"doctor_points": "doctor", "networked_settlement_suspension": "person"}
    if args.kind in implied:
        return implied[args.kind]
    raise InvalidInput("--target-kind is needed when the target is not an institution code")


def _imposed(args: argparse.Namespace) -> tuple[str, date, dict[str, Any]]:
    decided = _day(args.decision_date, "--decision-date")
    effective_from = (
        _day(args.effective_from, "--effective-from") if args.effective_from else decided
    )
    message_id = args.message_id or str(uuid.uuid4())
    args.message_id = message_id  # the sanction id below derives from it: keep them together
    payload = {
        "sanction_id": args.sanction_id or f"{args.case_id}-{message_id[:8]}",
        "kind": args.kind,
        "target_kind": _target_kind(args),
        "target_id": args.target,
        "case_id": args.case_id,
        "decision_document": args.decision_document,
        "decision_date": decided.isoformat(),
        "effective_from": effective_from.isoformat(),
        "effective_to": args.effective_to and _day(args.effective_to, "--effective-to").isoformat(),
        "legal_basis": _basis(args.legal_basis),
        "violation": args.violation,
        "base_amount": args.base,
        "multiple": args.multiple,
        "fine_amount": args.fine_amount,
        "points": args.points,
        "suspension_months": args.suspension_months,
        "referred_to": args.referred_to,
    }
    return "SanctionImposed", decided, payload


def _lifted(args: argparse.Namespace) -> tuple[str, date, dict[str, Any]]:
    payload = {"sanction_id": args.sanction_id, "target_id": args.target, "reason": args.reason}
    return "SanctionLifted", _day(args.date, "--date"), payload


def _fine_paid(args: argparse.Namespace) -> tuple[str, date, dict[str, Any]]:
    payload = {
        "sanction_id": args.sanction_id,
        "target_id": args.target,
        "amount": args.amount,
        "receipt_no": args.receipt_no,
    }
    return "FinePaid", _day(args.date, "--date"), payload


def _appeal_filed(args: argparse.Namespace) -> tuple[str, date, dict[str, Any]]:
    payload = {
        "sanction_id": args.sanction_id,
        "target_id": args.target,
        "appeal_id": args.appeal_id,
    }
    return "AppealFiled", _day(args.date, "--date"), payload


def _appeal_decided(args: argparse.Namespace) -> tuple[str, date, dict[str, Any]]:
    decided = _day(args.decision_date, "--decision-date")
    payload = {
        "sanction_id": args.sanction_id,
        "target_id": args.target,
        "outcome": args.outcome,
        "decision_document": args.decision_document,
        "decision_date": decided.isoformat(),
        "multiple": args.multiple,
        "fine_amount": args.fine_amount,
        "effective_to": args.effective_to and _day(args.effective_to, "--effective-to").isoformat(),
        "points": args.points,
    }
    return "AppealDecided", decided, payload
