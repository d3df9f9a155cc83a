"""What must hold after any crash or outage: one event per accepted message, a sound chain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from infra.verify import verify

EVENTS_BY_MESSAGE = (
    "SELECT convert_from(state, 'UTF8')::jsonb #>> '{provenance,_data_,message_id,_data_}'"
    " AS message_id, count(*) AS events FROM ledger_events GROUP BY 1"
)


def assert_exactly_once(database_url: str, published_ids: Iterable[str]) -> int:
    """Every published message accepted once, with exactly one event; returns the event count."""
    expected = {i.replace("-", "") for i in published_ids}
    with psycopg.connect(database_url, autocommit=True) as conn:
        accepted = [
            str(r[0]).replace("-", "")
            for r in conn.execute("SELECT message_id FROM ledger_messages").fetchall()
        ]
        per_message: dict[Any, Any] = dict(conn.execute(EVENTS_BY_MESSAGE).fetchall())
        rejected = conn.execute("SELECT count(*) FROM rejected_messages").fetchone()
    assert rejected == (0,)
    assert len(accepted) == len(set(accepted)) == len(expected)
    assert set(accepted) == expected, "lost or foreign messages"
    doubled = {m: n for m, n in per_message.items() if n != 1}
    assert doubled == {}, f"messages with more than one event: {list(doubled)[:5]}"
    assert set(per_message) == expected
    verdict = verify(database_url)
    assert verdict.ok, (verdict.bad_position, verdict.problem)
    assert verdict.checked == len(expected)
    return verdict.checked
