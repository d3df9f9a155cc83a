"""The decode benchmark's measure: CPU per message, overall and per type."""

from __future__ import annotations

from consumers.contract import decode
from scripts.bench.decode import cpu_us_per_message
from tests.examples import documented
from tests.messages import encode


def test_cpu_per_message_is_reported_overall_and_per_type() -> None:
    messages = [
        (encode(documented("ClaimSettled")), "claims", "ClaimSettled"),
        (encode(documented("ContributionPaid")), "payments", "ContributionPaid"),
        (b"not json", "claims", "(not JSON)"),
    ]
    figures = cpu_us_per_message(decode, messages)
    assert set(figures) == {"all", "ClaimSettled", "ContributionPaid", "(not JSON)"}
    assert all(value >= 0 for value in figures.values())
    per_type = [figures[name] for _, _, name in messages]
    assert abs(figures["all"] - sum(per_type) / len(per_type)) < 1e-6
