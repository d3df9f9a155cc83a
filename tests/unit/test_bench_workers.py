"""The workers benchmark's inputs: regions one per partition, and the `--workers` counts."""

from __future__ import annotations

import pytest
from kafka.partitioner.default import murmur2

from scripts.bench.workers import partition_of, regions_one_per_partition, worker_counts
from scripts.simulation.config import config_for


def test_each_region_lands_in_its_own_partition_as_kafka_would_send_it() -> None:
    regions = regions_one_per_partition(4)
    assert len(set(regions)) == 4
    assert regions[0] != regions[1]
    for partition, region in enumerate(regions):
        assert partition_of(region.encode(), 4) == partition
        assert (murmur2(region.encode()) & 0x7FFFFFFF) % 4 == partition
        assert config_for(None, 60, 1, region=region).region == region  # a valid region code


def test_one_partition_holds_the_scenarios_own_region() -> None:
    assert regions_one_per_partition(1) == ["430422"]


def test_worker_counts_ascend_from_one() -> None:
    assert worker_counts("1,2,4") == [1, 2, 4]
    assert worker_counts("1") == [1]


@pytest.mark.parametrize("text", ["", "2,4", "1,1,2", "1,4,2", "0,1", "1,-2", "one,two", "1;2"])
def test_other_worker_counts_are_refused_with_the_flag_named(text: str) -> None:
    with pytest.raises(ValueError, match="--workers"):
        worker_counts(text)
