"""Known time (provenance.recorded_at) in the real store: the source's stated time, never later
than the commit, never earlier than the log's latest known time as seen under the insert lock,
covered by the hash chain; and events stored before `committed_at` existed still read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent

from consumers.contract import decode
from domain.provenance import Provenance
from infra.application.inbound import Coordinates, InboundRecord
from infra.store import WRITER_ROLE, Ledger, open_ledger
from infra.verify import verify
from tests.integration import test_immutability
from tests.messages import designated, encode

writer = test_immutability.writer  # the fixture: the store, as the worker's role

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CLAWBACK_DAY = "2020-01-14T15:30:00+08:00"
CLAWBACK_KNOWN = datetime(2020, 1, 14, 7, 30, tzinfo=UTC)


def decided(
    ledger: Ledger, clock: datetime, documents: Sequence[dict[str, Any]], partition: int = 0
) -> Any:
    """A batch of designations decided by `ledger` at `clock`, not yet committed."""
    offset = len(ledger.recorder.select_notifications(1, 1000)) if partition == 0 else 0
    records = []
    for i, document in enumerate(documents):
        raw = encode(document)
        where = Coordinates("ledger.reference", partition, offset + i)
        records.append(InboundRecord(where, None, raw, decode(raw, where, "reference", clock)))
    outcome = ledger.decide(records, clock, cluster_id="test-cluster")
    assert len(outcome.record.rejected) == 0
    return outcome


def provenances(ledger: Ledger) -> list[Provenance]:
    """Every event's provenance, in log order."""
    return [
        ledger.mapper.to_domain_event(n).provenance  # type: ignore[attr-defined]
        for n in ledger.recorder.select_notifications(1, 1000)
    ]


def hospital(n: int, **envelope: Any) -> dict[str, Any]:
    return designated(f"H430422{n:05d}", **envelope)


def test_stated_times_are_kept_capped_at_the_commit_and_never_decrease(
    writer: Ledger, database_url: str
) -> None:
    writer.commit(
        decided(
            writer,
            NOW,
            [
                hospital(1, recorded_at=CLAWBACK_DAY),
                hospital(2, recorded_at="2020-01-10T00:00:00+08:00"),  # earlier, same batch
                hospital(3, recorded_at="2030-01-01T00:00:00+08:00"),  # in the future
                hospital(4),  # no stated time: known from the commit
            ],
        )
    )
    later = NOW + timedelta(hours=1)
    writer.commit(decided(writer, later, [hospital(5, recorded_at="2019-06-01T00:00:00+08:00")]))

    kept = provenances(writer)
    assert [p.recorded_at for p in kept] == [CLAWBACK_KNOWN, CLAWBACK_KNOWN, NOW, NOW, NOW]
    assert [p.committed_at for p in kept] == [NOW, NOW, NOW, NOW, later]
    assert verify(database_url).ok  # the lifted events were hashed as stored


def test_a_batch_decided_earlier_but_committed_later_is_known_no_earlier_than_the_log(
    writer: Ledger, database_url: str
) -> None:
    # Two workers (two stores, two pools) decide concurrently, on different partitions; the
    # one whose clock is earlier commits second, so the insert lock serialises it after the
    # other: its known time is lifted to the log's latest, its own commit time is kept.
    with open_ledger(database_url, role=WRITER_ROLE) as other:
        earlier = decided(other, NOW, [hospital(1)], partition=1)
        late_clock = NOW + timedelta(seconds=5)
        writer.commit(decided(writer, late_clock, [hospital(2)], partition=0))
        other.commit(earlier)

    kept = provenances(writer)
    assert [p.recorded_at for p in kept] == [late_clock, late_clock]
    assert [p.committed_at for p in kept] == [late_clock, NOW]
    assert verify(database_url).ok


def test_editing_a_known_time_in_the_stored_row_breaks_verify(
    writer: Ledger, database_url: str
) -> None:
    writer.commit(decided(writer, NOW, [hospital(1), hospital(2, recorded_at=CLAWBACK_DAY)]))
    # The first is known from the commit; lifted, the second is too: the chain covers that.
    assert [p.recorded_at for p in provenances(writer)] == [NOW, NOW]
    assert verify(database_url).ok
    known = '"recorded_at":{"_type_":"datetime_iso","_data_":"2026-11-30T12:00:00+00:00"}'
    backdated = known.replace("2026-11-30", "2020-01-13")
    with psycopg.connect(database_url, autocommit=True) as superuser, superuser.transaction():
        superuser.execute("ALTER TABLE ledger_events DISABLE TRIGGER USER")
        edited = superuser.execute(
            "UPDATE ledger_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
            " %s, %s), 'UTF8') WHERE notification_id = 2",
            (known, backdated),
        ).rowcount
        superuser.execute("ALTER TABLE ledger_events ENABLE TRIGGER USER")
    assert edited == 1
    assert provenances(writer)[1].recorded_at == datetime(2020, 1, 13, 12, tzinfo=UTC)

    verdict = verify(database_url)
    assert (verdict.ok, verdict.bad_position) == (False, 2)


# An Institution.Designated as stored before provenance had `committed_at`.
OLD_FORMAT = (
    '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-06-12T02:41:07.512301+00:00"},'
    '"originator_topic":"domain.institution:Institution","code":"H43042200011",'
    '"region":"430422","name":"County People\'s Hospital","kind":"hospital","level":"3",'
    '"ownership":"public","agreement_no":"XY-2019-011","provenance":{"_type_":"provenance",'
    '"_data_":{"message_id":{"_type_":"uuid_hex","_data_":"89eeede0547f4724a77a827f8c7598b8"},'
    '"recorded_by":"test:source","occurred_at":{"_type_":"datetime_iso",'
    '"_data_":"2019-05-03T10:20:00+08:00"},"recorded_at":{"_type_":"datetime_iso",'
    '"_data_":"2024-06-12T02:41:07.512301+00:00"},"source_topic":"ledger.reference",'
    '"source_partition":0,"source_offset":0}}}'
)


def test_an_event_stored_before_committed_at_existed_reads_back_known_from_its_commit(
    writer: Ledger, database_url: str
) -> None:
    old = StoredEvent(
        UUID("a76f4001-0062-5a74-9ec3-8b15d7f4b2c4"),
        1,
        "domain.institution:Institution.Designated",
        OLD_FORMAT.encode(),
    )
    writer.recorder.insert_events([old])
    committed = datetime(2024, 6, 12, 2, 41, 7, 512301, tzinfo=UTC)

    (provenance,) = provenances(writer)
    assert (provenance.recorded_at, provenance.committed_at) == (committed, committed)
    # A new batch after it is known no earlier than it, and the chain still verifies.
    writer.commit(decided(writer, NOW, [hospital(9, recorded_at="2019-01-01T00:00:00+08:00")], 1))
    assert [p.recorded_at for p in provenances(writer)] == [committed, committed]
    assert verify(database_url).ok
