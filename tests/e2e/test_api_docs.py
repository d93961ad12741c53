"""/api/v1/docs in a real browser: Swagger UI starts from Chamado's own files under the site's
strict CSP (nothing blocked, no script error), lists the endpoints, and an endpoint opens
with its description, parameters and examples."""

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_docs_page_shows_every_endpoint_under_the_csp(open_page: Any, db: None) -> None:
    browser_page = open_page()
    page = browser_page.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(browser_page.url("/api/v1/docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Chamado")
    expect(page.get_by_text("Open a ticket", exact=True)).to_be_visible()
    expect(page.get_by_text("Change many tickets at once", exact=True)).to_be_visible()
    page.get_by_text("Open a ticket", exact=True).click()
    expect(page.get_by_text("Idempotency-Key").first).to_be_visible()
    expect(page.get_by_text("multipart/form-data").first).to_be_attached()
    assert browser_page.csp_violations == [] and browser_page.page_errors == []
    assert all(url.startswith(browser_page.base_url) for url in requests), requests
