"""Builders of wire messages for tests: valid by default, changed by keyword."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from consumers.envelope import envelope as wire_envelope
from domain.provenance import Provenance
from infra.application.inbound import Coordinates
from tests.seeds import seeded_uuid

REGION = "430422"
HOSPITAL = "H43042200011"
RECORDED_AT = datetime(2020, 1, 15, 9, 0, tzinfo=UTC)
OCCURRED_AT = datetime.fromisoformat("2019-05-03T10:20:00+08:00")


def message(type_: str, payload: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    base = wire_envelope(
        type_, OCCURRED_AT, REGION, "test:source", payload, message_id=str(seeded_uuid())
    )
    base.update(envelope)
    return base


def designated(code: str = HOSPITAL, **envelope: Any) -> dict[str, Any]:
    return message(
        "InstitutionDesignated",
        {
            "code": code,
            "name": "County People's Hospital",
            "kind": "hospital",
            "level": "3",
            "ownership": "public",
            "agreement_no": "XY-2019-011",
        },
        **envelope,
    )


def enrolled(
    person_id: str, primary_institution: str | None = None, **envelope: Any
) -> dict[str, Any]:
    return message(
        "PersonEnrolled",
        {
            "person_id": person_id,
            "scheme": "resident",
            "category": "adult",
            "employer_id": None,
            "primary_institution": primary_institution,
        },
        **envelope,
    )


def ended(person_id: str, **envelope: Any) -> dict[str, Any]:
    return message("EnrollmentEnded", {"person_id": person_id, "reason": "moved_away"}, **envelope)


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def coordinates(suffix: str, offset: int = 0) -> Coordinates:
    return Coordinates(f"ledger.{suffix}", 0, offset)


def provenance(occurred_at: datetime, **changes: Any) -> Provenance:
    values: dict[str, Any] = {
        "message_id": seeded_uuid(),
        "recorded_by": "test:source",
        "occurred_at": occurred_at,
        "recorded_at": RECORDED_AT,
        "source_topic": "ledger.enrollment",
        "source_partition": 0,
        "source_offset": 0,
    }
    values.update(changes)
    return Provenance(**values)
