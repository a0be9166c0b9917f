"""The pages, driven in a real browser (Debian's chromium, through playwright) against the real
server: what a strategist or a trainer sees and does. A second server, with a database holding the
shipped example organization and with jobs, takes one PMO through every page: fill the
questionnaire, close the cycle, read the diagnosis and the plan, simulate this PMO's plan against
an alternative (as a job, with its progress) and keep the run in its history, each step reached
by the link the previous one shows.

No browser, no pass: without chromium these tests fail with a message saying how to install
it (``.ci/run`` installs it), they are never skipped.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

import scenarios
from advisor.assessment import load_profile, parse_profile
from advisor.catalog import load_catalog
from api.http.server_process import ServerProcess
from api.schemas.answers import to_json
from api.store import Store
from api.store.sheets import load_example
from rules.advice import recommend
from rules.diagnosis import diagnose
from simulation import compare, run_story

PROFILES = scenarios.documents("profiles")

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
EXAMPLE = 1  # the shipped example organization (Northwind Freight): three closed cycles
SLOW_MS = 60_000  # closing a cycle, starting a job's runner: seconds when the machine is busy


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess("--workers", "1", "--threads", "4") as running:
        yield running


def _serving(folder: Path, fill: Callable[[Store], None]) -> Iterator[ServerProcess]:
    """A server on a SQLite database of its own, filled by ``fill`` first; its jobs (on by
    default) run there too."""
    url = f"sqlite:///{folder / 'memory.sqlite3'}"
    store = Store(url)
    fill(store)
    store.close()
    with ServerProcess("--workers", "1", "--threads", "4",
                       env={"PMO_ADVISOR_DATABASE_URL": url}) as running:
        yield running


@pytest.fixture(scope="module")
def stored_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a database holding the shipped example organization, and jobs."""
    yield from _serving(tmp_path_factory.mktemp("pages"), load_example)


#: the crowded database's size: organizations, each with this many PMOs (one closed cycle each)
CROWD, PMOS_EACH = 10, 3


def _crowd(store: Store) -> None:
    """CROWD organizations of PMOS_EACH PMOs, each PMO with one closed cycle: the first built
    through the store, the others copies of it (ids moved on) loaded at once, so the fixture
    pays for PMOS_EACH closings, not CROWD x PMOS_EACH."""
    first = store.create_organization("Crowd 00")
    for n in range(PMOS_EACH):
        pmo = store.create_pmo(first.id, f"Unit {n}").id if n else None
        cycle = store.create_cycle(first.id, pmo=pmo)
        store.answer(first.id, cycle.number, "Ann", {"fact.pmo_exists": True,
                                                     "executive_support.funding": 2},
                     role="pmo_staff")
        store.close_cycle(first.id, cycle.number)
    document = store.dump()
    original = document["organizations"][0]
    copies = [original]
    for k in range(1, CROWD):
        def moved(row: dict[str, Any], step: int = k * 1000) -> dict[str, Any]:
            return {**row, "id": row["id"] + step}
        copies.append({**moved(original), "name": f"Crowd {k:02d}",
                       "pmos": [moved(p) for p in original["pmos"]],
                       "cycles": [{**moved(c), "pmo_id": c["pmo_id"] + k * 1000,
                                   "raters": [{**moved(r), "answers": [moved(a)
                                                                       for a in r["answers"]]}
                                              for r in c["raters"]],
                                   "simulation_runs": []} for c in original["cycles"]]})
    store.wipe()
    store.load({**document, "organizations": copies})


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose database holds CROWD x PMOS_EACH PMOs with a closed cycle each."""
    yield from _serving(tmp_path_factory.mktemp("crowd"), _crowd)


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

    def api(self, path: str) -> Any:
        """The JSON API's answer, as any client gets it."""
        with urllib.request.urlopen(f"{self.base}/api/v1{path}", timeout=30) as answer:
            return json.load(answer)


def _visiting(browser: BrowserContext, server: ServerProcess) -> Iterator[Visit]:
    current = Visit(browser, server.url)
    yield current
    current.page.close()
    assert current.errors == []


@pytest.fixture()
def visit(browser: BrowserContext, server: ServerProcess) -> Iterator[Visit]:
    yield from _visiting(browser, server)


@pytest.fixture()
def stored(browser: BrowserContext, stored_server: ServerProcess) -> Iterator[Visit]:
    """A visit to the server with a database and jobs."""
    yield from _visiting(browser, stored_server)


@pytest.fixture()
def crowded(browser: BrowserContext, crowded_server: ServerProcess) -> Iterator[Visit]:
    """A visit to the server with CROWD x PMOS_EACH assessed PMOs."""
    yield from _visiting(browser, crowded_server)


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
    advice = to_json(recommend(load_profile(PROFILES["crisis-retailer"])))
    first = advice["flywheel_focus"][0]["name"]
    expect(page.locator("#flywheel-ring .node")).to_have_count(10)  # the flywheel's ten steps
    expect(page.locator("#flywheel-ring .node.focus")).to_have_count(3)
    expect(page.locator("#flywheel-ring .node.focus").first).to_contain_text(first.split()[0])
    heat = page.locator("#competency-heatmap tr", has_text="Relationship building")
    expect(heat.locator("td.heat-4")).to_have_count(4)  # critical: the hottest colour
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
    expect(page.locator("#profile-text + .field-error")).to_contain_text("indicators.influence")


def test_comparing_two_strategies_shows_a_table_and_a_chart_per_strategy(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.select_option("#preset", "crisis-retailer")
    page.check("#strategies input[value=customer_centric]")  # with the first, checked already
    page.fill("input[name=runs]", "20")
    page.fill("input[name=months]", "24")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("20 runs of 24 months")
    header = page.locator("#summary tr").first
    expect(header).to_contain_text("Crisis turnaround")  # strategies by name, not id
    expect(header).to_contain_text("Customer-centric")
    expect(page.locator("#chart svg .series polyline")).to_have_count(2)
    page.select_option("#chart-choice", "indicator:executive_support")
    expect(page.locator("#chart svg .series .band")).to_have_count(2)
    assert visit.foreign_requests() == []


def test_a_simulation_over_budget_says_which_field_and_why(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.wait_for_selector("#strategies input")
    page.fill("input[name=runs]", "20000")  # past even a job's 10,000
    page.click("#run-button")
    expect(page.locator("#problem")).to_contain_text("runs: must be between 1 and 10000")
    beside = page.locator("input[name=runs] + .field-error")  # the message beside its field
    expect(beside).to_contain_text("must be between 1 and 10000, got 20000")
    expect(page.locator("input[name=runs]")).to_have_attribute("aria-invalid", "true")
    page.fill("input[name=runs]", "10")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("10 runs")
    expect(beside).to_have_count(0)  # gone once the value is right


def test_a_story_is_told_month_by_month_with_the_rules_behind_each_change(visit: Visit) -> None:
    page = visit.open("/stories")
    page.get_by_role("link", name=re.compile("^From Thriving to Resurgence")).click()
    expect(page.locator("#story-title")).to_have_text("From Thriving to Resurgence")
    expect(page.locator("#story-path span").first).to_have_text("thriving")
    expect(page.locator("#story-path")).to_contain_text("resurgence")
    expect(page.locator("#timeline > li.change").first).to_contain_text("thriving")
    expect(page.locator("#timeline")).to_contain_text("crisis_when_support_wanes")
    expect(page.locator("#story-chart svg.strip rect.scenario-collapse").first).to_be_attached()
    expect(page.locator("#story-chart svg .marker-shock")).to_have_count(2)  # events on the chart
    expect(page.locator("#takeaways li").first).to_contain_text("turning point")
    expect(page.locator("#present-link")).to_have_attribute(
        "href", "/stories/crisis-to-resurgence/present")
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


def test_presenting_a_story_to_its_end_with_the_keyboard_passes_resurgence_on_the_ring(
        visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    visit.open("/stories/crisis-to-resurgence/present")
    expect(page.locator("#slide-title")).to_be_visible()
    expect(page.locator("#deck-title")).to_have_text("From Thriving to Resurgence")
    body_px = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    assert body_px >= 28  # readable from the back of a room
    seen: list[str] = []
    for _ in range(40):  # the story has about fifteen moments: bounded, never an endless loop
        page.keyboard.press("ArrowRight")
        if page.locator("#slide-closing").is_visible():
            break
        seen.append(page.locator("#ring .node.current").text_content() or "")
        # one screen at 1920x1080: nothing to scroll on a projector
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    expect(page.locator("#slide-closing")).to_be_visible()
    assert "Resurgence" in seen and seen[-1] in ("Growing", "Thriving")  # the reborn PMO grows
    assert seen.index("Crisis") < seen.index("Decline") < seen.index("Collapse") \
        < seen.index("Resurgence") < seen.index("Growing")
    expect(page.locator("#takeaways li").first).to_contain_text("turning point")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#month-label")).to_have_text("Month 96 of 96")


def test_a_presented_transition_says_why_in_words_and_shows_rule_ids_on_demand(
        visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    visit.open("/stories/crisis-to-resurgence/present#month-24")
    expect(page.locator("#moment .transition")).to_have_text("Crisis → Decline")
    expect(page.locator("#moment .why li").first).to_contain_text("Executive support")
    rule_id = page.locator("#moment .rule-id").first
    expect(rule_id).to_be_hidden()
    page.keyboard.press("r")
    expect(rule_id).to_have_text("decline_when_support_lost")
    expect(rule_id).to_be_visible()
    slider = page.locator("#month-slider")
    slider.fill("4")
    expect(page.locator("#moment .event-shock")).to_contain_text("COO who founded the EPMO")
    expect(page.locator("#momentum-chart svg .marker")).to_have_count(5)
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#month-label")).not_to_have_text("Month 4 of 96")  # it moves on
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


# --- looks and access: every page and mode, checked by axe-core and photographed ----------------

DESK = {"width": 1366, "height": 900}
ROOM = {"width": 1920, "height": 1080}


def _diagnosed(page: Page) -> None:
    expect(page.locator("#result-scenario")).to_have_text("Crisis")


def _advised(page: Page) -> None:
    _diagnosed(page)
    page.click("#advise-button")
    expect(page.locator("#advice-services tr").first).to_be_visible()


def _refused(page: Page) -> None:
    page.fill("#profile-text", "pmo: {exists: true}\nindicators: {influence: 6}\n")
    page.click("#diagnose-button")
    expect(page.locator("#problem")).to_be_visible()


def _simulate_ready(page: Page) -> None:
    expect(page.locator("#strategies input").first).to_be_attached()


def _simulated(page: Page) -> None:
    _simulate_ready(page)
    page.select_option("#preset", "crisis-retailer")
    page.check("#strategies input[value=customer_centric]")
    page.fill("input[name=runs]", "10")
    page.fill("input[name=months]", "24")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("10 runs")


def _simulation_refused(page: Page) -> None:
    _simulate_ready(page)
    page.fill("input[name=runs]", "20000")  # past a job's 10,000 runs: refused by the API
    page.click("#run-button")
    expect(page.locator(".field-error").first).to_be_visible()


def _listed(page: Page) -> None:
    expect(page.locator("#story-list li").first).to_be_visible()


def _told(page: Page) -> None:
    expect(page.locator("#timeline li").first).to_be_visible()


def _presented(slide: str) -> Callable[[Page], None]:
    def ready(page: Page) -> None:
        expect(page.locator(f"#slide-{slide}")).to_be_visible()
    return ready


def _swagger(page: Page) -> None:
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()


def _swagger_tried(page: Page) -> None:
    _swagger(page)
    operation = page.locator("#operations-diagnoses-create_diagnosis")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tr.response").first).to_be_visible()


def _section(page: Page, legend: str) -> Locator:
    """A questionnaire section by its legend."""
    return page.locator("fieldset").filter(
        has=page.locator("legend", has_text=re.compile(f"^{re.escape(legend)}$")))


def _start_as_a_rater(page: Page, organization: str) -> None:
    page.fill("#org-new", organization)
    page.fill("#rater-name", "Dana")
    page.select_option("#rater-role", "pmo_staff")
    page.click("#start-button")


def _answer_refused(page: Page) -> None:
    expect(page.locator("#rater-role option").first).to_be_attached()
    _start_as_a_rater(page, "Axe Ltd")
    _section(page, "The PMO").locator("input[name='fact.age_months']").fill("5000")
    _section(page, "The PMO").get_by_role("button", name="Save this section").click()
    expect(page.locator("input[name='fact.age_months'] + .field-error")).to_be_visible()


def _saved_run(page: Page) -> None:
    """The example's last cycle against its own plan and doing the minimum (short: no job)."""
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


def _cycle(page: Page) -> None:
    expect(page.locator("#cycle-meta")).to_contain_text("scenario: resurgence")
    expect(page.locator("#next-steps a").first).to_be_visible()


def _history(page: Page) -> None:
    expect(page.locator("#trend-chart svg polyline").first).to_be_attached()
    expect(page.locator("#cycles tr").nth(3)).to_be_attached()


def _cycle_diagnosed(page: Page) -> None:
    expect(page.locator("#result-scenario")).to_have_text("Resurgence")


def _saved_source(page: Page) -> None:
    expect(page.locator("#saved")).to_have_value(f"{EXAMPLE}/3")


#: (name, path, viewport, how to reach the mode): one screenshot and one axe-core check each
MODES: list[tuple[str, str, dict[str, int], Callable[[Page], None]]] = [
    ("home", "/", DESK, lambda page: None),
    ("diagnose", "/diagnose", DESK, lambda page: None),
    ("diagnose-result", "/diagnose?profile=crisis-retailer", DESK, _diagnosed),
    ("diagnose-advice", "/diagnose?profile=crisis-retailer", DESK, _advised),
    ("diagnose-error", "/diagnose", DESK, _refused),
    ("simulate", "/simulate", DESK, _simulate_ready),
    ("simulate-result", "/simulate", DESK, _simulated),
    ("simulate-error", "/simulate", DESK, _simulation_refused),
    ("stories", "/stories", DESK, _listed),
    ("story", "/stories/crisis-to-resurgence", DESK, _told),
    ("present-title", "/stories/crisis-to-resurgence/present", ROOM, _presented("title")),
    ("present-month", "/stories/crisis-to-resurgence/present#month-24", ROOM, _presented("month")),
    ("present-closing", "/stories/crisis-to-resurgence/present#closing", ROOM,
     _presented("closing")),
    ("assess", "/assess", DESK,
     lambda page: expect(page.locator("#rater-role option").first).to_be_attached()),
    ("organizations", "/organizations", DESK, lambda page: None),
    ("docs", "/docs", DESK, _swagger),
    ("docs-try-it-out", "/docs", DESK, _swagger_tried),
    # the pages of stored data, on the server with a database and jobs
    ("assess-error", "/assess", DESK, _answer_refused),
    ("cycle", f"/organizations/{EXAMPLE}/assessments/3", DESK, _cycle),
    ("history", f"/organizations/{EXAMPLE}/history", DESK, _history),
    ("diagnose-cycle", f"/diagnose?organization={EXAMPLE}&cycle=3", DESK, _cycle_diagnosed),
    ("simulate-saved", f"/simulate?organization={EXAMPLE}&cycle=3&strategy=plan", DESK,
     _saved_source),
    ("simulate-saved-result", "/simulate", DESK, _saved_run),
]
#: the modes that need the server with a database and jobs
STORED = {"assess-error", "cycle", "history", "diagnose-cycle", "simulate-saved",
          "simulate-saved-result"}


@pytest.mark.parametrize(("name", "path", "viewport", "reach"), MODES,
                         ids=[mode[0] for mode in MODES])
def test_every_page_and_mode_passes_axe_core_and_is_photographed(
        request: pytest.FixtureRequest, name: str, path: str, viewport: dict[str, int],
        reach: Callable[[Page], None], axe_violations: Callable[[Page], list[str]]) -> None:
    visit: Visit = request.getfixturevalue("stored" if name in STORED else "visit")
    visit.page.set_viewport_size(viewport)
    page = visit.open(path)
    reach(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=viewport is DESK)
    assert axe_violations(page) == []
    assert visit.foreign_requests() == []  # offline: no CDN, nothing from elsewhere


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95% score interval for a share p of n runs (what the simulate page shows)."""
    centre, spread = p + z * z / (2 * n), z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    scale = 1 + z * z / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def pct(x: float) -> str:
    return f"{int(x * 100 + 0.5)}%"  # JavaScript's Math.round, not Python's banker's rounding


def test_a_simulation_link_reproduces_the_run_with_percentages_a_verdict_and_shocks(
        visit: Visit) -> None:
    path = ("/simulate?preset=crisis-retailer&strategy=crisis_turnaround&strategy=minimal"
            "&months=24&runs=20&seed=3&random_shocks=0&shocks=sponsor_change@6&run=1")
    page = visit.open(path)
    expect(page.locator("#result-title")).to_have_text(
        "crisis-retailer: 20 runs of 24 months, seed 3")
    expected = compare("crisis-retailer", ["crisis_turnaround", "minimal"], runs=20, months=24,
                       seed=3, random_shocks=False, shocks=["sponsor_change@6"], workers=1)
    crisis = to_json(expected)["table"][0]["p_crisis_ever"]
    row = page.locator("#summary tr", has_text="chance of a Crisis at some point")
    low, high = wilson(crisis, 20)
    expect(row).to_contain_text(f"{pct(crisis)} ({pct(low)}–{pct(high)})")  # and its interval
    said = to_json(expected).get("verdict")  # the model's own verdict, when it gives one
    expect(page.locator("#verdict")).to_have_text(" ".join(said) if said else re.compile(
        r"^(Crisis turnaround|Minimal .*) gives the (best|least) chance of .* 24 months: \d+% \("))
    expect(page.locator("#chart svg .marker-shock")).to_have_count(1)
    expect(page.locator("#shock-timeline svg .marker-shock")).to_have_count(1)
    link = page.locator("#share-link").get_attribute("href") or ""
    assert unquote(link) == path  # the same run, again


def test_a_pasted_profile_with_a_shock_added_on_the_timeline_is_simulated(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.wait_for_selector("#shock-kind option", state="attached")
    page.check("input[name=source][value=profile]")
    page.fill("#profile-text", PROFILES["thriving-energy"].read_text())
    page.select_option("#shock-kind", "budget_cut")
    page.fill("#shock-month", "4")
    page.click("#add-shock")
    expect(page.locator("#shocks")).to_have_value("budget_cut@4")
    expect(page.locator("#shock-list li")).to_contain_text("Budget cut, month 4")
    page.fill("input[name=runs]", "10")
    page.fill("input[name=months]", "12")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("10 runs of 12 months")
    assert "#profile=" in page.url and "shocks=budget_cut%404" in page.url


def test_a_bad_value_in_a_pasted_profile_is_named_where_it_was_typed(visit: Visit) -> None:
    page = visit.open("/simulate")
    page.wait_for_selector("#strategies input")
    page.check("input[name=source][value=profile]")
    page.fill("#profile-text", "pmo: {exists: true}\nindicators: {influence: 6}\n")
    page.click("#run-button")
    expect(page.locator("#problem")).to_contain_text("profile.indicators.influence")
    expect(page.locator("#problem")).to_contain_text("must be between 1.0 and 5.0, got 6.0")
    expect(page.locator("#profile-text + .field-error")).to_contain_text(
        "profile.indicators.influence: must be between 1.0 and 5.0")


def test_the_diagnosis_leads_to_a_simulation_of_the_same_pmo(visit: Visit) -> None:
    page = visit.open("/diagnose?profile=crisis-retailer")
    expect(page.locator("#result-scenario")).to_have_text("Crisis")
    page.click("#simulate-link")
    expect(page.locator("#preset")).to_have_value("crisis-retailer")
    edited = "pmo: {exists: true, age_months: 30}\nindicators: {executive_support: 2}\n"
    page = visit.open("/diagnose")
    page.fill("#profile-text", edited)
    page.click("#diagnose-button")
    expect(page.locator("#result")).to_be_visible()
    page.click("#simulate-link")
    expect(page.locator("#profile-text")).to_have_value(edited)  # the same PMO, as typed
    expect(page.locator("input[name=source][value=profile]")).to_be_checked()


def test_each_story_can_be_presented_from_the_list(visit: Visit) -> None:
    page = visit.open("/stories")
    page.get_by_role("link", name="Present full screen: From Thriving to Resurgence").click()
    expect(page).to_have_url(re.compile(r".*/stories/crisis-to-resurgence/present(#title)?$"))
    expect(page.locator("#slide-title")).to_be_visible()


def test_swagger_try_it_out_diagnoses_the_shipped_example(visit: Visit) -> None:
    """As an integrator does on the first try: open POST /diagnoses, Try it out, Execute."""
    page = visit.open("/docs")
    operation = page.locator("#operations-diagnoses-create_diagnosis")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tr.response td.response-col_status").first
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text('"scenario": "crisis"')
    assert visit.foreign_requests() == []


def test_an_uploaded_profile_file_is_diagnosed(visit: Visit) -> None:
    page = visit.open("/diagnose")
    page.set_input_files("#profile-file", str(PROFILES["growing-telecom"]))
    expect(page.locator("#result-scenario")).to_have_text("Growing")
    expect(page.locator("#profile-text")).to_have_value(PROFILES["growing-telecom"].read_text())


def test_a_variant_of_a_story_is_presented_with_its_seed(visit: Visit) -> None:
    page = visit.open("/stories/crisis-to-resurgence")
    expect(page.locator("#timeline li").first).to_be_visible()
    page.fill("#variant input[name=seed]", "5")
    page.click("#variant button")
    expect(page.locator("#present-link")).to_have_attribute(
        "href", "/stories/crisis-to-resurgence/present?seed=5")
    page.click("#present-link")
    expect(page.locator("#slide-title")).to_be_visible()
    page.keyboard.press("End")
    variant = run_story("crisis-to-resurgence", seed=5).path
    expect(page.locator("#closing-path")).to_have_text(
        "The path: " + " → ".join(s.capitalize() for s in variant))


# --- one PMO through every page (the server with a database and jobs) ---------------------------

@pytest.mark.slow
def test_one_pmo_from_the_questionnaire_to_its_plan_simulated_and_kept_in_its_history(
        stored: Visit) -> None:
    # 1. assess, from the home page: answer the PMO facts and every indicator, section by section
    page = stored.open("/")
    page.get_by_role("link", name=re.compile("^Assess your PMO")).click()
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
    page = stored.open("/assess")
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
    org = next(o["id"] for o in stored.api("/organizations?limit=100")["items"]
               if o["name"] == "Flow Works")
    cycle = stored.api(f"/organizations/{org}/assessments/1")
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
    first_ten = {s["id"] for s in advice["services"][:10]}  # the services the page lists
    ways = {(x["customer"], x["approach"]) for x in advice["approaches"]
            if x["service"] in first_ten}  # one row per customer and approach
    assert ways  # the customer rater's group is among the PMO's customers
    expect(page.locator("#advice-approaches tr")).to_have_count(len(ways) + 1)
    expect(page.locator("#flywheel-ring .node.focus")).to_have_count(
        min(3, len(advice["flywheel_focus"])))

    # 5. simulate this PMO's plan against doing the minimum: a job, its progress shown
    page.get_by_role("link", name="Simulate this plan against doing the minimum").click()
    expect(page.locator("input[name=source][value=saved]")).to_be_checked()
    expect(page.locator("#saved")).to_have_value(f"{org}/1")
    expect(page.locator("#strategies input[value=plan]")).to_be_checked()
    expect(page.locator("#strategies input[value=minimal]")).to_be_checked()
    page.fill("input[name=runs]", "30")  # 2,160 run-months: long enough to go as a job
    page.fill("input[name=months]", "36")
    page.click("#run-button")
    expect(page.locator("#result-title")).to_contain_text("30 runs of 36 months, seed 0",
                                                          timeout=SLOW_MS)  # a job's runner
    expect(page.locator("#run-progress")).to_have_js_property("value", 1)
    assert any("/api/v1/jobs/" in url for url in stored.requests)  # polled while it ran
    header = page.locator("#summary tr").first.locator("th")
    expect(header.nth(1)).to_contain_text("Minimal")
    expect(header.nth(2)).to_have_text("The PMO's plan")
    # the page's order: the shipped strategies as listed, then the plan
    ran = to_json(compare(cycle["profile"], ["minimal", "plan"], runs=30, months=36, seed=0,
                          workers=1))["table"]
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
               ).to_contain_text("36300")
    page.get_by_role("link", name="history", exact=True).click()
    expect(page.locator("#scenario-path")).to_have_text(f"Scenario path: {expected.scenario}")
    assert stored.foreign_requests() == []


def test_a_bad_answer_is_shown_beside_its_question(stored: Visit) -> None:
    page = stored.open("/assess")
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


def test_a_saved_assessment_is_simulated_by_its_ids_and_the_link_reproduces_it(
        stored: Visit) -> None:
    page = stored.open("/simulate")
    _saved_run(page)
    expect(page.locator("#run-state")).to_be_hidden()  # a short run: answered directly
    assert not any("/api/v1/jobs" in url for url in stored.requests)
    link = page.locator("#share-link").get_attribute("href") or ""
    assert f"organization={EXAMPLE}&cycle=3" in link
    page = stored.open(link)  # the link: the same saved PMO, the same run
    expect(page.locator("#result-title")).to_contain_text("10 runs of 12 months", timeout=SLOW_MS)
    expect(page.locator("input[name=source][value=saved]")).to_be_checked()
    expect(page.locator("#saved")).to_have_value(f"{EXAMPLE}/3")
    expect(page.locator("#save-box")).to_be_visible()


def test_a_long_run_can_be_cancelled_while_it_runs_as_a_job(stored: Visit) -> None:
    page = stored.open("/simulate?preset=crisis-retailer&strategy=minimal&runs=300&months=36")
    expect(page.locator("#strategies input[value=minimal]")).to_be_checked()
    page.click("#run-button")
    page.get_by_role("button", name="Cancel the run").click()
    expect(page.locator("#problem")).to_contain_text("The run was cancelled", timeout=SLOW_MS)
    expect(page.locator("#run-status")).to_contain_text("cancelled")
    expect(page.locator("#result")).to_be_hidden()
    expect(page.locator("#run-button")).to_be_enabled()


def test_a_link_to_a_cycle_not_closed_says_so(stored: Visit) -> None:
    page = stored.open(f"/simulate?organization={EXAMPLE}&cycle=99&strategy=plan&run=1")
    expect(page.locator("#problem")).to_contain_text(
        f"organization {EXAMPLE} has no closed cycle 99")
    expect(page.locator("#result")).to_be_hidden()


def test_a_run_with_scheduled_shocks_is_not_offered_to_the_history(stored: Visit) -> None:
    page = stored.open(f"/simulate?organization={EXAMPLE}&cycle=3&strategy=minimal&runs=5"
                    "&months=12&shocks=budget_cut@4&run=1")
    expect(page.locator("#result-title")).to_contain_text("5 runs of 12 months", timeout=SLOW_MS)
    expect(page.locator("#save-run")).to_be_disabled()
    expect(page.locator("#save-status")).to_contain_text("no scheduled shock")


def test_the_saved_assessments_of_30_pmos_are_listed_in_a_bounded_number_of_requests(
        crowded: Visit) -> None:
    """The simulate page asks once for every closed cycle (GET /assessments), not once per
    organization and once per PMO: its requests do not grow with the PMOs stored."""
    page = crowded.open("/simulate")
    options = page.locator("#saved option")
    expect(options).to_have_count(CROWD * PMOS_EACH)
    expect(options.first).to_contain_text("Crowd 00 · PMO, cycle 1: ")
    expect(options.last).to_contain_text(
        f"Crowd {CROWD - 1:02d} · Unit {PMOS_EACH - 1}, cycle {PMOS_EACH}: ")
    expect(page.locator("#strategies input").first).to_be_attached()
    api = [url for url in crowded.requests if "/api/v1/" in url]
    assert len(api) <= 4, api  # profiles, strategies, shocks, the closed cycles
    assert not any("/pmos" in url or "/organizations" in url for url in api)
