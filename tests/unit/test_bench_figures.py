"""The bench's rows-per-event, rebuild and check figures, and the targets judged on them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from infra.copy_baseline import CopyFigures
from scripts.bench.committer import CommitterFigures
from scripts.bench.figures import BenchRun, SizedLatency, verdicts
from scripts.bench.ingest import IngestFigures, MemorySample
from scripts.bench.projection import ReadFigures
from scripts.bench.queries import Latency
from scripts.bench.report import render
from scripts.bench.run import memory_checkpoints

EVENTS = 1000


def a_run(rows: dict[str, dict[str, int]], rebuild_seconds: float) -> BenchRun:
    latencies = [Latency(kind, 10, 1.0, 2.0) for kind in ("balance", "hospital", "penalties")]
    ingest = IngestFigures(
        messages=800,
        events=EVENTS,
        seconds=1.0,
        memory=[MemorySample(500, 100 << 20), MemorySample(EVENTS, 110 << 20)],
    )
    return BenchRun(
        started=datetime(2026, 11, 30, tzinfo=UTC),
        minutes=1.0,
        command="test",
        persons=70,
        seed=1,
        machine={"CPU": "test"},
        ingest=ingest,
        copy=CopyFigures(EVENTS, 1 << 20, 0.5),
        committer=CommitterFigures(EVENTS, 4, 2.0, 0.1, 0.05),
        plain=ReadFigures(EVENTS, 1.0),
        projection=ReadFigures(EVENTS, 2.0),
        small=SizedLatency(500, latencies),
        large=SizedLatency(EVENTS, latencies),
        replay_plain=ReadFigures(EVENTS, 1.0),
        rebuild=ReadFigures(EVENTS, rebuild_seconds),
        check=ReadFigures(EVENTS, 5.0),
        check_ok=True,
        rows=rows,
    )


def judged(run: BenchRun) -> dict[str, tuple[str, bool]]:
    return {v.target: (v.measured, v.met) for v in verdicts(run)}


def test_rows_per_event_add_up_every_table_of_every_read_model() -> None:
    run = a_run({"balances": {"a": 600, "b": 300}, "hospitals": {"c": 400}}, 2.0)
    assert run.rows_per_event("balances") == 0.9
    assert run.total_rows_per_event == 1.3
    assert judged(run)["read-model rows per event ≤ 1.5"] == ("1.30", True)
    text = render(run)
    assert "| balances | 900 | 0.90 | a 0.60, b 0.30 |" in text
    assert "| all | 1,300 | 1.30 | |" in text


def test_rebuild_and_check_are_judged_against_the_plain_read() -> None:
    run = a_run({"balances": {"a": 2000}}, 2.0)
    found = judged(run)
    assert found["rebuild ≥ 0.3 x plain read"] == ("0.500", True)
    assert found["check ≥ 0.3 x plain read"] == ("0.200", False)
    assert found["read-model rows per event ≤ 1.5"] == ("2.00", False)
    assert "| rebuild, all three read models, 1,000 events | 500 events/s (2 s)" in render(run)


def test_the_committer_alone_is_judged_against_the_same_runs_copy() -> None:
    run = a_run({"balances": {"a": 600}}, 2.0)
    # 1000 events committed in 2 s against 1000 rows copied in 0.5 s.
    assert run.committer_vs_copy == 0.25
    found = judged(run)
    assert found["the committer alone (events already decided) ≥ 0.5 x COPY"] == ("0.250", False)
    assert run.per_event_us() == {
        "ingest_worker": 0.0,
        "ingest_postgresql": 0.0,
        "committer_client": 100.0,
        "committer_postgresql": 50.0,
    }
    text = render(run)
    assert "| the committer alone, batches already decided (the first 1,000 events)" in text
    assert "| the committer alone (its thread) | **100 µs** (0.1 s) | **50 µs** (0.1 s) |" in text


def test_rebuild_and_check_use_the_plain_read_of_the_log_they_replayed() -> None:
    run = dataclasses.replace(a_run({"balances": {"a": 600}}, 2.0), plain=ReadFigures(EVENTS, 9.0))
    # The main log's plain read (9 s) is not the baseline; the replayed log's (1 s) is.
    assert judged(run)["rebuild ≥ 0.3 x plain read"] == ("0.500", True)


def test_a_server_whose_processes_cannot_be_read_is_not_measured_rather_than_free() -> None:
    run = a_run({"balances": {"a": 600}}, 2.0)
    run = dataclasses.replace(
        run,
        ingest=dataclasses.replace(run.ingest, worker_cpu_seconds=0.3, server_cpu_seconds=None),
    )
    assert run.per_event_us()["ingest_worker"] == 300.0
    assert run.per_event_us()["ingest_postgresql"] is None
    assert "| **not measured** (server not on this machine) |" in render(run)


def test_one_workers_ingest_is_judged_by_its_ratio_to_copy_and_its_cpu_per_event() -> None:
    run = a_run({"balances": {"a": 600}}, 2.0)
    # 1000 events in 1 s against 1000 rows copied in 0.5 s: 0.5 of COPY; 0.15 s of CPU.
    busy = dataclasses.replace(run.ingest, worker_cpu_seconds=0.15)
    found = judged(dataclasses.replace(run, ingest=busy))
    assert found["ingest ≥ 0.05 x COPY"] == ("0.500", True)
    assert found["ingest worker CPU ≤ 200 µs per event"] == ("150 µs", True)
    slow = dataclasses.replace(run.ingest, worker_cpu_seconds=0.25, seconds=40.0)
    found = judged(dataclasses.replace(run, ingest=slow))
    assert found["ingest ≥ 0.05 x COPY"] == ("0.013", False)
    assert found["ingest worker CPU ≤ 200 µs per event"] == ("250 µs", False)


def test_memory_is_read_at_the_smaller_log_and_each_quarter_past_it() -> None:
    assert memory_checkpoints(100_000, 1_000_000) == [100_000, 250_000, 500_000, 750_000]
    assert memory_checkpoints(100_000, 200_000) == [100_000, 150_000]
    assert memory_checkpoints(100_000, 100_000) == [100_000]
