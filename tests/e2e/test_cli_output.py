"""What a person sees at a terminal (issue 14, "Terminal output"), from real commands: commands
that say what they did, rejections newest first with their time, warnings only about the read
models a query reads, and a hospital report whose point in time is said once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scripts.cli import display
from tests.e2e.test_cli import cli_env, run, run_json
from tests.messages import HOSPITAL, designated, encode, enrolled

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests

LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def lines_of(done: bytes) -> list[str]:
    return done.decode().splitlines()


def test_quiet_commands_say_what_they_did_and_rejections_come_newest_first(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(encode(designated()) + b"\n" + encode(enrolled("O-1", HOSPITAL)) + b"\n")
    published = run(cli_env, "publish", str(good))
    assert lines_of(published.stdout)[0].startswith("published 2 messages"), published.stdout
    bad = tmp_path / "bad.jsonl"
    long_garbage = b"{" + b'"x": 1, ' * 40  # malformed, with a detail longer than the column
    bad.write_bytes(b"{oops\n" + long_garbage + b"\n")
    run_json(cli_env, "publish", str(bad), "--topic", "enrollment")

    ingested = run(cli_env, "ingest", "--until-idle", "1.5")
    assert ingested.returncode == 0, ingested.stderr
    assert "waiting for messages on" in ingested.stderr.decode()  # an idle worker is not mute
    assert "accepted" in ingested.stdout.decode()

    listed = run(cli_env, "rejected")
    header, *rows = lines_of(listed.stdout)
    assert header.split()[:3] == ["rejected", "at", "id"]
    assert rows[-1] == display.ZONE_NOTE
    entries = rows[:-1]
    assert all(LOCAL_TIME.match(r) for r in entries), entries
    ids = [int(r.split()[2]) for r in entries]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert any(r.endswith("…") for r in entries)  # the long detail is cut, visibly
    assert [e["id"] for e in run_json(cli_env, "rejected", "--limit", "1")] == [max(ids)]


def test_a_query_warns_only_about_the_read_model_it_reads(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    wave = tmp_path / "wave.jsonl"
    wave.write_bytes(encode(designated()) + b"\n")
    run_json(cli_env, "publish", str(wave))
    run_json(cli_env, "ingest", "--until-idle", "1.5")

    behind = run(cli_env, "penalties", HOSPITAL)
    assert behind.returncode == 0, behind.stderr
    warned = [line for line in lines_of(behind.stderr) if "behind" in line or "warning" in line]
    # penalties reads the penalty model and, for a person's misused money owed, the balances
    assert len(warned) == 2, warned
    assert sorted(w.split("read model ")[1].split()[0] for w in warned) == [
        "balances",
        "penalties",
    ]
    out = behind.stdout.decode()
    assert "False" not in out
    assert "None" not in out
    assert re.search(r"^suspended\s+no$", out, re.MULTILINE), out

    projected = run(cli_env, "project", "--until-idle", "1")
    assert lines_of(projected.stdout) == ["applied 1 events to the read models"]
    report = run(cli_env, "report", "hospitals", "--as-of", "2019-12-31")
    assert report.stderr == b""
    lines = lines_of(report.stdout)
    assert lines[0].startswith("as_of     2019-12-31 23:59:59"), lines
    assert lines[1].startswith("known_at  ")
    assert lines[2] == display.ZONE_NOTE
    header, row = lines[4:]
    assert "as_of" not in header
    assert "known_at" not in header
    assert row.startswith(HOSPITAL)
    assert row.split()[1] == "0.00"  # settled cost: amounts in the one format
    assert len(header) < 160
    machine = json.loads(
        run(cli_env, "report", "hospitals", "--as-of", "2019-12-31", "--json").stdout
    )
    assert machine[0]["as_of"].startswith("2019-12-31T23:59:59")  # --json: ISO 8601, every row
    assert machine[0]["settled_cost"] == "0.00"
