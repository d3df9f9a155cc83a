"""`claims-ledger offsets`: the stored Kafka offsets beside the broker's log, and the explicit,
recorded reset an operator makes after a broker reset or a retention loss
(docs/operations.md, "Stored offsets beyond the log")."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from collections.abc import Mapping

from kafka import KafkaConsumer, TopicPartition

from consumers.offset_check import partition_offsets
from consumers.topics import Topics
from infra.clock import utc_now
from infra.kafka import all_partitions, cluster_id_of, make_reader
from infra.offset_resets import (
    OffsetReset,
    dead_letters_from,
    reset_offset,
    stored_next_offsets,
)
from infra.offsets import PartitionOffsets
from infra.services import up
from infra.settings import Settings
from infra.store import READER_ROLE, WRITER_ROLE, open_ledger
from scripts.cli import output
from scripts.cli.commandline import AddCommand, Handler

OTHER_CLUSTER = "other cluster"  # a stored offset of a cluster the broker is not


def cmd_offsets(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "reset":
        return _reset(settings, args)
    endpoints = up(settings)
    with open_ledger(endpoints.database_url, role=READER_ROLE) as ledger:
        stored = stored_next_offsets(ledger)
    reader = make_reader(endpoints.bootstrap)
    try:
        cluster_id = cluster_id_of(reader)
        partitions = all_partitions(reader, Topics(settings.topic_prefix).all_inbound)
        current = partition_offsets(
            reader,
            cluster_id,
            partitions,
            lambda tp: stored.get((cluster_id, *tp)),
            exact_ends=True,
        )
    finally:
        reader.close()
    rows = [_row(p.cluster_id, p.topic, p.partition, p.stored_next, p) for p in current]
    # Offsets stored under another cluster id mean nothing on this broker; shown, not checked.
    others = sorted((key, offset) for key, offset in stored.items() if key[0] != cluster_id)
    rows += [_row(*key, offset, None) for key, offset in others]
    if args.json:
        output.print_json(rows)
    else:
        output.table(
            ["cluster", "topic", "partition", "stored", "log start", "log end", "state"],
            [list(r.values()) for r in rows],
        )
    return 0


def _row(
    cluster_id: str, topic: str, partition: int, stored: int | None, p: PartitionOffsets | None
) -> dict[str, object]:
    return {
        "cluster": cluster_id,
        "topic": topic,
        "partition": partition,
        "stored": stored,
        "log_start": None if p is None else p.log_start,
        "log_end": None if p is None else p.log_end,
        "state": OTHER_CLUSTER if p is None else p.state.value,
    }


class RefusedError(Exception):
    """Input an operator must correct; nothing was moved."""


def _reset(settings: Settings, args: argparse.Namespace) -> int:
    try:
        topic, by = _checked_arguments(settings, args)
        endpoints = up(settings)
        reader = make_reader(endpoints.bootstrap)
        try:
            cluster_id = cluster_id_of(reader)
            known = {tp.partition for tp in all_partitions(reader, [topic])}
            if args.partition not in known:
                raise RefusedError(
                    f"{topic} has no partition {args.partition} (it has {sorted(known)})"
                )
            log = _log_of(reader, cluster_id, TopicPartition(topic, args.partition))
        finally:
            reader.close()
        to = _target(args.to, log)
    except RefusedError as refused:
        print(f"claims-ledger offsets: {refused}", file=sys.stderr)
        return 2
    reset = OffsetReset(cluster_id, topic, args.partition, None, to, args.reason, by, utc_now())
    with open_ledger(endpoints.database_url, role=WRITER_ROLE) as ledger:
        done = reset_offset(ledger, reset)
        shadowed = dead_letters_from(ledger, cluster_id, topic, args.partition, to)
    output.emit(
        args.json, {**dataclasses.asdict(done), "dead_letters_from": shadowed}, output.key_values
    )
    if shadowed:
        print(
            f"claims-ledger offsets: warning: {shadowed} dead letters of {topic}/{args.partition}"
            f" sit at offset {to} or later; a new record at one of those offsets is logged and"
            " not decided (docs/operations.md, 'Stored offsets beyond the log')",
            file=sys.stderr,
        )
    return 0


def _checked_arguments(settings: Settings, args: argparse.Namespace) -> tuple[str, str]:
    """The full topic name and who decides, or `RefusedError` before any service is asked."""
    missing = [f"--{n}" for n in ("topic", "partition", "to", "reason") if getattr(args, n) is None]
    if missing or not args.reason.strip():
        raise RefusedError(f"offsets reset needs {', '.join(missing) or 'a non-blank --reason'}")
    by = args.by if args.by is not None else _login_name()
    if not (by or "").strip():
        raise RefusedError("offsets reset needs --by NAME (no login name to default to)")
    topics = Topics(settings.topic_prefix)
    topic = args.topic if args.topic in topics.all_inbound else topics.inbound(args.topic)
    if topic not in topics.all_inbound:
        raise RefusedError(
            f"{args.topic!r} is not an inbound topic ({', '.join(topics.all_inbound)})"
        )
    return topic, str(by)


def _target(to: str, log: PartitionOffsets) -> int:
    """The next offset `--to` names: start, end, or a number inside the log."""
    named = {"start": log.log_start, "end": log.log_end}.get(to)
    if named is not None:
        return named
    if not (to.isascii() and to.isdigit()):
        raise RefusedError(f"--to is start, end or an offset, got {to!r}")
    if not log.log_start <= int(to) <= log.log_end:
        # Outside the log the worker would stop again at once, or skip without a trace.
        raise RefusedError(f"offset {to} is outside the log [{log.log_start}, {log.log_end}]")
    return int(to)


def _log_of(reader: KafkaConsumer, cluster_id: str, tp: TopicPartition) -> PartitionOffsets:
    return partition_offsets(reader, cluster_id, [tp], lambda _: None, exact_ends=True)[0]


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry, as in some containers
        return None


def register(add: AddCommand) -> Mapping[str, Handler]:
    """Add the commands of this group to the CLI."""
    p = add("offsets", "stored Kafka offsets beside the broker's log; `reset` moves one, recorded")
    p.add_argument("action", nargs="?", choices=("show", "reset"), default="show")
    p.add_argument("--topic", help="reset: an inbound topic, its full name or its suffix")
    p.add_argument("--partition", type=int, help="reset: the partition")
    p.add_argument(
        "--to", help="reset: the next offset the worker reads: start, end, or a number in the log"
    )
    p.add_argument("--reason", help="reset: why, kept for good with the reset")
    p.add_argument("--by", help="reset: who decided (default: your login name)")
    return {"offsets": cmd_offsets}
