"""The concurrent feed against the real broker: records keyed by region, stamped with their
recording time, each topic in the order its facts happen; and the feeder waits for a worker
that takes them in while they are published."""

from __future__ import annotations

from infra.kafka import make_producer
from infra.settings import Settings
from infra.store import Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.feed import Feeder
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.outcomes import check_outcomes
from scripts.simulation.plan import ACCEPTED, Phase, Planned
from scripts.simulation.publish import ConcurrentPublisher, Sent
from scripts.simulation.timeline import Timeline
from tests.integration.helpers import create_topics, read_topic
from tests.messages import designated

CREATE_TIME = 0  # Kafka's timestamp type of a timestamp set by the producer


def test_every_record_carries_its_region_as_key_and_its_recording_time_in_topic_order(
    settings: Settings,
) -> None:
    topics = create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    config = config_for("tiny", None, seed=17, region="430423")
    planned = list(county_year(config))
    options = FeedOptions.for_scenario(config, FeedMode.CONCURRENT)
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        sent = list(ConcurrentPublisher(topics, producer, options).publish(planned))
    finally:
        producer.close()
    stamps = {id(s.planned): s.timestamp_ms for s in Timeline(config.year).stamped(planned)}
    assert sorted(map(id, (s.planned for s in sent))) == sorted(stamps)

    by_coordinates = {(s.topic, s.partition, s.offset): s for s in sent}
    read = 0
    for topic in topics.all_inbound:
        expected = sum(1 for s in sent if s.topic == topic)
        records = read_topic(settings, topic, expected)
        assert len(records) == expected
        read += expected
        # One region: every record of the topic in the one partition its key hashes to.
        assert {r.partition for r in records} == {
            next(s.partition for s in sent if s.topic == topic)
        }
        assert {r.key for r in records} == {b"430423"}
        assert {r.timestamp_type for r in records} == {CREATE_TIME}
        times = [r.timestamp for r in sorted(records, key=lambda r: r.offset)]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
        for r in records:
            message = by_coordinates[(r.topic, r.partition, r.offset)]
            assert r.timestamp == stamps[id(message.planned)]
            assert r.value == message.planned.value()
    assert read == len(planned)


def test_a_concurrent_feed_returns_once_the_worker_committed_every_topic(
    settings: Settings, ledger: Ledger, database_url: str
) -> None:
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    codes = [f"H4304220{n:04d}" for n in range(1, 41)]
    # Facts of several topics that need nothing of each other: decided alike in any order.
    designations = [
        Planned((1, Phase.REFERENCE), "reference", c, dict(designated(c))) for c in codes
    ]
    garbled = [
        Planned((1, phase), phase.topic_suffix, "raw", None, "malformed_json", raw=b"{not json")
        for phase in (Phase.ENROLLMENT, Phase.CLAIMS, Phase.SANCTIONS)
        for _ in range(5)
    ]
    producer = make_producer(settings.kafka_bootstrap_servers)
    sent: list[Sent] = []
    options = FeedOptions(FeedMode.CONCURRENT, seed=4)
    try:
        with (
            open_ledger(database_url) as watch,
            Feeder(
                settings,
                settings.kafka_bootstrap_servers,
                ledger,
                watch,
                producer,
                options=options,
            ) as feeder,
        ):
            report = feeder.feed([*designations, *garbled], on_sent=sent.append)
            check = check_outcomes(watch, sent)
    finally:
        producer.close()
    assert report.mode == "concurrent"
    assert report.published == 55
    assert report.waves == 0
    assert check.surprises == []
    assert check.as_planned == {ACCEPTED: 40, "malformed_json": 15}
