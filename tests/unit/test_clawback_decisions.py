"""Worked examples of a clawback decision over several institutions, sent in parts
(ClawbackOrdered version 2): given the claims, when the parts arrive, then the decision."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest

from consumers.contract import MESSAGE_TYPES, decode
from domain.claim import Claim
from domain.clawback import Clawback
from domain.commands import (
    InstitutionClaimAmount,
    OrderClawback,
    OrderClawbackPart,
    RecoverClawback,
    ReverseClaim,
)
from domain.decision import ClawbackDecision, ClawbackParts
from domain.postings import Posting
from domain.reasons import Awaited, Reason, Rejected
from infra.application.inbound import Decoded, Undecodable
from tests.domain_builders import LEVEL_2, LEVEL_3, REGION, d, designate, enroll, on, publish
from tests.domain_builders import settle as settled
from tests.examples import documented
from tests.memory import InMemoryAggregates
from tests.messages import RECORDED_AT, coordinates

FUND = "fund:430422:resident:pooled"
UNDESIGNATED = "H43042200099"


@pytest.fixture
def ledger() -> InMemoryAggregates:
    return given_four_claims()


def given_four_claims() -> InMemoryAggregates:
    """Given claims C-1, C-2 at the level-3 hospital and C-3, C-4 at the level-2 centre."""
    return InMemoryAggregates.given(
        publish(),
        designate(),
        designate(LEVEL_2, "2"),
        enroll(),
        settled("C-1"),
        settled("C-2", "3000.00", day="2019-05-04"),
        settled("C-3", "3000.00", day="2019-05-05", institution=LEVEL_2),
        settled("C-4", "2000.00", day="2019-05-06", institution=LEVEL_2),
    )


def line(institution: str, claim_id: str, amount: str) -> InstitutionClaimAmount:
    return InstitutionClaimAmount(institution, claim_id, Decimal(amount))


def part(k: int, n: int, *lines: InstitutionClaimAmount, **changes: Any) -> OrderClawbackPart:
    values: dict[str, Any] = {
        "clawback_id": "J-1",
        "region": REGION,
        "part": k,
        "parts": n,
        "case_id": "JOINT-2020-07",
        "decision_document": "县医保局[2020]7号",
        "decision_date": d("2020-04-15"),
        "violation": "phantom_bed",
        "detection_source": "onsite_inspection",
        "lines": lines,
        "provenance": on("2019-06-30"),
    }
    values.update(changes)
    return OrderClawbackPart(**values)


PART_1 = part(1, 2, line(LEVEL_3, "C-1", "500.00"), line(LEVEL_2, "C-3", "300.00"))
PART_2 = part(2, 2, line(LEVEL_3, "C-2", "200.00"))


def share(ledger: InMemoryAggregates, institution: str) -> Clawback | None:
    return ledger.clawback(f"J-1/{institution}")


def test_one_part_decision_over_two_institutions_orders_each_its_share(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(part(1, 1, line(LEVEL_3, "C-1", "500.00"), line(LEVEL_2, "C-3", "300.00")))
    decision = ledger.clawback_decision("J-1")
    assert decision is not None
    assert decision.shares == {LEVEL_3: Decimal("500.00"), LEVEL_2: Decimal("300.00")}
    assert decision.total == Decimal("800.00")
    level_3, level_2 = share(ledger, LEVEL_3), share(ledger, LEVEL_2)
    assert level_3 is not None
    assert level_3.outstanding == Decimal("500.00")
    assert level_2 is not None
    assert level_2.claim_ids == ("C-3",)
    claim = ledger.claim("C-3")
    assert claim is not None
    assert claim.outstanding == claim.fund_share - Decimal("300.00")


def test_the_first_part_alone_orders_nothing_back(ledger: InMemoryAggregates) -> None:
    events = ledger.decide(PART_1)
    assert [type(e) for e in events] == [ClawbackParts.Started, ClawbackParts.PartReceived]
    assert ledger.clawback_decision("J-1") is None
    assert share(ledger, LEVEL_3) is None
    claim = ledger.claim("C-1")
    assert claim is not None
    assert claim.outstanding == claim.fund_share


def test_the_last_part_puts_the_whole_decision_in_force(ledger: InMemoryAggregates) -> None:
    ledger.decide(PART_1)
    events = ledger.decide(PART_2)
    kinds = [type(e) for e in events]
    assert kinds[:2] == [ClawbackParts.PartReceived, ClawbackDecision.Ordered]
    assert kinds.count(Clawback.Ordered) == 2
    assert kinds.count(Claim.ClawbackNoted) == 3
    decision = ledger.clawback_decision("J-1")
    assert decision is not None
    assert decision.total == Decimal("1000.00")
    level_3 = share(ledger, LEVEL_3)
    assert level_3 is not None
    assert level_3.claim_ids == ("C-1", "C-2")


def _state(ledger: InMemoryAggregates) -> list[Any]:
    """What the decision left: its record and each share's lines, without provenance."""
    decision = ledger.clawback_decision("J-1")
    assert decision is not None
    shares = [share(ledger, i) for i in decision.shares]
    return [decision.shares, decision.total, [(s.institution, s.remaining) for s in shares if s]]


def test_the_decision_is_the_same_whatever_order_its_parts_arrive_in() -> None:
    parts = [
        part(1, 3, line(LEVEL_3, "C-1", "500.00")),
        part(2, 3, line(LEVEL_2, "C-3", "300.00"), line(LEVEL_3, "C-2", "10.00")),
        part(3, 3, line(LEVEL_2, "C-4", "20.00")),
    ]
    outcomes = []
    for arrival in itertools.permutations(parts):
        given = given_four_claims()
        for message in arrival:
            given.decide(message)
        outcomes.append(_state(given))
    assert all(outcome == outcomes[0] for outcome in outcomes)
    assert list(outcomes[0][0]) == [LEVEL_3, LEVEL_2]  # first named in part order


def test_a_part_sent_again_changes_nothing(ledger: InMemoryAggregates) -> None:
    ledger.decide(PART_1)
    assert ledger.decide(PART_1) == []
    ledger.decide(PART_2)
    assert ledger.decide(PART_1) == []
    assert ledger.decide(PART_2) == []


def test_a_part_sent_again_with_other_lines_is_a_conflicting_duplicate(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(PART_1)
    other = part(1, 2, line(LEVEL_3, "C-1", "499.00"))
    assert ledger.rejection(other) == Reason.CONFLICTING_DUPLICATE


def test_a_part_of_another_decision_under_the_same_id_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(PART_1)
    assert ledger.rejection(part(2, 3, line(LEVEL_3, "C-2", "1"))) == (Reason.CONFLICTING_DUPLICATE)
    other_document = part(2, 2, line(LEVEL_3, "C-2", "1"), decision_document="另一份")
    assert ledger.rejection(other_document) == Reason.CONFLICTING_DUPLICATE


def test_a_claim_named_in_two_parts_is_refused(ledger: InMemoryAggregates) -> None:
    ledger.decide(PART_1)
    assert ledger.rejection(part(2, 2, line(LEVEL_3, "C-1", "1.00"))) == (
        Reason.CONFLICTING_DUPLICATE
    )


def test_a_line_naming_a_claim_of_another_institution_is_refused_per_line(
    ledger: InMemoryAggregates,
) -> None:
    wrong = part(1, 1, line(LEVEL_3, "C-1", "500.00"), line(LEVEL_3, "C-3", "300.00"))
    with pytest.raises(Exception, match="part 1, line 2: claim C-3 was settled at"):
        ledger.decide(wrong)
    assert ledger.rejection(wrong) == Reason.CLAIM_NOT_AT_INSTITUTION
    assert ledger.clawback_parts("J-1") is None


def test_a_line_for_an_undesignated_institution_is_refused_with_its_own_reason(
    ledger: InMemoryAggregates,
) -> None:
    unknown = part(1, 1, line(UNDESIGNATED, "C-1", "500.00"))
    assert ledger.rejection(unknown) == Reason.UNKNOWN_INSTITUTION


def test_a_line_above_what_was_paid_for_the_claim_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(part(1, 1, line(LEVEL_2, "C-4", "99999.00"))) == Reason.EXCEEDS_PAID


def test_the_last_part_is_refused_if_an_earlier_part_no_longer_holds(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(PART_1)
    ledger.decide(ReverseClaim("C-3", "P-1", "entered twice", on("2019-06-01")))
    with pytest.raises(Rejected, match=r"^already_reversed: part 1: claim C-3 was reversed$"):
        ledger.decide(PART_2)
    assert ledger.rejection(PART_2) == Reason.ALREADY_REVERSED
    assert ledger.clawback_decision("J-1") is None


def test_version_1_and_version_2_orders_never_share_an_id(ledger: InMemoryAggregates) -> None:
    ledger.decide(PART_1)
    single = OrderClawback(
        "J-1", REGION, LEVEL_3, "C", "D", d("2020-04-15"), "phantom_bed", "onsite_inspection",
        (),
        on("2019-06-30"),
    )  # fmt: skip
    assert ledger.rejection(single) == Reason.CONFLICTING_DUPLICATE


def test_a_decision_dated_before_its_period_is_refused(ledger: InMemoryAggregates) -> None:
    early = part(1, 1, line(LEVEL_3, "C-1", "1.00"), decision_date=d("2019-01-01"))
    assert ledger.rejection(early) == Reason.DATES_OUT_OF_ORDER


def test_each_institution_recovers_its_own_share_into_the_pooled_fund(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(PART_1)
    ledger.decide(PART_2)
    recovery = RecoverClawback("J-1", LEVEL_2, Decimal("300.00"), on("2020-05-01"))
    [recovered] = ledger.decide(recovery)
    assert recovered.postings == (
        Posting(f"external:institution:{LEVEL_2}", Decimal("-300.00")),
        Posting(FUND, Decimal("300.00")),
    )
    too_much = RecoverClawback("J-1", LEVEL_3, Decimal("700.01"), on("2020-05-01"))
    assert ledger.rejection(too_much) == Reason.EXCEEDS_ORDERED


def test_a_recovery_before_the_decision_is_complete_awaits_it(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(PART_1)
    early = RecoverClawback("J-1", LEVEL_3, Decimal("1.00"), on("2020-05-01"))
    with pytest.raises(Rejected) as refused:
        ledger.decide(early)
    assert refused.value.reason == Reason.UNKNOWN_CLAWBACK
    assert refused.value.awaits == Awaited("clawback", "J-1")  # held until the last part


def test_a_recovery_from_an_institution_the_decision_does_not_name_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(part(1, 1, line(LEVEL_3, "C-1", "500.00")))
    stranger = RecoverClawback("J-1", LEVEL_2, Decimal("1.00"), on("2020-05-01"))
    with pytest.raises(Rejected) as refused:
        ledger.decide(stranger)
    assert refused.value.reason == Reason.UNKNOWN_CLAWBACK
    assert refused.value.awaits is None  # the decision is complete: nothing more will come


def test_an_order_above_1000_lines_travels_in_parts_and_takes_effect_whole() -> None:
    # 1 200 outpatient claims of 100.00 each, alternately at the two institutions.
    claims = [
        settled(f"O-{i}", "200.00", claim_type="outpatient", institution=(LEVEL_3, LEVEL_2)[i % 2])
        for i in range(1200)
    ]
    ledger = InMemoryAggregates.given(
        publish(), designate(), designate(LEVEL_2, "2"), enroll(), *claims
    )
    lines = [line((LEVEL_3, LEVEL_2)[i % 2], f"O-{i}", "10.00") for i in range(1200)]
    ledger.decide(part(2, 2, *lines[1000:]))
    events = ledger.decide(part(1, 2, *lines[:1000]))
    assert sum(isinstance(e, Claim.ClawbackNoted) for e in events) == 1200
    decision = ledger.clawback_decision("J-1")
    assert decision is not None
    assert decision.total == Decimal("12000.00")
    assert decision.shares == {LEVEL_3: Decimal("6000.00"), LEVEL_2: Decimal("6000.00")}
    level_2 = share(ledger, LEVEL_2)
    assert level_2 is not None
    assert level_2.claim_ids[:2] == ("O-1", "O-3")  # part 1's lines first, then part 2's


def test_one_message_carries_at_most_1000_lines_in_either_version() -> None:
    many = [{"institution": LEVEL_3, "claim_id": f"O-{i}", "amount": "1.00"} for i in range(1001)]
    for version, lines in ((1, [{"claim_id": x["claim_id"], "amount": "1.00"} for x in many]),
                           (2, many)):  # fmt: skip
        document = documented("ClawbackOrdered", version=version, lines=lines)
        outcome = decode(json.dumps(document).encode(), coordinates("clawbacks"), "clawbacks",
                         RECORDED_AT)  # fmt: skip
        assert isinstance(outcome, Undecodable)
        assert outcome.reason == Reason.SCHEMA_INVALID
        assert "Length must be between 1 and 1000" in outcome.detail


def test_a_documented_decision_decodes_into_one_part_keyed_by_its_order() -> None:
    document = documented("ClawbackOrdered", version=2)
    outcome = decode(json.dumps(document).encode(), coordinates("clawbacks"), "clawbacks",
                     RECORDED_AT)  # fmt: skip
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, OrderClawbackPart)
    assert {x.institution for x in outcome.command.lines} == {LEVEL_3, LEVEL_2}
    assert MESSAGE_TYPES["ClawbackOrdered"].entity_field_of(2) == "clawback_id"
    version_1 = decode(json.dumps(documented("ClawbackOrdered")).encode(),
                       coordinates("clawbacks"), "clawbacks", RECORDED_AT)  # fmt: skip
    assert isinstance(version_1, Decoded)
    assert isinstance(version_1.command, OrderClawback)  # version 1 still means one institution
