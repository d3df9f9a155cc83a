"""The hostile corpus (tests/data/hostile/cases.jsonl) as wire messages; see its README."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from consumers.contract import MESSAGE_TYPES
from tests.examples import documented

CORPUS = Path(__file__).resolve().parent / "data" / "hostile" / "cases.jsonl"


@dataclass(frozen=True)
class HostileCase:
    """One line of the corpus: a documented example with changes, and its expected fate."""

    case: str
    kind: str  # the class: text, dates, lookalike, amounts, edges
    type: str
    reason: str | None  # None: the contract accepts it
    detail: str  # must appear in the rejection's detail (the field's name)
    envelope: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    worker: bool = False  # also sent through the real worker in the integration test

    @property
    def topic_suffix(self) -> str:
        """The topic the type belongs on, so only the hostile value decides the fate."""
        return MESSAGE_TYPES[self.type].topic_suffix

    def raw(self) -> bytes:
        """The message as a producer would write it: JSON with \\u escapes, which is how a NUL or
        a lone surrogate reaches a JSON parser in valid UTF-8."""
        version = self.envelope.get("schema_version", 1)
        document = documented(self.type, version=version, **self.payload)
        document.update(self.envelope)
        return json.dumps(document, ensure_ascii=True).encode("ascii")


@cache
def hostile_cases() -> tuple[HostileCase, ...]:
    """Every case of the corpus, in file order."""
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        row["kind"] = row.pop("class")
        cases.append(HostileCase(**row))
    return tuple(cases)


WORKER_RECORDS = CORPUS.with_name("worker_records.jsonl")


@cache
def worker_records() -> tuple[dict[str, Any], ...]:
    """The records that once broke the worker itself (worker_records.jsonl), in file order."""
    return tuple(
        json.loads(line) for line in WORKER_RECORDS.read_text(encoding="utf-8").splitlines()
    )


def record_bytes(case: dict[str, Any]) -> bytes:
    """A worker record's bytes as a producer would send them."""
    if "nest" in case:
        depth: int = case["nest"]
        return b"[" * depth + b"]" * depth
    return json.dumps(case["document"]).encode("ascii")
