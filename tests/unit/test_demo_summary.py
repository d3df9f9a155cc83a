"""The demo's closing summary is written for people (issue 14: it printed a raw Python dict)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from scripts.cli import display
from scripts.simulation.outcomes import OutcomeCheck
from scripts.simulation.summary import StoreSummary
from scripts.simulation.summary_print import SUPERVISION_COLUMNS, print_summary


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


def supervision_row(section: str, label: str, cases: int, *amounts: str) -> dict[str, Any]:
    """A row as `report supervision` gives it: sanction rows count decisions, no amounts."""
    found, refused, ordered, recovered = (
        (Decimal(a) for a in amounts) if amounts else (None, None, None, None)
    )
    return {
        "year": 2019,
        "known_at": datetime(2026, 12, 1, tzinfo=UTC),
        "section": section,
        "name": label,
        "label": label,
        "cases": cases,
        "found": found,
        "refused": refused,
        "ordered": ordered,
        "recovered": recovered,
    }


def test_the_summary_shows_the_years_supervision_figures_with_chinese_labels_aligned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        supervision_row("total", "合计", 14, "22186.40", "1021.40", "21165.00", "20500.00"),
        supervision_row("source", "智能审核", 12, "1021.40", "1021.40", "0.00", "0.00"),
        supervision_row("source", "举报", 0, "0.00", "0.00", "0.00", "0.00"),
        supervision_row("source", "指标性扣款", 2, "21165.00", "0.00", "21165.00", "20500.00"),
        supervision_row("violation", "虚假住院/伪造医疗文书", 1, "800.00", "0", "800.00", "0"),
        supervision_row("sanction", "约谈", 1),
        supervision_row("sanction", "移送", 0),
    ]
    print_summary(StoreSummary(supervision=rows), None, None)
    out = capsys.readouterr().out
    head, table = out.split("6. supervision by decision date, 2019")[1].split("\n", 1)
    assert "report supervision" in head
    lines = table.rstrip("\n").splitlines()
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines]
    assert [c[1] for c in cells[1:]] == [
        "合计",
        "智能审核",
        "指标性扣款",
        "虚假住院/伪造医疗文书",
        "约谈",
    ]
    assert cells[1][2:] == ["14", "22,186.40", "1,021.40", "21,165.00", "20,500.00"]
    # Right-aligned numbers end in one display column on every line, CJK labels or not.
    ends = [
        _ends(line, cell)[-len(SUPERVISION_COLUMNS) :]
        for line, cell in zip(lines, cells, strict=True)
    ]
    assert all(e == ends[0] for e in ends), ends


def _ends(line: str, cells: list[str]) -> list[int]:
    """The display column where each cell's text ends on the line (a CJK character takes two)."""
    ends, start = [], 0
    for cell in cells:
        start = line.index(cell, start) + len(cell)
        ends.append(display.width(line[:start]))
    return ends
