"""The workers benchmark's section of docs/benchmarks.md and its JSON: throughput and CPU per
event for each worker count, and Amdahl's law fitted to them."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scripts.bench import scaling
from scripts.bench.report import replace_section
from scripts.bench.workers import WorkersFigures

START = "<!-- bench:workers:start -->"
END = "<!-- bench:workers:end -->"
PAST = (8, 16)  # worker counts the fit is extrapolated to, on as many free cores


@dataclass(frozen=True)
class WorkersRun:
    """Every worker count of one `--workers` run, and where it ran."""

    started: datetime
    minutes: float
    command: str
    seed: int
    regions: list[str]
    cores: int
    load_average: float  # the machine's 5-minute load average at the end: others' work too
    runs: list[WorkersFigures]

    @property
    def serial_share(self) -> float:
        """Amdahl's serial share from the 1- and 2-worker throughputs."""
        one, two = self.runs[0], self.runs[1]
        return scaling.serial_share(one.events_per_second, two.events_per_second, two.workers)

    @property
    def total_cpu_us_per_event(self) -> float | None:
        """Workers' and PostgreSQL's CPU per event with one worker: what a core must give."""
        one = self.runs[0]
        server = one.server_cpu_us_per_event
        return None if server is None else one.worker_cpu_us_per_event + server


def write(run: WorkersRun, document: Path) -> None:
    """Replace the workers section of `document` and write `benchmarks-workers.json` beside it."""
    replace_section(document, START, END, render(run))
    figures = dataclasses.asdict(run)
    figures["started"] = run.started.isoformat()
    if len(run.runs) > 1:
        figures["serial_share"] = run.serial_share
    path = document.with_name(document.stem + "-workers.json")
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")


def render(run: WorkersRun) -> str:
    one = run.runs[0].events_per_second
    lines = [
        f"Run of {run.started:%Y-%m-%d %H:%M} UTC, `{run.command}`, {run.minutes:.1f} min in all:"
        f" {len(run.regions)} regions ({', '.join(run.regions)}), one per partition, seed"
        f" {run.seed}; {run.cores} cores, 5-minute load average {run.load_average:.1f} at the end."
        " Raw figures: `benchmarks-workers.json`.",
        "",
        "| workers | events/s | speedup over one | events timed | worker CPU per event"
        " (all workers) | PostgreSQL CPU per event | cores busy | exit codes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in run.runs:
        server = f.server_cpu_us_per_event
        busy = f.cores_busy
        lines.append(
            f"| {f.workers} | {f.events_per_second:,.0f} | "
            f"{scaling.ratio(f.events_per_second, one):.2f} | {f.events:,} in {f.seconds:.0f} s"
            f" | {f.worker_cpu_us_per_event:,.0f} µs"
            f" | {'not measured' if server is None else f'{server:,.0f} µs'}"
            f" | {'not measured' if busy is None else f'{busy:.2f}'}"
            f" | {', '.join(map(str, f.exit_codes))} |"
        )
    if len(run.runs) > 1:
        lines += ["", *_amdahl(run)]
    return "\n".join(lines) + "\n"


def _amdahl(run: WorkersRun) -> list[str]:
    share = run.serial_share
    out = [
        f"Serial share s = (2 / S2 - 1) / (2 - 1) from the 1- and 2-worker speedup S2:"
        f" **s = {share:.2f}**; Amdahl's bound 1 / s = {_times(scaling.bound(share))} one"
        " worker's rate, whatever the number of workers and cores."
    ]
    for f in run.runs[2:]:
        out.append(
            f"With {f.workers} workers the fit predicts {scaling.speedup(share, f.workers):.2f}x"
            f" on {f.workers} free cores; measured"
            f" {scaling.ratio(f.events_per_second, run.runs[0].events_per_second):.2f}x"
            f" on {run.cores}."
        )
    out.append(
        "Past this machine, on as many free cores: "
        + ", ".join(f"{n} workers {scaling.speedup(share, n):.2f}x" for n in PAST)
        + "."
    )
    total = run.total_cpu_us_per_event
    if total is not None:
        ceiling = scaling.cores_bound(run.cores, total)
        times = scaling.ratio(ceiling, run.runs[0].events_per_second)
        out.append(
            f"This machine's cores bound it sooner: at {total:,.0f} µs of CPU per event (one"
            f" worker and PostgreSQL), {run.cores} cores of its own would take at most"
            f" {ceiling:,.0f} events/s, {times:.2f}x one worker."
        )
    return out


def _times(value: float) -> str:
    return "unbounded" if value == float("inf") else f"{value:.1f}x"
