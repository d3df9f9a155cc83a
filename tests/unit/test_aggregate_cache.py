"""The worker's aggregate cache: bounded, and it hands out committed state only once."""

from __future__ import annotations

from uuid import uuid4

from infra.application.cache import AggregateCache
from tests.domain_builders import enroll
from tests.memory import InMemoryAggregates


def test_the_cache_keeps_at_most_its_size_evicting_the_least_recently_committed() -> None:
    cache = AggregateCache(3, lambda after, own: ([], 0))
    known = InMemoryAggregates.given(*(enroll(f"P-{n}") for n in range(5)))
    people = [known.person(f"P-{n}") for n in range(5)]
    for person in people:
        assert person is not None
        cache.committed({person.id: person}, [])
    assert len(cache) == 3
    assert [cache.take(p.id)[0] for p in people if p is not None] == [
        False,
        False,
        True,
        True,
        True,
    ]


def test_a_taken_aggregate_is_gone_until_its_batch_commits_and_clear_forgets_all() -> None:
    cache = AggregateCache(10, lambda after, own: ([], 0))
    person = InMemoryAggregates.given(enroll()).person("P-1")
    assert person is not None
    cache.committed({person.id: person}, [])
    assert cache.take(person.id) == (True, person)
    assert cache.take(person.id) == (False, None)
    cache.committed({person.id: person}, [])
    cache.clear()
    assert len(cache) == 0


def test_refresh_evicts_what_others_wrote_and_remembers_the_position() -> None:
    calls = []
    people = InMemoryAggregates.given(enroll("P-1"), enroll("P-2"))
    one, two = people.person("P-1"), people.person("P-2")
    assert one is not None
    assert two is not None

    def foreign(after: int | None, own: tuple[int, int] | None) -> tuple[list[object], int]:
        calls.append((after, own))
        return ([two.id], 9) if after is not None else ([], 5)

    cache = AggregateCache(10, foreign)  # type: ignore[arg-type]
    cache.refresh()
    cache.committed({one.id: one, two.id: two}, [6, 7])
    cache.refresh()
    assert calls == [(None, None), (5, (6, 7))]
    assert cache.take(two.id) == (False, None)
    assert cache.take(one.id) == (True, one)


def test_aggregates_not_worth_keeping_and_absent_ones_are_not_kept() -> None:
    known = InMemoryAggregates.given(enroll("P-1"), enroll("P-2"))
    kept, skipped = known.person("P-1"), known.person("P-2")
    assert kept is not None
    assert skipped is not None
    cache = AggregateCache(10, lambda after, own: ([], 0), lambda a: a.id != skipped.id)
    cache.committed({kept.id: kept, skipped.id: skipped, uuid4(): None}, [])
    assert len(cache) == 1
    assert cache.take(kept.id) == (True, kept)
