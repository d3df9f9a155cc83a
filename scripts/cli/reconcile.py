"""`reconcile --region R --year Y`: the per-institution figures summed against the fund
statement, with the difference on a named line."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from infra.clock import utc_now
from infra.settings import Settings
from projections.asof import Bitemporal
from projections.reconcile import Reconciliation, reconcile
from scripts.cli import argtypes, output, queries
from scripts.cli.commandline import AddCommand, Handler


def reconciliation_dict(
    r: Reconciliation, region: str, year: int, at: Bitemporal
) -> dict[str, Any]:
    """The `reconcile --json` document."""
    return {
        "region": region,
        "year": year,
        "as_of": at.as_of,
        "known_at": at.known_at,
        "institutions": [
            {
                "institution": i.institution,
                "fund_share": i.fund_share,
                "refused": i.refused,
                "net": i.net,
            }
            for i in r.institutions
        ],
        "institutions_net": r.institutions_net,
        "fund_settlements": r.fund_settlements,
        "cross_region": r.cross_region,
    }


def reconcile_doc(settings: Settings, region: str, year: int, at: Bitemporal) -> dict[str, Any]:
    """The `reconcile --json` document (NotKnownError for an unknown region)."""
    found = queries.read_checked(
        settings, ("balances", "hospitals"), lambda c: reconcile(c, region, year, at), region
    )
    return reconciliation_dict(found, region, year, at)


def cmd_reconcile(settings: Settings, args: argparse.Namespace) -> int:
    at = Bitemporal.of(args.as_of, args.known_at, utc_now())
    doc = reconcile_doc(settings, args.region, args.year, at)
    if args.json:
        output.print_json(doc)
        return 0
    rows = [list(line.values()) for line in doc["institutions"]]
    if rows:
        output.table(list(doc["institutions"][0].keys()), rows)
    output.key_values({k: v for k, v in doc.items() if k != "institutions"})
    return 0


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The `reconcile` command."""
    p = add(
        "reconcile",
        "each institution's fund share less refusals, summed against the fund statement",
    )
    p.add_argument("--region", required=True, help="pooling region, e.g. 430422")
    p.add_argument("--year", required=True, type=argtypes.year, help="calendar year")
    p.add_argument("--as-of", type=argtypes.instant, help="valid time: the year up to this day")
    p.add_argument("--known-at", type=argtypes.instant, help="system time: as known then")
    return {"reconcile": cmd_reconcile}
