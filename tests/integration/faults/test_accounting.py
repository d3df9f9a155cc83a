"""The audit fails where it must: an offset the store never decided, and the events of a
message attributed to coordinates other than the ones it was accepted at."""

from __future__ import annotations

import psycopg

from infra.settings import Settings
from infra.store import Ledger
from tests.integration.accounting import Tally, account
from tests.integration.helpers import create_topics, ingest, send
from tests.messages import enrolled

# A copy of the first event, as if its message had been decided again at offset 99.
DECIDED_AGAIN = (
    "INSERT INTO ledger_events (originator_id, originator_version, topic, state)"
    " SELECT gen_random_uuid(), 1, topic, convert_to(jsonb_set(convert_from(state, 'UTF8')"
    "::jsonb, '{provenance,_data_,source_offset}', '99')::text, 'UTF8')"
    " FROM ledger_events ORDER BY notification_id LIMIT 1"
)


def test_an_offset_left_undecided_is_named(
    settings: Settings, ledger: Ledger, database_url: str
) -> None:
    topics = create_topics(settings)
    send(settings, "enrollment", [enrolled("P-1")])
    assert ingest(settings, ledger, until_idle=0.5).accepted == 1
    assert account(settings, database_url).problems == []
    send(settings, "enrollment", [enrolled("P-1")])  # same key: same partition, next offset

    books = account(settings, database_url)

    ((partition, (start, end)),) = [(p, b) for p, b in books.log.items() if b != (0, 0)]
    assert (partition[0], start, end) == (topics.inbound("enrollment"), 0, 2)
    assert books.problems == [
        f"{partition[0]}/{partition[1]}@1: neither stored, nor a duplicate of a stored message,"
        " nor a dead letter",
        f"{partition[0]}/{partition[1]}: committed up to 0, log ends at 1",
    ]


def test_a_message_stored_twice_is_named(
    settings: Settings, ledger: Ledger, database_url: str
) -> None:
    create_topics(settings)
    send(settings, "enrollment", [enrolled("P-1")])
    assert ingest(settings, ledger, until_idle=0.5).accepted == 1
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(DECIDED_AGAIN)

    books = account(settings, database_url)

    assert books.total() == Tally(stored=1, duplicates=0, dead=0)
    (problem,) = books.problems
    assert problem.startswith("1 event(s) of message ")
    assert "@99, accepted at (" in problem
