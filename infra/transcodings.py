"""How the domain's value types are stored in event state (JSON)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.clawback import ClaimLine
from domain.policy import PolicyTerms
from domain.postings import Posting


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


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Register the domain's value types; the library's defaults already include `Decimal`
    (`DecimalAsStr`), `UUID` and `datetime`."""
    for transcoding in (PostingAsDict(), ClaimLineAsDict(), PolicyTermsAsDict()):
        transcoder.register(transcoding)
