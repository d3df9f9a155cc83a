"""Every example in docs/events.md passes the contract, so the catalog and schemas agree."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from consumers.contract import MESSAGE_TYPES, decode
from infra.application.inbound import Decoded
from tests.examples import documented_examples
from tests.messages import RECORDED_AT, coordinates


def test_every_message_type_and_version_has_exactly_one_documented_example() -> None:
    documented = [json.loads(example) for example in documented_examples()]
    versions = sorted((d["type"], d["schema_version"]) for d in documented)
    assert versions == sorted((n, v) for n, t in MESSAGE_TYPES.items() for v in t.schemas)


@pytest.mark.parametrize("example", documented_examples(), ids=lambda e: json.loads(e)["type"])
def test_a_documented_example_decodes_into_a_command(example: str) -> None:
    document = json.loads(example)
    suffix = MESSAGE_TYPES[document["type"]].topic_suffix
    outcome = decode(example.encode(), coordinates(suffix), suffix, RECORDED_AT)
    assert isinstance(outcome, Decoded), outcome
    assert type(outcome.command).__name__ != ""
    key_field = MESSAGE_TYPES[document["type"]].entity_field_of(document["schema_version"])
    assert isinstance(document["payload"][key_field], str)


ENVELOPE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def test_every_stored_event_class_is_documented_with_its_attributes() -> None:
    from eventsourcing.domain import Aggregate  # noqa: PLC0415

    from domain.account import PersonAccount  # noqa: PLC0415
    from domain.claim import Claim  # noqa: PLC0415
    from domain.clawback import Clawback, Refund  # noqa: PLC0415
    from domain.decision import ClawbackDecision, ClawbackParts  # noqa: PLC0415
    from domain.doctor import Doctor  # noqa: PLC0415
    from domain.institution import Institution  # noqa: PLC0415
    from domain.misuse import MisuseRecovery  # noqa: PLC0415
    from domain.person import Person  # noqa: PLC0415
    from domain.policy import Policy  # noqa: PLC0415
    from domain.sanction import Sanction  # noqa: PLC0415
    from domain.subsidy import Subsidy  # noqa: PLC0415
    from tests.examples import DOC  # noqa: PLC0415

    text = DOC.read_text(encoding="utf-8")
    aggregates = (Policy, Institution, Doctor, Person, PersonAccount, Subsidy, Claim, Clawback)
    for aggregate in (
        *aggregates,
        Refund,
        Sanction,
        MisuseRecovery,
        ClawbackParts,
        ClawbackDecision,
    ):
        for name, cls in vars(aggregate).items():
            generic = name in {"Event", "Created"}
            if generic or not (isinstance(cls, type) and issubclass(cls, Aggregate.Event)):
                continue
            row = next(
                (
                    line
                    for line in text.splitlines()
                    if line.startswith(f"| `{cls.__qualname__}` |")
                ),
                None,
            )
            assert row is not None, f"{cls.__qualname__} is not in docs/events.md"
            for attribute in (f.name for f in fields(cls) if f.name not in ENVELOPE_FIELDS):
                assert f"`{attribute}:" in row, f"{cls.__qualname__}.{attribute} is not documented"
