"""Every example in docs/events.md passes the contract, so the catalog and schemas agree."""

from __future__ import annotations

import json

import pytest

from consumers.contract import MESSAGE_TYPES, Decoded, decode
from tests.examples import documented_examples
from tests.messages import RECORDED_AT, coordinates


def test_every_message_type_has_exactly_one_documented_example() -> None:
    types = sorted(json.loads(example)["type"] for example in documented_examples())
    assert types == sorted(MESSAGE_TYPES)


@pytest.mark.parametrize("example", documented_examples(), ids=lambda e: json.loads(e)["type"])
def test_a_documented_example_decodes_into_a_command(example: str) -> None:
    document = json.loads(example)
    suffix = MESSAGE_TYPES[document["type"]].topic_suffix
    outcome = decode(example.encode(), coordinates(suffix), suffix, RECORDED_AT)
    assert isinstance(outcome, Decoded), outcome
    assert type(outcome.command).__name__ != ""
    key_field = MESSAGE_TYPES[document["type"]].entity_field
    assert isinstance(document["payload"][key_field], str)
