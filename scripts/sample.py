"""A small, deterministic sample of a county's reference and enrollment messages.

Message ids derive from the seed, so publishing the same sample twice is a no-op for the ledger.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid5

CHINA = timezone(timedelta(hours=8))
SAMPLE_NAMESPACE = UUID("0d6c9d55-52c4-4a8c-9f6e-1c1d3e0b7a42")
LEVELS = ["3", "2", "2", "1", "community", "community"]


def envelope(
    seed: int, n: int, type_: str, occurred_at: datetime, region: str, by: str, payload: Any
) -> dict[str, Any]:
    return {
        "message_id": str(uuid5(SAMPLE_NAMESPACE, f"{seed}:{n}")),
        "type": type_,
        "schema_version": 1,
        "occurred_at": occurred_at.isoformat(),
        "region": region,
        "recorded_by": by,
        "payload": payload,
    }


def institution_code(region: str, sequence: int, pharmacy: bool = False) -> str:
    return f"{'P' if pharmacy else 'H'}{region}{sequence:05d}"


def sample_messages(
    region: str = "430422", institutions: int = 6, persons: int = 40, seed: int = 2019
) -> list[dict[str, Any]]:
    """Designations, then enrollments, then a few enrollment ends, in time order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    start = datetime(2019, 1, 1, 8, 0, tzinfo=CHINA)
    messages, n = [], 0
    payload: dict[str, Any]
    codes = []
    for i in range(institutions):
        pharmacy = i == institutions - 1
        code = institution_code(region, i + 1, pharmacy)
        codes.append(code)
        level = "none" if pharmacy else LEVELS[i % len(LEVELS)]
        payload = {
            "code": code,
            "name": f"Sample {'pharmacy' if pharmacy else 'hospital'} {i + 1}",
            "kind": "pharmacy" if pharmacy else "hospital",
            "level": level,
            "ownership": "private" if pharmacy else "public",
            "agreement_no": f"XY-2019-{i + 1:03d}",
        }
        n += 1
        messages.append(
            envelope(
                seed, n, "InstitutionDesignated", start, region, "fund:designation-office", payload
            )
        )
    hospitals = [c for c in codes if c.startswith("H")]
    for p in range(persons):
        employee = rng.random() < 0.35
        payload = {
            "person_id": f"{region}-{seed}-{p + 1:06d}",
            "scheme": "employee" if employee else "resident",
            "category": "employee" if employee else rng.choice(["adult", "child", "elderly"]),
            "employer_id": f"E{region}{rng.randint(1, 30):04d}" if employee else None,
            "primary_institution": rng.choice(hospitals) if not employee else None,
        }
        n += 1
        when = start + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 9))
        messages.append(
            envelope(seed, n, "PersonEnrolled", when, region, "tax:collection", payload)
        )
    for p in range(0, persons, 10):
        n += 1
        payload = {"person_id": f"{region}-{seed}-{p + 1:06d}", "reason": "moved_away"}
        messages.append(
            envelope(
                seed,
                n,
                "EnrollmentEnded",
                start + timedelta(days=200),
                region,
                "fund:enrollment-office",
                payload,
            )
        )
    return messages


def bad_lines(region: str = "430422", seed: int = 2019) -> list[bytes]:
    """What a careless or hostile source might send, one of each kind the ledger refuses."""
    good = sample_messages(region, seed=seed)
    enrolled = next(m for m in good if m["type"] == "PersonEnrolled")
    missing_field = json.loads(json.dumps(enrolled))
    missing_field["message_id"] = str(uuid5(SAMPLE_NAMESPACE, f"{seed}:bad:missing"))
    del missing_field["payload"]["scheme"]
    unknown_type = dict(
        enrolled,
        message_id=str(uuid5(SAMPLE_NAMESPACE, f"{seed}:bad:type")),
        type="PersonTeleported",
    )
    unknown_institution = json.loads(json.dumps(enrolled))
    unknown_institution["message_id"] = str(uuid5(SAMPLE_NAMESPACE, f"{seed}:bad:ref"))
    unknown_institution["payload"]["person_id"] = f"{region}-{seed}-999999"
    unknown_institution["payload"]["primary_institution"] = institution_code(region, 99999)
    conflicting = json.loads(json.dumps(enrolled))
    conflicting["payload"]["category"] = (
        "elderly" if enrolled["payload"]["category"] != "elderly" else "adult"
    )
    return [
        b'{"message_id": "not even json',
        json.dumps(missing_field).encode(),
        json.dumps(unknown_type).encode(),
        json.dumps(unknown_institution).encode(),
        json.dumps(conflicting).encode(),
    ]


def to_jsonl(messages: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages)
