"""Acceptance 2 of issue 15: a store loaded with a county's 2019-2020 history, each message
stating when the source had it on record, answers "as known at" with what was on record then.

Through the real broker, worker, database, projections and CLI: a clawback about 2019 care,
decided and recorded on 14 January 2020, is absent as known at 1 and 13 January 2020 and
present as known at 15 January 2020."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.provenance import Provenance
from infra.settings import Settings
from infra.store import Ledger
from projections.runner import catch_up, open_projections
from scripts.cli import main
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, send

HOSPITAL = "H43042200011"
CLAIM = "JS-H43042200011-2019-000123"
CLAWBACK_RECORDED = "2020-01-14T15:30:00+08:00"


def on_record(document: dict[str, Any], recorded_at: str) -> dict[str, Any]:
    """A message as a migrating source sends it: with the time it was on record there."""
    return {**document, "recorded_at": recorded_at}


# The county's history in waves, in the order the old system recorded it; each wave is
# ingested before the next is published (docs/operations.md, "Migrating a fund's history").
def waves() -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (
            "reference",
            [
                on_record(documented("PolicyPublished"), "2019-01-01T08:00:00+08:00"),
                on_record(documented("InstitutionDesignated"), "2019-01-01T09:00:00+08:00"),
            ],
        ),
        (
            "enrollment",
            [on_record(documented("PersonEnrolled"), "2019-01-15T09:30:00+08:00")],
        ),
        (
            "claims",
            [
                on_record(
                    documented("ClaimSettled", doctor_id=None, claim_id=CLAIM),
                    "2019-05-03T18:00:00+08:00",
                )
            ],
        ),
        (
            "clawbacks",
            [
                on_record(
                    documented(
                        "ClawbackOrdered",
                        "2019-05-03T00:00:00+08:00",
                        clawback_id="ZH-2020-001",
                        case_id="HN-JC-2020-001",
                        decision_date="2020-01-14",
                        lines=[{"claim_id": CLAIM, "amount": "800.00"}],
                    ),
                    CLAWBACK_RECORDED,
                )
            ],
        ),
    ]


@pytest.fixture
def migrated(settings: Settings, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    assert settings.database_url is not None
    assert settings.kafka_bootstrap_servers is not None
    create_topics(settings)
    for suffix, documents in waves():
        send(settings, suffix, documents)
        stats = ingest(settings, ledger)
        assert (stats.accepted, stats.rejected) == (len(documents), 0), suffix
    catch_up(ledger, open_projections(ledger))
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers)
    monkeypatch.setenv("LEDGER_TOPIC_PREFIX", settings.topic_prefix)
    return ledger


def hospital(capsys: pytest.CaptureFixture[str], known_at: str) -> dict[str, Any]:
    capsys.readouterr()
    argv = ["hospital", HOSPITAL, "--as-of", "2019-12-31", "--known-at", known_at, "--json"]
    assert main(argv) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_as_known_at_a_past_day_shows_what_the_source_had_on_record_then(
    migrated: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    before_any = hospital(capsys, "2018-12-31")
    new_year = hospital(capsys, "2020-01-01")
    day_before = hospital(capsys, "2020-01-13")
    day_after = hospital(capsys, "2020-01-15")

    assert before_any["settled_cost"] == "0.00"  # nothing was on record in 2018
    # The 2019 claim was on record on 1 January 2020, not only from the day it was migrated.
    assert new_year["settled_cost"] == "13500.00"
    assert new_year["recovered"] == "0.00"
    assert day_before == {**new_year, "known_at": day_before["known_at"]}
    # The clawback recorded on the 14th is in the books from then on, about 2019 care.
    assert day_after["recovered"] == "800.00"
    assert day_after["settled_cost"] == "13500.00"


def test_the_log_keeps_the_stated_times_as_known_times_and_its_own_commit_beside_them(
    migrated: Ledger,
) -> None:
    notifications = migrated.recorder.select_notifications(1, 100)
    provenances: list[Provenance] = [
        migrated.mapper.to_domain_event(n).provenance  # type: ignore[attr-defined]
        for n in notifications
    ]
    clawback = provenances[-1]
    assert clawback.recorded_at == datetime(2020, 1, 14, 7, 30, tzinfo=UTC)
    # Committed just now, by the ledger's clock; known since the source's day.
    assert datetime.now(UTC) - clawback.committed_at < timedelta(hours=1)
    known = [p.recorded_at for p in provenances]
    assert known == sorted(known)
    assert all(p.recorded_at < p.committed_at for p in provenances)
