"""The outbound contract: every domain event class has a public type, the checked-in schemas
are the generated ones, and the events of the tiny county year validate against them."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from jsonschema import Draft202012Validator

import domain
from consumers.outbound_contract import ChainLink, envelope, plain
from consumers.outbound_schemas import all_schemas, rendered
from consumers.outbound_types import TYPES, UnmappedEventError, outbound_type
from domain.commands import (
    ClaimAmount,
    Command,
    EndEnrollment,
    ImposeDeduction,
    InstitutionClaimAmount,
    LiftSanction,
    MakeDisbursement,
    OrderClawbackPart,
    RegisterDoctor,
    RevokeStatus,
)
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.domain_builders import (
    DOCTOR,
    LEVEL_3,
    PHARMACY,
    REGION,
    certify,
    d,
    designate,
    enroll,
    on,
    publish,
    register_doctor,
    sanction,
    settle,
)
from tests.memory import InMemoryAggregates
from tests.scenario_replay import replay

# The library gives every aggregate its own `Event` and `Created` bases; no event is of them.
LIBRARY_BASES = {"Event", "Created"}
DOCS = Path(__file__).resolve().parents[2] / "docs"


def domain_event_classes() -> set[type]:
    """Every event class nested in an aggregate of `domain/`, found by walking its modules."""
    found: set[type] = set()
    for module_info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(module_info.name)
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            if issubclass(aggregate, Aggregate) and aggregate.__module__ == module.__name__:
                found |= {
                    nested
                    for name, nested in vars(aggregate).items()
                    if inspect.isclass(nested)
                    and issubclass(nested, Aggregate.Event)
                    and name not in LIBRARY_BASES
                }
    return found


def test_every_domain_event_class_has_an_outbound_type() -> None:
    mapped = {t.event_class for t in TYPES}
    assert domain_event_classes() - mapped == set()
    assert mapped - domain_event_classes() == set()


def test_outbound_type_names_are_unique_and_keep_every_inbound_name() -> None:
    names = [t.name for t in TYPES]
    assert len(names) == len(set(names))
    inbound = re.findall(r"^### (\w+) \(`ledger\.", (DOCS / "events.md").read_text(), re.M)
    assert len(inbound) >= 24
    assert set(inbound) - set(names) == set()


def test_the_stored_events_table_of_the_docs_names_each_outbound_type() -> None:
    rows = re.findall(r"^\| `([\w.]+)` \| `(\w+)` \|", (DOCS / "events.md").read_text(), re.M)
    assert dict(rows) == {t.event_class.__qualname__: t.name for t in TYPES}


def test_an_event_class_without_an_outbound_type_fails_loudly() -> None:
    with pytest.raises(UnmappedEventError, match=r"domain\.gone:Thing\.Happened"):
        outbound_type("domain.gone:Thing.Happened")


def test_the_checked_in_schemas_are_the_generated_ones() -> None:
    folder = DOCS / "schemas" / "outbound"
    generated = all_schemas()
    assert sorted(p.name for p in folder.glob("*.json")) == sorted(generated)
    for name, schema in generated.items():
        assert (folder / name).read_text() == rendered(schema), (
            f"{name} is stale: run python -m consumers.outbound_schemas"
        )
        Draft202012Validator.check_schema(schema)


def test_amounts_are_plain_decimal_strings_and_dates_iso() -> None:
    assert plain(Decimal("1E+2")) == "100"
    assert plain(Decimal("-0.10")) == "-0.10"
    assert plain({"a": (Decimal("2.5"),)}) == {"a": ["2.5"]}
    with pytest.raises(TypeError):
        plain(0.1)  # money is never a float, and nothing else should be either


def scenario_events() -> list[Any]:
    fates = replay(county_year(config_for("tiny", None, seed=11)))
    return [event for _, _, events in fates for event in events]


def misuse_story() -> list[Command]:
    """A person's claim, an order to return part of it as misused, and a partial return
    (issue 16: not in the county year until the lead adds it)."""
    lines = (ClaimAmount("C-7", Decimal("100.00")),)
    return [
        enroll("P-7"),
        settle("C-7", person_id="P-7"),
        OrderMisuseRecovery("R-7", REGION, "P-7", "CASE-41", "DOC-41", d("2020-04-15"),
                            "card_lending", "tip_off", Decimal("100.00"), lines, None,
                            on("2019-05-03")),
        RecoverMisuse("R-7", "P-7", Decimal("40.00"), on("2020-05-20")),
    ]  # fmt: skip


def rarer_events() -> list[Any]:
    """The six types the tiny county year never records: a revised policy, a redesignated
    institution, a re-registered doctor, a re-enrolled person, a revoked status and a person's
    suspension cut short; a deduction not tied to claims; and a clawback decision over several
    institutions, in parts."""
    aggregates = InMemoryAggregates()
    story: list[Command] = [
        publish(),
        publish(day="2019-07-01", annual_cap=Decimal("350000.00")),
        designate(),
        replace(designate(), name="Renamed", provenance=on("2019-03-01", 0)),
        designate(PHARMACY, level="none", kind="pharmacy"),
        register_doctor(),
        RegisterDoctor(DOCTOR, REGION, (LEVEL_3, PHARMACY), on("2019-03-01", 0)),
        enroll(),
        EndEnrollment("P-1", "moved_away", on("2019-02-01", 0)),
        enroll(day="2019-04-01"),
        certify("low_income"),
        RevokeStatus("P-1", "low_income", "income_rose", on("2019-05-01", 0)),
        settle(),
        OrderClawbackPart(
            "J-1",
            REGION,
            1,
            1,
            "CASE",
            "DOC",
            date(2020, 4, 15),
            "phantom_bed",
            "onsite_inspection",
            (InstitutionClaimAmount(LEVEL_3, "C-1", Decimal("1.00")),),
            on("2019-06-30"),
        ),
        sanction(
            "S-9",
            "networked_settlement_suspension",
            target_kind="person",
            target_id="P-1",
            legal_basis="article_41",
            effective_to="2019-12-31",
        ),
        LiftSanction("S-9", "P-1", "appeal_upheld", on("2019-08-01", 0)),
        *misuse_story(),
        MakeDisbursement(LEVEL_3, REGION, "2019-05", "resident", Decimal(1000), on("2019-06-10")),
        ImposeDeduction(
            deduction_id="ZB-1",
            region=REGION,
            institution=LEVEL_3,
            kind="indicator",
            scheme="resident",
            period="2019-Q2",
            basis="cost per visit",
            case_id="CASE",
            decision_document="DOC",
            decision_date=date(2019, 7, 10),
            amount=Decimal("100.00"),
            provenance=on("2019-06-30"),
        ),
    ]
    return [event for command in story for event in aggregates.decide(command)]


def test_every_event_of_the_county_year_and_a_rarer_story_validates_against_its_schema() -> None:
    schemas = {
        name.removesuffix(".schema.json"): Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for name, schema in all_schemas().items()
    }
    seen, previous = set(), 0
    for position, event in enumerate(scenario_events() + rarer_events(), start=1):
        link = ChainLink(position, previous, bytes(32), get_topic(type(event)), b"{}")
        document = json.loads(json.dumps(envelope(event, link)))  # what a consumer parses
        errors = [e.message for e in schemas[document["type"]].iter_errors(document)]
        assert errors == [], f"{document['type']} at {position}: {errors}"
        assert schemas["envelope"].is_valid(document)
        assert "_type_" not in json.dumps(document["data"])  # no library wrappers leak
        seen.add(document["type"])
        previous = position
    assert seen == {t.name for t in TYPES}
