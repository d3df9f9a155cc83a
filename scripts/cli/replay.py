"""`claims-ledger rejected replay`: send dead letters again once their cause is fixed."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from consumers.replay import replay_rejected
from infra.kafka import make_producer
from infra.services import up
from infra.settings import Settings
from infra.store import WRITER_ROLE, open_ledger
from scripts.cli import output


def cmd_replay(settings: Settings, args: argparse.Namespace) -> int:
    endpoints = up(settings)
    with open_ledger(endpoints.database_url, role=WRITER_ROLE) as ledger:
        producer = make_producer(endpoints.bootstrap)
        try:
            replayed = replay_rejected(ledger, producer, args.reason, args.limit)
        finally:
            producer.close()
    submitted = replayed.submitted
    for s in replayed.too_large:
        print(
            f"claims-ledger rejected replay: dead letter {s.rejected_id} is larger than one"
            " produce request and was not sent again; it stays whole in rejected_messages",
            file=sys.stderr,
        )
    if args.json:
        output.print_json([dataclasses.asdict(s) for s in submitted])
    elif not submitted:
        print("nothing to replay (no dead letter of that reason whose message is still missing)")
    else:
        output.table(
            ["dead letter", "was", "message_id", "sent to"],
            [(s.rejected_id, s.reason, s.message_id, s.topic) for s in submitted],
        )
        print("the ingest worker records each outcome; see `claims-ledger rejected --json`")
    return 0
