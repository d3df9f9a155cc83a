"""A fast path in front of the marshmallow contract: accept what is provably valid, else step aside.

Marshmallow (consumers/schemas) is the contract and the only source of a rejection's reason and
detail. This module derives, from each marshmallow schema, a msgspec Struct that checks the same
rules in C (presence, JSON types, patterns, lengths, choices, ranges, unknown fields), then
converts the values with the very functions the marshmallow fields use (`parse_amount`,
`datetime.fromisoformat`, `unprintable_at`...). A schema this module cannot translate field by
field (hooks, nested or list fields, a validator it does not know) gets no fast path at all.

`accept` answers None whenever it is in any doubt, and the caller then runs marshmallow: the
fast path never rejects anything, it only skips work for messages marshmallow would accept with
the same values. tests/unit/test_fast_decode.py holds the two to that, message type by type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from marshmallow import RAISE, Schema, fields, missing, validate

from consumers.schemas.base import (
    MULTIPLE_TEXT,
    UUID_TEXT,
    Amount,
    Day,
    EnvelopeSchema,
    FullMatch,
    MessageId,
    Moment,
    Multiple,
    Ratio,
    Text,
    unprintable_at,
)
from domain.calendar import FIRST_DAY, LAST_DAY, service_day
from domain.money import parse_amount, parse_ratio


class NotProvenError(Exception):
    """The fast path cannot prove a value valid; marshmallow decides instead."""


class UntranslatableError(Exception):
    """A schema uses something the fast path does not translate; that type stays slow."""


Convert = Callable[[Any], Any]


def _as_is(value: Any) -> Any:
    return value


def _text(value: str) -> str:
    if unprintable_at(value) is not None:
        raise NotProvenError
    return value


def _message_id(value: str) -> UUID:
    return UUID(value)  # the Struct has checked it against UUID_TEXT, as MessageId does first


def _amount(positive: bool) -> Convert:
    def convert(value: str) -> Decimal:
        try:
            amount = parse_amount(value)
        except ValueError:
            raise NotProvenError from None
        if positive and amount == 0:
            raise NotProvenError
        return amount

    return convert


def _ratio(value: str) -> Decimal:
    try:
        return parse_ratio(value)
    except ValueError:
        raise NotProvenError from None


def _multiple(value: str) -> Decimal:
    if not MULTIPLE_TEXT.fullmatch(value):
        raise NotProvenError
    return Decimal(value)


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value)  # what marshmallow's Date does with format "iso"
    except ValueError:
        raise NotProvenError from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise NotProvenError
    return day


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)  # what marshmallow's DateTime does with "iso"
        day = service_day(moment)  # ValueError without an offset, OverflowError past 9999
    except (ValueError, OverflowError):
        raise NotProvenError from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise NotProvenError
    return moment


def _anchored(pattern: str) -> str:
    # msgspec searches for a pattern; the contract's patterns must match the whole value.
    return rf"\A(?:{pattern})\Z"


def _all_text(choices: Any) -> bool:
    return all(isinstance(choice, str) for choice in choices)


def _text_constraints(validators: list[Any]) -> tuple[Any, list[msgspec.Meta]]:
    """The msgspec type of a string field with these validators: str, or a Literal of choices."""
    base: Any = str
    metas: list[msgspec.Meta] = []
    for validator in validators:
        if type(validator) is FullMatch:
            metas.append(msgspec.Meta(pattern=_anchored(validator.regex.pattern)))
        elif type(validator) is validate.Length and validator.equal is None:
            metas.append(msgspec.Meta(min_length=validator.min, max_length=validator.max))
        elif type(validator) is validate.OneOf and _all_text(validator.choices):
            base = Literal.__getitem__(tuple(validator.choices))
        else:
            raise UntranslatableError(f"validator {validator!r}")
    return base, metas


def _integer_constraints(validators: list[Any]) -> list[msgspec.Meta]:
    metas = []
    for validator in validators:
        if type(validator) is not validate.Range:
            raise UntranslatableError(f"validator {validator!r}")
        bounds: dict[str, Any] = {}
        if validator.min is not None:
            bounds["ge" if validator.min_inclusive else "gt"] = validator.min
        if validator.max is not None:
            bounds["le" if validator.max_inclusive else "lt"] = validator.max
        metas.append(msgspec.Meta(**bounds))
    return metas


def _reads_iso_as_we_do(field: fields.Field) -> bool:  # type: ignore[type-arg]
    """Whether marshmallow reads this date field with the function `_day` or `_moment` uses."""
    ours = date.fromisoformat if isinstance(field, Day) else datetime.fromisoformat
    theirs = field.DESERIALIZATION_FUNCS.get(field.format)  # type: ignore[attr-defined]
    return theirs == ours and getattr(field, "default_timezone", None) is None


def _translate(field: fields.Field) -> tuple[Any, Convert]:  # type: ignore[type-arg]
    """The msgspec type checking a field's JSON value, and the conversion marshmallow applies."""
    kind = type(field)
    validators = list(field.validators)
    if kind is Text:
        base, metas = _text_constraints(validators)
        return (Annotated[(base, *metas)] if metas else base), _text
    if kind is fields.Integer and field.strict:  # type: ignore[attr-defined]
        metas = _integer_constraints(validators)
        return (Annotated[(int, *metas)] if metas else int), _as_is
    if validators:
        raise UntranslatableError(f"validators on a {kind.__name__}")
    if kind is MessageId:
        return Annotated[str, msgspec.Meta(pattern=_anchored(UUID_TEXT.regex.pattern))], _message_id
    if kind is Amount:
        return str, _amount(field.positive)  # type: ignore[attr-defined]
    if kind in (Day, Moment) and not _reads_iso_as_we_do(field):
        raise UntranslatableError("a date read otherwise than by fromisoformat")
    converters: dict[type[Any], Convert] = {
        Ratio: _ratio,
        Multiple: _multiple,
        Day: _day,
        Moment: _moment,
    }
    if kind in converters:
        return str, converters[kind]
    raise UntranslatableError(f"field type {kind.__name__}")


@dataclass(frozen=True)
class _Field:
    name: str
    convert: Convert
    default: Any  # the value marshmallow loads when the field is absent


@dataclass(frozen=True)
class FastSchema:
    """A msgspec Struct with the rules of one marshmallow schema, and how to finish its values."""

    struct: type[msgspec.Struct]
    fields: tuple[_Field, ...]

    def load(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """The dict marshmallow's `load` would return; NotProvenError if not provably the same."""
        try:
            checked = msgspec.convert(document, self.struct)
        except msgspec.ValidationError:
            raise NotProvenError from None
        loaded = {}
        for field in self.fields:
            value = getattr(checked, field.name)
            if value is msgspec.UNSET:
                loaded[field.name] = field.default
            elif value is None:  # the Struct lets null through only where the field allows it
                loaded[field.name] = None
            else:
                loaded[field.name] = field.convert(value)
        return loaded


def _struct_field(name: str, field: fields.Field) -> tuple[tuple[Any, ...], _Field]:  # type: ignore[type-arg]
    if field.data_key is not None or field.attribute is not None:
        raise UntranslatableError("a renamed field")
    if name == "payload" and type(field) is fields.Dict:
        # The envelope's payload: any JSON object; its own schema checks it next.
        value_type: Any = dict[str, Any]
        convert: Convert = dict
        if field.key_field is not None and type(field.key_field) is not fields.String:
            raise UntranslatableError("payload keys")
        if field.value_field is not None or field.validators:
            raise UntranslatableError("payload values")
    else:
        value_type, convert = _translate(field)
    if field.allow_none:
        value_type = value_type | None
    if field.required:
        return (name, value_type), _Field(name, convert, missing)
    # Absent, marshmallow omits a field without a default, and calls a callable default anew.
    if field.load_default is missing or callable(field.load_default):
        raise UntranslatableError("an optional field without a constant default")
    spec = (name, value_type | msgspec.UnsetType, msgspec.UNSET)
    return spec, _Field(name, convert, field.load_default)


def derive(schema_type: type[Schema]) -> FastSchema:
    """The fast twin of a marshmallow schema; UntranslatableError if any rule would be lost."""
    if any(schema_type._hooks.values()):
        raise UntranslatableError("schema hooks (pre/post load, validators of the schema)")
    if schema_type.opts.unknown != RAISE:
        raise UntranslatableError("unknown fields not refused")
    bound = schema_type().load_fields  # bound: date formats resolved from the schema's options
    specs, finishers = zip(*(_struct_field(n, f) for n, f in bound.items()), strict=True)
    struct = msgspec.defstruct(
        f"Fast{schema_type.__name__}", specs, kw_only=True, forbid_unknown_fields=True
    )
    return FastSchema(struct, finishers)


@functools.cache
def fast_schema(schema_type: type[Schema]) -> FastSchema | None:
    try:
        return derive(schema_type)
    except UntranslatableError:
        return None


@dataclass(frozen=True)
class Accepted:
    """A message the fast path proved valid, as marshmallow would have loaded it."""

    envelope: dict[str, Any]  # as EnvelopeSchema loads it
    payload: dict[str, Any]  # as the message type's schema loads it
    canonical: bytes  # the document's canonical JSON, which the contract digests


# The payload schema of a message type and version, if it may be accepted where it arrived.
SchemaOf = Callable[[str, int], type[Schema] | None]


def accept(raw: bytes, schema_of: SchemaOf) -> Accepted | None:
    """`raw` checked and loaded, or None when in any doubt (marshmallow then decides)."""
    document = _document(raw)
    if document is None:
        return None
    try:
        envelope, payload = _load(document, schema_of)
    except NotProvenError:
        return None
    # With no escapes, every string reads as written and the canonical form writes it back the
    # same, so a colon lost between the two is a key that appeared twice: msgspec keeps the last
    # of repeated keys, the contract refuses them.
    canonical = msgspec.json.encode(document, order="sorted")
    if canonical.count(b":") != raw.count(b":"):
        return None
    return Accepted(envelope, payload, canonical)


def _document(raw: bytes) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # A backslash means an escape: a lone surrogate, a control character, a quote, a colon
    # spelled \u003a; rare in real messages, all left to the strict reader.
    if "\\" in text:
        return None
    try:
        document = msgspec.json.decode(text)
    except (msgspec.DecodeError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _load(document: dict[str, Any], schema_of: SchemaOf) -> tuple[dict[str, Any], dict[str, Any]]:
    envelope = _loader(EnvelopeSchema).load(document)
    schema_type = schema_of(envelope["type"], envelope["schema_version"])
    if schema_type is None:
        raise NotProvenError
    return envelope, _loader(schema_type).load(envelope["payload"])


def _loader(schema_type: type[Schema]) -> FastSchema:
    fast = fast_schema(schema_type)
    if fast is None:
        raise NotProvenError
    return fast
