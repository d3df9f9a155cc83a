"""The county year at a tiny scale through the real broker, worker and store."""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from infra.kafka import make_producer
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from projections.check import check
from projections.models import NAMES
from projections.runner import catch_up, open_projections
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.decisions import PAID, PART_REFUSED, RECOVERED, REFUSED
from scripts.simulation.feed import Feeder
from scripts.simulation.feed_mode import FeedOptions
from scripts.simulation.outcomes import check_outcomes
from scripts.simulation.plan import ACCEPTED
from scripts.simulation.publish import Sent
from scripts.simulation.summary import summarize
from tests.integration.county import feed_county
from tests.integration.helpers import create_topics
from tests.integration.workers import cli_env, start_cli, wait_until
from tests.scenario_replay import intended_good


@pytest.fixture
def watch(database_url: str) -> Iterator[Ledger]:
    set_up(database_url)
    with open_ledger(database_url) as store:
        yield store


def planted_refusal(sent: list[Sent]) -> tuple[list[Sent], str]:
    """The sent messages with one paid claim planned refused instead (the issue's 122 cases:
    paid although its institution was suspended), and that claim's message id."""
    index = next(
        i
        for i, s in enumerate(sent)
        if s.planned.decision is not None and s.planned.decision.outcome == PAID
    )
    paid = sent[index]
    assert paid.planned.document is not None
    assert paid.planned.decision is not None
    refused = replace(
        paid.planned.decision,
        outcome=REFUSED,
        reason="institution_suspended",
        amounts={**paid.planned.decision.amounts, "fund_share": Decimal("0.00")},
    )
    planted = replace(paid, planned=replace(paid.planned, decision=refused))
    return [*sent[:index], planted, *sent[index + 1 :]], str(paid.planned.document["message_id"])


def test_the_tiny_county_year_meets_every_planned_fate_and_decision_and_conserves_money(
    settings: Settings, ledger: Ledger, watch: Ledger
) -> None:
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    config = config_for("tiny", None, seed=11)
    planned = list(county_year(config))
    sent: list[Sent] = []
    options = FeedOptions.for_scenario(config)
    try:
        with Feeder(
            settings, settings.kafka_bootstrap_servers, ledger, watch, producer, options=options
        ) as feeder:
            report = feeder.feed(planned, on_sent=sent.append)
    finally:
        producer.close()
    check = check_outcomes(watch, sent)
    assert report.published == len(planned)
    assert check.surprises == []
    assert check.all_as_planned
    planned_decisions = Counter(
        p.decision.outcome for p in planned if p.decision is not None and p.expect == ACCEPTED
    )
    assert check.decisions_as_planned == planned_decisions
    assert set(planned_decisions) == {PAID, REFUSED, PART_REFUSED, RECOVERED}

    planted, message_id = planted_refusal(sent)
    caught = check_outcomes(watch, planted)
    assert not caught.all_as_planned
    assert len(caught.surprises) == 1
    assert caught.surprises[0].startswith(f"ClaimSettled {message_id} at ")
    assert "planned refused (institution_suspended)" in caught.surprises[0]
    assert "got paid" in caught.surprises[0]
    assert set(check.as_planned) == {p.expect for p in planned}
    assert len({p.expect for p in planned if not intended_good(p)}) >= 25
    assert check.as_planned[ACCEPTED] == sum(1 for p in planned if p.expect == ACCEPTED)
    catch_up(watch, open_projections(watch))
    summary = summarize(watch)
    assert summary.postings_total == 0
    assert summary.balances["treasury:430422:fines"] > 0
    assert summary.balances["fund:430422:resident:pooled"] != 0
    assert summary.events_by_type["Doctor.Terminated"] == 1


PAGE_SIZE = "5"  # 25 let the faster delta layout reach the head of this log before the third kill


def projection_positions(database_url: str) -> list[int]:
    positions = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in NAMES:
            row = conn.execute(
                f"SELECT max(notification_id) FROM projection_{name}_tracking"
            ).fetchone()
            positions.append(int(row[0]) if row and row[0] is not None else 0)
    return positions


def test_read_models_killed_mid_catch_up_still_equal_a_rebuild_of_the_county_year(
    settings: Settings,
    ledger: Ledger,
    watch: Ledger,
    database_url: str,
    tmp_path: Path,
    rng: random.Random,
) -> None:
    feed_county(settings, ledger, watch, county_year(config_for("tiny", None, seed=5)))
    head = watch.recorder.max_notification_id() or 0
    open_projections(watch)  # the tracking rows exist before the first kill

    env, log_file = cli_env(settings, database_url), tmp_path / "project.log"
    for _ in range(3):
        before = min(projection_positions(database_url))
        # Small pages: the catch-up of this tiny log must still be under way at the third kill.
        runner = start_cli(env, "project", "--page-size", PAGE_SIZE, log=log_file)
        wait_until(lambda b=before: min(projection_positions(database_url)) > b, 60, "progress")  # type: ignore[misc]
        time.sleep(rng.uniform(0.0, 0.3))
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
    assert min(projection_positions(database_url)) < head, "every kill came before the end"

    last = start_cli(env, "project", "--until-idle", "1", log=log_file)
    assert last.wait(timeout=120) == 0, log_file.read_text()
    report = check(watch)
    assert report.positions == dict.fromkeys(NAMES, head)
    assert report.ok, (report.differences, report.samples, report.unbalanced)
