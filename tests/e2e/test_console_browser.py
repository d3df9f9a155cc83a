"""The console's pages in a real browser (Debian's chromium driven by Playwright) over the demo's
county year ingested through the real broker: the charts hold the ledger's figures, the as-of
control changes them, a hospital's total leads to a claim and its message, and the sanction form
refuses what the CLI refuses (nothing produced) and shows the verdict of what it sends.

One demo, one console and one browser serve the whole module. LEDGER_CONSOLE_SCREENSHOTS=docs
writes the pages' screenshots into docs/ (as the README shows them)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition

from consumers.topics import Topics
from domain.calendar import REGION_TZ
from infra.kafka import make_reader
from tests.conftest import fresh_database
from tests.e2e.test_cli import ROOT, run_json
from tests.e2e.test_console_serve import start

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
CHROMIUM = Path(os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REGION, YEAR = "430422", "2019"  # the demo's county and year
WAIT_MS = 60_000
# Today where the ledger reads bare dates (the end of that day in the regions' zone,
# projections/asof.py): from 16:00 UTC on, today in UTC has ended there, before what the test
# just recorded, and a "known at today" page would rightly be empty.
TODAY = datetime.now(REGION_TZ).date().isoformat()

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no chromium at {CHROMIUM}: .ci/run installs Debian's `chromium` package",
)


@dataclass(frozen=True)
class Console:
    url: str
    env: dict[str, str]
    tokens: dict[str, str]  # name -> token
    topics: Topics

    def page_url(self, path: str) -> str:
        return self.url.rstrip("/") + path


@pytest.fixture(scope="module")
def console(
    postgres_server_url: str, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """The demo's county year (tiny scale) through the broker, and the console over it."""
    home = tmp_path_factory.mktemp("console")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    prefix = f"t{uuid.uuid4().hex[:10]}."
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for url in fresh_database(postgres_server_url):
        env |= {
            "LEDGER_DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "LEDGER_TOPIC_PREFIX": prefix,
            "LEDGER_CONSUMER_GROUP": f"g{prefix}",
            "LEDGER_HOME": str(home / ".ledger"),
            "LEDGER_CONSOLE_USERS": str(home / "users.json"),
            "LEDGER_MAX_POLL_INTERVAL_MS": "3000",
        }
        demo = run_json(env, "demo", "--scale", "tiny", "--region", REGION)
        assert demo["outcomes"]["surprises"] == []
        tokens = {
            name: run_json(env, "console-user", "add", name, "--role", role)["token"]
            for name, role in (("zhang", "inspector"), ("li", "auditor"))
        }
        serving, address = start(env)
        try:
            yield Console(address, env, tokens, Topics(prefix))
        finally:
            serving.terminate()
            serving.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def logged_in(browser: Any, console: Console, name: str) -> Any:
    """A fresh browser context logged in through the form, as `name`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(console.page_url("/"))
    assert "/login" in page.url  # nobody is let in without logging in
    page.fill("#name", name)
    page.fill("#token", console.tokens[name])
    page.click("form.login button")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


@pytest.fixture
def inspector(browser: Any, console: Console) -> Iterator[Any]:
    page = logged_in(browser, console, "zhang")
    yield page
    page.context.close()


def loaded(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-loaded=true]")
    assert page.locator("#problem").is_hidden(), page.locator("#problem").inner_text()


def series(page: Any, chart: str) -> list[list[float | None]]:
    """The data of each series of an ECharts chart, as the chart holds it."""
    return page.evaluate(  # type: ignore[no-any-return]
        """id => echarts.getInstanceByDom(document.getElementById(id))
            .getOption().series.map(s => s.data)""",
        chart,
    )


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("LEDGER_CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(ROOT / folder / f"console-{name}.png"), full_page=False)


def api(page: Any, console: Console, path: str) -> Any:
    """The API's answer to the same login (the session cookie), to compare the page with."""
    reply = page.context.request.get(console.page_url(path))
    assert reply.ok, reply.text()
    return reply.json()


def test_overview_charts_hold_the_fund_figures(inspector: Any, console: Console) -> None:
    loaded(inspector, console.page_url(f"/?region={REGION}&year={YEAR}"))
    fund = api(inspector, console, f"/api/v1/reports/fund?region={REGION}&year={YEAR}")
    [balances] = series(inspector, "chart-balances")
    assert balances == [float(row["closing_balance"]) for row in fund]
    assert any(balances)
    income, spending = series(inspector, "chart-months")
    assert len(income) == len(spending) == 12
    assert sum(v or 0 for v in spending) == pytest.approx(
        sum(float(r["settlements"]) for r in fund)
    )
    assert sum(1 for v in spending if v) > 1  # spread over the months, not one lump
    hospitals = api(inspector, console, f"/api/v1/reports/hospitals?region={REGION}")
    warned = [h for h in hospitals if h["warning_level"] != "none"]
    assert inspector.locator("#hospitals tr.warned").count() == len(warned)
    assert inspector.locator("#warnings").inner_text() != ""
    screenshot(inspector, "overview")


def test_moving_the_as_of_date_changes_the_figures(inspector: Any, console: Console) -> None:
    loaded(inspector, console.page_url(f"/?region={REGION}&year={YEAR}"))
    [year_end] = series(inspector, "chart-balances")
    inspector.fill("#as_of", f"{YEAR}-03-31")
    inspector.click("form.controls button")
    inspector.wait_for_url(lambda url: "as_of=" in url)
    inspector.wait_for_selector("body[data-loaded=true]")
    [march] = series(inspector, "chart-balances")
    assert march != year_end
    income, _ = series(inspector, "chart-months")
    assert len(income) == 3  # the months up to the as-of date


def test_a_hospital_total_leads_to_a_claim_and_its_message(
    inspector: Any, console: Console
) -> None:
    loaded(inspector, console.page_url(f"/?region={REGION}&year={YEAR}"))
    hospitals = api(inspector, console, f"/api/v1/reports/hospitals?region={REGION}")
    busy = next(h for h in hospitals if int(h["visits"]) > 0)
    inspector.click(f"#hospitals a[href*='/{busy['institution']}?'][href$='#events']")
    inspector.wait_for_selector("body[data-loaded=true]")
    assert busy["fund_share"] in inspector.locator("#totals").inner_text()
    [settled, *_] = series(inspector, "chart-year")
    assert any(settled)
    screenshot(inspector, "institution")
    claim = inspector.locator("#events a", has_text="Claim.").first
    position = claim.inner_text().rsplit("#", 1)[1]
    claim.click()
    inspector.wait_for_selector("body[data-loaded=true]")
    event = inspector.locator(f"article#p{position}")
    assert "Claim." in event.locator("h3").inner_text()
    assert "target" in (event.get_attribute("class") or "")  # the one the link named
    assert console.topics.inbound("claims") in event.inner_text()  # the message it came from
    assert "message" in event.inner_text()


def end_offsets(console: Console) -> dict[Any, int]:
    reader = make_reader(console.env["KAFKA_BOOTSTRAP_SERVERS"])
    try:
        topic = console.topics.inbound("sanctions")
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic))]
        return dict(reader.end_offsets(partitions))
    finally:
        reader.close()


def fill_sanction(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        selector = f"#f-{name}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def a_hospital(page: Any, console: Console) -> str:
    """An institution the demo designated (a sanction on an unknown one would be held)."""
    hospitals = api(page, console, f"/api/v1/reports/hospitals?region={REGION}")
    return str(hospitals[0]["institution"])


def case() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {"case_id": f"CASE-{tag}", "decision_document": f"湘医保稽[2019]{tag}号"}


def test_an_invalid_sanction_is_refused_beside_its_field_and_nothing_is_produced(
    inspector: Any, console: Console
) -> None:
    loaded(inspector, console.page_url("/sanction"))
    before = end_offsets(console)
    inspector.click("#send")  # nothing filled in: refused in the page, before any request
    assert "必填" in inspector.locator("#error-case_id").inner_text()
    fill_sanction(
        inspector,
        {
            "kind": "fine",
            "target": "H43042200011",
            "legal_basis": "38",
            "decision_date": f"{YEAR}-12-01",
            "base": "15000.00",
            "multiple": "9",
        }
        | case(),
    )
    assert "1-2" in inspector.locator("#rule-multiple").inner_text()  # the rule, before sending
    inspector.click("#send")
    error = inspector.locator("#error-multiple")
    error.wait_for(state="visible")
    inspector.wait_for_function("document.getElementById('error-multiple').textContent !== ''")
    assert "9" in error.inner_text()
    assert "nothing sent" in inspector.locator("#problem").inner_text()
    assert inspector.locator("#outcome").is_hidden()
    assert end_offsets(console) == before
    screenshot(inspector, "sanction-refused")


def test_a_valid_sanction_shows_the_ledgers_verdict_and_its_id(
    inspector: Any, console: Console
) -> None:
    loaded(inspector, console.page_url("/sanction"))
    before = end_offsets(console)
    target = a_hospital(inspector, console)
    fill_sanction(
        inspector,
        {
            "kind": "interview",
            "target": target,
            "legal_basis": "agreement",
            "decision_date": f"{YEAR}-12-01",
        }
        | case(),
    )
    inspector.click("#send")
    inspector.locator("#outcome").wait_for(state="visible")
    inspector.wait_for_function("document.getElementById('verdict').textContent !== ''")
    assert inspector.locator("#verdict").inner_text().startswith("pending")
    assert end_offsets(console) != before
    stats = run_json(console.env, "ingest", "--until-idle", "1.5")
    assert stats["accepted"] == 1, stats
    inspector.wait_for_function("document.getElementById('verdict').textContent === 'recorded'")
    sanction_id = inspector.locator("#sanction-id").inner_text()
    assert sanction_id.startswith("SAN-")
    listed = api(inspector, console, f"/api/v1/targets/{target}/sanctions")
    assert sanction_id in [s["sanction_id"] for s in listed]
    screenshot(inspector, "sanction-recorded")


@pytest.mark.parametrize(
    ("path", "filled"),
    [
        (
            f"/statement?account=fund:{REGION}:resident:pooled&from={YEAR}-06-01&to={YEAR}-06-30",
            "#postings td",
        ),
        (
            f"/diff?kind=balance&subject=fund:{REGION}:resident:pooled&as_of={YEAR}-12-31"
            f"&known_at=2020-01-01&known_at={TODAY}",
            "#figures table td",
        ),
        ("/rejected", "#rows td"),
        ("/held", "#rows td"),
        (f"/institution/H{REGION}00001?as_of={YEAR}-06-30", "#totals td"),
    ],
)
def test_every_page_loads_its_answer_without_a_script_error(
    inspector: Any, console: Console, path: str, filled: str
) -> None:
    errors: list[str] = []
    inspector.on("pageerror", lambda error: errors.append(str(error)))
    loaded(inspector, console.page_url(path))
    assert inspector.locator(filled).count() > 0
    assert errors == []


def test_an_auditor_sees_the_form_but_cannot_record(browser: Any, console: Console) -> None:
    page = logged_in(browser, console, "li")
    try:
        loaded(page, console.page_url("/sanction"))
        assert page.locator("#send").is_disabled()
        assert "inspector" in page.locator("#cannot-record").inner_text()
    finally:
        page.context.close()


def test_the_audit_page_verifies_a_pasted_digest(inspector: Any, console: Console) -> None:
    loaded(inspector, console.page_url("/audit"))
    digest = inspector.locator("#digest").inner_text()
    assert ":" in digest
    inspector.fill("#from_digest", digest)
    inspector.click("#verify-form button")
    inspector.wait_for_selector("#verification td")
    assert "extends_digest" in inspector.locator("#verification").inner_text()
    screenshot(inspector, "audit")


def test_a_wrong_token_is_refused_at_the_login_form(browser: Any, console: Console) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(console.page_url("/login"))
        page.fill("#name", "zhang")
        page.fill("#token", "not-the-token")
        page.click("form.login button")
        assert "不符" in page.locator("#login-error").inner_text()
        assert page.request.get(console.page_url("/api/v1/me")).status == 401
    finally:
        context.close()
