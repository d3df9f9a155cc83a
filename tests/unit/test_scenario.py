"""The county-year scenario: deterministic, complete, and every message meets its planned fate."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from consumers.contract import MESSAGE_TYPES
from scripts.simulation.config import ScenarioConfig, config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import ACCEPTED, Planned, waves
from tests.scenario_replay import intended_good, replay

TINY = config_for("tiny", None, seed=7)
# Issue 16's new types not yet in the county year (acceptance item 3 adds each as it lands).
NOT_YET_IN_THE_COUNTY_YEAR: set[str] = set()


@pytest.fixture(scope="module")
def tiny() -> list[Planned]:
    return list(county_year(TINY))


@pytest.fixture(scope="module")
def fates(tiny: list[Planned]) -> list[tuple[Planned, str, list[Any]]]:
    return list(replay(tiny))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_ones(
    tiny: list[Planned],
) -> None:
    again = [p.value() for p in county_year(TINY)]
    assert again == [p.value() for p in tiny]
    other = [p.value() for p in county_year(config_for("tiny", None, seed=8))]
    assert other != again


def test_every_message_meets_the_fate_it_was_planned_for(
    fates: list[tuple[Planned, str, list[Any]]],
) -> None:
    surprises = [
        f"{p.type_name} {p.document and p.document['payload']}: planned {p.expect}, got {fate}"
        for p, fate, _ in fates
        if fate != p.expect
    ]
    assert surprises == []


def test_every_event_type_of_the_contract_is_accepted_at_least_once(
    fates: list[tuple[Planned, str, list[Any]]],
) -> None:
    accepted = {p.type_name for p, fate, _ in fates if fate == ACCEPTED}
    assert accepted == set(MESSAGE_TYPES) - NOT_YET_IN_THE_COUNTY_YEAR


def test_the_story_records_refusals_suspensions_and_points_as_facts(
    fates: list[tuple[Planned, str, list[Any]]],
) -> None:
    events = Counter(type(e).__qualname__ for _, _, recorded in fates for e in recorded)
    refusals = Counter(
        e.refusal_reason
        for _, _, recorded in fates
        for e in recorded
        if type(e).__qualname__ == "Claim.Settled" and getattr(e, "refusal_reason", None)
    )
    assert set(refusals) >= {
        "not_covered",
        "institution_suspended",
        "agreement_terminated",
        "doctor_suspended",
        "networked_settlement_suspended",
    }
    assert events["Doctor.Suspended"] >= 2
    assert events["Doctor.Terminated"] == 1
    assert events["Sanction.AppealDecided"] == 3


def test_every_bad_message_has_its_own_reason(tiny: list[Planned]) -> None:
    reasons = Counter(p.expect for p in tiny if not intended_good(p))
    assert len(reasons) >= 25


def test_amounts_on_the_wire_are_decimal_strings_with_two_places(tiny: list[Planned]) -> None:
    amount_fields = {"amount", "total_cost", "in_policy_cost", "annual_cap", "base_amount"}
    seen = 0
    for p in tiny:
        if not intended_good(p) or p.document is None:
            continue
        for key, value in _walk(p.document["payload"]):
            if key in amount_fields and value is not None:
                assert isinstance(value, str), (p.type_name, key, value)
                assert Decimal(value) == Decimal(value).quantize(Decimal("0.01"))
                seen += 1
    assert seen > 100


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_each_message_is_keyed_by_the_entity_its_type_names(tiny: list[Planned]) -> None:
    for p in tiny:
        if intended_good(p) and p.document is not None:
            version = p.document["schema_version"]
            entity_field = MESSAGE_TYPES[p.type_name].entity_field_of(version)
            assert p.key == str(p.document["payload"][entity_field]), p.type_name
            assert p.topic_suffix == MESSAGE_TYPES[p.type_name].topic_suffix


def test_messages_come_in_delivery_order_of_month_then_topic(tiny: list[Planned]) -> None:
    assert [p.wave for p in tiny] == sorted(p.wave for p in tiny)


def test_a_wave_never_holds_a_doctor_with_the_designation_it_cites(tiny: list[Planned]) -> None:
    for wave in waves(tiny):
        keys = {p.key for p in wave}
        for p in wave:
            assert not (p.needs - {p.key}) & keys


def test_the_county_scale_has_thousands_of_persons_and_is_generated_lazily() -> None:
    stream = county_year(config_for("county", None, seed=1))
    first = [next(stream) for _ in range(10)]
    assert first[0].type_name == "InstitutionDesignated"
    assert ScenarioConfig(persons=5_000).hospitals >= 80
    enrolled = sum(1 for p in stream if p.type_name == "PersonEnrolled" and intended_good(p))
    assert enrolled >= 5_000


def test_a_bad_message_is_valid_json_unless_it_is_meant_not_to_be(tiny: list[Planned]) -> None:
    for p in tiny:
        if p.expect != "malformed_json":
            json.loads(p.value())
