"""Waves keep cross-topic order: enrollments published with their designations all find them."""

from __future__ import annotations

from infra.kafka import make_producer
from infra.settings import Settings
from infra.store import Ledger, open_ledger
from scripts.simulation.feed import Feeder
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.outcomes import check_outcomes
from scripts.simulation.plan import ACCEPTED, Phase, Planned
from scripts.simulation.publish import Sent
from tests.integration.helpers import create_topics
from tests.messages import designated, enrolled


def planned(phase: Phase, key: str, document: dict[str, object], expect: str = ACCEPTED) -> Planned:
    return Planned((0, phase), phase.topic_suffix, key, dict(document), expect)


def test_enrollments_in_a_later_wave_always_find_the_designations_they_cite(
    settings: Settings, ledger: Ledger, database_url: str
) -> None:
    create_topics(settings)
    codes = [f"H4304220{n:04d}" for n in range(1, 31)]
    reference = [planned(Phase.REFERENCE, c, designated(c)) for c in codes]
    # Enrollment partitions would be fetched first if both topics were published at once.
    enrollment = [
        planned(Phase.ENROLLMENT, f"W-{n}", enrolled(f"W-{n}", codes[n % len(codes)]))
        for n in range(600)
    ]
    unknown = planned(
        Phase.ENROLLMENT, "W-x", enrolled("W-x", "H43042299999"), expect="unknown_reference"
    )
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    sent: list[Sent] = []
    try:
        with open_ledger(database_url) as watch:
            with Feeder(
                settings,
                settings.kafka_bootstrap_servers,
                ledger,
                watch,
                producer,
                options=FeedOptions(FeedMode.WAVES),  # waves whatever the default feed
            ) as feeder:
                report = feeder.feed([*reference, *enrollment, unknown], on_sent=sent.append)
            check = check_outcomes(watch, sent)
    finally:
        producer.close()
    assert report.published == 631
    assert report.waves == 2
    assert check.surprises == []
    assert check.as_planned == {ACCEPTED: 630, "unknown_reference": 1}
