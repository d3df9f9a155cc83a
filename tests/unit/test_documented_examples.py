"""Every example in docs/events.md passes the contract, so the catalog and schemas agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consumers.contract import MESSAGE_TYPES, Decoded, decode
from tests.messages import RECORDED_AT, coordinates

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
EXAMPLE = re.compile(r"```json\n(\{\"message_id\": [^\n]*\})\n```")


def documented_examples() -> list[str]:
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


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
