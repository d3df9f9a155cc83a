"""Values as people read them in a terminal: one amount format, one time zone, display widths.

Amounts are `12,345.67` (two decimals, a comma between thousands, as Chinese fund statements
write them); whole numbers (counts, positions, offsets) are plain digits; both are right-aligned.
Instants are the region's wall time, `2019-12-31 20:00:00`, and every block of output that shows
one says once that the zone is +08:00. Machine output (--json, --csv) keeps ISO 8601 and plain
decimal strings; none of this applies there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Set
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from wcwidth import wcswidth, wcwidth

from domain.calendar import REGION_TZ


def _zone_label() -> str:
    offset = REGION_TZ.utcoffset(None) or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    return f"{'+' if offset >= timedelta(0) else '-'}{abs(hours):02d}:{rest:02d}"


ZONE = _zone_label()
ZONE_NOTE = f"times are the region's, UTC{ZONE}"
ELLIPSIS = "…"
NONE = "-"


def amount(value: Decimal) -> str:
    """The one format of money in human output."""
    return f"{value:,.2f}"


def local_time(moment: datetime) -> str:
    """An instant as the region's wall clock (the zone is stated once per block, not here)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no UTC offset: its local time would be a guess")
    return moment.astimezone(REGION_TZ).strftime("%Y-%m-%d %H:%M:%S")


def is_number(value: Any) -> bool:
    """Whether a value is shown right-aligned (bool is an int to Python, not to a reader)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def shows_time(value: Any) -> bool:
    """Whether a value is shown as a local time, so the block must state the zone."""
    if isinstance(value, datetime):
        return True
    if isinstance(value, Mapping):
        return any(shows_time(v) for v in value.values())
    if isinstance(value, (list, tuple, Set)):
        return any(shows_time(v) for v in value)
    return False


def cell(value: Any) -> str:
    """A value as one line of text for people: no Python repr ever (True, None, [..], {..})."""
    if value is None:
        return NONE
    for kind, show in _SHOWN_AS:
        if isinstance(value, kind):
            return show(value)
    return _one_line(str(value))


def _items(values: Any) -> str:
    ordered = sorted(values, key=str) if isinstance(values, Set) else values
    return ", ".join(cell(v) for v in ordered) or NONE


def _pairs(mapping: Mapping[Any, Any]) -> str:
    return ", ".join(f"{k} {cell(v)}" for k, v in mapping.items()) or NONE


# First match wins: bool before int's formats, datetime before date (a datetime is a date too).
_SHOWN_AS: tuple[tuple[type | tuple[type, ...], Callable[[Any], str]], ...] = (
    (bool, lambda v: "yes" if v else "no"),
    (Decimal, amount),
    (datetime, local_time),
    (date, lambda d: d.isoformat()),
    (Enum, lambda e: cell(e.value)),
    (Mapping, _pairs),
    ((list, tuple, Set), _items),
)


def _one_line(text: str) -> str:
    # A newline or tab inside a cell would break the table; other controls have no width.
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def width(text: str) -> int:
    """Columns a terminal gives the text: 2 for CJK ideographs, 0 for combining marks."""
    measured = wcswidth(text)
    if measured >= 0:
        return measured
    return sum(max(wcwidth(c), 0) for c in text)  # wcswidth gives up on control characters


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """Text filled with spaces to a display width, on the left for numbers."""
    fill = " " * max(columns - width(text), 0)
    return fill + text if right else text + fill


def shorten(text: str, columns: int) -> str:
    """At most `columns` display columns; a cut is shown by an ellipsis, never silent."""
    if width(text) <= columns:
        return text
    kept, used = [], width(ELLIPSIS)
    for char in text:
        used += max(wcwidth(char), 0)
        if used > columns:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS
