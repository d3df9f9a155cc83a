"""The hostile corpus through the real worker: dead letters, and the good around them stored."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.hostile import hostile_cases
from tests.integration.accounting import Tally, assert_books_balance
from tests.integration.helpers import create_topics, ingest, send
from tests.messages import designated, enrolled

GOOD = {
    "reference": lambda i: designated(f"H430422{i:05d}"),
    "enrollment": lambda i: enrolled(f"G-{i}"),
}


def test_hostile_messages_become_dead_letters_among_stored_good_ones(
    settings: Settings, ledger: Ledger, database_url: str
) -> None:
    create_topics(settings)
    cases = [c for c in hostile_cases() if c.worker]
    by_topic: dict[str, list[dict[str, Any] | bytes]] = defaultdict(list)
    good: list[str] = []
    raws = [case.raw() for case in cases]
    for i, (case, raw) in enumerate(zip(cases, raws, strict=True)):
        document = GOOD[case.topic_suffix](i)
        good.append(document["payload"].get("code") or document["payload"]["person_id"])
        by_topic[case.topic_suffix] += [document, raw]
    for suffix, documents in by_topic.items():
        send(settings, suffix, documents)

    stats = ingest(settings, ledger)

    assert (stats.accepted, stats.rejected) == (len(cases), len(cases))
    letters = {r.message_value: r for r in rejected(ledger)}
    fates = {
        c.case: (letters[raw].reason, c.detail in letters[raw].detail)
        for c, raw in zip(cases, raws, strict=True)
    }
    assert fates == {c.case: (c.reason, True) for c in cases}
    assert all(len(history(ledger, entity)) == 1 for entity in good)
    books = assert_books_balance(settings, database_url)
    assert books.total() == Tally(stored=len(cases), duplicates=0, dead=len(cases))
