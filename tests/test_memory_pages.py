"""The assessment pages in a real browser (Debian's chromium) against the real server and its
database, on SQLite and on PostgreSQL: the history of the shipped example (and of another PMO),
answering as one rater, a cycle's profile."""

from __future__ import annotations

import json
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
    import re

    page.goto(page.base + "/api/v1/organizations/1/assessments/3/report")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Resurgence")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
