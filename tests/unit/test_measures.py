"""Agreement measures: which are accepted, how each stands on a day, and what ends them."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from consumers.contract import decode
from domain.claim import Claim
from domain.commands import ImposeSanction, LiftSanction
from domain.measures import EndedBy, MeasureState, measure_state
from domain.reasons import Reason
from domain.sanction import Sanction
from domain.sanction_rules import check_imposition
from infra.application.inbound import Decoded
from tests.domain_builders import LEVEL_3, d, designate, enroll, on, publish, sanction, settle
from tests.examples import DOC, documented
from tests.memory import InMemoryAggregates
from tests.messages import RECORDED_AT, coordinates


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default policy, a level-3 hospital and an enrolled person."""
    return InMemoryAggregates.given(publish(), designate(), enroll())


def rectification(deadline: str | None = "2019-08-31") -> ImposeSanction:
    return sanction(
        "ZG-1",
        "rectification",
        legal_basis="agreement",
        effective_from="2019-06-01",
        effective_to=deadline,
    )


def deferral(effective_to: str | None = None, **changes: str) -> ImposeSanction:
    values = {"legal_basis": "agreement", "effective_from": "2019-06-01", **changes}
    return sanction("ZH-1", "deferred_settlement", effective_to=effective_to, **values)


def state(kind: str, day: str, last_day: str | None, ended_by: str | None = None) -> object:
    last = None if last_day is None else d(last_day)
    return measure_state(
        kind, effective_from=d("2019-06-01"), last_day=last, ended_by=ended_by, day=d(day)
    )


@pytest.mark.parametrize(
    ("day", "last_day", "ended_by", "expected"),
    [
        ("2019-05-31", "2019-08-31", None, None),  # not yet decided in effect
        ("2019-06-01", "2019-08-31", None, MeasureState.IN_FORCE),
        ("2019-08-31", "2019-08-31", None, MeasureState.IN_FORCE),  # the deadline is its last day
        ("2019-09-01", "2019-08-31", None, MeasureState.OVERDUE),  # not recorded done in time
        ("2019-07-15", "2019-07-14", EndedBy.LIFTED, MeasureState.DONE),
        ("2019-07-15", "2019-07-14", EndedBy.APPEAL, MeasureState.ENDED_ON_APPEAL),
    ],
)
def test_a_rectification_is_in_force_until_done_or_its_deadline(
    day: str, last_day: str, ended_by: str | None, expected: MeasureState | None
) -> None:
    assert state("rectification", day, last_day, ended_by) == expected


@pytest.mark.parametrize("kind", ["interview", "public_criticism", "referral"])
def test_an_interview_criticism_or_referral_is_taken_on_its_day_and_stays_on_record(
    kind: str,
) -> None:
    assert state(kind, "2019-05-31", None) is None
    assert state(kind, "2019-06-01", None) == MeasureState.TAKEN
    assert state(kind, "2025-01-01", None) == MeasureState.TAKEN
    assert state(kind, "2019-07-01", "2019-06-30", EndedBy.APPEAL) == MeasureState.ENDED_ON_APPEAL


def test_a_deferred_settlement_runs_until_lifted_or_its_last_day() -> None:
    assert state("deferred_settlement", "2030-01-01", None) == MeasureState.IN_FORCE
    assert state("deferred_settlement", "2019-09-01", "2019-08-31") == MeasureState.ENDED
    lifted = state("deferred_settlement", "2019-07-01", "2019-06-30", EndedBy.LIFTED)
    assert lifted == MeasureState.LIFTED


def test_a_rectification_recorded_done_is_lifted_from_that_day(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(rectification())
    [lifted] = ledger.decide(LiftSanction("ZG-1", LEVEL_3, "整改验收合格", on("2019-07-15")))
    assert isinstance(lifted, Sanction.Lifted)
    assert lifted.effective_to == date(2019, 7, 14)


def test_a_rectification_done_after_its_deadline_is_refused_not_in_force(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(rectification())
    late = LiftSanction("ZG-1", LEVEL_3, "整改验收合格", on("2019-09-01"))
    assert ledger.rejection(late) == Reason.NOT_IN_FORCE


def test_a_rectification_without_a_deadline_is_schema_invalid(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(rectification(deadline=None)) == Reason.SCHEMA_INVALID


def test_an_interview_cannot_be_lifted(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction("YT-1", "interview", legal_basis="agreement"))
    lift = LiftSanction("YT-1", LEVEL_3, "withdrawn", on("2019-07-01"))
    assert ledger.rejection(lift) == Reason.NOT_IN_FORCE


def test_a_deferred_settlement_may_be_open_ended_and_is_lifted(
    ledger: InMemoryAggregates,
) -> None:
    [imposed] = ledger.decide(deferral())
    assert isinstance(imposed, Sanction.Imposed)
    assert (imposed.kind, imposed.effective_to) == ("deferred_settlement", None)
    [lifted] = ledger.decide(LiftSanction("ZH-1", LEVEL_3, "整改到位", on("2019-10-08")))
    assert isinstance(lifted, Sanction.Lifted)
    assert lifted.effective_to == date(2019, 10, 7)


def test_claims_during_a_deferred_settlement_are_still_settled_and_paid(
    ledger: InMemoryAggregates,
) -> None:
    # 暂缓结算 holds the payment back; it does not refuse the care, unlike a suspension.
    ledger.decide(deferral())
    events = ledger.decide(settle("JS-1", day="2019-07-01"))
    [settled] = [e for e in events if isinstance(e, Claim.Settled)]
    assert (settled.outcome, settled.refusal_reason) == ("paid", None)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"target_kind": "person", "target_id": "P-1"}, Reason.SCHEMA_INVALID),
        ({"legal_basis": "article_38"}, Reason.SCHEMA_INVALID),
        ({"effective_to": "2019-05-31"}, Reason.DATES_OUT_OF_ORDER),
    ],
)
def test_a_deferred_settlement_is_an_agreement_measure_on_an_institution(
    ledger: InMemoryAggregates, changes: dict[str, str], reason: Reason
) -> None:
    command = sanction(
        "ZH-2",
        "deferred_settlement",
        **({"legal_basis": "agreement", "effective_from": "2019-06-01"} | changes),
    )
    assert ledger.rejection(command) == reason


MEASURE_PAYLOAD = re.compile(r"```json\n(\{\"sanction_id\": [^\n]*\})\n```")


def test_the_documented_measure_payloads_pass_the_contract_and_the_rules() -> None:
    payloads = [json.loads(p) for p in MEASURE_PAYLOAD.findall(DOC.read_text(encoding="utf-8"))]
    assert sorted(p["kind"] for p in payloads) == [
        "deferred_settlement", "interview", "rectification", "referral"
    ]  # fmt: skip
    for payload in payloads:
        raw = json.dumps(documented("SanctionImposed", **payload)).encode()
        outcome = decode(raw, coordinates("sanctions"), "sanctions", RECORDED_AT)
        assert isinstance(outcome, Decoded), outcome
        assert isinstance(outcome.command, ImposeSanction)
        check_imposition(outcome.command)  # raises Rejected if a rule refuses it
