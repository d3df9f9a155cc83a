"""The workers section: each count's figures, and Amdahl's law fitted to 1 and 2 workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from scripts.bench.workers import WorkersFigures
from scripts.bench.workers_report import END, START, WorkersRun, render, write


def a_run() -> WorkersRun:
    return WorkersRun(
        started=datetime(2026, 12, 1, tzinfo=UTC),
        minutes=3.0,
        command="test",
        seed=1,
        regions=["430422", "430423", "430424", "430425"],
        cores=2,
        load_average=1.5,
        runs=[
            # 1 000 events/s; 400 + 100 µs per event; 0.5 s of CPU in 1 s.
            WorkersFigures(1, 10_000, 500, 10.0, 4.0, 1.0, [0]),
            WorkersFigures(2, 10_000, 500, 6.25, 4.0, 1.0, [0, 0]),  # 1 600 events/s
            WorkersFigures(4, 10_000, 500, 5.0, 4.4, None, [0, 0, 0, 0]),  # server not read
        ],
    )


def test_the_serial_share_and_bounds_come_from_one_and_two_workers() -> None:
    run = a_run()
    assert run.serial_share == 0.25  # speedup 1.6: 2 / 1.6 - 1
    assert run.total_cpu_us_per_event == 500.0
    text = render(run)
    assert "| 1 | 1,000 | 1.00 | 10,000 in 10 s | 400 µs | 100 µs | 0.50 | 0 |" in text
    assert "| 2 | 1,600 | 1.60 | 10,000 in 6 s | 400 µs | 100 µs | 0.80 | 0, 0 |" in text
    assert "| 4 | 2,000 | 2.00 | 10,000 in 5 s | 440 µs | not measured | not measured |" in text
    assert "**s = 0.25**; Amdahl's bound 1 / s = 4.0x" in text
    assert "With 4 workers the fit predicts 2.29x on 4 free cores; measured 2.00x on 2." in text
    assert "8 workers 2.91x, 16 workers 3.37x" in text
    assert "2 cores of its own would take at most 4,000 events/s, 4.00x one worker" in text


def test_the_section_goes_between_its_markers_and_the_json_beside_the_document(
    tmp_path: Path,
) -> None:
    document = tmp_path / "benchmarks.md"
    document.write_text(f"# Benchmarks\n\nBefore.\n\n{START}\nold\n{END}\n\nAfter.\n")
    write(a_run(), document)
    text = document.read_text()
    assert text.startswith("# Benchmarks\n\nBefore.\n\n")
    assert text.endswith(f"{END}\n\nAfter.\n")
    assert "old" not in text
    figures = json.loads((tmp_path / "benchmarks-workers.json").read_text())
    assert figures["serial_share"] == 0.25
    assert [r["workers"] for r in figures["runs"]] == [1, 2, 4]
