"""Every command block of README.md, run as written against the demo's store (tiny scale)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts.cli.display import ZONE_NOTE
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [block.strip() for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)]

Seen = dict[str, str]
Check = Callable[[str, Seen], None]


def commands(block: str) -> list[str]:
    """The block's commands, a line continued with a backslash joined to the next."""
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def field(out: str, name: str) -> str:
    """A value of `key  value` output."""
    match = re.search(rf"^{name}\s+(\S+)", out, flags=re.MULTILINE)
    assert match, f"no {name} in:\n{out}"
    return match.group(1)


def first_balance(out: str, seen: Seen) -> None:
    seen["june"] = field(out, "balance")
    assert seen["june"] != "0.00"


def nothing_known_then(out: str, _seen: Seen) -> None:
    assert field(out, "balance") == "0.00"  # the demo recorded 2019 today, not in 2019


def statement_ends_at_the_balance(out: str, seen: Seen) -> None:
    assert field(out, "closing_balance") == seen["june"]
    assert re.search(r"^2019-06-\d\d\s+\d+\s+Claim\.Settled\s+[0-9a-f-]{36}", out, re.MULTILINE)


def hospital_has_visits(out: str, _seen: Seen) -> None:
    doc = json.loads(out)
    assert int(doc["visits"]) > 0
    assert doc["fund_share"] != "0.00"


def suspended_hospital(out: str, _seen: Seen) -> None:
    assert field(out, "suspended") == "yes"
    assert "settlement_suspension" in out


def related_history(out: str, _seen: Seen) -> None:
    rows = [line for line in out.splitlines()[1:] if line and line != ZONE_NOTE]
    kinds = {line.split()[1].split(":")[0] for line in rows}
    assert kinds == {"claim", "clawback", "sanction"}
    assert "Claim.Settled" in out
    assert "Sanction.Imposed" in out


def explained_hospital(out: str, _seen: Seen) -> None:
    # Known on 2020-01-01 the ledger knew nothing of the demo's 2019, so every figure changed,
    # the clawback and the fine among them, each with the events that explain it.
    assert re.search(r"^recovered\s+0\.00 → [\d,]+\.\d\d", out, re.MULTILINE), out
    assert re.search(r"^fines\s+0\.00 → [\d,]+\.\d\d", out, re.MULTILINE), out
    assert re.search(r"^\s+\d+\s+Clawback\.Ordered\s+[0-9a-f-]{36}", out, re.MULTILINE), out
    assert "Sanction.Imposed" in out


def fund_statement(out: str, _seen: Seen) -> None:
    assert "opening_balance" in out
    assert "closing_balance" in out
    assert {"employee", "resident"} <= set(out.split())


def reconciled(out: str, _seen: Seen) -> None:
    assert field(out, "cross_region") == "0.00"
    assert field(out, "institutions_net") == field(out, "fund_settlements") != "0.00"
    assert re.search(r"^P43042200001\s", out, re.MULTILINE), "pharmacies are listed"


def hospitals_csv(out: str, _seen: Seen) -> None:
    rows = list(csv.DictReader(io.StringIO(out)))
    codes = {row["institution"] for row in rows}
    assert {"H43042200002", "P43042200001"} <= codes


def supervision_table(out: str, _seen: Seen) -> None:
    # The demo's interview of April 2019 counts in 2019, the labels as the published tables.
    assert re.search(r"^total\s+total\s+合计\s+\d+\s+[\d,]+\.\d\d", out, re.MULTILINE), out
    assert re.search(r"^sanction\s+interview\s+约谈\s+[1-9]", out, re.MULTILINE), out


def digest_line(out: str, _seen: Seen) -> None:
    assert re.fullmatch(r"\d+:[0-9a-f]{64}\n", out)


def verified(out: str, _seen: Seen) -> None:
    assert field(out, "ok") == "yes"


def demo_shown(out: str, _seen: Seen) -> None:
    assert "accepted messages by type" in out
    assert "ClaimSettled" in out
    # The year's supervision figures close the summary, the published labels aligned.
    assert re.search(r"^6\. supervision by decision date, 2019", out, re.MULTILINE), out
    assert re.search(r"^source\s+指标性扣款\s+1\s+[\d,]+\.\d\d", out, re.MULTILINE), out


def demo_of(region: str, persons: int) -> Check:
    def check(out: str, _seen: Seen) -> None:
        assert f"region {region}, 2019, {persons} persons" in out

    return check


def sanction_sent(out: str, _seen: Seen) -> None:
    assert field(out, "type") == "SanctionImposed"


def ingested(out: str, _seen: Seen) -> None:
    assert field(out, "accepted") == "1"


def fined(out: str, _seen: Seen) -> None:
    assert field(out, "fines_due") == "30,000.00"


def sanction_listed(out: str, _seen: Seen) -> None:
    assert re.search(r"SAN-[0-9a-f]{20}", out), out
    assert "fine" in out


def any_output(_out: str, _seen: Seen) -> None:
    pass  # the exit status is the check (`check` exits 1 on any difference)


# What each command must show, by the start of its line (the longest matching start wins).
CHECKS: dict[str, Check] = {
    "claims-ledger balance fund:430422:resident:pooled --as-of 2019-06-30": first_balance,
    "claims-ledger balance fund:430422:resident:pooled --as-of 2019-06-30 --known-at 2020-01-01": (
        nothing_known_then
    ),
    "claims-ledger statement fund:430422:resident:pooled": statement_ends_at_the_balance,
    "claims-ledger hospital H43042200002": hospital_has_visits,
    "claims-ledger penalties H43042200003": suspended_hospital,
    "claims-ledger history H43042200002 --only": related_history,
    "claims-ledger diff hospital H43042200002": explained_hospital,
    "claims-ledger report fund": fund_statement,
    "claims-ledger reconcile": reconciled,
    "claims-ledger report hospitals": hospitals_csv,
    "claims-ledger report supervision": supervision_table,
    "claims-ledger check": any_output,
    "kept=$(claims-ledger digest)": digest_line,
    "claims-ledger verify --from-digest": verified,
    "make demo": demo_shown,
    ".venv/bin/claims-ledger demo --scale tiny --region 430423": demo_of("430423", 60),
    ".venv/bin/claims-ledger demo --persons 100": demo_of("430424", 100),
    ".venv/bin/claims-ledger sanction": sanction_sent,
    ".venv/bin/claims-ledger ingest --until-idle 2 && ": ingested,
    ".venv/bin/claims-ledger penalties H43042200004": fined,
    ".venv/bin/claims-ledger sanctions H43042200004": sanction_listed,
    "export LEDGER_RECORDED_BY=": any_output,  # a setting the later lines of its block use
}
# `make demo` runs `claims-ledger demo` (small scale); here the same command at the tiny scale,
# a second time for the region, which the README says only shows the store.
INSTEAD = {"make demo": "claims-ledger demo --scale tiny"}
# Blocks not run here, and why: each is checked against what it names.
NOT_RUN = {
    "make test": "runs the whole suite, this test included; its targets exist (checked)",
    "export LEDGER_DATABASE_URL": "names servers that exist only in a deployment",
}


def check_for(command: str) -> Check:
    starts = [start for start in CHECKS if command.startswith(start)]
    assert starts, f"README command {command!r} has no check in {__name__}"
    return CHECKS[max(starts, key=len)]


def not_run(block: str) -> str | None:
    return next((start for start in NOT_RUN if block.startswith(start)), None)


@pytest.fixture(scope="module")
def demo_env(
    postgres_server_url: str, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The demo's store at the tiny scale, and the environment of a user who ran it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    run = uuid.uuid4().hex[:10]
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for url in fresh_database(postgres_server_url):
        env |= {
            "LEDGER_DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "LEDGER_TOPIC_PREFIX": f"t{run}.",
            "LEDGER_CONSUMER_GROUP": f"g{run}",
            "LEDGER_HOME": str(tmp_path_factory.mktemp("readme") / ".ledger"),
        }
        demo = shell(env, "claims-ledger demo --scale tiny")
        assert demo.returncode == 0, demo.stderr
        yield env


def shell(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_readme_block_is_run_or_says_why_not() -> None:
    assert len(BLOCKS) >= 6
    for block in BLOCKS:
        if not_run(block) is None:
            for command in commands(block):
                check_for(command)


def test_the_blocks_not_run_name_what_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [developer] = [b for b in BLOCKS if not_run(b) == "make test"]
    for command in commands(developer):
        if command.startswith("make "):
            assert f"\n{command.split()[1]}:" in makefile, command
    assert "\ndemo: $(STAMP)\n\t$(BIN)/claims-ledger demo\n" in makefile  # what INSTEAD runs
    settings = (ROOT / "infra" / "settings.py").read_text(encoding="utf-8")
    [deployment] = [b for b in BLOCKS if not_run(b) == "export LEDGER_DATABASE_URL"]
    for name in re.findall(r"export (\w+)=", deployment):
        assert f'"{name}"' in settings, name


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if not_run(b) is None], ids=lambda b: commands(b)[0][:50]
)
def test_a_readme_block_runs_and_shows_what_it_says(block: str, demo_env: dict[str, str]) -> None:
    seen: Seen = {}
    assignments: list[str] = []  # `kept=$(…)`, `export`: later lines of the block use them
    for command in commands(block):
        check = check_for(command)
        if command.startswith("export "):
            assignments.append(command)
            continue
        assignment = re.fullmatch(r"(\w+)=\$\((.*)\)(\s+#.*)?", command)
        to_run = assignment.group(2) if assignment else INSTEAD.get(command, command)
        done = shell(demo_env, "\n".join([*assignments, to_run]))
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        check(done.stdout, seen)
        if assignment:
            assignments.append(command)


@pytest.mark.parametrize(
    ("target", "own"),
    # The card lender's own history has the order to return the misused money (recovery:).
    [("D4304220000101", {"doctor"}), ("4304220000001", {"person", "account", "recovery"})],
    ids=["doctor", "person"],
)
def test_history_of_a_doctor_or_person_includes_its_claims_and_sanctions(
    target: str, own: set[str], demo_env: dict[str, str]
) -> None:
    # Beside the README's hospital: the demo's nine-point doctor and its card lender.
    done = shell(demo_env, f"claims-ledger history {target} --json")
    assert done.returncode == 0, done.stderr
    entities = [entry["entity"] for entry in json.loads(done.stdout)]
    assert {e.split(":")[0] for e in entities} == own | {"claim", "sanction"}
    only = shell(demo_env, f"claims-ledger history {target} --only sanction --json")
    assert {e["entity"] for e in json.loads(only.stdout)} == {
        e for e in entities if e.startswith("sanction:")
    }
