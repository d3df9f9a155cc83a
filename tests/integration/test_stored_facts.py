"""Facts read straight from the stored JSON equal the facts of the library's domain events."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.postings import Posting
from infra.store import Ledger
from projections.facts import facts_with_known_time
from projections.runner import ProjectionError, decoded
from projections.stored_facts import READS, DirectFacts
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.projection_events import open_test_ledger
from tests.scenario_replay import replay
from tests.seeds import seeded_uuid


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with open_test_ledger(database_url) as ledger:
        yield ledger


def county_events() -> list[Any]:
    """Every event a small county year records, as the worker would decide them."""
    fates = replay(county_year(config_for("tiny", None, seed=15)))
    return [event for _, _, events in fates for event in events]


def stored(ledger: Ledger, events: Sequence[Any]) -> list[Notification]:
    """Store `events` through the ledger's recorder and read them back from its log."""
    head = ledger.recorder.max_notification_id() or 0
    for start in range(0, len(events), 500):
        ledger.save(*events[start : start + 500])
    return list(
        ledger.recorder.select_notifications(head, len(events) + 1, inclusive_of_start=False)
    )


def library_facts(ledger: Ledger, notification: Notification) -> Any:
    return facts_with_known_time(ledger.mapper.to_domain_event(notification))


def assert_same_facts(ledger: Ledger, notifications: Sequence[Notification]) -> None:
    """The runner's facts are the library's, to the Decimal's exponent and the time zone."""
    runner = decoded(ledger, notifications)
    for (position, facts), n in zip(runner, notifications, strict=True):
        expected = library_facts(ledger, n)
        assert position == n.id
        assert facts == expected, n.topic
        assert repr(facts) == repr(expected), n.topic  # Decimal('1.0') == Decimal('1.00')


def test_every_event_of_a_county_year_gives_the_library_facts_straight_from_its_json(
    ledger: Ledger,
) -> None:
    notifications = stored(ledger, county_events())
    direct = DirectFacts(ledger.mapper)
    straight = [n for n in notifications if direct.recorded(n) is not None]
    assert {n.topic for n in straight} == set(READS)  # every direct type is compared
    assert all(n.topic in READS for n in straight)
    assert len(straight) > 0.8 * len(notifications)  # the tiny year's share; 99 % at scale
    assert any(facts.balances for facts, _ in (library_facts(ledger, n) for n in straight))
    assert_same_facts(ledger, notifications)


def hostile(event: Any, **fields: Any) -> Any:
    """A copy of `event` in an aggregate of its own, with `fields` replaced."""
    return replace(event, originator_id=seeded_uuid(), originator_version=1, **fields)


def test_hostile_values_stored_through_the_ledger_give_the_library_facts(
    ledger: Ledger,
) -> None:
    events = county_events()
    settled = next(e for e in events if type(e).__qualname__ == "Claim.Settled")
    paid = next(e for e in events if type(e).__qualname__ == "PersonAccount.ContributionPaid")
    disbursed = next(e for e in events if type(e).__qualname__ == "Institution.DisbursementMade")
    code = '医院 "\\\n\t\u0000\u2028𝄞 \u0660\u0661'  # CJK, escapes, separators, astral
    huge = Decimal("123456789012345678901234567890.12")
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=14)))
    far = replace(settled.provenance, occurred_at=first, recorded_at=last)
    events = [
        hostile(
            settled,
            institution=code,
            total_cost=huge,
            fund_share=Decimal("-0.00"),
            postings=(Posting(f"institution:{code}:receivable", Decimal("1E+30")),),
            provenance=far,
        ),
        hostile(settled, refusal_reason="", total_cost=Decimal("0E-50")),
        hostile(settled, refusal_reason="拒付 \\u4e2d"),
        hostile(paid, postings=(Posting("fund:中:pooled", -huge), Posting("x", huge))),
        hostile(
            disbursed,
            postings=(Posting(f"external:institution:{code}", Decimal("9" * 40)),),
            provenance=replace(disbursed.provenance, occurred_at=last, recorded_at=first),
        ),
        hostile(paid, provenance=None),  # no provenance: no facts, known at the start of time
    ]
    notifications = stored(ledger, events)
    assert all(DirectFacts(ledger.mapper).recorded(n) is not None for n in notifications)
    assert_same_facts(ledger, notifications)
    facts, known = decoded(ledger, notifications[:1])[0][1]
    assert facts.hospitals[0].key == code
    assert known == last


def reencoded(n: Notification, **fields: Any) -> Notification:
    """`n` with `fields` written into its stored JSON as-is: what the library's own encoder
    never writes, but its decoder reads."""
    state = {**json.loads(n.state), **fields}
    text = json.dumps(state, ensure_ascii=True, allow_nan=True)
    return replace(n, state=text.encode())


def test_json_that_orjson_reads_otherwise_is_left_to_the_library(ledger: Ledger) -> None:
    settled = next(e for e in county_events() if type(e).__qualname__ == "Claim.Settled")
    (n,) = stored(ledger, [settled])
    odd = [
        reencoded(n, note="\ud800"),  # a lone surrogate escape: orjson refuses it
        reencoded(n, note=float("nan")),
        reencoded(n, institution=10**30),  # orjson would read a float, the library an int
        reencoded(n, institution=[1.5]),
    ]
    direct = DirectFacts(ledger.mapper)
    assert [direct.recorded(o) for o in odd] == [None] * len(odd)
    assert_same_facts(ledger, odd)
    assert decoded(ledger, odd[2:3])[0][1][0].hospitals[0].key == str(10**30)


def test_a_provenance_that_is_no_provenance_fails_as_through_the_library(ledger: Ledger) -> None:
    settled = next(e for e in county_events() if type(e).__qualname__ == "Claim.Settled")
    (n,) = stored(ledger, [settled])
    state = json.loads(n.state)
    naive = json.loads(json.dumps(state["provenance"]))
    naive["_data_"]["occurred_at"]["_data_"] = "2019-05-01T08:00:00"
    missing = json.loads(json.dumps(state["provenance"]))
    del missing["_data_"]["recorded_at"]
    direct = DirectFacts(ledger.mapper)
    for provenance in (naive, missing):
        odd = reencoded(n, provenance=provenance)
        assert direct.recorded(odd) is None
        with pytest.raises(ProjectionError) as raised:
            decoded(ledger, [odd])
        assert isinstance(raised.value.cause, (ValueError, TypeError))


def test_a_value_of_a_type_no_transcoding_knows_fails_as_through_the_library(
    ledger: Ledger,
) -> None:
    settled = next(e for e in county_events() if type(e).__qualname__ == "Claim.Settled")
    (n,) = stored(ledger, [settled])
    odd = reencoded(n, total_cost={"_type_": "money_float", "_data_": "1.5"})
    assert DirectFacts(ledger.mapper).recorded(odd) is None
    with pytest.raises(ProjectionError, match="money_float"):
        decoded(ledger, [odd])


def test_an_unknown_topic_is_left_to_the_library(ledger: Ledger) -> None:
    settled = next(e for e in county_events() if type(e).__qualname__ == "Claim.Settled")
    (n,) = stored(ledger, [settled])
    assert DirectFacts(ledger.mapper).recorded(replace(n, topic="x:Claim.Settled")) is None
    assert isinstance(n.originator_id, UUID)
