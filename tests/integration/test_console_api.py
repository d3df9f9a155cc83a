"""The console's HTTP API over a store filled by the real ingest path (the tiny county year
through the broker and the worker): every endpoint the OpenAPI document names is called and
answers as documented; who may call what; bad and hostile parameters end as problem details
that name what was typed; a sanction goes through Kafka and its verdict comes back."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from kafka import KafkaConsumer, TopicPartition
from openapi_spec_validator import validate
from psycopg.rows import tuple_row
from werkzeug.test import TestResponse

from consumers.topics import Topics
from infra.readers import kept_open
from infra.settings import Settings
from infra.setup import set_up
from infra.store import open_ledger
from projections import queries
from projections.runner import catch_up, open_projections
from scripts.console import openapi
from scripts.console.api import ENDPOINTS, Endpoint
from scripts.console.app import create_app
from scripts.console.users import Users
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.conftest import fresh_database, settings_of
from tests.integration.county import feed_county
from tests.integration.helpers import ingest

ROOT = Path(__file__).resolve().parents[2]
REGION = "430422"
FUND = f"fund:{REGION}:resident:pooled"


@dataclass(frozen=True)
class Console:
    settings: Settings
    app: Flask
    auditor: str
    inspector: str
    hospital: str

    def get(self, url: str, token: str | None = None) -> TestResponse:
        return self.app.test_client().get(url, headers=_bearer(token or self.auditor))

    def post(self, url: str, body: Any, token: str | None = None) -> TestResponse:
        # json.dumps escapes a lone surrogate as \ud800, as a hostile client would send it.
        return self.app.test_client().post(
            url,
            data=json.dumps(body),
            content_type="application/json",
            headers=_bearer(token or self.inspector),
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def console(
    postgres_server_url: str, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """The tiny county year fed through the broker and worker, read models caught up, and the
    console over it with an auditor and an inspector. One per module: feeding takes a while."""
    home = tmp_path_factory.mktemp("console")
    with contextlib.contextmanager(fresh_database)(postgres_server_url) as database_url:
        settings = settings_of(database_url, bootstrap, home)
        set_up(database_url)
        with open_ledger(database_url) as ledger, open_ledger(database_url) as watch:
            feed_county(settings, ledger, watch, county_year(config_for("tiny", None, seed=11)))
            catch_up(watch, open_projections(watch))
            with watch.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as c:
                hospital = queries.registered_hospitals(c, REGION)[0]
        users = Users(home / "users.json")
        auditor, inspector = users.add("li", "auditor"), users.add("张三", "inspector")
        # As `serve` runs it: one reader store kept open for every request.
        with kept_open(pool_size=4):
            yield Console(settings, create_app(settings, users), auditor, inspector, hospital)


def fine(console: Console, **changes: Any) -> dict[str, Any]:
    """A fine the CLI's rules accept, on a hospital of the county."""
    body = {
        "kind": "fine",
        "target": console.hospital,
        "case_id": "HN-JC-2020-007",
        "decision_document": "衡南医保罚〔2020〕7号",  # noqa: RUF001 - the real bracket
        "decision_date": "2020-04-15",
        "legal_basis": "38",
        "base": "15000.00",
        "multiple": "2",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def samples(console: Console) -> dict[str, tuple[str, Any]]:
    """A request of every endpoint (by operationId): its URL and, for a POST, its body."""
    h = console.hospital
    point = "as_of=2019-12-31&known_at=2030-01-01"
    return {
        "get_me": ("/api/v1/me", None),
        "get_openapi_json": ("/api/v1/openapi.json", None),
        "get_balance_account": (f"/api/v1/balance/{FUND}?{point}", None),
        "get_statement_account": (f"/api/v1/statement/{FUND}?from=2019-01-01&to=2019-03-31", None),
        "get_hospital_code": (f"/api/v1/hospital/{h}?{point}", None),
        "get_penalties_target": (f"/api/v1/penalties/{h}?{point}", None),
        "get_targets_target_sanctions": (f"/api/v1/targets/{h}/sanctions", None),
        "get_history_entity": (f"/api/v1/history/{h}?only=claim,sanction", None),
        "get_diff_kind_subject": (
            f"/api/v1/diff/hospital/{h}?as_of=2019-12-31&known_at=2019-01-01&known_at=2030-01-01",
            None,
        ),
        "get_reports_fund": (f"/api/v1/reports/fund?region={REGION}&year=2019&{point}", None),
        "get_reports_hospitals": (f"/api/v1/reports/hospitals?region={REGION}&{point}", None),
        "get_reports_reconcile": (f"/api/v1/reports/reconcile?region={REGION}&year=2019", None),
        "get_reports_supervision": ("/api/v1/reports/supervision?year=2019", None),
        "get_rejected": ("/api/v1/rejected?limit=5", None),
        "get_held": ("/api/v1/held?limit=5", None),
        "get_digest": ("/api/v1/digest", None),
        "get_verify": ("/api/v1/verify", None),
        "get_events": (f"/api/v1/events?stream={h}&limit=3", None),
        "post_sanctions": ("/api/v1/sanctions", fine(console, case_id="HN-JC-2020-100")),
        "get_sanctions_message_id_verdict": (
            f"/api/v1/sanctions/{uuid.UUID(int=7)}/verdict",
            None,
        ),
    }


def call(console: Console, e: Endpoint, url: str, body: Any) -> TestResponse:
    if e.method == "POST":
        return console.post(url, body)
    return console.get(url, console.inspector if e.role == "inspector" else None)


def test_the_openapi_document_validates_and_is_the_one_checked_in(console: Console) -> None:
    served = console.get("/api/v1/openapi.json")
    assert served.status_code == 200
    document = served.json
    assert isinstance(document, dict)
    validate(document)
    checked_in = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert document == checked_in, "docs/openapi.json is stale: write `openapi.text()` to it"


def test_every_documented_endpoint_answers_as_documented(console: Console) -> None:
    document = openapi.build()
    requests = samples(console)
    documented = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert documented == {e.name for e in ENDPOINTS}
    missing = documented - set(requests)
    assert not missing, f"no test request for {sorted(missing)}: add one to samples()"
    for e in ENDPOINTS:
        url, body = requests[e.name]
        reply = call(console, e, url, body)
        assert reply.status_code == e.status, (e.name, reply.json)
        if e.name == "get_openapi_json":
            continue
        # The body has the documented shape: no field missing from the schema, none mistyped.
        schema = e.response() if isinstance(e.response, type) else e.response
        assert schema.validate(reply.json) == {}, e.name


def test_every_endpoint_but_the_document_refuses_a_request_without_credentials(
    console: Console,
) -> None:
    requests = samples(console)
    for e in ENDPOINTS:
        url, body = requests[e.name]
        client = console.app.test_client()
        # Refused before anything is read or sent: no token, no question answered.
        reply = client.post(url, json=body) if e.method == "POST" else client.get(url)
        expected = 200 if e.public else 401
        assert reply.status_code == expected, e.name
        if not e.public:
            assert reply.mimetype == "application/problem+json"


def test_an_auditor_cannot_record_a_sanction(console: Console) -> None:
    reply = console.post("/api/v1/sanctions", fine(console), token=console.auditor)
    assert reply.status_code == 403
    assert reply.json is not None
    assert "li is an auditor" in reply.json["detail"]


def problem(reply: TestResponse, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert reply.mimetype == "application/problem+json"
    body = reply.json
    assert isinstance(body, dict)
    assert body["status"] == status
    assert "Traceback" not in body["detail"]
    return body


def hostile(name: str) -> list[dict[str, Any]]:
    """Cases of tests/data/hostile/NAME (its README says how they are written)."""
    path = ROOT / "tests" / "data" / "hostile" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _lengthened(text: str, case: dict[str, Any]) -> str:
    more = case.get("append")
    return text + more["text"] * more["times"] if more else text


@pytest.mark.parametrize("case", hostile("console_queries.jsonl"), ids=lambda c: c["url"][8:60])
def test_bad_or_hostile_parameters_are_problems_naming_what_was_typed(
    console: Console, case: dict[str, Any]
) -> None:
    url = _lengthened(case["url"].replace("{hospital}", console.hospital), case)
    body = problem(console.get(url), case["status"])
    assert case["detail"] in body["detail"]
    if "parameter" in case:
        assert body["parameter"] == case["parameter"]


def test_reports_come_as_csv_where_the_cli_has_csv(console: Console) -> None:
    reply = console.get(f"/api/v1/reports/hospitals?region={REGION}&format=csv")
    assert reply.status_code == 200
    assert reply.mimetype == "text/csv"
    lines = reply.get_data(as_text=True).splitlines()
    assert lines[0].startswith("institution,as_of,known_at,settled_cost")
    as_json = console.get(f"/api/v1/reports/hospitals?region={REGION}").json
    assert isinstance(as_json, list)
    assert len(lines) == 1 + len(as_json)


def test_the_supervision_report_adds_up_by_source_in_json_and_csv(console: Console) -> None:
    rows = console.get("/api/v1/reports/supervision?year=2019").json
    assert isinstance(rows, list)
    total = next(r for r in rows if r["section"] == "total")
    by_source = [r for r in rows if r["section"] == "source"]
    assert sum(Decimal(r["found"]) for r in by_source) == Decimal(total["found"])
    csv = console.get("/api/v1/reports/supervision?year=2019&format=csv").get_data(as_text=True)
    assert len(csv.splitlines()) == 1 + len(rows)


def test_known_at_moves_the_answer(console: Console) -> None:
    """Before the county year was recorded the ledger knew nothing of the hospital's claims."""
    h = console.hospital
    before = console.get(f"/api/v1/hospital/{h}?as_of=2019-12-31&known_at=2000-01-01").json
    now = console.get(f"/api/v1/hospital/{h}?as_of=2019-12-31").json
    assert before is not None
    assert now is not None
    assert before["settled_cost"] == "0.00"
    assert now["settled_cost"] != "0.00"


def test_events_page_through_the_log_in_order_each_with_its_message(console: Console) -> None:
    seen: list[int] = []
    url = "/api/v1/events?limit=400"
    while True:
        page = console.get(url).json
        assert page is not None
        seen += [e["position"] for e in page["events"]]
        for e in page["events"]:
            assert e["message"]["message_id"] == e["message_id"]
        if page["next_after"] is None:
            break
        url = f"/api/v1/events?limit=400&after={page['next_after']}"
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) > 400
    digest = console.get("/api/v1/digest").json
    assert digest is not None
    assert seen[-1] == digest["position"]


def test_events_filter_by_type_and_known_time(console: Console) -> None:
    settled = console.get("/api/v1/events?type=ClaimSettled&limit=50").json
    assert settled is not None
    assert {e["type"] for e in settled["events"]} == {"Claim.Settled"}
    same = console.get("/api/v1/events?type=Claim.Settled&limit=50").json
    assert same == settled
    first = settled["events"][0]
    known = quote(first["recorded_at"])
    from_then = console.get(f"/api/v1/events?known_from={known}&limit=1").json
    assert from_then is not None
    assert from_then["events"][0]["recorded_at"] >= first["recorded_at"]
    nothing = console.get("/api/v1/events?known_until=2000-01-01").json
    assert nothing == {"events": [], "next_after": None}


def test_verify_checks_a_pasted_digest(console: Console) -> None:
    digest = console.get("/api/v1/digest").json
    assert digest is not None
    ok = console.get(f"/api/v1/verify?from_digest={quote(digest['digest'])}").json
    assert ok is not None
    assert ok["ok"] is True
    assert ok["extends_digest"] == digest["digest"]
    forged = f"{digest['position']}:{'0' * 64}"
    bad = console.get(f"/api/v1/verify?from_digest={forged}").json
    assert bad is not None
    assert bad["ok"] is False


def sanction_records(settings: Settings) -> int:
    """How many records the sanctions topic holds: what was produced to it."""
    assert settings.kafka_bootstrap_servers is not None
    topic = Topics(settings.topic_prefix).inbound("sanctions")
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return int(sum(consumer.end_offsets(partitions).values()))
    finally:
        consumer.close()


@pytest.mark.parametrize(
    "case", hostile("console_sanctions.jsonl"), ids=lambda c: ",".join(c["changes"])
)
def test_an_invalid_sanction_is_refused_with_the_clis_rules_and_nothing_is_sent(
    console: Console, case: dict[str, Any]
) -> None:
    before = sanction_records(console.settings)
    body = fine(console)
    for name, value in case["changes"].items():
        if value is None:
            del body[name]
        else:
            body[name] = value
    if "append" in case:
        field = case["append"]["field"]
        body[field] = _lengthened(body[field], case)
    detail = problem(console.post("/api/v1/sanctions", body), 400)["detail"]
    assert case["detail"] in detail
    assert "--" not in detail  # fields named as sent, not as the CLI's flags
    assert sanction_records(console.settings) == before


def test_a_body_that_is_not_json_is_refused(console: Console) -> None:
    reply = console.app.test_client().post(
        "/api/v1/sanctions",
        data="kind=fine",
        headers=_bearer(console.inspector) | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    problem(reply, 415)
    problem(
        console.app.test_client().post(
            "/api/v1/sanctions",
            data=b'{"kind": ',
            headers=_bearer(console.inspector) | {"Content-Type": "application/json"},
        ),
        400,
    )


def test_a_sanction_goes_through_kafka_and_its_verdict_names_the_sanction(
    console: Console,
) -> None:
    body = fine(console, case_id="HN-JC-2020-200")
    sent = console.post("/api/v1/sanctions", body)
    assert sent.status_code == 202, sent.json
    assert sent.json is not None
    message_id, sanction_id = sent.json["message_id"], sent.json["sanction_id"]
    assert sent.json["verdict"] == "pending"
    verdict_url = sent.json["verdict_url"]
    assert console.get(verdict_url).json == {
        "message_id": message_id,
        "verdict": "pending",
        "waits_for": None,
    }
    with open_ledger(str(console.settings.database_url)) as ledger:
        ingest(console.settings, ledger)
    assert console.get(verdict_url).json == {
        "message_id": message_id,
        "verdict": "recorded",
        "sanction_id": sanction_id,
    }
    # Who recorded it is who logged in, never a field of the form.
    history = console.get(f"/api/v1/history/sanction:{sanction_id}").json
    assert history is not None
    assert history[0]["recorded_by"] == "inspector:张三"
    # Sent again: the ledger holds it already, nothing is sent, as the CLI does.
    records = sanction_records(console.settings)
    again = console.post("/api/v1/sanctions", body)
    assert again.status_code == 200
    assert again.json is not None
    assert again.json["verdict"] == "recorded"
    assert sanction_records(console.settings) == records
    other_terms = console.post("/api/v1/sanctions", body | {"multiple": "1.5"})
    assert "multiple 2 recorded, 1.5 given" in problem(other_terms, 409)["detail"]
    assert sanction_records(console.settings) == records


def test_a_sanction_the_ledger_rejects_has_the_reason_as_its_verdict(console: Console) -> None:
    sent = console.post("/api/v1/sanctions", fine(console, target="H43042299999"))
    assert sent.status_code == 202
    assert sent.json is not None
    no_hold = replace(console.settings, hold_max_messages=0)  # unknown targets rejected at once
    with open_ledger(str(console.settings.database_url)) as ledger:
        ingest(no_hold, ledger)
    verdict = console.get(sent.json["verdict_url"]).json
    assert verdict is not None
    assert verdict["verdict"] == "rejected"
    assert verdict["reason"] == "unknown_target"
