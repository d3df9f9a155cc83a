"""All figures of one run, and the issue's targets judged against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infra.copy_baseline import CopyFigures
from scripts.bench.committer import CommitterFigures
from scripts.bench.ingest import IngestFigures
from scripts.bench.projection import ReadFigures
from scripts.bench.queries import Latency
from scripts.bench.scaling import ratio

MB = 1024 * 1024

# The targets (docs/benchmarks.md explains each).
INGEST_VS_COPY = 0.05  # one worker on this two-core machine (issue 17; issue 12 asked 0.25)
WORKER_CPU_US = 200.0  # the ingest worker's CPU per event (issue 17)
COMMITTER_VS_COPY = 0.5  # the committer alone, events already decided
PROJECTION_VS_READ = 0.35
REPLAY_VS_READ = 0.3  # rebuild and check
ROWS_PER_EVENT = 1.5
P99_LIMIT_MS = 3.0
P99_GROWTH = 1.5
RSS_LIMIT_MB = 300.0
RSS_GROWTH = 1.2


@dataclass(frozen=True)
class SizedLatency:
    """Query latencies measured with the read models at one log size."""

    events: int
    latencies: list[Latency]


@dataclass(frozen=True)
class BenchRun:
    """Everything one `make bench` measured."""

    started: datetime
    minutes: float
    command: str
    persons: int
    seed: int
    machine: dict[str, str]
    ingest: IngestFigures
    copy: CopyFigures
    committer: CommitterFigures
    plain: ReadFigures
    projection: ReadFigures
    small: SizedLatency
    large: SizedLatency
    # Rebuild and check run on the committer's smaller store, against a plain read of it.
    replay_plain: ReadFigures
    rebuild: ReadFigures
    check: ReadFigures
    check_ok: bool
    rows: dict[str, dict[str, int]]  # read model -> table -> rows, once caught up

    def rows_per_event(self, model: str) -> float:
        """Rows the read model holds per event of the log it was caught up with."""
        return sum(self.rows[model].values()) / self.large.events if self.large.events else 0.0

    @property
    def total_rows_per_event(self) -> float:
        """Rows of every read model per event."""
        return sum(self.rows_per_event(model) for model in self.rows)

    @property
    def committer_vs_copy(self) -> float:
        return ratio(self.committer.events_per_second, self.copy.rows_per_second)

    def per_event_us(self) -> dict[str, float | None]:
        """CPU microseconds per event, client and PostgreSQL, of the ingest and the committer."""
        return {
            "ingest_worker": self.ingest.worker_cpu_us_per_event,
            "ingest_postgresql": self.ingest.server_cpu_us_per_event,
            "committer_client": self.committer.client_cpu_us_per_event,
            "committer_postgresql": self.committer.server_cpu_us_per_event,
        }


@dataclass(frozen=True)
class Verdict:
    """One target: what it asks, what was measured, and whether it holds."""

    target: str
    measured: str
    met: bool


def verdicts(run: BenchRun) -> list[Verdict]:
    """Every target of the issue, judged on this run's figures."""
    ingest_ratio = run.ingest.events_per_second / run.copy.rows_per_second
    projection_ratio = run.projection.events_per_second / run.plain.events_per_second
    out = [
        Verdict(
            f"ingest ≥ {INGEST_VS_COPY} x COPY",
            f"{ingest_ratio:.3f}",
            ingest_ratio >= INGEST_VS_COPY,
        ),
        Verdict(
            f"ingest worker CPU ≤ {WORKER_CPU_US:g} µs per event",
            f"{run.ingest.worker_cpu_us_per_event:.0f} µs",
            run.ingest.worker_cpu_us_per_event <= WORKER_CPU_US,
        ),
        Verdict(
            f"the committer alone (events already decided) ≥ {COMMITTER_VS_COPY} x COPY",
            f"{run.committer_vs_copy:.3f}",
            run.committer_vs_copy >= COMMITTER_VS_COPY,
        ),
        Verdict(
            f"projections ≥ {PROJECTION_VS_READ} x plain read",
            f"{projection_ratio:.3f}",
            projection_ratio >= PROJECTION_VS_READ,
        ),
    ]
    for label, figures in (("rebuild", run.rebuild), ("check", run.check)):
        replay = ratio(figures.events_per_second, run.replay_plain.events_per_second)
        out.append(
            Verdict(
                f"{label} ≥ {REPLAY_VS_READ} x plain read",
                f"{replay:.3f}",
                replay >= REPLAY_VS_READ,
            )
        )
    out.append(
        Verdict("check passes after the rebuild", "yes" if run.check_ok else "no", run.check_ok)
    )
    rows = run.total_rows_per_event
    out.append(
        Verdict(
            f"read-model rows per event ≤ {ROWS_PER_EVENT}", f"{rows:.2f}", rows <= ROWS_PER_EVENT
        )
    )
    small = {lat.kind: lat for lat in run.small.latencies}
    for lat in run.large.latencies:
        growth = lat.p99_ms / small[lat.kind].p99_ms
        out.append(
            Verdict(
                f"{lat.kind} p99 ≤ {P99_LIMIT_MS:g} ms at {run.large.events:,} events",
                f"{lat.p99_ms:.2f} ms",
                lat.p99_ms <= P99_LIMIT_MS,
            )
        )
        out.append(
            Verdict(f"{lat.kind} p99 growth ≤ {P99_GROWTH}", f"{growth:.2f}", growth <= P99_GROWTH)
        )
    first, last = run.ingest.memory[0], run.ingest.memory[-1]
    for sample in (first, last):
        mb = sample.peak_rss_bytes / MB
        out.append(
            Verdict(
                f"worker peak RSS ≤ {RSS_LIMIT_MB:g} MB at {sample.events:,} events",
                f"{mb:.0f} MB",
                mb <= RSS_LIMIT_MB,
            )
        )
    growth = last.peak_rss_bytes / first.peak_rss_bytes
    out.append(
        Verdict(f"worker peak RSS growth ≤ {RSS_GROWTH}", f"{growth:.2f}", growth <= RSS_GROWTH)
    )
    return out
