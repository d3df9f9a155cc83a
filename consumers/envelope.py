"""The inbound envelope as producers write it: one builder for the CLI, the simulation and tests.

The fields are the wire contract's (docs/events.md); `consumers.schemas.EnvelopeSchema` reads them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1  # the version every producer here writes; older ones stay loadable


def envelope(
    type_: str,
    occurred_at: datetime,
    region: str,
    recorded_by: str,
    payload: dict[str, Any],
    *,
    message_id: str | None = None,
    recorded_at: datetime | None = None,
) -> dict[str, Any]:
    """An inbound message document; a fresh message id unless one is given (to re-send).

    `recorded_at`, for a source migrating history: when the fact was on record there (the
    ledger's known time, docs/operations.md "Migrating a fund's history"); absent, the ledger's
    commit is."""
    document = {
        "message_id": message_id or str(uuid.uuid4()),
        "type": type_,
        "schema_version": SCHEMA_VERSION,
        "occurred_at": occurred_at.isoformat(),
        "region": region,
        "recorded_by": recorded_by,
        "payload": payload,
    }
    if recorded_at is not None:
        document["recorded_at"] = recorded_at.isoformat()
    return document
