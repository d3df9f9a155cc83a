"""The demo's closing summary is written for people (issue 14: it printed a raw Python dict)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from scripts.simulation.outcomes import OutcomeCheck
from scripts.simulation.summary import StoreSummary
from scripts.simulation.summary_print import print_summary


def test_the_summary_prints_no_python_repr_and_one_amount_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = StoreSummary(
        accepted_by_type={"ClaimSettled": 1600},
        events_by_type={"Claim.Settled": 1600},
        rejected_by_reason={"malformed_json": 3},
        balances={
            "fund:430422:resident:pooled": Decimal("263295.48"),
            "external:institution:H43042200011": Decimal("-263295.48"),
        },
        postings_total=Decimal("0.00"),
    )
    check = OutcomeCheck(
        as_planned=Counter({"accepted": 1600, "malformed_json": 3}),
        decisions_as_planned=Counter({"paid": 1500, "refused": 100}),
    )
    print_summary(summary, check, None)
    out = capsys.readouterr().out
    for repr_mark in ("{", "}", "Counter(", "Decimal(", "'"):
        assert repr_mark not in out
    assert "1600 accepted, 3 malformed_json: every message met its planned fate and decision" in out
    assert "decided as planned: 1500 paid, 100 refused" in out
    assert "263,295.48" in out
    assert "-263,295.48" in out
    assert "sum to 0.00" in out


def test_the_summary_counts_every_surprise_and_names_the_messages_it_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check = OutcomeCheck(as_planned=Counter({"accepted": 2}))
    line = "ClaimSettled 0b6f3a52 at ledger.claims/0@7: planned refused (institution_suspended)"
    check.surprise(line, limit=1)
    check.surprise("another", limit=1)
    print_summary(StoreSummary(), check, None)
    out = capsys.readouterr().out
    assert "2 SURPRISES:" in out
    assert f"   - {line}" in out
    assert "another" not in out
    assert not check.all_as_planned
