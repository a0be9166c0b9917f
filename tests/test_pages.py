"""The pages, driven in a real browser (Debian's chromium, through playwright) against the real
server: what a strategist or a trainer sees and does.

No browser, no pass: without chromium these tests fail with a message saying how to install
it (``.ci/run`` installs it), they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

import scenarios
from advisor.assessment import load_profile
from api.http.server_process import ServerProcess
from rules.diagnosis import diagnose

PROFILES = scenarios.documents("profiles")

CHROMIUM = os.environ.get("PMO_ADVISOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess("--workers", "1", "--threads", "4") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the page tests need chromium at {CHROMIUM} (apt-get install -y chromium, "
                    "as .ci/run does, or set PMO_ADVISOR_CHROMIUM)")
    profile_dir = tempfile.mkdtemp(prefix="pmo-advisor-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()
    shutil.rmtree(profile_dir, ignore_errors=True)


class Visit:
    """A page opened on the server, remembering every request and every script error."""

    def __init__(self, browser: BrowserContext, base: str) -> None:
        self.base = base
        self.page: Page = browser.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base)]


@pytest.fixture()
def visit(browser: BrowserContext, server: ServerProcess) -> Iterator[Visit]:
    current = Visit(browser, server.url)
    yield current
    current.page.close()
    assert current.errors == []


def test_home_page_leads_to_the_diagnosis(visit: Visit) -> None:
    page = visit.open("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PMO strategy")
    page.get_by_role("link", name="Diagnose").first.click()
    expect(page).to_have_url(visit.base + "/diagnose")


def test_choosing_a_shipped_profile_shows_its_diagnosis_and_why(visit: Visit) -> None:
    page = visit.open("/diagnose")
    page.select_option("#profile-select", "crisis-retailer")
    expect(page.locator("#result-scenario")).to_have_text("Crisis")
    expected = diagnose(load_profile(PROFILES["crisis-retailer"])).confidence
    expect(page.locator("#result-confidence")).to_have_text(f"{expected:.2f}")
    expect(page.locator("#profile-description")).to_contain_text("A retailer's PMO")
    expect(page.locator("#ranking-chart svg .bar")).to_have_count(8)
    expect(page.locator("#ranking-chart svg .bar.highlight")).to_contain_text("Crisis")
    expect(page.locator("#why")).to_contain_text("crisis_when_support_wanes")
    expect(page.locator("#transitions li").first).to_contain_text("towards")
    assert visit.foreign_requests() == []


def test_the_diagnosis_shows_coverage_and_what_would_change_it(visit: Visit) -> None:
    page = visit.open("/diagnose?profile=crisis-mature-bank")
    expect(page.locator("#result-scenario")).to_have_text("Crisis")
    expected = diagnose(load_profile(PROFILES["crisis-mature-bank"]), explain=True)
    expect(page.locator("#result-coverage")).to_have_text(f"{expected.coverage:.2f}")
    expect(page.locator("#counterfactuals > li")).to_have_count(len(expected.counterfactuals))
    decline = page.locator("#counterfactuals > li", has_text="Decline, if:")
    expect(decline).to_contain_text("executive_support")
    decline.get_by_role("button", name="Apply and diagnose again").click()
    expect(page.locator("#result-scenario")).to_have_text("Decline")


def test_a_thin_profile_says_it_rests_on_little(visit: Visit) -> None:
    page = visit.open("/diagnose")
    page.fill("#profile-text", "pmo: {exists: true, age_months: 30}\n"
                               "indicators: {executive_support: 1.5}\n")
    page.click("#diagnose-button")
    expect(page.locator("#result-thin")).to_contain_text("This answer rests on little")


def test_advice_lists_services_competencies_focus_and_warnings(visit: Visit) -> None:
    page = visit.open("/diagnose?profile=crisis-retailer")
    expect(page.locator("#result-scenario")).to_have_text("Crisis")
    page.click("#advise-button")
    services = page.locator("#advice-services tr")
    expect(services).to_have_count(11)  # a header and the ten most needed
    expect(services.nth(1)).to_contain_text("1")
    expect(page.locator("#advice-focus li")).to_have_count(3)
    expect(page.locator("#advice-competencies li").first).to_be_visible()
    plan = page.locator("#advice-plan li")  # Crisis: two structural items, then three waves
    expect(plan).to_have_count(5)
    expect(plan.first).to_contain_text("now: Reengage the PMO's customers")
    expect(page.locator("#advice-capacity")).to_contain_text("At most 3 service changes")


def test_a_pasted_yaml_profile_is_diagnosed_after_an_edit(visit: Visit) -> None:
    page = visit.open("/diagnose")
    page.fill("#profile-text", (PROFILES["thriving-energy"]).read_text())
    page.click("#diagnose-button")
    expect(page.locator("#result-scenario")).to_have_text("Thriving")


def test_a_bad_profile_shows_the_field_and_what_is_allowed(visit: Visit) -> None:
    page = visit.open("/diagnose")
    page.fill("#profile-text", "pmo: {exists: true}\nindicators: {influence: 6}\n")
    page.click("#diagnose-button")
    problem = page.locator("#problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("indicators.influence")
    expect(problem).to_contain_text("must be between 1.0 and 5.0, got 6.0")
    expect(page.locator("#result")).to_be_hidden()


def test_comparing_two_strategies_shows_a_table_and_a_chart_per_strategy(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.select_option("#preset", "crisis-retailer")
    page.check("#strategies input[value=customer_centric]")  # with the first, checked already
    page.fill("input[name=runs]", "20")
    page.fill("input[name=months]", "24")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("20 runs of 24 months")
    header = page.locator("#summary tr").first
    expect(header).to_contain_text("crisis_turnaround")
    expect(header).to_contain_text("customer_centric")
    expect(page.locator("#chart svg .series polyline")).to_have_count(2)
    page.select_option("#chart-choice", "indicator:executive_support")
    expect(page.locator("#chart svg .series .band")).to_have_count(2)
    assert visit.foreign_requests() == []


def test_a_simulation_over_budget_says_which_field_and_why(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.wait_for_selector("#strategies input")
    page.fill("input[name=runs]", "5000")
    page.click("#run-button")
    expect(page.locator("#problem")).to_contain_text("runs")
    expect(page.locator("#problem")).to_contain_text("above the limit of")


def test_a_story_is_told_month_by_month_with_the_rules_behind_each_change(visit: Visit) -> None:
    page = visit.open("/stories")
    page.get_by_role("link", name="From Thriving to Resurgence").click()
    expect(page.locator("#story-title")).to_have_text("From Thriving to Resurgence")
    expect(page.locator("#story-path span").first).to_have_text("thriving")
    expect(page.locator("#story-path")).to_contain_text("resurgence")
    expect(page.locator("#timeline > li.change").first).to_contain_text("thriving")
    expect(page.locator("#timeline")).to_contain_text("crisis_when_support_wanes")
    expect(page.locator("#story-chart svg.strip rect.scenario-collapse").first).to_be_attached()
    assert visit.foreign_requests() == []


def test_the_api_docs_render_offline_from_the_package(visit: Visit) -> None:
    page = visit.open("/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/diagnoses")
    assert visit.foreign_requests() == []


def test_with_api_keys_the_page_asks_for_a_key_and_then_works(browser: BrowserContext) -> None:
    with ServerProcess("--workers", "1", "--threads", "2",
                       env={"PMO_ADVISOR_API_KEYS": "page-key"}) as guarded:
        visit = Visit(browser, guarded.url)
        page = visit.open("/diagnose")
        key_form = page.locator("#api-key")
        expect(key_form).to_be_visible()
        page.fill("#api-key input[name=key]", "page-key")
        page.click("#api-key button")
        expect(key_form).to_be_hidden()
        page.select_option("#profile-select", "thriving-energy")
        expect(page.locator("#result-scenario")).to_have_text("Thriving")
        page.close()
        assert visit.errors == []
