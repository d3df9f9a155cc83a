"""The demo's closing summary, for people (tables) and programs (a JSON-ready dict)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from scripts.cli import display, output
from scripts.simulation.config import ScenarioConfig
from scripts.simulation.feed import FeedReport
from scripts.simulation.outcomes import OutcomeCheck
from scripts.simulation.summary import StoreSummary

HOSPITALS_SHOWN = 5


def fund_lines(summary: StoreSummary) -> dict[str, Decimal]:
    """Balances people ask about first: pools, accounts, institutions, the treasury."""
    groups: dict[str, Decimal] = defaultdict(Decimal)
    for account, balance in summary.balances.items():
        parts = account.split(":")
        if parts[0] == "fund":
            groups[f"pooled fund {parts[2]}"] += balance
        elif parts[0] == "person":
            groups["personal accounts (all)"] += balance
        elif parts[0] == "institution":
            groups[f"institutions {parts[2].replace('_', ' ')} (all)"] += balance
        elif parts[0] == "treasury":
            groups["treasury fines"] += balance
        elif account.startswith("external:subsidy"):
            groups["subsidies granted (paid out by governments)"] += balance
    return dict(sorted(groups.items()))


def hospital_rows(summary: StoreSummary) -> list[list[Any]]:
    """The institutions paid the most: paid to their bank, still receivable, deposit held."""
    per: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for account, balance in summary.balances.items():
        parts = account.split(":")
        if parts[0] == "institution":
            per[parts[1]][parts[2]] += balance
        elif parts[:2] == ["external", "institution"]:
            per[parts[2]]["paid"] += balance
    ranked = sorted(per.items(), key=lambda kv: (-kv[1]["paid"], kv[0]))[:HOSPITALS_SHOWN]
    return [[code, v["paid"], v["receivable"], v["deposit_held"]] for code, v in ranked]


SUPERVISION_COLUMNS = ("cases", "found", "refused", "ordered", "recovered")


def supervision_lines(summary: StoreSummary) -> list[list[Any]]:
    """The supervision report's rows that say something: the total, and every source,
    violation and sanction kind the year's decisions counted (the CLI lists the empty ones too)."""
    return [
        [row["section"], row["label"], *(row[c] for c in SUPERVISION_COLUMNS)]
        for row in summary.supervision
        if row["section"] == "total" or row["cases"]
    ]


def print_summary(
    summary: StoreSummary, check: OutcomeCheck | None, report: FeedReport | None
) -> None:
    print("\n2. accepted messages by type")
    output.key_values(summary.accepted_by_type)
    print("\n3. rejected messages by reason (each kept with its bytes; `claims-ledger rejected`)")
    output.key_values(summary.rejected_by_reason or {"(none)": 0})
    if check is not None:
        verdict = (
            "every message met its planned fate and decision"
            if check.all_as_planned
            else f"{check.surprise_count} SURPRISES:"
        )
        planned = ", ".join(f"{n} {fate}" for fate, n in sorted(check.as_planned.items()))
        print(f"\n   {planned}: {verdict}")
        decided = ", ".join(f"{n} {d}" for d, n in sorted(check.decisions_as_planned.items()))
        print(f"   decided as planned: {decided or 'none'}")
        for line in check.surprises:
            print(f"   - {line}")
    total = display.amount(summary.postings_total)
    print(f"\n4. money in yuan (double entry: all postings sum to {total})")
    output.key_values(fund_lines(summary))
    print("\n   institutions paid the most")
    output.table(
        ["institution", "paid to bank", "receivable", "deposit held"], hospital_rows(summary)
    )
    print("\n5. recorded events by type")
    output.key_values(summary.events_by_type)
    if summary.supervision:
        year = summary.supervision[0]["year"]
        print(f"\n6. supervision by decision date, {year} (`claims-ledger report supervision`)")
        output.table(["", "", *SUPERVISION_COLUMNS], supervision_lines(summary))


def summary_dict(
    config: ScenarioConfig,
    report: FeedReport | None,
    check: OutcomeCheck | None,
    summary: StoreSummary,
) -> dict[str, Any]:
    return {
        "scenario": asdict(config),
        "feed": None if report is None else asdict(report),
        "outcomes": None
        if check is None
        else {
            "as_planned": dict(check.as_planned),
            "decisions_as_planned": dict(check.decisions_as_planned),
            "surprise_count": check.surprise_count,
            "surprises": check.surprises,
        },
        "accepted_by_type": summary.accepted_by_type,
        "events_by_type": summary.events_by_type,
        "rejected_by_reason": summary.rejected_by_reason,
        "postings_total": summary.postings_total,
        "fund": fund_lines(summary),
        "supervision": summary.supervision,
        "hospitals": [
            dict(zip(["institution", "paid", "receivable", "deposit_held"], row, strict=True))
            for row in hospital_rows(summary)
        ],
    }
