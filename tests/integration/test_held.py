"""Messages that reference an entity not known yet are held, not dead-lettered, and decided
right after the event that makes the entity known; later facts of the same entity wait behind
them; the hold limit turns them into dead letters; a message id is decided once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from consumers.contract import decode
from consumers.topics import Topics
from infra.application.held import HoldLimit
from infra.application.inbound import Coordinates, InboundRecord
from infra.held_reads import held_messages, waiting_for
from infra.queries import history, rejected
from infra.store import Ledger
from tests.examples import documented
from tests.integration.store_reads import counts
from tests.messages import designated, encode

NOW = datetime(2020, 1, 15, tzinfo=UTC)
T0 = datetime(2019, 5, 3, 2, 20, tzinfo=UTC)
SERVICE_DAY = "2019-05-03T10:20:00+08:00"
PERSON = "430422-R-00038174"
CLAIM = "JS-H43042200011-2019-000123"
TOPICS = Topics("ledger.")


def holding(ledger: Ledger, limit: HoldLimit | None = None) -> Ledger:
    """The ledger holding unknown references as the worker sets it up."""
    ledger.hold_unknown_references(
        lambda value, where, at: decode(value, where, TOPICS.suffix_of(where.topic), at),
        limit or HoldLimit(),
    )
    return ledger


class Feed:
    """Records of one partition per topic, offsets counted per topic, stream time given."""

    def __init__(self) -> None:
        self.offsets: dict[str, int] = {}

    def __call__(self, suffix: str, document: dict[str, Any], at: datetime = T0) -> InboundRecord:
        offset = self.offsets.get(suffix, 0)
        self.offsets[suffix] = offset + 1
        where = Coordinates(f"ledger.{suffix}", 0, offset)
        value = encode(document)
        return InboundRecord(where, b"k", value, decode(value, where, suffix, NOW), at)


def commit(ledger: Ledger, records: list[InboundRecord]) -> None:
    ledger.commit(ledger.decide(records, NOW, cluster_id="cluster-a"))


def reference(feed: Feed) -> list[InboundRecord]:
    return [
        feed("reference", documented("PolicyPublished")),
        feed("reference", designated(occurred_at="2019-01-01T00:00:00+08:00")),
    ]


def settled(claim_id: str = CLAIM, **payload: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"doctor_id": None, "reported_fund_share": None}
    values.update(payload)
    return documented("ClaimSettled", SERVICE_DAY, claim_id=claim_id, **values)


def enrolled() -> dict[str, Any]:
    return documented("PersonEnrolled", primary_institution=None)


def event_types(ledger: Ledger, entity: str) -> list[str]:
    return [e.event_type for e in history(ledger, entity)]


def test_a_settlement_before_its_enrollment_in_one_batch_is_decided_right_after_it(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger)
    outcome = ledger.decide(
        [*reference(feed), feed("claims", settled()), feed("enrollment", enrolled())],
        NOW,
        cluster_id="cluster-a",
    )
    assert outcome.record.rejected == []
    assert outcome.record.holds == []  # held and released within the batch: nothing stored
    assert [m.message_type for m in outcome.record.accepted][-2:] == [
        "PersonEnrolled",
        "ClaimSettled",
    ]
    kinds = [type(e).__qualname__ for e in outcome.events]
    assert kinds.index("Claim.Settled") > kinds.index("Person.Enrolled")


def test_across_batches_the_held_settlement_is_stored_listed_and_then_decided_once(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger)
    settlement = feed("claims", settled())
    commit(ledger, [*reference(feed), settlement])
    [held] = held_messages(ledger)
    assert (held.message_type, held.awaits, held.reason) == (
        "ClaimSettled",
        f"person:{PERSON}",
        "unknown_reference",
    )
    assert rejected(ledger) == []
    assert event_types(ledger, f"claim:{CLAIM}") == []
    # What `sanction ... --wait` says of a message the ledger holds.
    assert waiting_for(ledger, str(held.message_id)) == f"person {PERSON}"

    later = NOW + timedelta(days=1)
    ledger.commit(ledger.decide([feed("enrollment", enrolled())], later, cluster_id="cluster-a"))
    assert held_messages(ledger) == []
    [claim] = history(ledger, f"claim:{CLAIM}")
    assert claim.event_type == "Claim.Settled"
    assert claim.provenance.recorded_at == later  # recorded by the batch that decided it
    assert waiting_for(ledger, str(held.message_id)) is None
    assert counts(ledger)["accepted_messages"] == 4
    # Read again (a rewind): the released message is a duplicate, decided once.
    again = ledger.decide([settlement], NOW, cluster_id="cluster-a")
    assert (again.events, again.record.accepted, again.duplicates) == ([], [], 1)


def test_later_facts_of_a_held_claim_and_its_person_wait_behind_it_in_order(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger)
    doctor = "D4304220007"
    commit(ledger, [*reference(feed), feed("enrollment", enrolled())])
    commit(
        ledger,
        [
            feed("claims", settled(doctor_id=doctor)),  # the doctor is not registered yet
            feed("claims", settled("JS-2")),  # decidable, but its person's earlier claim waits
            feed("clawbacks", documented("ClaimRefused", claim_id=CLAIM, amount="100.00")),
        ],
    )
    assert [(h.message_type, h.awaits) for h in held_messages(ledger)] == [
        ("ClaimSettled", f"doctor:{doctor}"),
        ("ClaimSettled", None),
        ("ClaimRefused", None),  # behind the settlement of its claim
    ]
    commit(ledger, [feed("reference", documented("DoctorRegistered"))])
    assert held_messages(ledger) == []
    order = [(e.event_type) for e in history(ledger, f"claim:{CLAIM}")]
    assert order == ["Claim.Settled", "Claim.Refused"]
    accepted = [m.message_type for m in _accepted_in_order(ledger)]
    assert accepted[-4:] == ["DoctorRegistered", "ClaimSettled", "ClaimSettled", "ClaimRefused"]


def _accepted_in_order(ledger: Ledger) -> list[Any]:
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT message_type FROM ledger_messages ORDER BY recorded_at, ctid")
        return [type("Row", (), {"message_type": r["message_type"]}) for r in curs.fetchall()]


def test_past_the_stream_time_limit_a_held_message_is_a_dead_letter_with_its_reason(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger, HoldLimit(stream_time=timedelta(hours=1)))
    commit(ledger, [*reference(feed), feed("claims", settled(), T0)])
    # A record within the hour keeps it held; one past it turns it into a dead letter.
    commit(ledger, [feed("reference", designated("H43042200012"), T0 + timedelta(hours=1))])
    assert len(held_messages(ledger)) == 1
    commit(
        ledger, [feed("reference", designated("H43042200013"), T0 + timedelta(hours=1, seconds=1))]
    )
    assert held_messages(ledger) == []
    [dead] = rejected(ledger)
    assert (dead.reason, dead.source_topic, dead.source_offset) == (
        "unknown_reference",
        "ledger.claims",
        0,
    )
    assert "held past the hold limit" in dead.detail
    # The person arriving now changes nothing for it: it waits for a `rejected replay`.
    commit(ledger, [feed("enrollment", enrolled())])
    assert event_types(ledger, f"claim:{CLAIM}") == []


def test_a_conflicting_copy_of_a_held_or_rejected_message_is_a_conflicting_duplicate(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger)
    first = settled()
    conflicting = {**first, "payload": {**first["payload"], "total_cost": "99999.00"}}
    commit(ledger, [*reference(feed), feed("claims", first)])
    commit(ledger, [feed("claims", conflicting), feed("claims", first)])  # the held one's copies
    [conflict] = rejected(ledger)
    assert conflict.reason == "conflicting_duplicate"
    commit(ledger, [feed("enrollment", enrolled())])
    [claim] = list(history(ledger, f"claim:{CLAIM}"))
    assert claim.event_type == "Claim.Settled"

    # A rejection decides an id too: an identical copy is a duplicate, another a conflict.
    again = enrolled()
    commit(ledger, [feed("enrollment", again)])  # already enrolled: rejected
    changed = {**again, "payload": {**again["payload"], "category": "child"}}
    outcome = ledger.decide(
        [feed("enrollment", again), feed("enrollment", changed)], NOW, cluster_id="cluster-a"
    )
    assert outcome.duplicates == 1
    assert [d.reason for d in outcome.record.rejected] == ["conflicting_duplicate"]


def test_a_worker_decides_only_the_held_rows_of_its_partition_numbers(ledger: Ledger) -> None:
    feed = Feed()
    holding(ledger)
    commit(ledger, [*reference(feed), feed("claims", settled())])  # held, in partition 0
    assert ledger.holding is not None
    ledger.holding.partitions = [1]  # as a group member assigned partition 1 of every topic
    commit(ledger, [feed("enrollment", enrolled())])
    assert len(held_messages(ledger)) == 1  # not this worker's to decide
    ledger.holding.partitions = [0]  # a rebalance hands partition 0 over
    commit(ledger, [feed("reference", designated("H43042200012"))])
    # The person became known while no batch owned the held row: it goes first.
    assert held_messages(ledger) == []
    assert event_types(ledger, f"claim:{CLAIM}") == ["Claim.Settled"]


def test_a_released_message_that_still_misses_a_reference_is_held_again_in_its_place(
    ledger: Ledger,
) -> None:
    feed = Feed()
    holding(ledger)
    doctor = "D4304220007"
    commit(ledger, [*reference(feed), feed("claims", settled(doctor_id=doctor))])
    [first] = held_messages(ledger)
    assert first.awaits == f"person:{PERSON}"
    commit(ledger, [feed("enrollment", enrolled())])
    [again] = held_messages(ledger)  # released by the enrollment, held for its doctor now
    assert (again.awaits, again.source_offset) == (f"doctor:{doctor}", first.source_offset)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT held_id, outcome FROM ledger_held_releases")
        assert [(r["held_id"], r["outcome"]) for r in curs.fetchall()] == [(first.id, "decided")]
    commit(ledger, [feed("reference", documented("DoctorRegistered"))])
    assert held_messages(ledger) == []
    assert event_types(ledger, f"claim:{CLAIM}") == ["Claim.Settled"]
