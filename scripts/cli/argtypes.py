"""Argument types that refuse out-of-range input at parse time: argparse then exits 2 (usage)
with one line naming the option, instead of a traceback from deep in a query."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from domain.calendar import FIRST_DAY, LAST_DAY
from infra.queries import ENTITY_KINDS
from projections.asof import AsOfError, parse_instant

N = TypeVar("N", int, float)


def instant(text: str) -> datetime:
    """`--as-of`/`--known-at`: a date or an offset datetime within the ledger's calendar."""
    try:
        return parse_instant(text)
    except AsOfError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _number(text: str, parse: Callable[[str], N], noun: str) -> N:
    """`text` as a number, in ASCII only: Python's int() and float() also read full-width
    digits and those of other scripts, which a user would not know they typed."""
    unreadable = argparse.ArgumentTypeError(f"{text!r} is not {noun}")
    if not text.isascii():
        raise unreadable
    try:
        return parse(text)
    except ValueError:
        raise unreadable from None


def year(text: str) -> int:
    """A calendar year the ledger can hold (its days run FIRST_DAY..LAST_DAY)."""
    value = _number(text, int, "a year")
    if not FIRST_DAY.year <= value <= LAST_DAY.year:
        raise argparse.ArgumentTypeError(
            f"{value} is outside the ledger's calendar ({FIRST_DAY.year}..{LAST_DAY.year})"
        )
    return value


def positive_int(text: str) -> int:
    """A count of at least 1 (`--limit`)."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def port(text: str) -> int:
    """A TCP port (`serve --port`), 0 for any free one."""
    value = _number(text, int, "a port number")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0..65535)")
    return value


def positive_seconds(text: str) -> float:
    """A duration in seconds, more than 0 and finite (`--wait-timeout`)."""
    value = _number(text, float, "a number of seconds")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def entity_kinds(text: str) -> frozenset[str]:
    """`history --only`: entity kinds, comma-separated (claim,sanction)."""
    kinds = frozenset(k.strip() for k in text.split(",") if k.strip())
    unknown = sorted(kinds - {*ENTITY_KINDS, "policy"})
    if unknown or not kinds:
        known = ", ".join(sorted({*ENTITY_KINDS, "policy"}))
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) or text!r}: the kinds are {known}")
    return kinds
