"""How a scenario is published: in waves, or by all sources at once (issue 13).

Apart from the feeders so that the CLI's options can name the modes without importing Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scripts.simulation.config import ScenarioConfig


class FeedMode(StrEnum):
    """`waves`: a topic's month at a time, each committed before the next is published.
    `concurrent`: every topic at once, in the order its facts happen, nothing waiting for the
    worker, as real sources publish."""

    WAVES = "waves"
    CONCURRENT = "concurrent"


# The demo's, `make bench`'s and the scenario tests' feed. Flip to FeedMode.CONCURRENT once the
# worker decides records in producer-timestamp order and holds messages whose reference is not
# yet known (issue 13, branches `order` and `held`); until then concurrent topics give
# rejections for order alone.
DEFAULT_FEED = FeedMode.CONCURRENT

# How far ahead of the slowest source another may run, in messages, in a concurrent feed.
INTERLEAVING_HORIZON = 2_000


@dataclass(frozen=True)
class FeedOptions:
    """A feed's mode and, for a concurrent feed, what its sources share: the pooling region
    (every inbound message's Kafka key), the scenario year (month 1 of the plan is its
    January) and the seed of the interleaving."""

    mode: FeedMode = DEFAULT_FEED
    region: str = "430422"
    year: int = 2019
    seed: int = 2019
    horizon: int = INTERLEAVING_HORIZON

    @classmethod
    def for_scenario(cls, config: ScenarioConfig, mode: FeedMode | None = None) -> FeedOptions:
        return cls(mode or DEFAULT_FEED, config.region, config.year, config.seed)
