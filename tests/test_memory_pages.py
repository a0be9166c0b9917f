"""The assessment pages in a real browser (Debian's chromium) against the real server and its
database, on SQLite and on PostgreSQL: the history of the shipped example (and of another PMO),
answering as one rater, a cycle's profile."""

from __future__ import annotations

import itertools
import json
import math
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from api.http.server_process import ServerProcess
from api.store import Store
from api.store.sheets import load_example


@pytest.fixture(scope="module")
def server(module_database_url: str) -> Iterator[ServerProcess]:
    url = module_database_url
    store = Store(url)
    load_example(store)
    store.create_organization("Acme")
    store.create_pmo("Acme", "Field PMO", scope="departmental")  # assessed from its history
    store.create_pmo("Northwind Freight", "Warehouse PMO", scope="departmental")
    store.close()
    with ServerProcess("--workers", "1", "--threads", "4",
                       env={"PMO_ADVISOR_DATABASE_URL": url}) as running:
        yield running




@pytest.fixture
def page(browser: BrowserContext, server: ServerProcess) -> Iterator[Page]:
    opened = browser.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.base = server.url  # type: ignore[attr-defined]
    yield opened
    opened.close()
    assert errors == []


def test_history_page_shows_the_example_turning_from_crisis_to_resurgence(page: Page) -> None:
    page.goto(page.base + "/organizations")  # type: ignore[attr-defined]
    page.get_by_role("row", name="Northwind Freight").get_by_role("link", name="history",
                                                                   exact=True).click()
    expect(page.locator("#scenario-path")).to_have_text(
        "Scenario path: crisis → decline → resurgence")
    expect(page.locator("#history-pmo")).to_contain_text("PMO: Northwind Delivery Office (default)")
    expect(page.locator("#trend-chart svg polyline")).to_have_count(12)
    expect(page.locator("#indicator-table tr")).to_have_count(13)
    page.get_by_role("link", name="cycle 3").click()
    expect(page.locator("#cycle-meta")).to_contain_text("scenario: resurgence")
    expect(page.locator("#indicators tr")).to_have_count(13)
    page.locator("#links").get_by_role("link", name="history").click()  # back to its PMO
    expect(page.locator("#history-pmo")).to_contain_text("PMO: Northwind Delivery Office")


#: Machado, Oliveira and Fernandes (2009): how a colour looks to a protanope, deuteranope and
#: tritanope (severity 1, on linear RGB)
COLOUR_BLINDNESS = {
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
               (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
               (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
               (0.004733, 0.691367, 0.303900)),
}
#: CIE76 distance two line colours keep for every kind of colour blindness (about 2.3 is
#: "just noticeable"; the chart's six colours keep 17, the six it had before fell to 6)
APART = 15.0


def _lab(css: str, seen: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    """A CSS ``rgb(r, g, b)`` colour as CIELAB, as someone sees it through ``seen``."""
    channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear, strict=True))))
               for row in seen)
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, \
        0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


STYLES = """selector => Array.from(document.querySelectorAll(selector)).map(g => {
  const line = getComputedStyle(g.querySelector('.line')), mark = g.querySelector('.mark');
  return [line.stroke, line.strokeDasharray, mark.classList[1], getComputedStyle(mark).fill,
          line.strokeWidth, g.textContent];
})"""


def test_the_history_chart_tells_its_12_indicators_apart_not_by_colour_alone(page: Page) -> None:
    page.goto(page.base + "/organizations/1/history")  # type: ignore[attr-defined]
    expect(page.locator("#trend-legend li")).to_have_count(12)
    lines = page.evaluate(STYLES, "#trend-chart g.series")
    assert len({tuple(line[:4]) for line in lines}) == 12  # colour, dash, mark, fill
    colours: dict[str, list[list[str]]] = {}
    for line in lines:
        colours.setdefault(line[0], []).append(line)
    assert len(colours) == 6
    for first, second in colours.values():  # one colour twice: dash, shape and fill all differ
        assert all(a != b for a, b in zip(first[1:4], second[1:4], strict=True))
    for seen in COLOUR_BLINDNESS.values():
        labs = [_lab(colour, seen) for colour in colours]
        assert min(math.dist(a, b) for a, b in itertools.combinations(labs, 2)) >= APART
    assert all(float(line[4].removesuffix("px")) >= 3 for line in lines)  # a projector's lines
    # the legend: each indicator by name, beside its own line and mark
    legend = page.evaluate(STYLES, "#trend-legend li")
    assert [key[:4] for key in legend] == [line[:4] for line in lines]
    assert [key[5] for key in legend] == [line[5].replace("_", " ") for line in lines]
    assert legend[0][5] == "executive support"


def test_history_page_shows_another_pmo_of_the_organization(page: Page) -> None:
    page.goto(page.base + "/organizations/1/history")  # type: ignore[attr-defined]
    page.locator("#history-pmo").get_by_role("link", name="Warehouse PMO").click()
    expect(page.locator("#history-pmo")).to_contain_text("PMO: Warehouse PMO")
    expect(page.locator("#scenario-path")).to_have_text("No closed cycle yet.")


def test_a_rater_answers_a_section_and_sees_it_in_the_combined_profile(page: Page) -> None:
    base = page.base  # type: ignore[attr-defined]
    page.goto(base + "/assess")
    page.select_option("#org-select", label="Acme")
    page.fill("#rater-name", "Ann")
    page.select_option("#rater-role", "pmo_staff")
    page.click("#start-button")
    indicators = page.locator("fieldset", has_text="Indicators")
    indicators.locator("select[name='executive_support.funding']").select_option("4")
    indicators.locator("select[name='executive_support.public_backing']").select_option("2")
    indicators.get_by_role("button", name="Save this section").click()
    expect(indicators.locator(".saved")).to_have_text(" saved 2 answer(s)")
    page.get_by_role("link", name="See the combined profile of this cycle").click()
    row = page.locator("#indicators tr", has_text="executive support")
    # one rater: her score is the mean of her answers (4 and 2), and she cannot disagree alone
    expect(row).to_contain_text("3.00")
    expect(row).not_to_contain_text("raters disagree")


def _api(page: Page, path: str) -> Any:
    """The JSON API's answer, as any client gets it."""
    base = page.base  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"{base}/api/v1{path}", timeout=30) as answer:
        return json.load(answer)


def test_the_questionnaire_reached_from_a_pmos_history_fills_that_pmos_cycle(page: Page) -> None:
    page.goto(page.base + "/organizations")  # type: ignore[attr-defined]
    page.get_by_role("row", name="Acme").get_by_role("link", name="history", exact=True).click()
    page.locator("#history-pmo").get_by_role("link", name="Field PMO").click()
    expect(page.locator("#history-pmo")).to_contain_text("PMO: Field PMO")
    page.get_by_role("link", name="Answer the questionnaire for this PMO").click()
    acme = next(o["id"] for o in _api(page, "/organizations?limit=100")["items"]
                if o["name"] == "Acme")
    field = next(p for p in _api(page, f"/organizations/{acme}/pmos")["items"]
                 if p["name"] == "Field PMO")
    expect(page.locator("#org-select")).to_have_value(str(acme))
    expect(page.locator("#pmo-select")).to_have_value(str(field["id"]))
    page.fill("#rater-name", "Bo")
    page.select_option("#rater-role", "pmo_staff")
    page.click("#start-button")
    expect(page.locator("#cycle-info")).to_contain_text("of Field PMO")
    facts = page.get_by_role("group", name="The PMO")
    facts.locator("input[name='fact.age_months']").fill("7")
    facts.get_by_role("button", name="Save this section").click()
    expect(facts.locator(".saved")).to_have_text(" saved 1 answer(s)")
    # stored with the Field PMO's cycle; the default PMO has no answer from Bo
    cycles = _api(page, f"/organizations/{acme}/pmos/{field['id']}/assessments")["items"]
    assert [(c["status"], c["rater_count"]) for c in cycles] == [("open", 1)]
    assert all(c["pmo"] == field["id"] for c in cycles)
    default = _api(page, f"/organizations/{acme}/assessments")["items"]
    raters = [r["name"] for c in default
              for r in _api(page, f"/organizations/{acme}/assessments/{c['number']}")["raters"]]
    assert "Bo" not in raters
    # the open cycle's page leads another rater back to the same PMO's questionnaire
    page.get_by_role("link", name="See the combined profile of this cycle").click()
    page.locator("#links").get_by_role("link", name="answer the questionnaire").click()
    expect(page.locator("#pmo-select")).to_have_value(str(field["id"]))


def test_the_printable_report_prints_on_one_page(page: Page) -> None:
    page.goto(page.base + "/api/v1/organizations/1/assessments/3/report")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Resurgence")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
