"""Messages built from the examples in docs/events.md, so tests send what the docs promise."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from tests.seeds import seeded_uuid

DOC = Path(__file__).resolve().parents[1] / "docs" / "events.md"
EXAMPLE = re.compile(r"```json\n(\{\"message_id\": [^\n]*\})\n```")


def documented_examples() -> list[str]:
    """The raw JSON of every one-line example in docs/events.md."""
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


@cache
def _by_type_and_version() -> dict[tuple[str, int], str]:
    found = {}
    for example in documented_examples():
        document = json.loads(example)
        found[(document["type"], document["schema_version"])] = example
    return found


def documented(
    type_name: str, occurred_at: str | None = None, *, version: int = 1, **payload: Any
) -> dict[str, Any]:
    """A fresh copy of the documented example of a type (of `version`), with a new message id
    and changes."""
    document: dict[str, Any] = json.loads(_by_type_and_version()[(type_name, version)])
    document["message_id"] = str(seeded_uuid())
    if occurred_at is not None:
        document["occurred_at"] = occurred_at
    document["payload"].update(payload)
    return document
