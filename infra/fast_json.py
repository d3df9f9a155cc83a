"""The library's JSON transcoder, made cheaper with orjson, storing exactly the same bytes.

The stored state of an event is hashed into the chain, so a byte that differs from what the
library's `JSONTranscoder` writes would be a different ledger. orjson writes the same compact
JSON for the plain types (str, int, bool, None, dict with str keys, list and tuple), but it
has its own forms for types the library wraps as `{"_type_": name, "_data_": ...}` (`UUID`,
`datetime`, enums, dataclasses), other float and big-int rules, and it refuses lone surrogates.
So the custom types are wrapped here first, in the library's order, leaving orjson plain
values only; and anything outside that plain fast path (a float, a subclass of a plain type,
a type without a transcoding, an int past 64 bits, a cycle, a lone surrogate) is encoded by
the library's own encoder instead, which then gives today's bytes or today's error exactly.

Decoding stays the library's: orjson's parse plus a Python walk to unwrap the custom types
measured slower than the library's decoder with its `object_hook` (docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoding


class _NotPlainError(Exception):
    """A value the fast path leaves to the library's encoder."""


# The library's encoder writes these and their subclasses itself, never through a transcoding.
_NATIVE_TO_THE_LIBRARY = (str, int, float, list, tuple, dict)
# Written by orjson exactly as by the library's encoder (ints past 64 bits orjson refuses).
_LEAVES = frozenset({str, int, bool, type(None)})
# Times remembered by `_RememberedIso` before it starts afresh: a batch's distinct times.
_TIMES_REMEMBERED = 4096


class _RememberedIso(Transcoding):
    """The library's `DatetimeAsISO` with each time's text remembered.

    `isoformat` of an aware time costs 1.3 to 2.5 µs, and an event's four or five times repeat
    within a batch (its provenance's recorded and committed times are the batch's, its
    timestamp and valid time those of its message); remembering costs about 0.35 µs.
    The key holds what the text depends on beyond equality: aware times of one `tzinfo`
    are equal when their wall-clock fields are (fold ignored, so fold is in the key), and
    of two equal `tzinfo`s (fixed offsets equal by offset) when their instants are, which
    then gives the same fields and offset. Anything the key cannot hold (an unhashable
    `tzinfo`, an offset that raises) is formatted as the library does, error and all."""

    type = datetime
    name = DatetimeAsISO.name

    def __init__(self, library: DatetimeAsISO) -> None:
        self._library = library
        self._texts: dict[tuple[datetime, Any, int], str] = {}

    def encode(self, obj: datetime) -> str:
        try:
            key = (obj, obj.tzinfo, obj.fold)
            text = self._texts.get(key)
        except Exception:  # noqa: BLE001 - the library's own call below raises what it raises
            return self._library.encode(obj)
        if text is None:
            text = self._library.encode(obj)
            if len(self._texts) >= _TIMES_REMEMBERED:
                self._texts.clear()
            self._texts[key] = text
        return text

    def decode(self, data: str) -> datetime:
        return self._library.decode(data)


class OrjsonTranscoder(JSONTranscoder):
    """A `JSONTranscoder` (same registrations, same bytes, same errors) that encodes with
    orjson where that gives the same result."""

    def __init__(self) -> None:
        super().__init__()
        # The registered types the fast path wraps: a subclass of a plain type the library
        # writes as that type, so those are left to it (looked up once, not per value).
        self._wrapped: dict[type, Transcoding] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        if type(transcoding) is DatetimeAsISO:
            transcoding = _RememberedIso(transcoding)
        if not issubclass(transcoding.type, _NATIVE_TO_THE_LIBRARY):
            self._wrapped[transcoding.type] = transcoding

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj))
        except (_NotPlainError, RecursionError, orjson.JSONEncodeError):
            return super().encode(obj)

    def _plain(self, value: Any) -> Any:
        """`value` with every custom type wrapped as the library wraps it, plain types left
        for orjson (whose dict-key and int-range checks send the rest back to the library).
        Leaves are tested inline, not by a call each: the walk is most of the encoding's cost."""
        kind = type(value)
        if kind in _LEAVES:
            return value
        if kind is dict:
            return {k: v if type(v) in _LEAVES else self._plain(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            return [v if type(v) in _LEAVES else self._plain(v) for v in value]
        transcoding = self._wrapped.get(kind)
        if transcoding is None:
            raise _NotPlainError
        data = transcoding.encode(value)
        data = data if type(data) in _LEAVES else self._plain(data)
        return {"_type_": transcoding.name, "_data_": data}
