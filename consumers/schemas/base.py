"""Building blocks of the wire contract: the envelope, strictness, and value fields.

Amounts travel as JSON strings in plain decimal notation; anything else is refused with a
message marked `invalid_amount:` so the contract can give it its own reason code.

What is accepted must be what the read models can hold and what reads as what it is: text is
printable (`Text`), days and instants lie in the ledger's range (`Day`, `Moment`), and every
pattern matches the whole value in ASCII (`FullMatch`, `[0-9]` rather than `\\d`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from domain import institution
from domain.calendar import FIRST_DAY, LAST_DAY, service_day
from domain.money import parse_amount, parse_ratio
from domain.reasons import Reason


class FullMatch(validate.Validator):
    """A pattern the whole value must match: `re.match` with `$` lets a trailing newline through."""

    def __init__(self, pattern: str | re.Pattern[str], *, error: str) -> None:
        self.regex = re.compile(pattern)
        self.message = error

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self.message)
        return value


REGION = FullMatch(r"[0-9]{6}", error="must be a 6-digit pooling region code")
INSTITUTION_CODE = FullMatch(
    institution.INSTITUTION_CODE, error="must be H/P followed by 11 digits"
)
# Opaque source ids: printable, no whitespace, bounded; never names or ID-card numbers by contract.
OPAQUE_ID = FullMatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}", error="must be an opaque id")
TEXT = validate.Length(min=1, max=200)
CERTIFICATE = validate.Length(min=1, max=64)  # case ids, decision documents, receipts
MONTH = FullMatch(
    r"(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])", error="must be YYYY-MM, 1900-01 to 2199-12"
)
AMOUNT_MARK = f"{Reason.INVALID_AMOUNT.value}:"
MULTIPLE_TEXT = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
# Refused in every text field: controls (C0 with tab and newline, DEL, C1), lone surrogates,
# line and paragraph separators, and invisible format characters (zero-width, bidi overrides).
# Text fields are one-line labels; these would break the read models, CSV output or the eye.
UNPRINTABLE = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})


def unprintable_at(text: str) -> int | None:
    """The index of the first refused character of `text`, or None."""
    if text.isprintable():  # the common case, in C; it is stricter than UNPRINTABLE (spaces)
        return None
    for index, char in enumerate(text):
        if unicodedata.category(char) in UNPRINTABLE:
            return index
    return None


class Text(fields.String):
    """A JSON string of printable characters (see UNPRINTABLE)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        index = unprintable_at(text)
        if index is not None:
            raise ValidationError(
                f"character U+{ord(text[index]):04X} at index {index} is not allowed: "
                "no control, surrogate, line separator or invisible format characters"
            )
        return text


# The spellings of a UUID that `uuid.UUID` reads, in ASCII only: it would also read other scripts'
# digits and a leading space as the same id, and two spellings of one id would look like two.
UUID_TEXT = FullMatch(
    r"(urn:uuid:)?\{?[0-9A-Fa-f]{8}(-?[0-9A-Fa-f]{4}){3}-?[0-9A-Fa-f]{12}\}?",
    error="must be a UUID in ASCII hex digits, e.g. 0b6f3a52-8c1e-4d7a-9f20-5e4c1b7d2a90",
)


class MessageId(fields.UUID):
    """A UUID as a JSON string in ASCII (see UUID_TEXT)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> UUID:
        if isinstance(value, str):
            UUID_TEXT(value)
        return super()._deserialize(value, attr, data, **kwargs)


_RANGE = f"between {FIRST_DAY} and {LAST_DAY}"


class Day(fields.Date):
    """A calendar date YYYY-MM-DD from FIRST_DAY to LAST_DAY."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"{day} is not {_RANGE}")
        return day


class Moment(fields.AwareDateTime):
    """An ISO-8601 instant with a UTC offset whose region day lies from FIRST_DAY to LAST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = service_day(moment)
        except OverflowError:  # e.g. 9999-12-31T23:00-12:00 is in the year 10000 at +08:00
            raise ValidationError(f"the region's day of {value!r} is not {_RANGE}") from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"the region's day of {value!r} is not {_RANGE}")
        return moment


def one_of(enum: type[StrEnum]) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


def decision_fields() -> tuple[Text, Text, Day]:
    """The decision an order, a sanction or a deduction cites, as fresh fields for
    `case_id, decision_document, decision_date = decision_fields()` in a schema's body (assigned
    where they stand, they keep their place in the schema's field order)."""
    return (
        Text(required=True, validate=CERTIFICATE),
        Text(required=True, validate=CERTIFICATE),
        Day(required=True),
    )


class StrictSchema(Schema):
    """Unknown fields are errors: a typo must not silently drop data."""

    class Meta:
        unknown = RAISE


RECORDED_AT_EXAMPLE = "2020-01-14T09:30:00+08:00"


class EnvelopeSchema(StrictSchema):
    message_id = MessageId(required=True)
    type = Text(required=True, validate=validate.Length(min=1, max=64))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = Moment(required=True)
    region = Text(required=True, validate=REGION)
    recorded_by = Text(required=True, validate=TEXT)
    payload = fields.Dict(required=True, keys=fields.String())
    # Optional: when the fact was on record at the source, for history a source migrates; the
    # ledger's known time is this, clamped (domain/provenance.py). Absent: known from the commit.
    recorded_at = Moment(
        load_default=None,
        allow_none=False,  # absent means "known from the commit"; null is a mistake, refused
        error_messages={
            "invalid": f"must be an ISO-8601 time in ASCII digits, e.g. {RECORDED_AT_EXAMPLE}",
            "invalid_awareness": f"must state its UTC offset, e.g. {RECORDED_AT_EXAMPLE}",
        },
    )


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
        if self.positive and amount == 0:
            raise ValidationError(f"{AMOUNT_MARK} {value!r} must be above zero")
        return amount


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
        if not isinstance(value, str) or not MULTIPLE_TEXT.fullmatch(value):
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
