"""The sanction CLI refuses exactly what the worker refuses, over generated input.

The CLI's verdict is `claims-ledger sanction ... --dry-run` (exit 0, or exit 2 with the reason);
the worker's is the same document decoded by the contract and decided by the sanction handler
against a ledger that knows the target. With the target known they must agree, reason for reason.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from consumers.contract import decode
from domain.reasons import Rejected
from domain.sanction_rules import SanctionKind
from infra.application.inbound import Coordinates, Decoded
from scripts.cli import main
from tests.domain_builders import DOCTOR, LEVEL_3, designate, enroll, publish, register_doctor
from tests.memory import InMemoryAggregates
from tests.messages import RECORDED_AT, encode

DECIDED = date(2020, 4, 15)
TARGETS = {"institution": LEVEL_3, "doctor": DOCTOR, "person": "P-1"}
BASES = ("38", "39", "40", "41", "agreement", "doctor_points")
# Options whose values only some kinds take.
RULED = ("--base", "--multiple", "--fine-amount", "--points", "--suspension-months",
         "--referred-to", "--effective-to")  # fmt: skip


@st.composite
def sanction_options(draw: st.DrawFn) -> dict[str, str | None]:
    """What an inspector may type: every option the parser accepts, valid or not for the rules."""
    effective_from = DECIDED + timedelta(days=draw(st.integers(-10, 40)))
    last_day = draw(st.none() | st.integers(-40, 500).map(lambda n: effective_from + timedelta(n)))

    def maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[str | None]:
        return st.none() | values.map(str)

    return {
        "--kind": draw(st.sampled_from([k.value for k in SanctionKind])),
        "--target-kind": draw(st.sampled_from(sorted(TARGETS))),
        "--legal-basis": draw(st.sampled_from(BASES)),
        "--effective-from": effective_from.isoformat(),
        "--effective-to": None if last_day is None else last_day.isoformat(),
        "--base": draw(maybe(st.sampled_from(["100", "15000.00", "0", "-5"]))),
        "--multiple": draw(maybe(st.sampled_from(["0.5", "1", "1.5", "2", "3", "5", "6"]))),
        "--fine-amount": draw(maybe(st.sampled_from(["9999.99", "10000", "50000", "50000.01"]))),
        "--points": draw(maybe(st.integers(-1, 14))),
        "--suspension-months": draw(maybe(st.integers(0, 7))),
        "--referred-to": draw(st.none() | st.just("police")),
    }


def command_line(options: dict[str, str | None]) -> list[str]:
    target = TARGETS[str(options["--target-kind"])]
    line = ["sanction", "--target", target, "--region", "430422", "--case-id", "C-1",
            "--decision-document", "D-1", "--decision-date", DECIDED.isoformat(),
            "--message-id", "5b0f7d1e-9c3a-4e55-8d61-2f4a8e7c9b30", "--sanction-id", "S-1",
            "--recorded-by", "inspector:test", "--dry-run"]  # fmt: skip
    for option, value in options.items():
        if value is not None:
            line += [option, value]
    return line


def cli_verdict(line: list[str]) -> tuple[str, dict[str, Any] | None]:
    """'accepted' and the document it would send, or the reason it refused with."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(line)
    if code == 0:
        return "accepted", json.loads(out.getvalue())
    assert code == 2, err.getvalue()
    return err.getvalue().split("nothing sent: ", 1)[1].split(":", 1)[0], None


def worker_verdict(document: dict[str, Any]) -> str:
    """'accepted', or the reason the worker rejects the message with."""
    decoded = decode(
        encode(document), Coordinates("ledger.sanctions", 0, 0), "sanctions", RECORDED_AT
    )
    if not isinstance(decoded, Decoded):
        return str(decoded.reason)
    ledger = InMemoryAggregates.given(publish(), designate(), enroll(), register_doctor())
    try:
        ledger.decide(decoded.command)
    except Rejected as refusal:
        return str(refusal.reason)
    return "accepted"


def document_of(options: dict[str, str | None]) -> dict[str, Any]:
    """The document the CLI builds from `options` whatever the rules say: the CLI's own document
    of a plain interview, with the ruled payload fields written in as the CLI spells them."""
    plain = {**options, "--kind": "interview", "--legal-basis": "agreement"} | dict.fromkeys(RULED)
    verdict, document = cli_verdict(command_line(plain))
    assert document is not None, verdict
    basis = str(options["--legal-basis"])
    points, months = options["--points"], options["--suspension-months"]
    document["payload"].update(
        kind=options["--kind"],
        legal_basis=f"article_{basis}" if basis.isdigit() else basis,
        effective_to=options["--effective-to"],
        base_amount=options["--base"],
        multiple=options["--multiple"],
        fine_amount=options["--fine-amount"],
        points=None if points is None else int(points),
        suspension_months=None if months is None else int(months),
        referred_to=options["--referred-to"],
    )
    return document


@settings(max_examples=200, deadline=None, derandomize=True)
@given(sanction_options())
@example(  # the CLI accepted this once; the worker always refused it
    {
        "--kind": "interview",
        "--target-kind": "institution",
        "--legal-basis": "agreement",
        "--effective-from": "2020-04-15",
        "--effective-to": None,
        "--base": "100",
        "--multiple": "1",
        "--fine-amount": None,
        "--points": None,
        "--suspension-months": None,
        "--referred-to": None,
    }
)
def test_the_cli_refuses_exactly_what_the_worker_refuses(options: dict[str, str | None]) -> None:
    verdict, sent = cli_verdict(command_line(options))
    document = document_of(options)
    if sent is not None:
        assert sent == document  # the document checked below is the one the CLI would send
    assert verdict == worker_verdict(document)
