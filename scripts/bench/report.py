"""Write a run's figures into docs/benchmarks.md between markers, keeping the prose around them,
and the raw figures as JSON beside it, so every number in the document can be traced."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from scripts.bench.figures import MB, BenchRun, verdicts
from scripts.bench.scaling import ratio
from scripts.simulation.feed_mode import FeedMode

START = "<!-- bench:figures:start -->"
END = "<!-- bench:figures:end -->"


def write(run: BenchRun, document: Path) -> None:
    """Replace the figures section of `document` (created if missing) and write its JSON."""
    replace_section(document, START, END, render(run))
    figures = dataclasses.asdict(run)
    figures["started"] = run.started.isoformat()
    figures["per_event_us"] = run.per_event_us()
    figures["committer_vs_copy"] = run.committer_vs_copy
    document.with_suffix(".json").write_text(json.dumps(figures, indent=2, default=str) + "\n")


def replace_section(document: Path, start: str, end: str, body: str) -> None:
    """Put `body` between the markers `start` and `end` of `document`, keeping the prose around
    them; markers missing: the section goes at the end (the document created if missing)."""
    section = f"{start}\n{body}{end}"
    text = document.read_text() if document.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    document.write_text(text)


def render(run: BenchRun) -> str:
    """The figures section as markdown."""
    i, c, p, r, k = run.ingest, run.copy, run.plain, run.projection, run.committer
    q = run.replay_plain
    fed = f"{i.waves} waves" if i.feed == FeedMode.WAVES else "published first, concurrently"
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
        f"| the committer alone, batches already decided (the first {k.events:,} events)"
        f" | {k.events_per_second:,.0f} events/s ({k.batches:,} batches in {k.seconds:.0f} s)"
        f" | the same COPY | {run.committer_vs_copy:.3f} |",
        f"| projections, all three read models from zero | {r.events_per_second:,.0f} events/s"
        f" ({r.seconds:.0f} s) | plain read of the notification log:"
        f" {p.events_per_second:,.0f} events/s ({p.seconds:.1f} s)"
        f" | {r.events_per_second / p.events_per_second:.3f} |",
        *(
            f"| {label}, all three read models, {f.events:,} events"
            f" | {f.events_per_second:,.0f} events/s ({f.seconds:.0f} s)"
            f" | plain read of that log: {q.events_per_second:,.0f} events/s"
            f" | {ratio(f.events_per_second, q.events_per_second):.3f} |"
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
        "CPU per event (user + system, from /proc/<pid>/stat over the timed part; PostgreSQL's:"
        " its backends serving that client, without the server's background processes):",
        "",
        "| | client | PostgreSQL |",
        "|---|---|---|",
        f"| ingest (the worker process) | **{i.worker_cpu_us_per_event:,.0f} µs**"
        f" ({i.worker_cpu_seconds:.0f} s) | **{_us(i.server_cpu_us_per_event)}**"
        f" ({_seconds(i.server_cpu_seconds)}) |",
        f"| the committer alone (its thread) | **{k.client_cpu_us_per_event:,.0f} µs**"
        f" ({k.client_cpu_seconds:.1f} s) | **{_us(k.server_cpu_us_per_event)}**"
        f" ({_seconds(k.server_cpu_seconds)}) |",
    ]
    lines += ["", "Worker peak resident memory (VmHWM) during ingest:", ""]
    lines += [f"- {m.events:,} events in the log: {m.peak_rss_bytes / MB:.0f} MB" for m in i.memory]
    lines += ["", "| target | this run | met |", "|---|---|---|"]
    lines += [
        f"| {v.target} | {v.measured} | {'yes' if v.met else '**no**'} |" for v in verdicts(run)
    ]
    return "\n".join(lines) + "\n"


def _us(value: float | None) -> str:
    return "not measured" if value is None else f"{value:,.0f} µs"


def _seconds(value: float | None) -> str:
    return "server not on this machine" if value is None else f"{value:.1f} s"
