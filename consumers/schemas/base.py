"""Building blocks of the wire contract: the envelope, strictness, and value fields.

Amounts travel as JSON strings in plain decimal notation; anything else is refused with a
message marked `invalid_amount:` so the contract can give it its own reason code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from domain import institution
from domain.money import parse_amount, parse_ratio
from domain.reasons import Reason

REGION = validate.Regexp(r"^\d{6}$", error="must be a 6-digit pooling region code")
INSTITUTION_CODE = validate.Regexp(
    institution.INSTITUTION_CODE, error="must be H/P followed by 11 digits"
)
# Opaque source ids: printable, no whitespace, bounded; never names or ID-card numbers by contract.
OPAQUE_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", error="must be an opaque id")
TEXT = validate.Length(min=1, max=200)
CERTIFICATE = validate.Length(min=1, max=64)  # case ids, decision documents, receipts
MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be YYYY-MM")
AMOUNT_MARK = f"{Reason.INVALID_AMOUNT.value}:"
MULTIPLE_TEXT = re.compile(r"^\d{1,2}(\.\d{1,2})?$")


def one_of(enum: type[StrEnum]) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


class StrictSchema(Schema):
    """Unknown fields are errors: a typo must not silently drop data."""

    class Meta:
        unknown = RAISE


class EnvelopeSchema(StrictSchema):
    message_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    region = fields.String(required=True, validate=REGION)
    recorded_by = fields.String(required=True, validate=TEXT)
    payload = fields.Dict(required=True, keys=fields.String())


class Amount(fields.Field):  # type: ignore[type-arg]
    """Yuan as a JSON string with at most two decimals; `positive` refuses zero too."""

    def __init__(self, *, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.positive = positive

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError(f"{AMOUNT_MARK} amounts are JSON strings, not {value!r}")
        try:
            amount = parse_amount(value)
        except ValueError as error:
            raise ValidationError(f"{AMOUNT_MARK} {error}") from None
        if amount < 0 or (self.positive and amount == 0):
            raise ValidationError(f"{AMOUNT_MARK} {value!r} must be {self._sign}")
        return amount

    @property
    def _sign(self) -> str:
        return "above zero" if self.positive else "zero or more"


class Ratio(fields.Field):  # type: ignore[type-arg]
    """A fraction between 0 and 1 as a JSON string."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError(f"ratios are JSON strings, not {value!r}")
        try:
            return parse_ratio(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class Multiple(fields.Field):  # type: ignore[type-arg]
    """A fine multiple as a JSON string such as "2" or "1.5"."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        if not isinstance(value, str) or not MULTIPLE_TEXT.match(value):
            raise ValidationError(f'a multiple is a JSON string like "1.5", not {value!r}')
        return Decimal(value)


def Year(**kwargs: Any) -> fields.Integer:  # noqa: N802 - reads as a field type
    """A calendar year as a JSON integer."""
    return fields.Integer(strict=True, validate=validate.Range(min=2000, max=2100), **kwargs)


def amount_error(messages: Any) -> bool:
    """Whether a schema error tree contains an amount refused by `Amount`."""
    if isinstance(messages, str):
        return messages.startswith(AMOUNT_MARK)
    if isinstance(messages, Mapping):
        return any(amount_error(m) for m in messages.values())
    if isinstance(messages, list | tuple):
        return any(amount_error(m) for m in messages)
    return False
