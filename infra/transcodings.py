"""How the domain's value types are stored in event state (JSON)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)

from domain.clawback import ClaimLine
from domain.policy import PolicyTerms
from domain.postings import Posting
from domain.provenance import Provenance
from infra.fast_json import OrjsonTranscoder


class DateAsISO(Transcoding):
    """The library has no default transcoding for `datetime.date`."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ProvenanceAsDict(Transcoding):
    type = Provenance
    name = "provenance"

    def encode(self, obj: Provenance) -> dict[str, Any]:
        return dict(obj.__dict__)

    def decode(self, data: dict[str, Any]) -> Provenance:
        return Provenance(**data)


class PostingAsDict(Transcoding):
    """A posting as {"account": str, "amount": str}; the amount keeps its exact cents."""

    type = Posting
    name = "posting"

    def encode(self, obj: Posting) -> dict[str, str]:
        return {"account": obj.account, "amount": str(obj.amount)}

    def decode(self, data: dict[str, str]) -> Posting:
        return Posting(data["account"], Decimal(data["amount"]))


class ClaimLineAsDict(Transcoding):
    type = ClaimLine
    name = "claim_line"

    def encode(self, obj: ClaimLine) -> dict[str, Any]:
        return dict(obj.__dict__)

    def decode(self, data: dict[str, Any]) -> ClaimLine:
        return ClaimLine(**data)


class PolicyTermsAsDict(Transcoding):
    type = PolicyTerms
    name = "policy_terms"

    def encode(self, obj: PolicyTerms) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> PolicyTerms:
        return PolicyTerms(**data)


def register_ledger_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every type the ledger's events hold: the library's defaults (what its
    `Application.register_transcodings` registers: `UUID`, `Decimal`, `datetime`), then
    `date`, provenance and the domain's value types."""
    for transcoding in (
        UUIDAsHex(),
        DecimalAsStr(),
        DatetimeAsISO(),
        DateAsISO(),
        ProvenanceAsDict(),
        PostingAsDict(),
        ClaimLineAsDict(),
        PolicyTermsAsDict(),
    ):
        transcoder.register(transcoding)


def ledger_transcoder() -> OrjsonTranscoder:
    """The transcoder of the ledger's stored events (infra/fast_json.py)."""
    transcoder = OrjsonTranscoder()
    register_ledger_transcodings(transcoder)
    return transcoder
