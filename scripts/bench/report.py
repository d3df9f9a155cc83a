"""Write a run's figures into docs/benchmarks.md between markers, keeping the prose around them,
and the raw figures as JSON beside it, so every number in the document can be traced."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from scripts.bench.figures import MB, BenchRun, verdicts
from scripts.simulation.feed_mode import FeedMode

START = "<!-- bench:figures:start -->"
END = "<!-- bench:figures:end -->"


def write(run: BenchRun, document: Path) -> None:
    """Replace the figures section of `document` (created if missing) and write its JSON."""
    section = f"{START}\n{render(run)}{END}"
    text = document.read_text() if document.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    document.write_text(text)
    figures = dataclasses.asdict(run)
    figures["started"] = run.started.isoformat()
    document.with_suffix(".json").write_text(json.dumps(figures, indent=2, default=str) + "\n")


def render(run: BenchRun) -> str:
    """The figures section as markdown."""
    i, c, p, r = run.ingest, run.copy, run.plain, run.projection
    fed = f"{i.waves} waves" if i.feed == FeedMode.WAVES else "published concurrently"
    lines = [
        f"Run of {run.started:%Y-%m-%d %H:%M} UTC, `{run.command}`, {run.minutes:.1f} min in all:"
        f" a county year of {run.persons:,} persons (seed {run.seed}),"
        f" {i.warmup_events + i.events:,} events in the log. Raw figures: `benchmarks.json`.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in run.machine.items()),
        "",
        "| figure | measured | baseline, same run | ratio |",
        "|---|---|---|---|",
        "| ingest, Kafka → validated → committed with offsets"
        f" | {i.events_per_second:,.0f} events/s"
        f" ({i.events:,} events of {i.messages:,} messages in {i.seconds:.0f} s, {fed})"
        f" | binary COPY of the same {c.rows:,} rows ({c.state_bytes / MB:.0f} MB of state):"
        f" {c.rows_per_second:,.0f} rows/s | {i.events_per_second / c.rows_per_second:.3f} |",
        f"| projections, all three read models from zero | {r.events_per_second:,.0f} events/s"
        f" ({r.seconds:.0f} s) | plain read of the notification log:"
        f" {p.events_per_second:,.0f} events/s ({p.seconds:.1f} s)"
        f" | {r.events_per_second / p.events_per_second:.3f} |",
        *(
            f"| {label}, all three read models | {f.events_per_second:,.0f} events/s"
            f" ({f.seconds:.0f} s) | the same plain read"
            f" | {f.events_per_second / p.events_per_second:.3f} |"
            for label, f in (("rebuild", run.rebuild), ("check", run.check))
        ),
        "",
        f"Read-model rows once caught up with the {run.large.events:,} events of the log:",
        "",
        "| read model | rows | rows per event | by table |",
        "|---|---|---|---|",
        *(
            f"| {model} | {sum(tables.values()):,} | {run.rows_per_event(model):.2f}"
            f" | {', '.join(f'{t} {n / run.large.events:.2f}' for t, n in tables.items())} |"
            for model, tables in run.rows.items()
        ),
        f"| all | {sum(sum(t.values()) for t in run.rows.values()):,}"
        f" | {run.total_rows_per_event:.2f} | |",
        "",
        f"As-of queries, {run.small.latencies[0].samples:,} random (key, as_of, known_at) each,"
        " milliseconds, round trip from Python:",
        "",
        f"| query | p50 at {run.small.events:,} | p99 at {run.small.events:,}"
        f" | p50 at {run.large.events:,} | p99 at {run.large.events:,} | p99 ratio |",
        "|---|---|---|---|---|---|",
    ]
    for small, large in zip(run.small.latencies, run.large.latencies, strict=True):
        lines.append(
            f"| {large.kind} | {small.p50_ms:.2f} | {small.p99_ms:.2f} | {large.p50_ms:.2f}"
            f" | {large.p99_ms:.2f} | {large.p99_ms / small.p99_ms:.2f} |"
        )
    lines += [
        "",
        f"Ingest worker CPU (user + system, timed part): {i.worker_cpu_seconds:.0f} s,"
        f" **{i.worker_cpu_us_per_event:,.0f} µs per event** (PostgreSQL's own CPU not included).",
    ]
    lines += ["", "Worker peak resident memory (VmHWM) during ingest:", ""]
    lines += [f"- {m.events:,} events in the log: {m.peak_rss_bytes / MB:.0f} MB" for m in i.memory]
    lines += ["", "| target | this run | met |", "|---|---|---|"]
    lines += [
        f"| {v.target} | {v.measured} | {'yes' if v.met else '**no**'} |" for v in verdicts(run)
    ]
    return "\n".join(lines) + "\n"
