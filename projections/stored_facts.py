"""Facts straight from a stored event's JSON, for the event types that fill the log (issue 15).

Making a domain event runs the library's JSON decoder, whose object hook is Python called for
every object in the state, and builds every field (a settled claim has eleven Decimals, a UUID
and a Provenance) though the read models read a few: a third of a rebuild's time went there
(docs/benchmarks.md). Here orjson parses the state, and only the fields the handlers of
`projections/facts.py` read are decoded, by the ledger's own transcodings, into an event of the
domain's class: each value is the one the library would have made, so the facts are the same.
Every other type, and any state orjson would read otherwise than the library's decoder, goes
the library's way.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from projections.facts import Facts, facts_with_known_time

# Per type read straight from its JSON, the fields `projections/facts.py` reads of it besides
# its postings and provenance. These types are 99.4 % of a bench county year's 53 244 events
# (docs/benchmarks.md); the others, a few hundred a year, are left to the library.
# tests/integration/test_stored_facts.py compares both ways over a county year, so a handler
# that reads a field missing here fails there.
READS: dict[str, tuple[str, ...]] = {
    "domain.account:PersonAccount.ContributionPaid": (),
    "domain.claim:Claim.Settled": ("refusal_reason", "institution", "total_cost", "fund_share"),
    "domain.account:PersonAccount.UsageCharged": (),
    "domain.person:Person.Enrolled": (),
    "domain.account:PersonAccount.Opened": (),
    "domain.person:Person.EnrollmentRenewed": (),
    "domain.institution:Institution.DisbursementMade": ("institution", "code"),
    "domain.claim:Claim.Refused": ("institution", "code", "amount"),
    "domain.doctor:Doctor.Registered": (),
    "domain.person:Person.StatusCertified": (),
    "domain.person:Person.EnrollmentEnded": (),
    "domain.claim:Claim.Reversed": ("institution", "code"),
    "domain.account:PersonAccount.UsageReleased": (),
    "domain.institution:Institution.DepositReleased": ("institution", "code"),
}
ALWAYS = ("postings",)


class NotPlainError(Exception):
    """A value orjson may have read otherwise than the library's decoder: the library decodes."""


@dataclass(frozen=True)
class KnownTimes:
    """The two times of an event's provenance the read models read (valid and known)."""

    occurred_at: datetime
    recorded_at: datetime


def decoded_value(value: Any, names: Mapping[str, Transcoding]) -> Any:
    """A value of parsed state as the library's JSON transcoder decodes it: an object of
    exactly `_type_` and `_data_` by the transcoding of that name, its data decoded first."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            transcoding = names.get(value["_type_"]) if type(value["_type_"]) is str else None
            if transcoding is None:
                raise NotPlainError(value)  # the library names what it cannot decode
            return transcoding.decode(decoded_value(value["_data_"], names))
        # Strings, most values, are taken as they are, without a call each.
        return {
            key: item if type(item) is str else decoded_value(item, names)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) is str else decoded_value(item, names) for item in value]
    if kind is float:
        # orjson reads an integer beyond 64 bits as a float, Python's json as an int. The
        # ledger stores no floats (money is Decimal), so a float is left to the library.
        raise NotPlainError(value)
    return value


class DirectFacts:
    """The facts and known time of stored events, read straight from their JSON where their
    type is one of READS: an event of the domain's class holding only the fields read."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        transcoder = mapper.transcoder
        self._names: Mapping[str, Transcoding] = {}
        self._classes: dict[str, type] = {}
        # Encrypted or compressed state, or another transcoder: the library's way only.
        if isinstance(transcoder, JSONTranscoder) and not (mapper.cipher or mapper.compressor):
            self._names = transcoder.names
            self._classes = {topic: resolve_topic(topic) for topic in READS}

    def recorded(self, stored: StoredEvent) -> tuple[Facts, datetime] | None:
        """The event's facts and known time, or None: the library must decode it."""
        cls = self._classes.get(stored.topic)
        if cls is None:
            return None
        try:
            state = orjson.loads(stored.state)
            if type(state) is not dict:
                return None
            return facts_with_known_time(self._event(cls, state, stored))
        except (orjson.JSONDecodeError, NotPlainError):
            # orjson refuses what Python's json reads (a lone surrogate escape, NaN, 1e400).
            return None

    def _event(self, cls: type, state: dict[str, Any], stored: StoredEvent) -> Any:
        names = self._names
        fields = {
            name: decoded_value(state[name], names)
            for name in (*ALWAYS, *READS[stored.topic])
            if name in state  # else absent, as from the library's event: getattr's default
        }
        provenance = state.get("provenance")
        if provenance is not None:  # else no facts, as from the library's event
            fields["provenance"] = self._known_times(provenance)
        convert = find_id_convertor(cls, cast(Hashable, type(stored.originator_id)))
        fields["originator_id"] = convert(stored.originator_id)
        fields["originator_version"] = stored.originator_version
        # As the library's mapper makes it, but with the fields read only.
        event: Any = object.__new__(cls)
        object.__setattr__(event, "__dict__", fields)
        return event

    def _known_times(self, value: Any) -> KnownTimes:
        # Not the whole Provenance: its message id (a UUID) and commit time are not read, and
        # decoding them was a third of the time left. What would not make a Provenance (a
        # missing or naive time) is left to the library, which says why.
        if type(value) is not dict or value.get("_type_") != "provenance" or len(value) != 2:
            raise NotPlainError(value)
        data = value["_data_"]
        if type(data) is not dict or "occurred_at" not in data or "recorded_at" not in data:
            raise NotPlainError(data)
        times = KnownTimes(
            decoded_value(data["occurred_at"], self._names),
            decoded_value(data["recorded_at"], self._names),
        )
        for time in (times.occurred_at, times.recorded_at):
            if not isinstance(time, datetime) or time.tzinfo is None:
                raise NotPlainError(time)
        return times
