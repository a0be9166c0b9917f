"""The pages, driven in a real browser (Debian's chromium, through playwright) against the real
server: what a strategist or a trainer sees and does.

No browser, no pass: without chromium these tests fail with a message saying how to install
it (``.ci/run`` installs it), they are never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import BrowserContext, Page, expect

import scenarios
from advisor.assessment import load_profile
from api.http.server_process import ServerProcess
from api.schemas.answers import to_json
from rules.advice import recommend
from rules.diagnosis import diagnose
from simulation import compare, run_story

PROFILES = scenarios.documents("profiles")

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess("--workers", "1", "--threads", "4") as running:
        yield running




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
    page.fill("input[name=runs]", "5000")
    page.click("#run-button")
    expect(page.locator("#problem")).to_contain_text("runs")
    expect(page.locator("#problem")).to_contain_text("above the limit of")
    beside = page.locator("input[name=runs] + .field-error")  # the message beside its field
    expect(beside).to_contain_text("above the limit of")
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
    visit.open("/stories/crisis-to-resurgence/present#month-27")
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
    page.fill("input[name=runs]", "5000")  # over the cost limit: refused by the API
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
    ("present-month", "/stories/crisis-to-resurgence/present#month-27", ROOM, _presented("month")),
    ("present-closing", "/stories/crisis-to-resurgence/present#closing", ROOM,
     _presented("closing")),
    ("assess", "/assess", DESK,
     lambda page: expect(page.locator("#rater-role option").first).to_be_attached()),
    ("organizations", "/organizations", DESK, lambda page: None),
    ("docs", "/docs", DESK, _swagger),
    ("docs-try-it-out", "/docs", DESK, _swagger_tried),
]


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    # Evaluated through the browser's debugging protocol, not as a <script> tag: the pages'
    # Content-Security-Policy allows scripts from the service only, and the test keeps it on.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("name", "path", "viewport", "reach"), MODES,
                         ids=[mode[0] for mode in MODES])
def test_every_page_and_mode_passes_axe_core_and_is_photographed(
        visit: Visit, name: str, path: str, viewport: dict[str, int],
        reach: Callable[[Page], None]) -> None:
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
