"""Browser fixtures: one Chromium per test process, a fresh context per page, screenshots."""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
# Generous: under `-n auto` two browsers, two live servers and argon2 share two cores.
ACTION_TIMEOUT_MS = 15_000
EXPECT_TIMEOUT_MS = 10_000


def _browser_unavailable(reason: str) -> None:
    """Skip, unless the run demands a browser (CI sets CHAMADO_REQUIRE_BROWSER=1)."""
    if os.environ.get("CHAMADO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CHAMADO_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; never `playwright install`.

    Playwright's sync API marks its event loop as running in this thread until the session
    ends, so later tests in the same process see a running loop; the ORM copes because
    tests/conftest.py sets DJANGO_ALLOW_ASYNC_UNSAFE.
    """
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} is missing: install Debian's chromium package")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _browser_unavailable("Python Playwright is not installed in this environment")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass
class BrowserPage:
    """A page in its own context, with what the console said about CSP and uncaught errors."""

    page: Any
    base_url: str
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Callable[..., BrowserPage]]:
    """open_page(locale="pt-BR") gives a page whose browser speaks that language."""
    contexts: list[Any] = []

    def _open(locale: str = "en-US") -> BrowserPage:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        result = BrowserPage(page=context.new_page(), base_url=live_server.url)

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                result.csp_violations.append(f"{message.type}: {message.text}")

        result.page.on("console", on_console)
        result.page.on("pageerror", lambda error: result.page_errors.append(str(error)))
        return result

    yield _open
    for context in contexts:
        context.close()


class Screenshots:
    """Numbered full-page screenshots: test-output/screenshots/<lang>/NN-step.png."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, step: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshots() -> Callable[[Any, str], Screenshots]:
    def _for(page: Any, folder_name: str) -> Screenshots:
        return Screenshots(page, SCREENSHOTS / folder_name)

    return _for
