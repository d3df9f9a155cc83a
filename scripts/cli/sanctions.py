"""`claims-ledger sanction ...`: inspectors record sanctions by producing them to Kafka.

Every message is checked before it is sent, by the worker's own contract (`consumers.contract`
decode: schema, amounts, dates) and by the domain's own `check_imposition`, the function the
worker's handler runs (kind and target, fine multiple per article, window length and order, doctor
points, fields a kind does not take), so the CLI refuses exactly what the worker refuses. Invalid
input exits with 2 and nothing is sent; the line names the flags the user typed, not the payload's
fields. What needs the ledger's state (does the target exist? is the fine still due?) is decided
by the worker, which rejects with a reason code; `--wait` prints that verdict.

Sanction and message ids derive from natural keys (`scripts/cli/sanction_keys.py`), so running a
command again is a duplicate the ledger drops; a sanction already recorded with other terms is
refused before sending (`scripts/cli/sanction_send.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consumers.contract import decode
from consumers.envelope import envelope
from consumers.topics import Topics
from domain.calendar import REGION_TZ, service_day
from domain.commands import ImposeSanction
from domain.institution import INSTITUTION_CODE
from domain.reasons import Rejected
from domain.sanction_rules import SanctionKind, check_imposition
from infra.application.inbound import Coordinates, Decoded
from infra.clock import utc_now
from infra.settings import Settings
from scripts.cli import argtypes, output, sanction_keys, sanction_send
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.sanction_flags import name_flags
from scripts.cli.sanction_send import InvalidInput

TOPIC_SUFFIX = "sanctions"
BASES = ("38", "39", "40", "41", "agreement", "doctor_points")
DEFAULT_WAIT_S = 60.0
REFERRED_TO = ("police", "health_commission", "market_regulation", "discipline_commission")
TARGET_KINDS = ("institution", "doctor", "person")
DEFAULT_VIOLATION = "other"


def _common(parser: argparse.ArgumentParser, *, decision: bool = True) -> None:
    parser.add_argument("--target", required=True, help="institution code, doctor id or person id")
    parser.add_argument(
        "--region", help="6-digit pooling region (default: from an institution code)"
    )
    parser.add_argument(
        "--recorded-by", help="who records it, e.g. inspector:zhang (default: LEDGER_RECORDED_BY)"
    )
    parser.add_argument(
        "--message-id", help="default: derived from what the command states (a re-run re-sends)"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and print, send nothing")
    parser.add_argument(
        "--wait", action="store_true", help="wait for the ledger's verdict: recorded or rejected"
    )
    parser.add_argument(
        "--wait-timeout",
        type=argtypes.positive_seconds,
        default=DEFAULT_WAIT_S,
        help=f"seconds --wait waits (default {DEFAULT_WAIT_S:.0f})",
    )
    if not decision:
        parser.add_argument("--date", required=True, help="the day it happened, YYYY-MM-DD")


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The sanction commands and their handlers."""
    p = add("sanction", "record a sanction decided by inspectors (SanctionImposed)")
    p.add_argument("--kind", required=True, choices=[k.value for k in SanctionKind])
    p.add_argument("--target-kind", choices=TARGET_KINDS)
    p.add_argument(
        "--sanction-id",
        help="default: SAN- and a digest of the case id, decision document, kind and target",
    )
    p.add_argument("--case-id", required=True)
    p.add_argument("--decision-document", required=True)
    p.add_argument("--decision-date", required=True, help="YYYY-MM-DD, today or earlier")
    p.add_argument("--effective-from", help="YYYY-MM-DD (default: the decision date)")
    p.add_argument("--effective-to", help="YYYY-MM-DD, last day in force")
    p.add_argument("--legal-basis", required=True, help=f"one of {', '.join(BASES)}")
    p.add_argument("--violation", default=DEFAULT_VIOLATION, help="e.g. phantom_bed, card_lending")
    p.add_argument("--base", help="fine base: the loss or amount defrauded, e.g. 15000.00")
    p.add_argument("--multiple", help="fine multiple, e.g. 2 or 1.5")
    p.add_argument("--fine-amount", help="article 39 fixed fine, 10000-50000")
    p.add_argument("--points", type=int, help="doctor points of this incident (1-12)")
    p.add_argument("--suspension-months", type=int, help="doctor suspension if points reach 9")
    p.add_argument("--referred-to", choices=REFERRED_TO)
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
    p.add_argument("--decision-date", required=True, help="YYYY-MM-DD, today or earlier")
    p.add_argument("--multiple")
    p.add_argument("--fine-amount")
    p.add_argument("--effective-to")
    p.add_argument("--points", type=int)
    _common(p)
    p = add("sanctions", "every measure imposed on a target, with its id, terms and state")
    p.add_argument("target", help="institution code, doctor id or person id")
    return {
        "sanction": _command(imposed),
        "sanction-lift": _command(_lifted),
        "sanction-fine-paid": _command(_fine_paid),
        "sanction-appeal": _command(_appeal_filed),
        "sanction-appeal-decided": _command(_appeal_decided),
        "sanctions": sanction_send.cmd_sanctions,
    }


@dataclass(frozen=True)
class Built:
    """What a command states: the event type, its day, its payload and its natural key."""

    type_name: str
    day: date
    payload: dict[str, Any]
    key: tuple[str, ...]  # what makes it this event and no other: its message id derives from it


Builder = Callable[[argparse.Namespace], Built]


def _command(build: Builder) -> Handler:
    def handler(settings: Settings, args: argparse.Namespace) -> int:
        try:
            document, decoded = checked_document(settings, args, build)
        except InvalidInput as error:
            print(f"claims-ledger {args.command}: nothing sent: {error}", file=sys.stderr)
            return 2
        if args.dry_run:
            output.print_json(document)
            return 0
        return sanction_send.send(settings, args, document, decoded)

    return handler


def checked_document(
    settings: Settings, args: argparse.Namespace, build: Builder
) -> tuple[dict[str, Any], Decoded]:
    """The message a command states, checked by the worker's contract and the domain's rules
    (InvalidInput naming the flags otherwise); the console's form and API use it too."""
    built = build(args)
    recorded_by = args.recorded_by or settings.recorded_by
    if not recorded_by:
        raise InvalidInput(
            "who records it is not known: set LEDGER_RECORDED_BY (e.g. inspector:zhang)"
            " or pass --recorded-by"
        )
    document = envelope(
        built.type_name,
        # The region's midnight of the stated day, never the clock: a re-run states the same.
        datetime.combine(built.day, datetime.min.time(), REGION_TZ),
        _region(args),
        recorded_by,
        built.payload,
        message_id=args.message_id or sanction_keys.message_id(built.type_name, *built.key),
    )
    raw = json.dumps(document, ensure_ascii=False).encode()
    topic = Topics().inbound(TOPIC_SUFFIX)
    decoded = decode(raw, Coordinates(topic, 0, 0), TOPIC_SUFFIX, utc_now())
    if not isinstance(decoded, Decoded):
        raise InvalidInput(f"{decoded.reason}: {name_flags(decoded.detail, _occurred_flag(args))}")
    if isinstance(decoded.command, ImposeSanction):
        try:
            check_imposition(decoded.command)
        except Rejected as refusal:
            raise InvalidInput(
                f"{refusal.reason}: {name_flags(refusal.detail, _occurred_flag(args))}"
            ) from None
    return document, decoded


def _occurred_flag(args: argparse.Namespace) -> str:
    # `occurred_at` is the decision date's midnight for decisions, else the --date typed.
    return "--decision-date" if hasattr(args, "decision_date") else "--date"


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


def _decided(text: str | None, option: str) -> date:
    """A day something was decided or happened: not after today, the region's day."""
    day = _day(text, option)
    today = service_day(utc_now())
    if day > today:
        raise InvalidInput(f"{option} {day} is in the future (today is {today}, +08:00)")
    return day


def imposed(args: argparse.Namespace) -> Built:
    """What `sanction` states (SanctionImposed), from its flags."""
    decided = _decided(args.decision_date, "--decision-date")
    effective_from = (
        _day(args.effective_from, "--effective-from") if args.effective_from else decided
    )
    sanction_id = args.sanction_id or sanction_keys.sanction_id(
        args.case_id, args.decision_document, args.kind, args.target
    )
    payload = {
        "sanction_id": sanction_id,
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
    return Built("SanctionImposed", decided, payload, (sanction_id,))


# The natural key of each follow-up: one lift of a sanction per day, one payment per receipt,
# one filing per appeal id, one decision per decision document.
def _lifted(args: argparse.Namespace) -> Built:
    day = _decided(args.date, "--date")
    payload = {"sanction_id": args.sanction_id, "target_id": args.target, "reason": args.reason}
    return Built("SanctionLifted", day, payload, (args.sanction_id, day.isoformat()))


def _fine_paid(args: argparse.Namespace) -> Built:
    payload = {
        "sanction_id": args.sanction_id,
        "target_id": args.target,
        "amount": args.amount,
        "receipt_no": args.receipt_no,
    }
    day = _decided(args.date, "--date")
    return Built("FinePaid", day, payload, (args.sanction_id, args.receipt_no))


def _appeal_filed(args: argparse.Namespace) -> Built:
    payload = {
        "sanction_id": args.sanction_id,
        "target_id": args.target,
        "appeal_id": args.appeal_id,
    }
    day = _decided(args.date, "--date")
    return Built("AppealFiled", day, payload, (args.sanction_id, args.appeal_id))


def _appeal_decided(args: argparse.Namespace) -> Built:
    decided = _decided(args.decision_date, "--decision-date")
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
    key = (args.sanction_id, args.decision_document)
    return Built("AppealDecided", decided, payload, key)
