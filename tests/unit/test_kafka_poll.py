"""`infra/kafka.py` `poll` empties only an exhausted in-line slot, and polls a client that has
no such slot as it is (its kafka-python bug and the broker test: tests/integration/
test_pause_resume.py)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.kafka import poll


class Records:
    """Stands in for kafka-python's PartitionRecords: truthy while it has records left."""

    def __init__(self, left: int) -> None:
        self.left = left

    def __bool__(self) -> bool:
        return self.left > 0


class Client:
    """A consumer reduced to what `poll` touches; its poll answers what the slot held then."""

    def __init__(self, fetcher: Any) -> None:
        if fetcher is not None:
            self._fetcher = fetcher
        self.slots_seen: list[Any] = []

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        self.slots_seen.append(getattr(getattr(self, "_fetcher", None), "slot", "absent"))
        return {}


class Fetcher:
    def __init__(self, slot: Records | None) -> None:
        self._next_partition_records = slot

    @property
    def slot(self) -> Records | None:
        return self._next_partition_records


def test_an_exhausted_slot_is_emptied_before_the_poll() -> None:
    client = Client(Fetcher(Records(0)))
    assert poll(client, 0) == {}
    assert client.slots_seen == [None]


def test_a_slot_with_records_left_is_kept() -> None:
    slot = Records(3)
    client = Client(Fetcher(slot))
    poll(client, 0)
    assert client.slots_seen == [slot]


@pytest.mark.parametrize("fetcher", [None, object(), Fetcher(None)], ids=["none", "bare", "empty"])
def test_a_client_without_the_slot_is_polled_as_it_is(fetcher: Any) -> None:
    client = Client(fetcher)
    assert poll(client, 0) == {}
    assert len(client.slots_seen) == 1
