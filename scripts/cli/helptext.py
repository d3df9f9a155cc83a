"""What each command's `--help` says beyond its options: a description and examples.

Kept apart from the commands' modules, one entry per command, so that adding a command touches
one line here and a test (tests/unit/test_cli_help.py) fails for a command that has none.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Help:
    """The `--help` text of one command: what it does, and command lines that work as written."""

    description: str
    examples: tuple[str, ...]

    def epilog(self) -> str:
        lines = "\n".join(f"  claims-ledger {example}" for example in self.examples)
        return f"example{'s' if len(self.examples) > 1 else ''}:\n{lines}"


# The top-level `claims-ledger --help`: where to start.
TOP = Help(
    "Run the ledger's services, publish, ingest, and read what it holds. Every command has its"
    " own --help with examples; --json gives machine-readable output.",
    (
        "demo",
        "balance fund:430422:resident:pooled --as-of 2019-12-31",
        "rejected --limit 20",
        "report --help",
    ),
)

QUERY_TIMES = (
    "--as-of is valid time (a bare date is the end of that day, +08:00), --known-at known time"
    " (what was on record then: from the ledger's commit, or the source's time for migrated"
    " history); both default to now. Amounts are yuan, 12,345.67; times are"
    " the region's (+08:00). A read model behind the log's head is named on stderr."
)

HELP: dict[str, Help] = {
    "up": Help(
        "Start the embedded PostgreSQL and Kafka-protocol broker where none is configured,"
        " create missing topics, set up the store, and print the addresses.",
        ("up", "up --json"),
    ),
    "down": Help(
        "Stop the embedded services. PostgreSQL's data stays in $LEDGER_HOME/pg.",
        ("down",),
    ),
    "status": Help(
        "Show where the database and the broker are, without starting anything.", ("status",)
    ),
    "publish": Help(
        "Send each JSONL line to the topic of its type, keyed by its pooling region, and wait for"
        " every acknowledgement. A line whose topic cannot be told stops it before anything is"
        " sent.",
        ("publish messages.jsonl", "publish - --topic enrollment < lines.jsonl"),
    ),
    "ingest": Help(
        "Run one ingest worker: decide each inbound message and commit it, with its offset, or"
        " keep it as a dead letter. Runs until SIGTERM or Ctrl-C unless --until-idle is given.",
        ("ingest", "ingest --until-idle 2"),
    ),
    "history": Help(
        "Every stored event about an entity, in log order, with its provenance. A bare id is"
        " looked up as every kind; a prefix (institution:, person:, account:, claim:, ...)"
        " removes ambiguity.",
        ("history H43042200011", "history person:430422-R-00038174 --json"),
    ),
    "rejected": Help(
        "Dead letters, newest first, with the time each was rejected and its reason; the detail"
        " is cut to one line (…), --json has it whole, with the message's bytes. `replay` sends"
        " them again to their original topics once the cause is fixed.",
        (
            "rejected",
            "rejected --reason unknown_reference --limit 20",
            "rejected --json",
            "rejected replay --reason unknown_reference",
        ),
    ),
    "held": Help(
        "Messages held because an entity they reference (person, institution, doctor, claim,"
        " sanction, clawback) is not known yet, in the order they will be decided: how long"
        " each has been held and what it waits for. Past the hold limit one becomes a dead"
        " letter (`rejected`).",
        ("held", "held --json", "held --limit 20"),
    ),
    "serve": Help(
        "Start the console: the HTTP API under /api/v1/ (OpenAPI at /api/v1/openapi.json) and"
        " the pages, for the people in the users file (`console-user`). Listens on 127.0.0.1"
        " unless --host says otherwise; prints where to open it; Ctrl-C stops it"
        " (docs/console.md).",
        ("serve", "serve --port 8081", "serve --port 0"),
    ),
    "console-user": Help(
        "Add a person who may use the console, with their role (auditors read, inspectors also"
        " record sanctions), and print their token once; or remove or list them. The users"
        " file ($LEDGER_CONSOLE_USERS, default $LEDGER_HOME/console-users.json) keeps only a"
        " hash of each token.",
        (
            "console-user add zhangsan --role inspector",
            "console-user add lisi --role auditor --json",
            "console-user list",
            "console-user remove lisi",
        ),
    ),
    "demo": Help(
        "Start the services, run a county's year through Kafka into the ledger (in waves, or"
        " with --feed concurrent every topic at once), check every message met its planned fate"
        " and decision, and show counts, rejections, money and hospitals.",
        ("demo", "demo --scale county --region 430423", "demo --feed concurrent"),
    ),
    "digest": Help(
        "Print the head of the hash chain as one line, POSITION:HASH. Keep it outside the"
        " database; `verify --from-digest` checks the log still extends it.",
        ("digest", 'verify --from-digest "$(claims-ledger digest)"'),
    ),
    "verify": Help(
        "Recompute the whole hash chain. Exit 0 if sound, 1 with the first bad position.",
        ("verify", "verify --from-digest 1234:5f1c...e9"),
    ),
    "snapshots-check": Help(
        "Replay every snapshotted aggregate from its events and compare it with its snapshots."
        " Exit 0 if all match, 1 naming each differing snapshot by aggregate id and version."
        " Snapshots are only a cache: the events are the record.",
        ("snapshots-check", "snapshots-check --json"),
    ),
    "relay": Help(
        "Publish committed events, in global order, to the events topic.",
        ("relay", "relay --until-idle 2"),
    ),
    "report-consumer": Help(
        "An example downstream consumer: read the events topic from the start and print income"
        " and spending per fund account.",
        ("report-consumer --until-idle 2",),
    ),
    "balance": Help(
        f"The balance of an account. {QUERY_TIMES}",
        ("balance fund:430422:resident:pooled --as-of 2019-12-31",),
    ),
    "hospital": Help(
        f"An institution's totals, budget use and warning level. {QUERY_TIMES}",
        ("hospital H43042200002 --as-of 2019-06-30", "hospital H43042200002 --json"),
    ),
    "penalties": Help(
        f"Sanctions in force, fines and doctor points of an institution, doctor or person, and"
        f" every agreement measure on record (interview, public criticism, rectification,"
        f" deferred settlement, referral) with its case, decision document and state."
        f" {QUERY_TIMES}",
        ("penalties H43042200002 --as-of 2019-08-01",),
    ),
    "diff": Help(
        "The figures of a hospital, an account or a penalty target that differ between two known"
        " times, as of the same valid date, and under each the events recorded in between that"
        " explain it: log position, event, message, decision document, known time and the"
        " amount each added (they add up to the difference). For penalties, also the sanctions"
        " that started or ended being in force. It reads the whole log: one subject at a time."
        f" {QUERY_TIMES}",
        (
            "diff hospital H43042200002 --known-at 2020-01-15 --known-at 2020-03-01",
            "diff balance fund:430422:resident:pooled --known-at 2020-01-15"
            " --known-at 2020-03-01 --as-of 2019-12-31",
            "diff penalties H43042200002 --known-at 2020-01-15 --known-at 2020-03-01 --json",
        ),
    ),
    "report": Help(
        "`fund`: income, spending and balances of each scheme's pooled fund over a year."
        " `hospitals`: every institution's totals; the point in time is said once above the"
        " table. `supervision`: the findings (refused, ordered back) and recoveries of the"
        " decisions dated in --year, by detection source and violation, and the sanctions by"
        " kind, as known at --known-at (no --as-of: a recovery counts in its decision's year)."
        f" {QUERY_TIMES} --csv and --json write plain numbers and ISO 8601 times.",
        (
            "report fund --region 430422 --year 2019",
            "report hospitals --region 430422 --as-of 2019-12-31",
            "report hospitals --as-of 2019-12-31 --csv > hospitals.csv",
            "report supervision --year 2020 --known-at 2021-01-15 --csv > supervision.csv",
        ),
    ),
    "project": Help(
        "Bring the read models up to date with the log, then follow it.",
        ("project --until-idle 2", "project"),
    ),
    "rebuild": Help(
        "Rebuild read models from the whole log, in one transaction; a running `project` waits"
        " for it, then goes on after what it applied. Progress on stderr when a terminal.",
        ("rebuild", "rebuild hospitals"),
    ),
    "check": Help(
        "Rebuild every read model into scratch tables, compare them with the live ones row for"
        " row, and check that all postings sum to zero. Exit 1 on any difference. Progress on"
        " stderr when a terminal.",
        ("check",),
    ),
    "offsets": Help(
        "The stored Kafka offsets beside the broker's log, per partition; `reset` moves one,"
        " recorded with who, when and why.",
        (
            "offsets",
            "offsets reset --topic enrollment --partition 0 --to start --reason 'broker reset'",
        ),
    ),
    "sanction": Help(
        "Record a sanction decided by inspectors. Checked by the worker's contract and the"
        " domain's rules before anything is sent; --dry-run prints the message instead.",
        (
            "sanction --kind fine --target H43042200011 --case-id HN-JC-2020-007"
            " --decision-document HN-YB-F-2020-7 --decision-date 2020-04-15 --legal-basis 38"
            " --multiple 2 --base 15000.00",
        ),
    ),
    "sanctions": Help(
        "Every measure recorded against an institution, doctor or person, with its sanction id"
        " (which the follow-up commands take), kind, legal basis, window, amounts and state;"
        " interviews, public criticisms, rectifications and referrals included. Read from the"
        " log, so it is current as soon as the worker commits.",
        ("sanctions H43042200004", "sanctions D4304220000101 --json"),
    ),
    "statement": Help(
        "An account's postings with a running balance, each naming the event (log position,"
        " type) and the message behind it, read from the log; opening and closing balance.",
        (
            "statement fund:430422:resident:pooled --from 2019-06-01 --to 2019-06-30",
            "statement institution:H43042200002:receivable --known-at 2020-01-01",
        ),
    ),
    "reconcile": Help(
        "Each institution's fund share less refusals in the period, their sum beside the fund"
        " statement's settlements, and the difference on the named line cross_region.",
        ("reconcile --region 430422 --year 2019", "reconcile --region 430422 --year 2019 --json"),
    ),
    "sanction-lift": Help(
        "End a suspension, termination or rectification early.",
        (
            "sanction-lift --sanction-id SANCTION --target H43042200011 --date 2020-06-01"
            " --reason 'rectified'",
        ),
    ),
    "sanction-fine-paid": Help(
        "Record a fine's payment to the treasury.",
        (
            "sanction-fine-paid --sanction-id SANCTION --target H43042200011 --date 2020-05-01"
            " --amount 30000.00 --receipt-no R-2020-0001",
        ),
    ),
    "sanction-appeal": Help(
        "Record an appeal filed against a sanction.",
        (
            "sanction-appeal --sanction-id SANCTION --target H43042200011 --date 2020-04-30"
            " --appeal-id AP-2020-001",
        ),
    ),
    "sanction-appeal-decided": Help(
        "Record the decision on an appeal: upheld, reduced or revoked.",
        (
            "sanction-appeal-decided --sanction-id SANCTION --target H43042200011"
            " --outcome reduced --decision-document HN-YB-A-2020-1 --decision-date 2020-06-15"
            " --multiple 1",
        ),
    ),
}


def parser_texts(name: str | None) -> dict[str, Any]:
    """Keyword arguments for a parser (None: the top-level one): description, examples as
    epilog, kept as written."""
    found = TOP if name is None else HELP.get(name)
    if found is None:  # a new command without text: tests/unit/test_cli_help.py names it
        return {}
    return {
        # Raw, so the examples keep their lines; the description is wrapped here instead.
        "description": textwrap.fill(found.description, width=78),
        "epilog": found.epilog(),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
