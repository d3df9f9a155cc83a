"""The bytes of a snapshot's state: an aggregate's attributes as tagged JSON that comes back with
the same Python types.

Why not the events' transcoder: it turns tuples into lists and enums into plain strings (events
hold only what their schema says, so that never mattered), and it has no transcoding for the
value types only aggregates hold (enrollment periods, status windows, policy versions...).
Registering those there would change the stored bytes of events. A snapshot must load as the
very state a replay makes, so every non-JSON value carries a tag here, and the classes it may
name are the domain's own dataclasses and enums: stored bytes never pick arbitrary code.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import TopicError, get_topic, resolve_topic

TAG = "~"
ALLOWED_MODULES = ("domain.",)  # where the classes a snapshot names must live


def encode_state(state: dict[str, Any]) -> bytes:
    """An aggregate's attributes as bytes."""
    plain = _encode(state)
    try:
        return orjson.dumps(plain)
    except orjson.JSONEncodeError:
        # orjson refuses a lone surrogate, which a name can hold (tests/data/hostile); the
        # standard encoder escapes it as \udxxx.
        return json.dumps(plain, separators=(",", ":")).encode("ascii")


def decode_state(data: bytes) -> dict[str, Any]:
    """The attributes `encode_state` was given, with their types."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        parsed = json.loads(data)  # an escaped lone surrogate, see encode_state
    decoded = _decode(parsed)
    if not isinstance(decoded, dict):
        raise TypeError("a snapshot's state is not a mapping")
    return decoded


def _encode(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    if isinstance(value, Enum):  # first: a StrEnum is a str, an IntEnum an int
        return {TAG: "enum", "t": get_topic(type(value)), "v": _encode(value.value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, UUID):
        return {TAG: "uuid", "v": value.hex}
    if isinstance(value, list | tuple | set | frozenset):
        return {TAG: type(value).__name__, "v": [_encode(item) for item in value]}
    if isinstance(value, dict):
        return {TAG: "dict", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            TAG: "dataclass",
            "t": get_topic(type(value)),
            "v": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    raise TypeError(f"cannot snapshot a {type(value).__module__}.{type(value).__qualname__}")


COLLECTIONS: dict[str, type[Any]] = {
    "list": list,
    "tuple": tuple,
    "set": set,
    "frozenset": frozenset,
}
SCALARS: dict[str, Any] = {
    "decimal": Decimal,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "uuid": UUID,
}


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    tag, payload = value[TAG], value["v"]
    if tag in SCALARS:
        return SCALARS[tag](payload)
    if tag in COLLECTIONS:
        return COLLECTIONS[tag](_decode(item) for item in payload)
    if tag == "dict":
        return {_decode(k): _decode(v) for k, v in payload}
    if tag == "enum":
        return _domain_class(value["t"])(_decode(payload))
    if tag == "dataclass":
        cls = _domain_class(value["t"])
        # Set as stored, not through __init__: its checks ran when the value was first made.
        made = object.__new__(cls)
        for name, item in payload.items():
            object.__setattr__(made, name, _decode(item))
        return made
    raise ValueError(f"unknown tag {tag!r} in a snapshot")


def _domain_class(topic: str) -> type[Any]:
    if not topic.startswith(ALLOWED_MODULES):
        raise ValueError(f"a snapshot names {topic!r}, outside the domain")
    try:
        cls = resolve_topic(topic)
    except TopicError:
        raise ValueError(f"a snapshot names {topic!r}, which names nothing here") from None
    if not isinstance(cls, type) or not (issubclass(cls, Enum) or dataclasses.is_dataclass(cls)):
        raise ValueError(f"a snapshot names {topic!r}, not a value type")
    return cls
