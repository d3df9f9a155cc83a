"""`make bench`'s harness end to end at a tiny size: it must keep producing a complete report.

Only the report's completeness and the figures' consistency are checked here, never speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.bench.report import END, START
from scripts.simulation.feed_mode import FeedMode

ROOT = Path(__file__).resolve().parents[2]


def bench(server_url: str, tmp_path: Path, args: list[str]) -> None:
    """Run `python -m scripts.bench` on the test server, writing tmp_path/benchmarks.md."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env.update({"LEDGER_DATABASE_URL": server_url, "LEDGER_HOME": str(tmp_path / "home")})
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", *args, "--out", str(tmp_path / "benchmarks.md")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


@pytest.mark.parametrize("feed", [mode.value for mode in FeedMode])
def test_bench_writes_every_figure_of_a_real_run(
    postgres_server_url: str, tmp_path: Path, feed: str
) -> None:
    document = tmp_path / "benchmarks.md"
    document.write_text(
        f"# Benchmarks\n\nProse that stays.\n\n{START}\nold figures\n{END}\n\nMore.\n"
    )
    args = ["--events", "1500", "--small", "600", "--queries", "40", "--feed", feed]
    bench(postgres_server_url, tmp_path, args)

    text = document.read_text()
    assert text.startswith("# Benchmarks\n\nProse that stays.")
    assert text.endswith("\nMore.\n")
    assert "old figures" not in text
    for line in ("| ingest, Kafka", "| projections, all three", "| balance |", "| penalties |"):
        assert line in text
    figures = json.loads(document.with_suffix(".json").read_text())
    ingest = figures["ingest"]
    assert ingest["feed"] == feed
    stored = ingest["warmup_events"] + ingest["events"]
    assert ingest["events"] > 0
    assert ingest["seconds"] > 0
    assert ingest["exit_code"] == 0
    assert figures["copy"]["rows"] == stored  # the baseline copied exactly the stored rows
    assert figures["plain"]["events"] == stored == figures["projection"]["events"]
    assert figures["small"]["events"] >= 600
    assert figures["large"]["events"] == stored
    for sized in (figures["small"], figures["large"]):
        assert [q["kind"] for q in sized["latencies"]] == ["balance", "hospital", "penalties"]
        assert all(0 < q["p50_ms"] <= q["p99_ms"] for q in sized["latencies"])
    # read at 600 events (--small), at each quarter of the run past it (750, 1 125), and at the end
    sizes = [m["events"] for m in ingest["memory"]]
    assert len(sizes) == 4
    assert sizes == sorted(sizes)
    assert sizes[0] >= 600
    assert all(m["peak_rss_bytes"] > 10 * 1024 * 1024 for m in ingest["memory"])
    assert ingest["worker_cpu_seconds"] > 0  # the worker decided and committed the timed part
    assert ingest["server_cpu_seconds"] > 0  # and its PostgreSQL backends wrote it
    committer = figures["committer"]
    assert committer["events"] > 0
    assert committer["seconds"] > 0
    assert committer["client_cpu_seconds"] > 0
    assert committer["server_cpu_seconds"] is not None
    # Rebuild and check replay the store the committer wrote, all of it.
    replayed = figures["replay_plain"]["events"]
    assert replayed == committer["events"] == figures["rebuild"]["events"]
    assert figures["check"]["events"] == replayed
    assert figures["check_ok"] is True
    assert set(figures["per_event_us"]) == {
        "ingest_worker",
        "ingest_postgresql",
        "committer_client",
        "committer_postgresql",
    }
    assert figures["committer_vs_copy"] > 0
    assert "| the committer alone, batches already decided" in text
    assert "CPU per event (user + system" in text
    assert "| ingest (the worker process) | **" in text


def test_bench_workers_measures_each_count_and_fits_amdahl(
    postgres_server_url: str, tmp_path: Path
) -> None:
    document = tmp_path / "benchmarks.md"
    document.write_text("# Benchmarks\n\nProse that stays.\n")
    bench(postgres_server_url, tmp_path, ["--workers", "1,2", "--events", "1500"])

    text = document.read_text()
    assert text.startswith("# Benchmarks\n\nProse that stays.\n")
    assert "| workers | events/s |" in text
    assert "Serial share s = (2 / S2 - 1)" in text
    figures = json.loads((tmp_path / "benchmarks-workers.json").read_text())
    assert len(figures["regions"]) == 2  # one region per partition of the largest count
    assert [r["workers"] for r in figures["runs"]] == [1, 2]
    totals = set()
    for run in figures["runs"]:
        assert run["exit_codes"] == [0] * run["workers"]
        assert run["events"] > 0
        assert run["seconds"] > 0
        assert run["worker_cpu_seconds"] > 0
        assert run["server_cpu_seconds"] > 0
        totals.add(run["warmup_events"] + run["events"])
    assert len(totals) == 1  # the same stream, all of it stored, whatever the workers
    assert 0.0 <= figures["serial_share"] <= 1.0


def test_bench_workers_refuses_counts_not_from_one() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--workers", "2,4"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"--workers takes ascending counts from 1" in done.stderr
    assert b"Traceback" not in done.stderr
