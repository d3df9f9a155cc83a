"""Waves: cut where Kafka's per-partition order could reorder what one message needs."""

from __future__ import annotations

from scripts.simulation.plan import Phase, Planned, waves


def msg(key: str, phase: Phase = Phase.REFERENCE, month: int = 1, *needs: str) -> Planned:
    return Planned((month, phase), phase.topic_suffix, key, {"type": "T"}, needs=frozenset(needs))


def keys(planned: list[Planned], max_size: int = 5_000) -> list[list[str]]:
    return [[p.key for p in wave] for wave in waves(planned, max_size)]


def test_messages_of_one_month_and_topic_travel_together() -> None:
    assert keys([msg("A"), msg("B"), msg("A")]) == [["A", "B", "A"]]


def test_a_new_topic_or_month_starts_a_new_wave() -> None:
    planned = [msg("A"), msg("B", Phase.ENROLLMENT), msg("C", Phase.ENROLLMENT, 2)]
    assert keys(planned) == [["A"], ["B"], ["C"]]


def test_a_message_needing_what_another_key_wrote_in_the_wave_waits_for_the_next() -> None:
    planned = [msg("H1"), msg("H2"), msg("D1", Phase.REFERENCE, 1, "H2"), msg("D2")]
    assert keys(planned) == [["H1", "H2"], ["D1", "D2"]]


def test_writing_what_another_key_needed_earlier_in_the_wave_also_cuts_it() -> None:
    planned = [msg("D1", Phase.REFERENCE, 1, "H1"), msg("H1")]
    assert keys(planned) == [["D1"], ["H1"]]


def test_needing_your_own_key_is_no_reason_to_wait() -> None:
    assert keys([msg("P1"), msg("P1", Phase.REFERENCE, 1, "P1")]) == [["P1", "P1"]]


def test_large_waves_are_cut_to_keep_memory_flat() -> None:
    assert keys([msg(str(n)) for n in range(5)], max_size=2) == [["0", "1"], ["2", "3"], ["4"]]
