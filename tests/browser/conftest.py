"""Browser fixtures: Debian's Chromium driven by Playwright against a real `astratrade serve`
(the e2e fixtures' server, admin and traders, reused as they are), serving the built client.

Chromium and the client build are prerequisites: missing, these tests skip with the reason,
except with CI=true, where they fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from astratrade.entrypoints.web_client import REPO_BUILD
from e2e.conftest import (  # the e2e fixtures, shared rather than copied
    PASSWORD,
    Server,
    admin,
    admin_name,
    new_trader,
    pytest_runtest_makereport,
    server,
)

__all__ = ["admin", "admin_name", "new_trader", "pytest_runtest_makereport", "server"]

CHROMIUM = Path(os.environ.get("ASTRATRADE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}
ON_CI = os.environ.get("CI") == "true"


def _missing(what: str) -> None:
    if ON_CI:
        pytest.fail(f"{what} is required on CI")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if not (REPO_BUILD / "index.html").is_file():
        _missing(f"the web client build in {REPO_BUILD} (make web)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (no cache, no storage) at phone width, its system theme dark (the
    palette the colour checks name; Playwright's default would be light)."""
    made = browser.new_context(viewport=PHONE, device_scale_factor=1, color_scheme="dark")
    made.set_default_timeout(10_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/ (kept by CI, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_up(page: Page, server: Server, username: str, *, open_page: bool = True) -> None:
    """Sign up through the client's form; done once the practice account's equity shows."""
    if open_page:
        page.goto(server.base_url + "/")
    page.get_by_label("Email").fill(f"{username}@browser.example.com")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")
