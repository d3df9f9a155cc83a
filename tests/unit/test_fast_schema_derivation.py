"""Which marshmallow schemas get a fast twin: only those whose every rule it can check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from marshmallow import EXCLUDE, Schema, fields, post_load, validate, validates

from consumers.fast_decode import NotProvenError, UntranslatableError, derive
from consumers.schemas.base import Amount, Day, StrictSchema, Text
from consumers.schemas.claims import ClaimSettledV1


class Hooked(StrictSchema):
    name = Text(required=True)

    @post_load
    def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"name": data["name"].upper()}


class FieldValidated(StrictSchema):
    name = Text(required=True)

    @validates("name")
    def not_bob(self, value: str, **_: Any) -> None:
        pass


class Lenient(Schema):
    name = Text(required=True)

    class Meta:
        unknown = EXCLUDE


class LooseInteger(StrictSchema):
    count = fields.Integer(required=True)  # not strict: "5" and 5.0 would load


class OddValidator(StrictSchema):
    name = Text(required=True, validate=validate.Email())


class CallableDefault(StrictSchema):
    tags = Text(load_default=lambda: "fresh")


class Renamed(StrictSchema):
    name = Text(required=True, data_key="Name")


class OtherDateFormat(StrictSchema):
    day = Day(required=True, format="%d/%m/%Y")


class Listed(StrictSchema):
    names = fields.List(Text(), required=True)


UNTRANSLATABLE = [
    Hooked,
    FieldValidated,
    Lenient,
    LooseInteger,
    OddValidator,
    CallableDefault,
    Renamed,
    OtherDateFormat,
    Listed,
]


@pytest.mark.parametrize("schema_type", UNTRANSLATABLE, ids=lambda s: s.__name__)
def test_a_rule_the_fast_path_cannot_check_leaves_the_schema_to_marshmallow(
    schema_type: type[Schema],
) -> None:
    with pytest.raises(UntranslatableError):
        derive(schema_type)


class Small(StrictSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=3))
    amount = Amount(required=True, positive=True)
    note = Text(load_default=None, allow_none=True)


def test_a_translated_schema_loads_what_marshmallow_loads_and_doubts_the_rest() -> None:
    fast = derive(Small)
    good = {"name": "abc", "amount": "1.5"}
    loaded = {"name": "abc", "amount": Decimal("1.50"), "note": None}
    assert repr(fast.load(good)) == repr(Small().load(good)) == repr(loaded)
    for bad in (
        {**good, "name": "abcd"},
        {**good, "amount": "0.00"},
        {**good, "amount": 1.5},
        {**good, "extra": 1},
        {"name": "abc"},
        {**good, "name": "a\u200bc"},
    ):
        with pytest.raises(NotProvenError):
            fast.load(bad)


def test_the_settlement_schema_has_a_fast_twin() -> None:
    assert derive(ClaimSettledV1).struct.__name__ == "FastClaimSettledV1"
