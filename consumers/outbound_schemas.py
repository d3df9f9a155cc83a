"""JSON Schemas (draft 2020-12) of `ledger.events`, generated from the outbound type registry
and the event classes' annotations: one self-contained schema per type, and the envelope.

`python -m consumers.outbound_schemas docs/schemas/outbound` writes them; a unit test keeps the
checked-in files equal to what this module generates.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from consumers.outbound_contract import data_fields
from consumers.outbound_types import CONTRACT, TYPES, OutboundType
from domain.clawback import ClaimLine
from domain.policy import PolicyTerms
from domain.postings import Posting

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://claims-ledger.example/schemas/outbound/"
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
DATETIME = {
    "type": "string",
    "format": "date-time",
    "pattern": (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
        r"(Z|[+-][0-9]{2}:[0-9]{2})$"
    ),
}
UUID_TEXT = {
    "type": "string",
    "format": "uuid",
    "pattern": "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
}
SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    Decimal: {"$ref": "#/$defs/decimal"},
    date: {"$ref": "#/$defs/date"},
    datetime: {"$ref": "#/$defs/date_time"},
}
VALUE_OBJECTS = {Posting: "posting", ClaimLine: "claim_line", PolicyTerms: "policy_terms"}


def schema_of(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one annotated type, as `consumers.outbound_contract.plain` writes it."""
    if hint in SCALARS:
        return dict(SCALARS[hint])
    if hint in VALUE_OBJECTS:
        return {"$ref": f"#/$defs/{VALUE_OBJECTS[hint]}"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return {"anyOf": [schema_of(inner), {"type": "null"}]}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": schema_of(args[0])}
    if origin is dict and args[0] is str:
        return {"type": "object", "additionalProperties": schema_of(args[1])}
    raise TypeError(f"no outbound schema for {hint!r}: extend consumers/outbound_schemas.py")


def _object(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: schema_of(hint) for name, hint in fields.items()},
        "required": list(fields),
        "additionalProperties": False,
    }


def _defs() -> dict[str, Any]:
    objects = {name: _object(typing.get_type_hints(cls)) for cls, name in VALUE_OBJECTS.items()}
    return {"decimal": DECIMAL, "date": DATE, "date_time": DATETIME, "uuid": UUID_TEXT, **objects}


OPTIONAL = frozenset({"stored", "committed_at"})  # envelope fields a record may lack


def envelope_schema(kind: OutboundType | None = None) -> dict[str, Any]:
    """The envelope every record has; with a type, its `type` and aggregate kind are fixed and
    its `data` described field by field."""
    properties: dict[str, Any] = {
        "contract": {"const": CONTRACT},
        "type": {"type": "string"} if kind is None else {"const": kind.name},
        "position": {"type": "integer", "minimum": 1},
        "previous_position": {"type": "integer", "minimum": 0},
        "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "aggregate": {
            "type": "object",
            "properties": {
                "kind": {"enum": sorted({t.aggregate_kind for t in TYPES})}
                if kind is None
                else {"const": kind.aggregate_kind},
                "id": {"$ref": "#/$defs/uuid"},
                "version": {"type": "integer", "minimum": 1},
            },
            "required": ["kind", "id", "version"],
            "additionalProperties": False,
        },
        "occurred_at": {"$ref": "#/$defs/date_time"},
        "recorded_at": {"$ref": "#/$defs/date_time"},
        # Added later, so optional: records published before it lack it (then it equals
        # recorded_at). recorded_at is the known time; this is the ledger's own commit time.
        "committed_at": {"$ref": "#/$defs/date_time"},
        "message": {
            "type": "object",
            "properties": {
                "message_id": {"$ref": "#/$defs/uuid"},
                "recorded_by": {"type": "string"},
                "source": _object({"topic": str, "partition": int, "offset": int}),
            },
            "required": ["message_id", "recorded_by", "source"],
            "additionalProperties": False,
        },
        "data": {"type": "object"} if kind is None else _object(data_fields(kind)),
        "stored": {
            "type": "object",
            "properties": {
                "topic": {"type": "string"},
                "state": {"contentEncoding": "base64", "type": "string"},
            },
            "required": ["topic", "state"],
            "additionalProperties": False,
        },
    }
    return {
        "type": "object",
        "properties": properties,
        "required": [p for p in properties if p not in OPTIONAL],
        # A later minor change may add fields: consumers ignore what they do not know.
        "additionalProperties": True,
        "$defs": _defs(),
    }


def type_schema(kind: OutboundType) -> dict[str, Any]:
    """The self-contained schema of one outbound type."""
    body = envelope_schema(kind)
    head = {"$schema": DRAFT, "$id": f"{BASE_ID}{kind.name}.schema.json", "title": kind.name}
    return {**head, **body}


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name to schema: the envelope and one per outbound type."""
    envelope = {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}envelope.schema.json",
        "title": "ledger.events envelope",
        **envelope_schema(),
    }
    return {"envelope.schema.json": envelope} | {
        f"{k.name}.schema.json": type_schema(k) for k in TYPES
    }


def rendered(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/schemas/outbound")
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        (folder / name).write_text(rendered(schema))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
