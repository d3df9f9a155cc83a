"""The CLI's reports (`report fund`, `report hospitals`, `report supervision`, `reconcile`), as
JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import Response

from scripts.cli import queries, reconcile
from scripts.cli.supervision import supervision_doc_rows
from scripts.console import schemas
from scripts.console.api import endpoint, settings
from scripts.console.params import query
from scripts.console.replies import point, rows

POINT = ("as_of", "known_at")


@endpoint(
    "/reports/fund",
    "fund statement of a region's year, one row per scheme (report fund)",
    schemas.FundRow(many=True),
    params=("region_required", "year", *POINT, "format"),
    csv=True,
)
def fund() -> Response:
    q = query(("region_required", "year", *POINT, "format"))
    return rows(queries.fund_rows(settings(), q["region"], q["year"], point(q)), q["format"])


@endpoint(
    "/reports/hospitals",
    "every institution's totals, of one region or of all (report hospitals)",
    schemas.Hospital(many=True),
    params=("region", *POINT, "format"),
    csv=True,
)
def hospitals() -> Response:
    q = query(("region", *POINT, "format"))
    return rows(queries.hospital_rows(settings(), q["region"], point(q)), q["format"])


@endpoint(
    "/reports/supervision",
    "findings and recoveries of the decisions dated in a year, by detection source, violation"
    " and sanction kind (report supervision)",
    schemas.SupervisionRow(many=True),
    params=("year", "known_at", "format"),
    csv=True,
)
def supervision() -> Response:
    q = query(("year", "known_at", "format"))
    return rows(supervision_doc_rows(settings(), q["year"], q["known_at"]), q["format"])


@endpoint(
    "/reports/reconcile",
    "each institution's fund share less refusals, summed against the fund statement",
    schemas.Reconciliation,
    params=("region_required", "year", *POINT),
)
def reconciliation() -> dict[str, Any]:
    q = query(("region_required", "year", *POINT))
    return reconcile.reconcile_doc(settings(), q["region"], q["year"], point(q))
