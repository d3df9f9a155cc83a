"""Shapes of a reply the views share: rows as JSON or CSV, the point a query looks at."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, current_app, jsonify

from infra.clock import utc_now
from projections.asof import Bitemporal
from scripts.cli import output


def point(values: Mapping[str, Any]) -> Bitemporal:
    """`as_of` and `known_at` as the CLI fills them: now when not given."""
    return Bitemporal.of(values.get("as_of"), values.get("known_at"), utc_now())


def rows(found: Sequence[Mapping[str, Any]], format_: str | None) -> Response:
    """Rows as JSON, or as the CLI's `--csv` writes them when `format=csv`."""
    if format_ == "csv":
        out = io.StringIO()
        output.write_csv(out, found)
        return current_app.response_class(out.getvalue(), mimetype="text/csv")
    return jsonify(list(found))
