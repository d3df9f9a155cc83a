"""The concurrent feed's recording times and seeded interleaving (issue 13, "feed like real
sources"): each topic keeps its order, the topics are merged differently per seed, and the
producer timestamps give the plan's order back."""

from __future__ import annotations

import itertools
import random
from datetime import datetime

from domain.calendar import REGION_TZ
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.publish import interleaved
from scripts.simulation.timeline import SLOT, Stamped, Timeline, slot_start_ms

TINY = list(county_year(config_for("tiny", None, seed=3)))


def stamped(planned: list[Planned]) -> list[Stamped]:
    return list(Timeline(2019).stamped(planned))


def merged(seed: int, horizon: int = 2_000) -> list[Stamped]:
    return list(interleaved(stamped(TINY), random.Random(seed), horizon))


def topic_orders(items: list[Stamped]) -> dict[str, list[int]]:
    orders: dict[str, list[int]] = {}
    for item in items:
        orders.setdefault(item.planned.topic_suffix, []).append(item.timestamp_ms)
    return orders


def local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, REGION_TZ)


def test_a_slot_starts_in_its_month_and_months_past_twelve_are_the_next_year() -> None:
    assert local(slot_start_ms(2019, 1, Phase.REFERENCE)) == datetime(2019, 1, 1, tzinfo=REGION_TZ)
    assert local(slot_start_ms(2019, 3, Phase.CLAIMS)) == datetime(2019, 3, 1, tzinfo=REGION_TZ) + (
        3 * SLOT
    )
    assert local(slot_start_ms(2019, 13, Phase.REFERENCE)).date().isoformat() == "2020-01-01"
    assert local(slot_start_ms(2019, 16, Phase.SANCTIONS)).date().isoformat() == "2020-04-26"
    assert local(slot_start_ms(2019, 0, Phase.REFERENCE)).date().isoformat() == "2018-12-01"


def test_recording_times_strictly_increase_in_plan_order_so_no_two_tie() -> None:
    times = [s.timestamp_ms for s in stamped(TINY)]
    assert len(times) == len(TINY) > 800
    assert all(a < b for a, b in itertools.pairwise(times))


def test_a_timeline_fed_in_two_parts_stamps_as_one_fed_at_once() -> None:
    timeline = Timeline(2019)
    parts = [*timeline.stamped(TINY[:100]), *timeline.stamped(TINY[100:])]
    assert parts == stamped(TINY)


def test_each_topic_is_published_in_the_order_its_facts_happen() -> None:
    for times in topic_orders(merged(7)).values():
        assert times == sorted(times)
    assert topic_orders(merged(7)) == topic_orders(stamped(TINY))


def test_every_message_is_published_once_and_the_topics_are_interleaved() -> None:
    published = merged(7)
    assert sorted(s.timestamp_ms for s in published) == [s.timestamp_ms for s in stamped(TINY)]
    # Not the plan's order: some message goes out before one recorded earlier on another topic.
    later_first = sum(
        1 for a, b in itertools.pairwise(published) if a.timestamp_ms > b.timestamp_ms
    )
    assert later_first > 50
    # A merge by timestamp (what an ordered worker does) gives the plan back.
    assert [s.planned for s in sorted(published, key=lambda s: s.timestamp_ms)] == TINY


def test_the_same_seed_repeats_the_interleaving_and_another_seed_changes_it() -> None:
    assert merged(7) == merged(7)
    assert merged(7) != merged(8)


def test_no_message_goes_out_more_than_the_horizon_ahead_of_its_place_in_the_plan() -> None:
    place = {s.timestamp_ms: n for n, s in enumerate(stamped(TINY))}
    for horizon in (10, 200):
        published = merged(5, horizon)
        assert all(place[s.timestamp_ms] < n + horizon for n, s in enumerate(published))
