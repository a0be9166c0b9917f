"""One PMO through every page, in a real browser (Debian's chromium) against the real server with
its database and jobs: fill the questionnaire, close the cycle, read the diagnosis and the plan,
simulate this PMO's plan against an alternative (as a job, with its progress) and keep the run in
its history. Each step is reached by the link the previous one shows, carrying the same PMO.
Also: a bad answer shown beside its question, and axe-core on the pages of stored data.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from advisor.assessment import parse_profile
from advisor.catalog import load_catalog
from api.http.server_process import ServerProcess
from api.schemas.answers import to_json
from api.store import Store
from api.store.sheets import load_example
from rules.advice import recommend
from rules.diagnosis import diagnose
from simulation import compare

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
DESK = {"width": 1366, "height": 900}
EXAMPLE = 1  # the shipped example organization (Northwind Freight): three closed cycles
SLOW_MS = 60_000  # closing a cycle, starting a job's runner: seconds when the machine is busy


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("flow")
    url = f"sqlite:///{folder / 'memory.sqlite3'}"
    store = Store(url)
    load_example(store)
    store.close()
    with ServerProcess("--workers", "1", "--threads", "4",
                       env={"PMO_ADVISOR_DATABASE_URL": url,
                            "PMO_ADVISOR_JOBS_DATABASE": str(folder / "jobs.sqlite3")}) as running:
        yield running


class Tab:
    """A page on the server that records every request and every script error."""

    def __init__(self, browser: BrowserContext, base: str) -> None:
        self.base = base
        self.page = browser.new_page()
        self.page.set_viewport_size(DESK)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base}/api/v1{path}", timeout=30) as answer:
            return json.load(answer)


@pytest.fixture()
def tab(browser: BrowserContext, server: ServerProcess) -> Iterator[Tab]:
    current = Tab(browser, server.url)
    yield current
    current.page.close()
    assert current.errors == []
    assert [url for url in current.requests if not url.startswith(current.base)] == []


def _section(page: Page, legend: str) -> Locator:
    """A questionnaire section by its legend."""
    return page.locator("fieldset").filter(
        has=page.locator("legend", has_text=re.compile(f"^{re.escape(legend)}$")))


def _start_as_a_rater(page: Page, organization: str) -> None:
    page.fill("#org-new", organization)
    page.fill("#rater-name", "Dana")
    page.select_option("#rater-role", "pmo_staff")
    page.click("#start-button")


@pytest.mark.slow
def test_one_pmo_from_the_questionnaire_to_its_plan_simulated_and_kept_in_its_history(
        tab: Tab) -> None:
    # 1. assess: answer the PMO facts and every indicator, section by section
    page = tab.open("/assess")
    expect(page.locator("#rater-role option").first).to_be_attached()
    _start_as_a_rater(page, "Flow Works")
    facts = _section(page, "The PMO")
    facts.locator("select[name='fact.pmo_exists']").select_option("true")
    facts.locator("input[name='fact.age_months']").fill("30")
    facts.get_by_role("button", name="Save this section").click()
    expect(facts.locator(".saved")).to_have_text(" saved 2 answer(s)")
    indicators = _section(page, "Indicators")
    scales = indicators.locator("select")
    for i in range(scales.count()):  # a PMO whose support and value are wearing thin
        scales.nth(i).select_option("2" if i % 3 else "3")
    indicators.get_by_role("button", name="Save this section").click()
    expect(indicators.locator(".saved")).to_contain_text("saved")
    # a second rater, one of the PMO's customers: their group and the outcomes they want
    page = tab.open("/assess")
    page.select_option("#org-select", label="Flow Works")
    page.fill("#rater-name", "Sam")
    page.select_option("#rater-role", "customer")
    page.click("#start-button")
    group = _section(page, "Your group (customers only)")
    group.locator("select[name='customer.group']").select_option(index=1)
    group.locator("select[name='customer.maturity']").select_option("2")
    group.locator("input[name='customer.outcomes']").fill("14;5;12")
    group.get_by_role("button", name="Save this section").click()
    expect(group.locator(".saved")).to_have_text(" saved 3 answer(s)")

    # 2. the cycle: its combined profile, closed (diagnosed and planned, kept in the history)
    page.get_by_role("link", name="See the combined profile of this cycle").click()
    expect(page.locator("#indicators tr").first).to_be_visible()
    page.get_by_role("button", name="Close the cycle (diagnose and plan)").click()
    # closing diagnoses and plans: slow on a loaded machine, so a longer wait than the default
    expect(page.locator("#cycle-meta")).to_contain_text("closed", timeout=SLOW_MS)
    org = next(o["id"] for o in tab.api("/organizations?limit=100")["items"]
               if o["name"] == "Flow Works")
    cycle = tab.api(f"/organizations/{org}/assessments/1")
    profile = parse_profile(cycle["profile"])
    expected = diagnose(profile, explain=True)
    assert cycle["scenario"] == expected.scenario
    name = load_catalog().scenario(expected.scenario).name

    # 3. the diagnosis of this PMO, with its coverage and what would change it
    page.get_by_role("link", name="Diagnosis and plan of this PMO").click()
    expect(page.locator("#profile-description")).to_have_text(
        "Flow Works: assessment cycle 1, closed.")
    expect(page.locator("#result-scenario")).to_have_text(name)
    expect(page.locator("#result-coverage")).to_have_text(f"{expected.coverage:.2f}")
    expect(page.locator("#counterfactuals > li")).to_have_count(
        max(1, len(expected.counterfactuals)))

    # 4. the plan: waves with reasons, approaches per customer, competencies, flywheel focus
    page.keyboard.press("Tab")  # keyboard: focus the advise button and press it
    page.locator("#advise-button").focus()
    page.keyboard.press("Enter")
    advice = to_json(recommend(profile))
    plan = advice["plan"]
    expect(page.locator("#advice-plan > li")).to_have_count(
        len(plan["structure"]) + len(plan["waves"]))
    first = next(w for w in plan["waves"] if w["changes"])["changes"][0]
    expect(page.locator("#advice-plan")).to_contain_text(first["reason"])
    expect(page.locator("#advice-approaches tr").nth(1)).to_be_visible()
    expect(page.locator("#flywheel-ring .node.focus")).to_have_count(
        min(3, len(advice["flywheel_focus"])))

    # 5. simulate this PMO's plan against doing the minimum: a job, its progress shown
    page.get_by_role("link", name="Simulate this plan against doing the minimum").click()
    expect(page.locator("input[name=source][value=saved]")).to_be_checked()
    expect(page.locator("#saved")).to_have_value(f"{org}/1")
    expect(page.locator("#strategies input[value=plan]")).to_be_checked()
    expect(page.locator("#strategies input[value=minimal]")).to_be_checked()
    page.fill("input[name=runs]", "20")
    page.fill("input[name=months]", "24")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("20 runs of 24 months, seed 0",
                                                          timeout=SLOW_MS)  # a job's runner
    expect(page.locator("#run-progress")).to_have_js_property("value", 1)
    assert any("/api/v1/jobs/" in url for url in tab.requests)  # polled while it ran
    header = page.locator("#summary tr").first
    expect(header).to_contain_text("The PMO's plan")
    expect(header).to_contain_text("Minimal")
    ran = compare(cycle["profile"], ["plan", "minimal"], runs=20, months=24, seed=0,
                  workers=1).to_dict()["table"]
    thriving = page.locator("#summary tr", has_text="chance of Thriving at the end")
    for row, cell in zip(ran, thriving.locator("td.num").all(), strict=True):
        expect(cell).to_contain_text(f"{int(row['p_thriving_at_horizon'] * 100 + 0.5)}% (")

    # 6. keep the run in the PMO's history, and find it on the cycle's page
    page.click("#save-run")
    expect(page.locator("#save-status")).to_contain_text("Kept in the history with 2 run(s)")
    page.locator("#save-status").get_by_role("link", name="cycle 1").click()
    runs = page.locator("#runs tr")
    expect(runs).to_have_count(3)
    for strategy in ("plan", "minimal"):  # each strategy's run, with its months and runs
        expect(runs.filter(has=page.get_by_role("cell", name=strategy, exact=True))
               ).to_contain_text("2420")
    page.get_by_role("link", name="history", exact=True).click()
    expect(page.locator("#scenario-path")).to_have_text(f"Scenario path: {expected.scenario}")


def test_a_bad_answer_is_shown_beside_its_question(tab: Tab) -> None:
    page = tab.open("/assess")
    expect(page.locator("#rater-role option").first).to_be_attached()
    _start_as_a_rater(page, "Typo Ltd")
    facts = _section(page, "The PMO")
    age = facts.locator("input[name='fact.age_months']")
    age.fill("5000")
    facts.get_by_role("button", name="Save this section").click()
    beside = page.locator("input[name='fact.age_months'] + .field-error")
    expect(beside).to_contain_text("must be a number from 0 to 1200")
    expect(age).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem")).to_contain_text("answers.fact.age_months")
    age.fill("40")
    facts.get_by_role("button", name="Save this section").click()
    expect(facts.locator(".saved")).to_have_text(" saved 1 answer(s)")
    expect(beside).to_have_count(0)  # gone once the value is right


def _saved_run(page: Page) -> None:
    """The example's last cycle against its own plan and doing the minimum, run as a job."""
    expect(page.locator("#saved option").first).to_be_attached()
    page.check("input[name=source][value=saved]")
    page.select_option("#saved", f"{EXAMPLE}/3")
    page.uncheck("#strategies input[value=crisis_turnaround]")  # checked first by default
    page.check("#strategies input[value=plan]")
    page.check("#strategies input[value=minimal]")
    page.fill("input[name=runs]", "10")
    page.fill("input[name=months]", "12")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("10 runs of 12 months", timeout=SLOW_MS)


@pytest.mark.slow
def test_a_saved_assessment_is_simulated_by_its_ids_and_the_link_reproduces_it(tab: Tab) -> None:
    page = tab.open("/simulate")
    _saved_run(page)
    expect(page.locator("#run-state")).to_contain_text("done, 100%")
    link = page.locator("#share-link").get_attribute("href") or ""
    assert f"organization={EXAMPLE}&cycle=3" in link
    page = tab.open(link)  # the link: the same saved PMO, the same run
    expect(page.locator("#result-title")).to_contain_text("10 runs of 12 months", timeout=SLOW_MS)
    expect(page.locator("input[name=source][value=saved]")).to_be_checked()
    expect(page.locator("#saved")).to_have_value(f"{EXAMPLE}/3")
    expect(page.locator("#save-box")).to_be_visible()


def test_a_run_with_scheduled_shocks_is_not_offered_to_the_history(tab: Tab) -> None:
    page = tab.open(f"/simulate?organization={EXAMPLE}&cycle=3&strategy=minimal&runs=5"
                    "&months=12&shocks=budget_cut@4&run=1")
    expect(page.locator("#result-title")).to_contain_text("5 runs of 12 months", timeout=SLOW_MS)
    expect(page.locator("#save-run")).to_be_disabled()
    expect(page.locator("#save-status")).to_contain_text("no scheduled shock")


def _cycle(page: Page) -> None:
    expect(page.locator("#cycle-meta")).to_contain_text("scenario: resurgence")
    expect(page.locator("#next-steps a").first).to_be_visible()


def _history(page: Page) -> None:
    expect(page.locator("#trend-chart svg polyline").first).to_be_attached()
    expect(page.locator("#cycles tr").nth(3)).to_be_attached()


def _diagnosed(page: Page) -> None:
    expect(page.locator("#result-scenario")).to_have_text("Resurgence")


def _saved_source(page: Page) -> None:
    expect(page.locator("#saved")).to_have_value(f"{EXAMPLE}/3")


#: the pages of stored data: (name, path, how to reach the mode)
STORED: list[tuple[str, str, Callable[[Page], None]]] = [
    ("cycle", f"/organizations/{EXAMPLE}/assessments/3", _cycle),
    ("history", f"/organizations/{EXAMPLE}/history", _history),
    ("diagnose-cycle", f"/diagnose?organization={EXAMPLE}&cycle=3", _diagnosed),
    ("simulate-saved", f"/simulate?organization={EXAMPLE}&cycle=3&strategy=plan", _saved_source),
    ("simulate-saved-result", "/simulate", _saved_run),
]


@pytest.mark.parametrize(("name", "path", "reach"), STORED, ids=[mode[0] for mode in STORED])
def test_the_pages_of_stored_data_pass_axe_core_and_are_photographed(
        tab: Tab, name: str, path: str, reach: Callable[[Page], None],
        axe_violations: Callable[[Page], list[str]]) -> None:
    page = tab.open(path)
    reach(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert axe_violations(page) == []
