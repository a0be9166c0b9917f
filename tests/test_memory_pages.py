"""The assessment pages in a real browser (Debian's chromium) against the real server and its
database, on SQLite and on PostgreSQL: the history of the shipped example (and of another PMO),
answering as one rater, a cycle's profile."""

from __future__ import annotations

from collections.abc import Iterator

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


def test_the_printable_report_prints_on_one_page(page: Page) -> None:
    import re

    page.goto(page.base + "/api/v1/organizations/1/assessments/3/report")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Resurgence")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
