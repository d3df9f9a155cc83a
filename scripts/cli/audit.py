"""Commands an auditor relies on: the digest kept outside the database, and verify; and the
check of the snapshots the worker loads instead of replaying."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import cast

from infra.chain import Digest
from infra.services import reader_url
from infra.settings import Settings
from infra.snapshot_check import check_snapshots
from infra.store import READER_ROLE
from infra.verify import digest, verify
from scripts.cli import output
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.exits import UsageError


def digest_doc(settings: Settings) -> dict[str, object]:
    """The `digest --json` document: the log's head, to keep outside the database."""
    head = digest(reader_url(settings), role=READER_ROLE)
    return {"digest": str(head), "position": head.position, "hash": head.hash.hex()}


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    doc = digest_doc(settings)
    if args.json:
        output.print_json(doc)
    else:
        # One line, POSITION:HASH, so `verify --from-digest "$(claims-ledger digest)"` works.
        print(doc["digest"])
    return 0


def verify_doc(settings: Settings, from_digest: str | None) -> dict[str, object]:
    """The `verify --json` document: the whole chain re-checked, and whether the log still
    extends `from_digest` (UsageError if that is no digest)."""
    try:
        since = Digest.parse(from_digest) if from_digest else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    started = time.monotonic()
    verdict = verify(reader_url(settings), since=since, role=READER_ROLE)
    elapsed = time.monotonic() - started
    result: dict[str, object] = {
        "ok": verdict.ok,
        "checked": verdict.checked,
        "head": str(verdict.head),
        "seconds": round(elapsed, 3),
        "events_per_second": round(verdict.checked / elapsed) if elapsed > 0 else None,
    }
    if since is not None:
        result["extends_digest"] = str(since) if verdict.ok else None
    if not verdict.ok:
        result["first_bad_position"] = verdict.bad_position
        result["problem"] = verdict.problem
    return result


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    result = verify_doc(settings, args.from_digest)
    output.emit(args.json, result, output.key_values)
    return 0 if result["ok"] else 1


def cmd_snapshots_check(settings: Settings, args: argparse.Namespace) -> int:
    verdict = check_snapshots(reader_url(settings), role=READER_ROLE)
    result: dict[str, object] = {"ok": verdict.ok, "checked": verdict.checked}
    if not verdict.ok:
        result["bad"] = len(verdict.bad)
        result["bad_snapshots"] = [
            f"{bad.aggregate_id} v{bad.version}: {bad.problem}" for bad in verdict.bad
        ]
    output.emit(args.json, result, _snapshot_lines)
    return 0 if verdict.ok else 1


def _snapshot_lines(result: Mapping[str, object]) -> None:
    output.key_values({k: v for k, v in result.items() if k != "bad_snapshots"})
    for line in cast(list[str], result.get("bad_snapshots", [])):
        print(f"  {line}")


def register(add: AddCommand) -> Mapping[str, Handler]:
    """Add the commands of this group to the CLI."""
    add("digest", "print the log's position and hash chain head: keep it outside the database")
    p = add("verify", "re-check the whole hash chain; non-zero exit and first bad position")
    p.add_argument(
        "--from-digest",
        metavar="POSITION:HASH",
        help="also check that the log still extends a digest printed earlier",
    )
    add(
        "snapshots-check",
        "compare every snapshot with a replay of its events; non-zero if one differs",
    )
    return {"digest": cmd_digest, "verify": cmd_verify, "snapshots-check": cmd_snapshots_check}
