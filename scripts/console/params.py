"""Query parameters, parsed by the CLI's own argument types: `as_of=2019-13-01` is refused with
the line `--as-of 2019-13-01` gets, naming the parameter and what was typed."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from flask import request

from scripts.cli import argtypes
from scripts.cli.statement import local_date
from scripts.console.problems import Problem, bad_parameter

# Longer than any id, account or digest the ledger holds; a longer value is refused unread.
MAX_VALUE = 512
OPEN_API_DATE_TIME = {"type": "string", "example": "2019-12-31"}
DAY = {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Param:
    """A query parameter: its OpenAPI description and how its text becomes a value."""

    description: str
    parse: Callable[[str], Any] = str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False
    repeated: bool = False


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)}")
        return text

    return parse


def _position(text: str) -> int:
    value = int(argtypes.positive_int(text))
    if value >= 1 << 63:
        raise argparse.ArgumentTypeError(f"{text} is past any log position")
    return value


INSTANT = (
    "a date (the end of that day, +08:00) or a datetime with its UTC offset,"
    " e.g. 2019-12-31 or 2020-01-14T09:30:00+08:00"
)
PARAMS: dict[str, Param] = {
    "as_of": Param(f"valid time: {INSTANT}; default now", argtypes.instant, OPEN_API_DATE_TIME),
    "known_at": Param(
        f"known (system) time, what was on record then: {INSTANT}; default now",
        argtypes.instant,
        OPEN_API_DATE_TIME,
    ),
    "known_at_pair": Param(
        f"the two known times to compare, given twice: {INSTANT}",
        argtypes.instant,
        OPEN_API_DATE_TIME,
        required=True,
        repeated=True,
    ),
    "from": Param(
        "first day, inclusive (YYYY-MM-DD)", local_date, {"type": "string", "format": "date"}
    ),
    "to": Param(
        "last day, inclusive (YYYY-MM-DD)", local_date, {"type": "string", "format": "date"}
    ),
    "region": Param("pooling region, e.g. 430422", schema={"type": "string", "example": "430422"}),
    "region_required": Param(
        "pooling region, e.g. 430422", required=True, schema={"type": "string", "example": "430422"}
    ),
    "year": Param("calendar year", argtypes.year, {"type": "integer"}, required=True),
    "limit": Param(
        "at most this many (default 1000)", argtypes.positive_int, {"type": "integer", "minimum": 1}
    ),
    "reason": Param("only this reason code, e.g. unknown_reference"),
    "only": Param(
        "only these entity kinds, comma-separated, e.g. claim,sanction", argtypes.entity_kinds
    ),
    "format": Param(
        "csv for a CSV table instead of JSON",
        _choice("json", "csv"),
        {"type": "string", "enum": ["json", "csv"]},
    ),
    "from_digest": Param(
        "also check the log still extends this digest (POSITION:HASH from `digest`)"
    ),
    "stream": Param("only events about this entity, as `history` takes it (claim:JS-1, H43...)"),
    "type": Param("only events of this type, e.g. Claim.Settled"),
    "known_from": Param(f"only events known at or after: {INSTANT}", argtypes.instant),
    "known_until": Param(f"only events known at or before: {INSTANT}", argtypes.instant),
    "after": Param(
        "paging: only events after this log position (the previous page's next_after)",
        _position,
        {"type": "integer", "minimum": 1},
    ),
}


def clean(name: str, value: str) -> str:
    """A typed value the store can take: no NUL (PostgreSQL text cannot hold it), not huge."""
    if "\x00" in value:
        raise bad_parameter(name, value, "contains a NUL character")
    if len(value) > MAX_VALUE:
        raise bad_parameter(name, value[:40] + "...", f"longer than {MAX_VALUE} characters")
    return value


def query(names: Sequence[str]) -> dict[str, Any]:
    """The named query parameters, parsed; absent ones are None. Unknown ones are refused: a
    misspelt `asof` silently ignored would answer as of now."""
    wanted = {public_name(n): n for n in names}
    unknown = sorted(set(request.args) - set(wanted))
    if unknown:
        raise Problem(
            HTTPStatus.BAD_REQUEST,
            f"unknown parameter {unknown[0]!r}; this endpoint takes {', '.join(wanted) or 'none'}",
            parameter=unknown[0],
        )
    values: dict[str, Any] = {}
    for public, key in wanted.items():
        param = PARAMS[key]
        given = [clean(public, v) for v in request.args.getlist(public)]
        if param.required and not given:
            raise bad_parameter(public, "", "is required")
        if len(given) > 1 and not param.repeated:
            raise bad_parameter(public, given[-1], "given more than once")
        parsed = [_parse(public, param, v) for v in given]
        values[public] = parsed if param.repeated else (parsed[0] if parsed else None)
    return values


def public_name(key: str) -> str:
    """The parameter's name in the URL (a catalog key may carry a variant: known_at_pair)."""
    return key.removesuffix("_pair").removesuffix("_required")


def _parse(name: str, param: Param, text: str) -> Any:
    try:
        return param.parse(text)
    except argparse.ArgumentTypeError as error:
        raise bad_parameter(name, text, str(error)) from None


def path_value(name: str, value: str) -> str:
    """A value from the URL's path (an account, a code), cleaned as a query value is."""
    return clean(name, value)
