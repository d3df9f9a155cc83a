"""Binary COPY stores exactly what the library's INSERT stores (infra/binary_writes.py).

The same batches, decided and committed into two stores, one through the library's insert of a
composite array (`LEDGER_BINARY_WRITES=n`) and one through binary COPY, must hold the same rows
byte for byte: events, hash chain, accepted messages, offsets and dead letters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from consumers.ingest import inbound_records
from consumers.topics import Topics, region_key
from infra.application.rows import offset_tracking_name
from infra.setup import set_up
from infra.snapshots import due_snapshots
from infra.store import BINARY_WRITES, WRITER_ROLE, Ledger, open_ledger
from infra.verify import verify
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.conftest import fresh_database
from tests.hostile import hostile_cases
from tests.messages import designated

RECORDED_AT = datetime(2020, 6, 1, tzinfo=UTC)
BATCH = 150  # records per poll batch, about what the worker decides at a time
TOPICS = Topics("ledger.")

# Text that reaches the stored JSON (an institution's name), or is refused on the way with a
# dead letter that keeps the raw bytes: the two stores must agree either way.
HOSTILE_NAMES = (
    "衡南县人民医院",
    "back\\slash \\u0041 \\\\",
    "tab\there",
    "new\nline\r\n",
    "quote \" and ' ",
    "lone \ud800 surrogate",
    "trailing \udfff",
    "line\u2028separator\u2029",
    "emoji 🏥 and ideographic\u3000space",
    "\x7f delete and \x1f unit separator",
)

# Every table a batch writes, in a total order of its key.
TABLES = {
    "events": "SELECT originator_id, originator_version, topic, state, notification_id"
    " FROM ledger_events ORDER BY notification_id",
    "chain": "SELECT position, previous_position, hash FROM ledger_chain ORDER BY position",
    "accepted": "SELECT * FROM ledger_messages ORDER BY message_id",
    "offsets": "SELECT * FROM ledger_tracking ORDER BY application_name",
    "dead letters": "SELECT * FROM rejected_messages ORDER BY id",
    # Written at the default interval by both paths (infra/snapshots.py).
    "snapshots": "SELECT * FROM ledger_snapshots ORDER BY originator_id, originator_version",
}


@pytest.fixture
def two_databases(postgres_server_url: str) -> Iterator[tuple[str, str]]:
    for inserted in fresh_database(postgres_server_url):
        for copied in fresh_database(postgres_server_url):
            set_up(inserted)
            set_up(copied)
            yield inserted, copied


def county_messages() -> list[tuple[str, bytes, bytes]]:
    """The tiny county year (topic suffix, key, value), in plan order."""
    return [
        (p.topic_suffix, region_key(p.document) if p.document else b"", p.value())
        for p in county_year(config_for("tiny", None, seed=11))
    ]


def hostile_messages() -> list[tuple[str, bytes, bytes]]:
    """Designations named with hostile text, and the hostile corpus (tests/data/hostile)."""
    named = []
    for n, name in enumerate(HOSTILE_NAMES):
        document = designated(f"H430422{n + 100:05d}")
        document["payload"]["name"] = name
        # \u escapes, as a producer writes a lone surrogate in valid UTF-8.
        named.append(("reference", b"430422", json.dumps(document).encode("ascii")))
    corpus = [(c.topic_suffix, b"430422", c.raw()) for c in hostile_cases()]
    return named + corpus


def poll_batches(messages: Sequence[tuple[str, bytes, bytes]]) -> Iterator[list[Any]]:
    """The messages as consumed Kafka records, one partition per topic, in poll batches."""
    offsets: dict[str, int] = {}
    records = []
    for n, (suffix, key, value) in enumerate(messages):
        topic = TOPICS.inbound(suffix)
        offset = offsets[topic] = offsets.get(topic, -1) + 1
        timestamp = 1_577_836_800_000 + n  # rising, so the merge keeps the plan's order
        records.append(
            SimpleNamespace(
                topic=topic, partition=0, offset=offset, key=key, value=value, timestamp=timestamp
            )
        )
    for start in range(0, len(records), BATCH):
        yield records[start : start + BATCH]


def ingest(deciding: Ledger, also: Ledger, messages: Sequence[tuple[str, bytes, bytes]]) -> None:
    """Decide each batch once (events carry the library's wall-clock timestamp) and commit the
    same outcome into both stores."""
    for n, batch in enumerate(poll_batches(messages)):
        recorded_at = RECORDED_AT + timedelta(seconds=n)
        records = inbound_records(batch, TOPICS, recorded_at)
        outcome = deciding.decide(records, recorded_at, cluster_id="binary-writes")
        deciding.commit(outcome)
        # `decide` took the snapshots the deciding store's interval asks for; the other store
        # takes those its own interval asks for.
        due = due_snapshots(also.snapshot_interval, outcome.events, outcome.aggregates)
        also.commit(replace(outcome, snapshots=due))


def stored_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(database_url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in TABLES.items()}


def test_copy_stores_the_same_rows_as_the_librarys_insert(
    two_databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inserted, copied = two_databases
    messages = county_messages() + hostile_messages()
    monkeypatch.setenv(BINARY_WRITES, "n")  # the documented fallback
    by_insert = open_ledger(inserted, role=WRITER_ROLE)
    monkeypatch.delenv(BINARY_WRITES)
    with by_insert, open_ledger(copied, role=WRITER_ROLE) as by_copy:
        assert not by_insert.recorder_.binary_writes
        assert by_copy.recorder_.binary_writes
        ingest(by_insert, by_copy, messages)

    old, new = stored_rows(inserted), stored_rows(copied)
    for table in TABLES:
        assert new[table] == old[table], f"{table} differ"
    assert len(new["events"]) > 1_000
    assert len(new["accepted"]) > 800
    assert len(new["dead letters"]) > 40
    assert len(new["snapshots"]) > 100
    stored_states = b"".join(row[3] for row in new["events"])
    assert "衡南县人民医院".encode() in stored_states
    assert b"back\\\\slash" in stored_states  # a backslash, escaped once by JSON
    verdict = verify(copied)
    assert verdict.ok, verdict.problem
    assert verdict.checked == len(new["events"])


def test_one_stale_offset_among_several_refuses_the_whole_batch(
    ledger: Ledger, database_url: str
) -> None:
    # The offsets of every partition go in one upsert; a partition whose offset is not ahead
    # fails the batch as the library's row-by-row tracking did, whichever partition it is.
    def consumed(suffix: str, offset: int, value: bytes) -> Any:
        return SimpleNamespace(
            topic=TOPICS.inbound(suffix), partition=0, offset=offset, key=b"k", value=value
        )

    def commit(*records: Any) -> None:
        decoded = inbound_records(list(records), TOPICS, RECORDED_AT)
        ledger.commit(ledger.decide(decoded, RECORDED_AT, cluster_id="binary-writes"))

    enrollment, reference = (
        offset_tracking_name("binary-writes", TOPICS.inbound(suffix), 0)
        for suffix in ("enrollment", "reference")
    )
    commit(consumed("reference", 3, b"{"), consumed("enrollment", 5, b"{"))
    before = stored_rows(database_url)
    with pytest.raises(IntegrityError, match=re.escape(f"{enrollment} 5")):
        commit(
            consumed("reference", 4, json.dumps(designated()).encode()),
            consumed("enrollment", 5, b"{"),
        )
    assert stored_rows(database_url) == before
    offsets = dict(before["offsets"])
    assert (offsets[enrollment], offsets[reference]) == (5, 3)
